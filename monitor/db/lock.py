"""One polling round at a time per database, across processes (cron + `run`, two shells)."""

from __future__ import annotations

import errno
import fcntl
import os
import stat
from pathlib import Path
from types import TracebackType

from ..errors import MonitorError


class RoundBusy(MonitorError):
    """Another process is polling this database right now."""


class RoundLock:
    """An advisory lock on ``<database>.lock``, released when the process ends, even by
    ``kill -9`` (the kernel drops flock locks with the file descriptor)."""

    def __init__(self, database: str | Path) -> None:
        self.path = Path(f"{database}.lock")
        self._fd: int | None = None

    def __enter__(self) -> RoundLock:
        try:
            # Never through a symlink: a planted ``x.db.lock -> ~/.bashrc`` would be truncated.
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
        except OSError as exc:
            reason = "it is a symbolic link" if exc.errno == errno.ELOOP else exc.strerror
            raise MonitorError(f"{self.path}: cannot use this lock file ({reason})") from None
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
            # A hard link would make the pid written below overwrite another file.
            os.close(fd)
            what = "not a regular file" if not stat.S_ISREG(info.st_mode) else \
                "a hard link to another file"
            raise MonitorError(f"{self.path}: cannot use this lock file (it is {what})")
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise RoundBusy(f"another round is already running on {self.path.with_suffix('')}"
                            "; this one is skipped") from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

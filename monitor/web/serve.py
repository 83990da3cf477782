"""`monitor serve`: Datasette over the database, read-only, on loopback — described tables,
facets and accent-insensitive search, canned queries, charts (datasette-dashboards) and a
landing dashboard (monitor's plugin, :mod:`monitor.web`)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import webbrowser
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import Config
from ..db.store import is_read_only_error
from ..errors import MonitorError

#: Datasette table options beside the titles and descriptions of :mod:`monitor.web.schema`.
TABLE_OPTIONS: dict[str, dict[str, Any]] = {
    "articles": {"sort_desc": "published", "label_column": "title",
                 "facets": ["source", "language", {"month": "published"}],
                 "fts_table": "articles_fts", "fts_pk": "id"},
    "entities": {"sort_desc": "last_seen", "label_column": "name", "facets": ["kind", "label"],
                 "fts_table": "entities_fts", "fts_pk": "id"},
    "mentions": {"label_column": "text", "facets": ["title", "affiliation"]},
    "figures": {"label_column": "text", "facets": ["unit", "article_id"]},
    "feeds": {"label_column": "name", "facets": ["last_status", "state"]},
    "skipped": {"sort_desc": "seen_at", "facets": ["reason"]},
    "article_errors": {"sort_desc": "last_attempt_at"},
}


def metadata(database_name: str, *, default_entity: str | None = None) -> dict[str, Any]:
    """Datasette metadata: a title and description for every table and column, facets, sort
    orders and search wired to the FTS tables, the canned queries, and the chart dashboard."""
    from .canned import canned_queries
    from .charts import dashboards
    from .schema import HIDDEN, TABLES

    tables: dict[str, Any] = {}
    for name, doc in TABLES.items():
        tables[name] = {
            "title": doc["title"],
            "description": doc["description"],
            "columns": {column: f"{title}: {text}"
                        for column, (title, text) in doc["columns"].items()},
            **TABLE_OPTIONS.get(name, {}),
        }
    for name in HIDDEN:
        tables.setdefault(name, {})["hidden"] = True
    return {
        "title": "monitor — US–Cuba news",
        "description": "Articles from the configured feeds with the officials, agencies and "
        "figures found in them. Read-only.",
        "databases": {
            database_name: {
                "description": "Articles, the entities and figures found in them, and the "
                "feeds they came from. Start with the canned queries below.",
                "tables": tables,
                "queries": canned_queries(),
            }
        },
        "plugins": {"datasette-dashboards": dashboards(database_name,
                                                       default_entity=default_entity)},
    }


class ServeError(MonitorError):
    """The database cannot be served: unreadable, not SQLite, not monitor's (exit code 1)."""


#: The first 16 bytes of every SQLite database file.
SQLITE_HEADER = b"SQLite format 3\x00"
#: Tables the dashboard, the canned queries and the charts read.
REQUIRED_TABLES = ("articles", "entities", "mentions", "figures", "feeds")


@dataclass(frozen=True)
class Source:
    """The file Datasette serves and how it is opened: ``mode=ro`` (read-only, sees every
    committed change, as it happens), or ``immutable=1`` (a snapshot: SQLite neither locks
    nor looks for a WAL, so it works where the -shm file cannot be created). ``note`` is the
    one line that tells the user when what is served is not the live file."""

    path: Path
    immutable: bool = False
    note: str | None = None

    @property
    def uri(self) -> str:
        return f"{self.path.as_uri()}?{'immutable=1' if self.immutable else 'mode=ro'}"


def prepare_source(db_path: Path, workdir: Path) -> Source:
    """How to serve ``db_path`` without writing to it, or a ServeError saying in one line why
    it cannot be served.

    A database is opened ``mode=ro``, in place, when it can be. A WAL database (which monitor
    makes) cannot be when it or its folder is read-only and its -shm and -wal files are not
    there (see :func:`_wal_readable_in_place`): it is then served ``immutable`` when
    everything is in the main file, or — when its -wal file still holds changes, which
    ``immutable`` would silently leave out — from a copy of both, made in ``workdir``. What is
    writable is asked of ``os.access`` first, and of SQLite itself if ``mode=ro`` still
    fails."""
    db_path = Path(db_path)
    if not os.access(db_path, os.R_OK):
        raise ServeError(f"{db_path}: cannot read the database file (permission denied)")
    try:
        with db_path.open("rb") as fh:
            header = fh.read(100)
    except OSError as exc:
        raise ServeError(f"{db_path}: cannot read the database file ({exc.strerror})"
                         ) from None
    if not header:
        raise ServeError(f"{db_path}: the file is empty, not a monitor database yet (run "
                         "`monitor poll` or `monitor demo` first)")
    if not header.startswith(SQLITE_HEADER):
        raise ServeError(f"{db_path}: not an SQLite database")
    wal = len(header) > 19 and header[18] == 2 and header[19] == 2
    if wal and not _wal_readable_in_place(db_path):
        source = _snapshot(db_path, workdir)
    else:
        source = Source(db_path)
    try:
        _check(source, db_path)
    except sqlite3.OperationalError as exc:
        if not (wal and source.path == db_path and not source.immutable
                and is_read_only_error(exc)):
            raise ServeError(f"{db_path}: cannot be opened read-only ({exc})") from None
        source = _snapshot(db_path, workdir)
        try:
            _check(source, db_path)
        except sqlite3.Error as again:
            raise ServeError(f"{db_path}: cannot be opened read-only ({again})") from None
    except sqlite3.Error as exc:
        raise ServeError(f"{db_path}: cannot be opened read-only ({exc})") from None
    return _uri_safe(source, workdir)


#: Characters Datasette 0.65 does not escape in the ``file:`` URI it opens: with one of them in
#: the path it opens another file, and creates it empty (``/data/news#1/monitor.db`` opens
#: ``/data/news``).
URI_SPECIAL = re.compile(r"[?#%]")


def _uri_safe(source: Source, workdir: Path) -> Source:
    """``source``, through a symbolic link with a plain name in ``workdir`` when its path has
    a character Datasette would misread (SQLite follows the link: the -wal and -shm files it
    looks for are the real file's)."""
    if not URI_SPECIAL.search(str(source.path)):
        return source
    link = Path(workdir) / URI_SPECIAL.sub("_", source.path.name)
    try:
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(source.path)
    except OSError as exc:
        raise ServeError(f"{source.path}: Datasette cannot open a path containing ?, # or %, "
                         f"and a link to it could not be made ({exc.strerror}); rename it"
                         ) from None
    return Source(link, immutable=source.immutable, note=source.note)


def _wal_readable_in_place(db_path: Path) -> bool:
    """Whether this WAL database can be opened ``mode=ro`` where it is without leaving a trap:
    SQLite needs its -shm and -wal files. It cannot create them in a read-only folder; next to
    a read-only file it creates them read-only and leaves them, and they then stop every
    writer ("attempt to write a readonly database") even once the file is writable again. So:
    only when the folder and the file are writable, or both files are there already."""
    if os.access(db_path.parent, os.W_OK) and os.access(db_path, os.W_OK):
        return True
    return Path(f"{db_path}-shm").exists() and Path(f"{db_path}-wal").exists()


def _snapshot(db_path: Path, workdir: Path) -> Source:
    """A WAL database that cannot be opened ``mode=ro`` in place: ``immutable`` when its -wal
    file is absent or empty, else a copy of the file and its -wal, checkpointed in
    ``workdir`` (deleted when the server stops)."""
    wal = Path(f"{db_path}-wal")
    if not wal.exists() or wal.stat().st_size == 0:
        return Source(db_path, immutable=True, note=(
            f"{db_path}: the file or its folder is read-only, so it is served as it is now; "
            "restart `monitor serve` to see changes made meanwhile"))
    copy = Path(workdir) / db_path.name
    try:
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(db_path, copy)
        shutil.copyfile(wal, f"{copy}-wal")
    except OSError as exc:
        raise ServeError(f"{db_path}: it is read-only and {wal.name} holds changes not yet "
                         f"in the file, which could not be copied to read them "
                         f"({exc.strerror})") from None
    try:
        conn = sqlite3.connect(copy)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise ServeError(f"{db_path}: cannot read the changes in {wal.name} ({exc})"
                         ) from None
    return Source(copy, note=(
        f"{db_path}: the file or its folder is read-only and {wal.name} holds changes not "
        "yet in the file: serving a copy of both taken now; restart `monitor serve` to see "
        "later changes"))


def _check(source: Source, db_path: Path) -> None:
    """Open ``source`` as Datasette will and make sure monitor's tables are there."""
    conn = sqlite3.connect(source.uri, uri=True)
    try:
        tables = {row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        conn.close()
    if not tables:
        raise ServeError(f"{db_path}: no tables yet, not a monitor database (run `monitor "
                         "poll` or `monitor demo` first)")
    missing = [name for name in REQUIRED_TABLES if name not in tables]
    if missing:
        raise ServeError(f"{db_path}: not a monitor database (no {missing[0]} table)")


def default_entity(source: Source | Path) -> str | None:
    """The entity the Trends dashboard opens on: the official named in most articles, else the
    most-named entity; None for an empty or unreadable database."""
    if not isinstance(source, Source):
        source = Source(Path(source).resolve())
    try:
        conn = sqlite3.connect(source.uri, uri=True)
    except sqlite3.Error:
        return None
    try:
        row = conn.execute(
            "SELECT e.name FROM entities e JOIN mentions m ON m.entity_id = e.id "
            "GROUP BY e.id ORDER BY e.kind = 'official' DESC, COUNT(DISTINCT m.article_id) "
            "DESC, COUNT(*) DESC, e.name LIMIT 1").fetchone()
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    return row[0] if row else None


def register_plugin() -> None:
    """Load monitor's Datasette plugin (:mod:`monitor.web`) into this process's Datasette:
    before a Datasette is created, so its templates and static files are found."""
    from datasette.plugins import pm

    from .. import web

    if not pm.is_registered(web):
        pm.register(web, name=web.PLUGIN)


def datasette_app(db_path: Path, source: Source | None = None) -> Any:
    """The Datasette `monitor serve` runs, in this process (for tests and embedding); serving
    ``source`` (from :func:`prepare_source`) when given, else ``db_path`` ``mode=ro``."""
    from datasette.app import Datasette

    quiet_datasette_errors()
    register_plugin()
    source = source or Source(db_path)
    meta = metadata(source.path.stem, default_entity=default_entity(source))
    files = {"immutables" if source.immutable else "files": [str(source.path)]}
    return Datasette(**files, metadata=meta, settings={"sql_time_limit_ms": 5000})


def quiet_datasette_errors() -> None:
    """Work around Datasette 0.65: with rich installed (monitor uses it), its error handler
    calls rich's print_exception outside an ``except`` block, which raises, so every 404 page
    becomes a crash. Without rich, Datasette handles the error as designed."""
    import datasette.handle_exception

    datasette.handle_exception.rich = None


def _browser_host(host: str) -> str:
    return "127.0.0.1" if host in ("", "0.0.0.0", "::") else host


def open_when_ready(url: str, host: str, port: int, child: subprocess.Popen[Any],
                    timeout: float = 60.0) -> bool:
    """Open ``url`` in the user's browser once the server accepts connections; give up if
    the server exits or does not come up within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while child.poll() is None and time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=1):
                break
        except OSError:
            time.sleep(0.2)
    else:
        return False
    return webbrowser.open(url)


def serve_datasette(config: Config, *, host: str, port: int, open_browser: bool = False) -> int:
    db_path = config.database_path.resolve()
    try:
        workdir = tempfile.TemporaryDirectory(prefix="monitor-serve-")
    except OSError as exc:
        raise ServeError(f"cannot create a temporary folder for Datasette's settings "
                         f"({exc.strerror})") from None
    with workdir as tmp:
        source = prepare_source(db_path, Path(tmp) / "copy")
        if source.note:
            print(f"note: {source.note}", file=sys.stderr)
        meta = Path(tmp) / "metadata.json"
        meta.write_text(json.dumps(metadata(source.path.stem,
                                            default_entity=default_entity(source)),
                                   ensure_ascii=False), encoding="utf-8")
        files = ["-i", str(source.path)] if source.immutable else [str(source.path)]
        command = [sys.executable, "-m", "monitor.web.datasette_main", "serve", *files,
                   "--metadata", str(meta), "--host", host, "--port", str(port),
                   "--setting", "sql_time_limit_ms", "5000"]
        url = f"http://{_browser_host(host)}:{port}/"
        print(f"Datasette on {url} (read-only; Ctrl-C stops)", file=sys.stderr)
        child = subprocess.Popen(command)
        if open_browser:
            threading.Thread(target=open_when_ready, daemon=True,
                             args=(url, _browser_host(host), port, child)).start()
        # SIGTERM to `monitor serve` must stop Datasette too, or it outlives us.
        previous = signal.signal(signal.SIGTERM, lambda *_: child.terminate())
        try:
            return child.wait()
        except KeyboardInterrupt:  # Ctrl-C reaches the child through the process group
            child.wait()
            return 0
        finally:
            signal.signal(signal.SIGTERM, previous)
            if child.poll() is None:
                child.kill()

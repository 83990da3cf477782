"""Being a good citizen: at most N requests at once per host, a minimum gap between requests
to one host, and robots.txt honoured for article pages."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from ..errors import FetchError, MonitorError


class RobotsDisallowed(MonitorError):
    """robots.txt asks crawlers to stay away from this page."""


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


class HostLimiter:
    """Per-host concurrency cap and minimum gap, shared by the fetch threads of a round.

    ``clock`` and ``pause`` are injectable so the gap rule is testable without sleeping;
    ``pause`` should return early when the round is stopping (an Event's ``wait``).
    """

    def __init__(self, per_host: int = 2, min_gap: float = 1.0, *,
                 clock: Callable[[], float] = time.monotonic,
                 pause: Callable[[float], object] = time.sleep) -> None:
        self.per_host = per_host
        self.min_gap = min_gap
        self._clock = clock
        self._pause = pause
        self._lock = threading.Lock()
        self._slots: dict[str, threading.BoundedSemaphore] = {}
        self._next_start: dict[str, float] = {}

    def available(self, host: str) -> int:
        """Free slots for ``host`` now (for `monitor`'s tests and diagnostics)."""
        semaphore = self._slots.get(host)
        return self.per_host if semaphore is None else semaphore._value  # noqa: SLF001

    @contextmanager
    def slot(self, url: str) -> Iterator[None]:
        host = host_of(url)
        with self._lock:
            semaphore = self._slots.setdefault(host, threading.BoundedSemaphore(self.per_host))
        with semaphore:
            with self._lock:  # reserve a start time at least min_gap after the previous one
                now = self._clock()
                start = max(now, self._next_start.get(host, now))
                self._next_start[host] = start + self.min_gap
            if start > now:
                self._pause(start - now)
            yield


class RobotsCache:
    """robots.txt per origin, fetched once per process through the same bounded fetcher.

    A missing robots.txt (4xx) allows everything, as the standard says; one that cannot be
    fetched (network, 5xx) also allows: a news monitor should not go blind because a server
    hiccupped, and the page fetch that follows will fail on its own if the host is down.
    """

    USER_AGENT = "monitor"

    def __init__(self, fetch: Callable[[str], bytes]) -> None:
        self._fetch = fetch
        self._lock = threading.Lock()
        self._parsers: dict[str, RobotFileParser | None] = {}

    def check(self, url: str) -> None:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self._lock:
            known = origin in self._parsers
            parser = self._parsers.get(origin)
        if not known:
            parser = self._load(origin)
            with self._lock:
                self._parsers[origin] = parser
        if parser is not None and not parser.can_fetch(self.USER_AGENT, url):
            raise RobotsDisallowed(f"disallowed by {origin}/robots.txt")

    def _load(self, origin: str) -> RobotFileParser | None:
        try:
            body = self._fetch(origin + "/robots.txt")
        except FetchError:
            return None
        parser = RobotFileParser()
        parser.parse(body.decode("utf-8", errors="replace").splitlines())
        return parser

"""When a feed is next due: adaptive to how often it publishes, never earlier than the server
asks (TTL, Cache-Control, Expires, Retry-After), backing off on failures by their weight.

Pure functions of their inputs (``now`` is passed in), so every rule is testable alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from ..errors import FetchError, MonitorError

MIN_INTERVAL = timedelta(minutes=5)
MAX_INTERVAL = timedelta(hours=24)
WEEK = timedelta(days=7)

#: Failure weights: a feed that is broken or refused (hard) backs off fastest; a missing page or
#: a server error next; the network (DNS, connection, timeout) is often passing trouble.
HARD, HTTP, TRANSIENT = 3.0, 2.0, 1.0
_TRANSIENT_KINDS = {"dns", "connect", "timeout"}

_MAX_AGE = re.compile(r"(?:^|,)\s*(?:s-)?max-age\s*=\s*\"?(\d+)", re.IGNORECASE)


def failure_weight(error: MonitorError) -> float:
    """Hard (not a feed, refused, too large, redirect loop) > HTTP status > network."""
    if isinstance(error, FetchError) and error.kind in _TRANSIENT_KINDS:
        return TRANSIENT
    if isinstance(error, FetchError) and error.kind == "http":
        return HTTP
    return HARD


def _clamp(delta: timedelta, low: timedelta = MIN_INTERVAL,
           high: timedelta = MAX_INTERVAL) -> timedelta:
    return max(low, min(high, delta))


def publishing_interval(published: Iterable[str | None], now: datetime,
                        default: timedelta) -> timedelta:
    """One week divided by last week's entry count, clamped to 5 min–24 h.

    A feed whose entries carry no dates keeps the configured interval; a dated feed that
    published nothing last week is polled daily.
    """
    dates = [d for d in (_parse_iso(p) for p in published) if d is not None]
    if not dates:
        return default
    recent = sum(1 for d in dates if now - WEEK <= d <= now + timedelta(hours=1))
    if recent == 0:
        return MAX_INTERVAL
    return _clamp(WEEK / recent)


def server_floor(headers: Mapping[str, str], ttl_seconds: int | None,
                 now: datetime) -> timedelta:
    """The earliest the server (or the feed's <ttl>) allows the next fetch; capped at 24 h."""
    floors = [timedelta(0)]
    if ttl_seconds:
        floors.append(timedelta(seconds=ttl_seconds))
    match = _MAX_AGE.search(headers.get("cache-control", ""))
    if match:
        floors.append(timedelta(seconds=int(match.group(1))))
    expires = _http_date(headers.get("expires"))
    if expires is not None:
        floors.append(expires - now)
    return min(max(floors), MAX_INTERVAL)


def retry_after(value: str | None, now: datetime) -> timedelta | None:
    """A 429/503's Retry-After: seconds or an HTTP date; capped at 24 h."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(timedelta(seconds=int(value)), MAX_INTERVAL)
    when = _http_date(value)
    if when is None:
        return None
    return min(max(when - now, timedelta(0)), MAX_INTERVAL)


def next_failure(now: datetime, *, default: timedelta, score: float,
                 wait: timedelta | None = None) -> datetime:
    """Linear backoff by the weighted failure score, capped at a day; never before Retry-After."""
    backoff = min(default * max(score, 1.0), MAX_INTERVAL)
    return now + max(backoff, wait or timedelta(0))


def _http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _parse_iso(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)

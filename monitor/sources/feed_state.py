"""A feed's state machine as one pure function: its row and a fetch's outcome in, its next row
out. No database, no network, no clock of its own, so every transition is tested alone
(``tests/test_feed_state.py``) and the pipeline only stores what this decides.

States, as ``last_status``: ``ok`` (fetched and parsed), ``not_modified`` (HTTP 304),
``unchanged`` (the same bytes as last time, not parsed again), ``error`` (counted, backed off by
a weighted failure score), ``gone`` (HTTP 410: no longer polled until ``poll --force``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ..errors import FetchError, MonitorError
from . import timing as schedule
from .feeds import ParsedFeed, parse_feed
from .urls import canonical_url, mask_credentials, mask_credentials_in


@dataclass(frozen=True)
class Transition:
    """What one fetch of a feed changes."""

    #: ``ok``, ``not_modified``, ``unchanged``, ``error`` or ``gone``.
    status: str
    #: The feed row's new values, stored at once.
    values: dict[str, Any]
    #: Cache validators (etag, last_modified, content_hash), stored only once the feed's items
    #: are handled: a round cut short must not leave the feed looking unchanged with items
    #: never fetched. None after a failure.
    validators: dict[str, Any] | None = None
    #: The parsed feed when its content changed, else None.
    parsed: ParsedFeed | None = None
    #: The failure, for ``error`` and ``gone``.
    error: MonitorError | None = field(default=None)

    @property
    def changed(self) -> bool:
        return self.status == "ok"


def next_state(feed: Mapping[str, Any], outcome: Any, now: datetime, *, interval: timedelta,
               adaptive: bool) -> Transition:
    """The transition of ``feed`` (its row) after ``outcome``: a fetch result (with
    ``status``, ``content``, ``headers``, ``not_modified``, ``etag``, ``last_modified``,
    ``url``, ``content_type``) or the MonitorError the fetch raised. ``interval`` is
    ``poll.interval``; ``adaptive`` polls a feed as often as it publishes."""
    values: dict[str, Any] = {"last_polled_at": now.isoformat()}
    if isinstance(outcome, MonitorError):
        return _failure(feed, outcome, now, interval, values)
    values["http_status"] = outcome.status
    content_hash = hashlib.sha256(outcome.content).hexdigest()
    every = timedelta(seconds=feed["poll_interval"]) if feed["poll_interval"] else interval
    parsed, ttl = None, None
    if outcome.not_modified or content_hash == feed["content_hash"]:
        status = "not_modified" if outcome.not_modified else "unchanged"
    else:
        try:
            # The base without the feed's credentials: relative links must not inherit them.
            parsed = parse_feed(outcome.content, base_url=canonical_url(outcome.url),
                                content_type=outcome.content_type)
        except MonitorError as exc:
            return _failure(feed, exc, now, interval, values)
        status, ttl = "ok", parsed.ttl_seconds
        if adaptive:
            every = schedule.publishing_interval(
                (item.published for item in parsed.items), now, interval)
        values.update(title=parsed.title,
                      site_url=parsed.site_url and mask_credentials(parsed.site_url),
                      poll_interval=every.total_seconds())
    floor = schedule.server_floor(outcome.headers, ttl, now)
    values.update(last_status=status, error_count=0, failure_score=0.0, last_error=None,
                  last_ok_at=now.isoformat(), state="active",
                  next_poll_at=(now + max(every, floor)).isoformat())
    validators = {
        "etag": outcome.etag or feed["etag"],
        "last_modified": outcome.last_modified or feed["last_modified"],
        "content_hash": content_hash if parsed is not None else feed["content_hash"],
    }
    return Transition(status, values, validators, parsed)


def _failure(feed: Mapping[str, Any], exc: MonitorError, now: datetime, interval: timedelta,
             values: dict[str, Any]) -> Transition:
    message = mask_credentials_in(str(exc))
    values.update({
        "last_status": "error", "error_count": (feed["error_count"] or 0) + 1,
        "last_error": message,
        "failure_score": (feed["failure_score"] or 0.0) + schedule.failure_weight(exc),
    })
    if isinstance(exc, FetchError) and exc.status:
        values["http_status"] = exc.status
    if isinstance(exc, FetchError) and exc.status == 410:
        # Gone for good: stop polling (shown by `monitor feeds`; `poll --force` retries).
        values.update(state="gone", last_status="gone", next_poll_at=None)
        return Transition("gone", values, error=exc)
    wait = schedule.retry_after(exc.retry_after, now) if isinstance(exc, FetchError) else None
    values["next_poll_at"] = schedule.next_failure(
        now, default=interval, score=values["failure_score"], wait=wait).isoformat()
    return Transition("error", values, error=exc)

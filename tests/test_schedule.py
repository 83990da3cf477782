"""Per-feed schedules: adaptive intervals, server floors, weighted backoff, 410, Retry-After."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from werkzeug import Response

from monitor.config import load_config
from monitor.db.store import open_db
from monitor.errors import FeedError, FetchError
from monitor.pipeline import Monitor
from monitor.sources import timing as schedule

from .pages import rss

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
DEFAULT = timedelta(minutes=15)


def iso(delta: timedelta) -> str:
    return (NOW - delta).isoformat()


def test_interval_follows_publishing_rate():
    twice_a_day = [iso(timedelta(hours=12 * i)) for i in range(14)]
    assert schedule.publishing_interval(twice_a_day, NOW, DEFAULT) == timedelta(hours=12)
    busy = [iso(timedelta(minutes=i)) for i in range(5000)]
    assert schedule.publishing_interval(busy, NOW, DEFAULT) == schedule.MIN_INTERVAL
    stale = [iso(timedelta(days=30))]
    assert schedule.publishing_interval(stale, NOW, DEFAULT) == schedule.MAX_INTERVAL
    assert schedule.publishing_interval([None, "garbage"], NOW, DEFAULT) == DEFAULT


def test_server_floor_from_ttl_cache_control_and_expires():
    assert schedule.server_floor({}, None, NOW) == timedelta(0)
    assert schedule.server_floor({}, 3600, NOW) == timedelta(hours=1)
    headers = {"cache-control": "public, max-age=7200"}
    assert schedule.server_floor(headers, 60, NOW) == timedelta(hours=2)
    expires = {"expires": "Sat, 28 Nov 2026 15:00:00 GMT"}
    assert schedule.server_floor(expires, None, NOW) == timedelta(hours=3)
    assert schedule.server_floor({"cache-control": "max-age=99999999"}, None, NOW) == \
        schedule.MAX_INTERVAL


def test_retry_after_seconds_and_dates_capped_at_a_day():
    assert schedule.retry_after("120", NOW) == timedelta(seconds=120)
    assert schedule.retry_after("Sat, 28 Nov 2026 14:00:00 GMT", NOW) == timedelta(hours=2)
    assert schedule.retry_after("999999", NOW) == schedule.MAX_INTERVAL
    assert schedule.retry_after("soon", NOW) is None


def test_failures_weighted_hard_over_http_over_network():
    hard = schedule.failure_weight(FeedError("not a feed"))
    http = schedule.failure_weight(FetchError("HTTP 404", kind="http", status=404))
    dns = schedule.failure_weight(FetchError("DNS", kind="dns"))
    assert hard > http > dns
    assert schedule.next_failure(NOW, default=DEFAULT, score=2) == NOW + 2 * DEFAULT
    assert schedule.next_failure(NOW, default=DEFAULT, score=500) == NOW + schedule.MAX_INTERVAL
    assert schedule.next_failure(NOW, default=DEFAULT, score=1, wait=timedelta(hours=3)) == \
        NOW + timedelta(hours=3)


# --- over loopback -----------------------------------------------------------------------


@pytest.fixture
def poller(httpserver, write_config, tagger):
    def make(*paths: str) -> Monitor:
        cfg = load_config(write_config([httpserver.url_for(p) for p in paths]), env={})
        return Monitor(cfg, open_db(cfg.database_path), tagger=tagger)

    return make


def feed_row(monitor: Monitor, path: str) -> dict:
    return next(r for r in monitor.db["feeds"].rows if r["url"].endswith(path))


def test_gone_feed_stops_being_polled_until_forced(httpserver, poller):
    httpserver.expect_request("/gone.xml").respond_with_data("gone", status=410)
    monitor = poller("/gone.xml")
    monitor.poll()
    row = feed_row(monitor, "/gone.xml")
    assert (row["state"], row["last_status"], row["next_poll_at"]) == ("gone", "gone", None)
    requests = len(httpserver.log)
    assert monitor.poll().feeds == 0
    assert len(httpserver.log) == requests
    monitor.poll(force=True)
    assert len(httpserver.log) == requests + 1


def test_retry_after_on_503_is_honoured(httpserver, poller):
    httpserver.expect_request("/busy.xml").respond_with_data(
        "busy", status=503, headers={"Retry-After": "7200"})
    monitor = poller("/busy.xml")
    monitor.poll()
    row = feed_row(monitor, "/busy.xml")
    gap = datetime.fromisoformat(row["next_poll_at"]) - datetime.fromisoformat(
        row["last_polled_at"])
    assert gap == timedelta(hours=2)
    assert row["failure_score"] == schedule.HTTP


def test_cache_control_max_age_delays_the_next_poll(httpserver, poller):
    httpserver.expect_request("/cached.xml").respond_with_data(
        rss("Cached", []), content_type="application/rss+xml",
        headers={"Cache-Control": "max-age=10800"})
    monitor = poller("/cached.xml")
    monitor.poll()
    row = feed_row(monitor, "/cached.xml")
    gap = datetime.fromisoformat(row["next_poll_at"]) - datetime.fromisoformat(
        row["last_polled_at"])
    assert gap >= timedelta(hours=3)


def test_backoff_grows_with_weighted_failures_and_resets_on_success(httpserver, poller):
    state = {"ok": False}

    def handler(request):
        if state["ok"]:
            return Response(rss("Back", []), content_type="application/rss+xml")
        return Response("<html><body>not a feed</body></html>", content_type="text/html")

    httpserver.expect_request("/flaky.xml").respond_with_handler(handler)
    monitor = poller("/flaky.xml")
    monitor.poll()
    monitor.poll(force=True)
    row = feed_row(monitor, "/flaky.xml")
    assert row["error_count"] == 2 and row["failure_score"] == 2 * schedule.HARD
    gap = datetime.fromisoformat(row["next_poll_at"]) - datetime.fromisoformat(
        row["last_polled_at"])
    assert gap == timedelta(seconds=monitor.config.poll.interval * 2 * schedule.HARD)
    state["ok"] = True
    monitor.poll(force=True)
    row = feed_row(monitor, "/flaky.xml")
    assert (row["error_count"], row["failure_score"], row["last_error"]) == (0, 0.0, None)

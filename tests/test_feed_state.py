"""The feed state machine alone: a row and an outcome in, the next row out (no database, no
network, the clock passed in)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.errors import FeedError, FetchError
from monitor.sources.feed_state import next_state
from monitor.sources.fetching import FetchResult

from .pages import rss

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
INTERVAL = timedelta(minutes=15)
FEED = {"url": "https://news.example/feed", "etag": '"v0"', "last_modified": None,
        "content_hash": None, "poll_interval": None, "error_count": 2, "failure_score": 4.0}
BODY = rss("Cuba Wire", [("Talks resume", "https://news.example/1"),
                         ("Flights", "https://news.example/2")]).encode()


def fetched(status: int = 200, content: bytes = BODY, **headers: str) -> FetchResult:
    return FetchResult(url=FEED["url"], status=status, content=content,
                       headers={"content-type": "application/rss+xml", **headers})


def step(outcome, feed=FEED, adaptive=False):
    return next_state(feed, outcome, NOW, interval=INTERVAL, adaptive=adaptive)


def test_a_new_feed_body_is_parsed_and_resets_the_failures():
    done = step(fetched(etag='"v1"'))
    assert done.status == "ok" and done.changed and done.error is None
    assert [i.url for i in done.parsed.items] == ["https://news.example/1",
                                                  "https://news.example/2"]
    assert (done.values["error_count"], done.values["failure_score"]) == (0, 0.0)
    assert done.values["title"] == "Cuba Wire"
    assert done.values["next_poll_at"] == (NOW + INTERVAL).isoformat()
    assert done.validators["etag"] == '"v1"' and done.validators["content_hash"]


def test_not_modified_and_unchanged_keep_the_stored_hash_and_parse_nothing():
    not_modified = step(fetched(304, b""))
    assert (not_modified.status, not_modified.parsed) == ("not_modified", None)
    assert not_modified.validators == {"etag": '"v0"', "last_modified": None,
                                       "content_hash": None}
    known = {**FEED, "content_hash": step(fetched()).validators["content_hash"]}
    same = step(fetched(), feed=known)
    assert (same.status, same.parsed) == ("unchanged", None)
    assert same.validators["content_hash"] == known["content_hash"]


def test_a_fetch_error_backs_off_by_its_weight_and_masks_credentials():
    error = FetchError("redirect loop at https://u:secret@news.example/f", kind="redirects")
    failed = step(error)
    assert failed.status == "error" and failed.validators is None and failed.parsed is None
    assert failed.values["error_count"] == 3
    assert failed.values["failure_score"] == 7.0  # a hard failure weighs 3
    assert "secret" not in failed.values["last_error"]
    assert failed.values["next_poll_at"] > (NOW + INTERVAL).isoformat()


def test_a_body_that_is_not_a_feed_is_a_failure_not_a_change():
    failed = step(fetched(content=b"<html><body>Not a feed</body></html>",
                          **{"content-type": "text/html"}))
    assert failed.status == "error" and isinstance(failed.error, FeedError)
    assert failed.validators is None  # the next round tries the feed again in full


def test_gone_stops_polling_and_retry_after_is_honoured():
    gone = step(FetchError("HTTP 410", kind="http", status=410))
    assert (gone.status, gone.values["state"], gone.values["next_poll_at"]) == (
        "gone", "gone", None)
    busy = step(FetchError("HTTP 429", kind="http", status=429, retry_after="7200"))
    assert busy.values["next_poll_at"] >= (NOW + timedelta(hours=2)).isoformat()


def test_a_feed_publishing_rarely_is_polled_rarely_when_adaptive():
    old = rss("Quiet", [("Old", "https://news.example/old")]).encode()
    done = step(fetched(content=old), adaptive=True)
    assert done.values["poll_interval"] == timedelta(hours=24).total_seconds()
    assert step(fetched(content=old), adaptive=False).values["poll_interval"] == \
        INTERVAL.total_seconds()

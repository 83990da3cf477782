"""Politeness: per-host concurrency and gaps, robots.txt for article pages."""

from __future__ import annotations

from contextlib import ExitStack

import pytest

from monitor.config import load_config
from monitor.db import queries
from monitor.db.store import open_db
from monitor.pipeline import Monitor
from monitor.sources.politeness import HostLimiter

from .pages import article_page, rss


def test_at_most_n_requests_at_once_per_host():
    limiter = HostLimiter(per_host=2, min_gap=0)
    with ExitStack() as stack:
        stack.enter_context(limiter.slot("https://a.example/1"))
        stack.enter_context(limiter.slot("https://a.example/2"))
        assert limiter.available("a.example") == 0
        assert limiter.available("b.example") == 2  # other hosts are not held up
    assert limiter.available("a.example") == 2


def test_requests_to_one_host_start_a_gap_apart():
    clock = [100.0]
    pauses: list[float] = []
    limiter = HostLimiter(per_host=2, min_gap=1.5, clock=lambda: clock[0],
                          pause=pauses.append)
    for _ in range(3):
        with limiter.slot("https://a.example/x"):
            pass
    with limiter.slot("https://b.example/x"):
        pass
    assert pauses == [1.5, 3.0]  # the 2nd and 3rd wait their turn; b.example does not wait


@pytest.fixture
def robots_site(httpserver):
    httpserver.expect_request("/robots.txt").respond_with_data(
        "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    text = ["Cuban officials met their US counterparts in Havana on Tuesday.",
            "The talks covered migration and the resumption of visa processing."]
    for path in ("/private/story", "/public/story"):
        httpserver.expect_request(path).respond_with_data(
            article_page("Talks in Havana " + path, [*text, path]), content_type="text/html")
    httpserver.expect_request("/feed.xml").respond_with_data(
        rss("Robots", [("Private", httpserver.url_for("/private/story")),
                       ("Public", httpserver.url_for("/public/story"))]),
        content_type="application/rss+xml")
    return httpserver


@pytest.mark.parametrize("honour", [True, False])
def test_robots_txt_is_honoured_for_article_pages(robots_site, write_config, tagger, honour):
    config = write_config([robots_site.url_for("/feed.xml")])
    text = config.read_text().replace("  host_delay: 0", f"  host_delay: 0\n  robots: {honour}")
    config.write_text(text)
    cfg = load_config(config, env={})
    db = open_db(cfg.database_path)
    Monitor(cfg, db, tagger=tagger).poll()
    fetched = {request.path for request, _ in robots_site.log}
    assert ("/private/story" in fetched) is not honour
    assert "/public/story" in fetched
    if honour:
        skipped = list(db["skipped"].rows)
        assert [row["reason"] for row in skipped] == ["robots"]
        assert len(queries.search(db, "visa processing")) == 1

"""Two rounds on one database: the second says so and leaves; kill -9 loses nothing."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

from monitor.db import store
from monitor.db.lock import RoundBusy, RoundLock

from .pages import article_page, rss

STORY = [
    "Cuba's foreign ministry said talks with the United States on migration would resume.",
    "The ministry said both delegations would meet in Havana next month.",
]


@pytest.fixture
def feed_site(httpserver):
    items = []
    for number in range(6):
        path = f"/news/{number}"
        text = [f"{line} Report number {number} of {'several ' * number}updates." for line in STORY]
        httpserver.expect_request(path).respond_with_data(
            article_page(f"Story {number}", text), content_type="text/html")
        items.append((f"Story {number}", httpserver.url_for(path)))
    httpserver.expect_request("/feed.xml").respond_with_data(
        rss("Concurrency", items), content_type="application/rss+xml")
    return httpserver.url_for("/feed.xml")


def poll_cmd(config) -> list[str]:
    return [sys.executable, "-m", "monitor", "poll", "--force", "--config", str(config)]


def test_second_round_on_a_busy_database_says_so_and_exits_0(write_config, feed_site, tmp_path):
    config = write_config([feed_site])
    store.open_db(tmp_path / "monitor.db").close()
    with RoundLock(tmp_path / "monitor.db"):
        with pytest.raises(RoundBusy):
            with RoundLock(tmp_path / "monitor.db"):
                pass
        result = subprocess.run(poll_cmd(config), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0
    assert "another round is already running" in result.stderr
    assert "Traceback" not in result.stderr


def test_two_polls_at_once_end_cleanly_without_duplicates(write_config, feed_site, tmp_path):
    config = write_config([feed_site])
    procs = [subprocess.Popen(poll_cmd(config), stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    errors = [p.communicate(timeout=180)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    for err in errors:
        assert "Traceback" not in err and "locked" not in err
    db = store.open_db(tmp_path / "monitor.db")
    assert db["articles"].count == 6
    assert db.execute("SELECT COUNT(DISTINCT url) FROM articles").fetchone()[0] == 6


def test_kill_9_mid_round_then_poll_again_loses_nothing(write_config, feed_site, tmp_path):
    config = write_config([feed_site])
    proc = subprocess.Popen([*poll_cmd(config), "-v"], stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    for line in proc.stderr:  # kill as soon as the first article is stored
        if line.startswith("new "):
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    db = store.open_db(tmp_path / "monitor.db")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    stored = {row["url"] for row in db["articles"].rows}
    assert stored  # what was stored before the kill is there
    result = subprocess.run(poll_cmd(config), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert db["articles"].count == 6
    assert db.execute("SELECT COUNT(DISTINCT url) FROM articles").fetchone()[0] == 6
    assert stored <= {row["url"] for row in db["articles"].rows}
    for article in db["articles"].rows:  # whole articles only: each tagged, with its URL row
        assert article["tagged_at"]
        assert db.execute("SELECT 1 FROM article_urls WHERE article_id = ?",
                          [article["id"]]).fetchone()

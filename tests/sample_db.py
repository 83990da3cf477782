"""A database filled from real pages, for the Datasette, report and browser tests.

Built the way a user builds one, through the command line:

1. ``monitor ingest --all`` the demo pages (the seed story, its AMP copy, its republication by
   a second outlet, two ScienceAlert pages) and the saved pages in ``tests/fixtures/pages``
   (the seed article in other layouts and real pages from the extraction benchmark), so there
   are several sources and weeks;
2. ``monitor poll`` two feeds on a loopback server: one answers (an RSS item linking to a copy
   of the seed story's page, which is recognised as known), one fails with HTTP 500 — so the
   feed-health queries have one of each.

Built once per test process (each pytest-xdist worker) and shared by the test modules.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from pytest_httpserver import HTTPServer

from .pages import rss

ROOT = Path(__file__).resolve().parent.parent
DEMO_PAGES = ROOT / "monitor" / "demo_pages"
FIXTURE_PAGES = Path(__file__).resolve().parent / "fixtures" / "pages"
SEED_PAGE = DEMO_PAGES / "01-straitsherald-us-cuba-migration-talks.html"

#: What the tests expect to find (from the seed story).
STORY_TITLE = "US and Cuba to hold highest-level talks in years on migration"
STORY_URL = "https://www.straitsherald.example/americas/2022/04/19/us-cuba-migration-talks/"
COSSIO = "Carlos Fernández de Cossío"
OK_FEED, BROKEN_FEED = "Straits Herald (loopback)", "Broken feed (loopback)"

_built: dict[str, Path] = {}


def _monitor(*args: str, cwd: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "monitor", *args], cwd=cwd,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]


def build(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    db_path = folder / "monitor.db"
    # ingest in this order: the canonical page of the seed story comes first.
    pages = folder / "pages"
    shutil.copytree(DEMO_PAGES, pages / "a-demo", ignore=shutil.ignore_patterns("*.md"))
    shutil.copytree(FIXTURE_PAGES, pages / "b-fixtures")
    _monitor("ingest", "--all", "--db", str(db_path), str(pages / "a-demo"),
             str(pages / "b-fixtures"), cwd=folder)

    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    try:
        story = server.url_for("/americas/us-cuba-migration-talks/")
        server.expect_request("/feed.xml").respond_with_data(
            rss("The Straits Herald", [(STORY_TITLE, story)]),
            content_type="application/rss+xml")
        server.expect_request("/americas/us-cuba-migration-talks/").respond_with_data(
            SEED_PAGE.read_bytes(), content_type="text/html; charset=utf-8")
        server.expect_request("/broken.xml").respond_with_data("oops", status=500)
        config = folder / "config.yaml"
        config.write_text(
            "database: monitor.db\nfeeds:\n"
            f"  - url: {server.url_for('/feed.xml')}\n    name: {OK_FEED}\n"
            f"  - url: {server.url_for('/broken.xml')}\n    name: {BROKEN_FEED}\n"
            "fetch:\n  allow_private_addresses: true\n  robots: false\n  timeout: 10s\n"
            "  host_delay: 0\n", encoding="utf-8")
        _monitor("poll", "--config", str(config), cwd=folder)
    finally:
        server.clear()
        if server.is_running():
            server.stop()
    return db_path


def sample_db(tmp_path_factory) -> Path:
    """The database, built on first use in this process."""
    if "db" not in _built:
        _built["db"] = build(tmp_path_factory.mktemp("served"))
    return _built["db"]

"""`monitor serve` in a real browser: Debian's Chromium, headless, driven by Playwright (never a
browser downloaded at run time).

Every page must load with no JavaScript error, no failed request and no request leaving this
machine; charts must be drawn (SVG marks present). Screenshots go to ``test-artifacts/``.

Skipped, with the reason, when Chromium or Playwright is missing; ``.ci/run`` installs
Chromium and sets MONITOR_REQUIRE_BROWSER=1, which turns the skip into a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import urllib.parse
from pathlib import Path

import pytest

from monitor.db import store

from .sample_db import COSSIO, STORY_TITLE, sample_db

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def chromium_path() -> str | None:
    """$MONITOR_CHROMIUM if set (nothing else then), else Debian's chromium."""
    if "MONITOR_CHROMIUM" in os.environ:
        candidates = [os.environ["MONITOR_CHROMIUM"]]
    else:
        candidates = [shutil.which("chromium"), shutil.which("chromium-browser"),
                      "/usr/bin/chromium"]
    return next((c for c in candidates if c and Path(c).is_file()), None)


def skip_or_fail(reason: str) -> None:
    if os.environ.get("MONITOR_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (MONITOR_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    executable = chromium_path()
    if executable is None:
        skip_or_fail("browser tests skipped: no Chromium (apt-get install chromium, or set "
                     "MONITOR_CHROMIUM to its path)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("browser tests skipped: Playwright is not installed (pip install -e "
                     "'.[test]')")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`monitor serve` on a free loopback port; its log is drained so it never blocks."""
    db_path = sample_db(tmp_path_factory)
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "monitor", "serve", "--db", str(db_path), "--port", str(port)],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, cwd=db_path.parent)
    up = threading.Event()
    log: list[str] = []

    def drain() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            log.append(line)
            if "running on" in line.lower():
                up.set()
        up.set()  # exited

    threading.Thread(target=drain, daemon=True).start()
    try:
        assert up.wait(60) and proc.poll() is None, "".join(log[-20:])
        yield f"http://127.0.0.1:{port}", db_path
    finally:
        proc.terminate()
        proc.wait(timeout=10)


class Watched:
    """A page whose console errors, uncaught exceptions, failed requests, HTTP errors and
    requests to any other host are recorded."""

    def __init__(self, browser, base: str):
        self.base = base
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.problems: list[str] = []
        page = self.page
        page.on("console", lambda m: m.type == "error" and self.problems.append(
            f"console error: {m.text}"))
        page.on("pageerror", lambda e: self.problems.append(f"JavaScript error: {e}"))
        page.on("requestfailed", lambda r: self.problems.append(
            f"request failed: {r.url} ({r.failure})"))
        page.on("response", lambda r: r.status >= 400 and self.problems.append(
            f"HTTP {r.status}: {r.url}"))
        page.route("**/*", self._only_here)

    def _only_here(self, route) -> None:
        url = route.request.url
        if url.startswith(self.base + "/") or url.startswith("data:"):
            route.continue_()
        else:
            self.problems.append(f"request to another host: {url}")
            route.abort()

    def visit(self, path: str, ready: str):
        self.page.goto(self.base + path, wait_until="networkidle")
        self.page.wait_for_selector(ready, state="attached", timeout=20_000)
        self.page.wait_for_load_state("networkidle")
        return self.page

    def shoot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"browser-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self) -> None:
        self.context.close()


def test_pages_load_cleanly_and_charts_are_drawn(browser, server):
    base, db_path = server
    db = store.open_db(db_path)
    cossio = next(db["entities"].rows_where("name = ?", [COSSIO]))["id"]
    db.close()
    entity = urllib.parse.quote(COSSIO)
    pages = [
        ("dashboard", "/", "#chart-articles-per-source svg .mark-rect path"),
        ("table", "/monitor/articles", "table.rows-and-columns td.col-text .monitor-text"),
        ("entity", f"/monitor/entities/{cossio}", "pre.monitor-json"),
        ("query", "/monitor/who_spoke?side=Cuba&topic=migration&since=2022-01-01",
         "table.rows-and-columns td.col-official a"),
        ("chart", f"/-/dashboards/trends/entity-mentions?entity={entity}",
         ".chart-container svg .mark-symbol path"),
        ("trends", f"/-/dashboards/trends?entity={entity}",
         "#chart-top-officials svg .mark-rect path"),
    ]
    problems: dict[str, list[str]] = {}
    for name, path, ready in pages:
        watched = Watched(browser, base)
        try:
            page = watched.visit(path, ready)
            assert page.locator(ready).count() >= 1, name
            watched.shoot(name)
            if watched.problems:
                problems[name] = watched.problems
        finally:
            watched.close()
    assert problems == {}
    assert (ARTIFACTS / "browser-dashboard.png").stat().st_size > 10_000


def test_the_question_in_three_clicks(browser, server):
    """'Who spoke for Cuba on migration this month, with what title, and what numbers did
    they cite?' — from the landing page: Ask (1), the article (2)."""
    base, _ = server
    watched = Watched(browser, base)
    try:
        page = watched.visit("/", "form.monitor-ask")
        assert page.input_value("form.monitor-ask input[name=side]") == "Cuba"
        assert page.input_value("form.monitor-ask input[name=topic]") == "migration"
        page.fill("form.monitor-ask input[name=since]", "2022-04-01")  # the sample's month
        page.click("form.monitor-ask button")  # click 1
        page.wait_for_selector("table.rows-and-columns td.col-official")
        row = page.locator("table.rows-and-columns tbody tr", has_text=COSSIO)
        assert "Deputy Foreign Minister" in row.inner_text()
        assert "16,531 Cubans apprehended at the US-Mexico border" in row.inner_text()
        watched.shoot("question")
        row.locator("td.col-article a").click()  # click 2
        page.wait_for_selector("td.col-text .monitor-text")
        assert STORY_TITLE in page.inner_text("td.col-title")
        assert "figures" in page.inner_text("section.content")  # linked figures, click 3
        assert watched.problems == []
    finally:
        watched.close()


def test_nothing_can_be_written_from_the_browser(browser, server):
    base, db_path = server
    before = store.open_db(db_path)["articles"].count
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(base + "/monitor/articles", wait_until="networkidle")
        statuses = page.evaluate("""async () => {
            const post = (path, body) => fetch(path, {method: 'POST',
                headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)})
                .then(r => r.status);
            return [
                await post('/monitor/articles/-/insert', {row: {url: 'https://evil.example/'}}),
                await post('/monitor/-/create', {table: 'evil', rows: [{a: 1}]}),
                await fetch('/monitor.json?sql=' + encodeURIComponent(
                    "INSERT INTO articles (url) VALUES ('https://evil.example/')"))
                    .then(r => r.status),
            ];
        }""")
    finally:
        context.close()
    assert all(status in (400, 403, 404, 405) for status in statuses), statuses
    assert store.open_db(db_path)["articles"].count == before

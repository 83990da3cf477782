"""Shared fixtures: the real seed article, the real spaCy model (loaded once per worker),
config files written to a temporary folder, and a loopback HTTP server (pytest-httpserver)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def seed_text() -> str:
    return (FIXTURES / "seed-article.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def tagger():
    from monitor.tagging.tagger import Tagger

    return Tagger()


@pytest.fixture
def write_config(tmp_path):
    """Write a config.yaml in tmp_path; returns its path."""

    def write(feeds: list[str] | None = None, extra: str = "") -> Path:
        lines = ["database: monitor.db", "feeds:" + ("" if feeds else " []")]
        lines += [f"  - url: {url}" for url in feeds or []]
        lines += ["fetch:", "  allow_private_addresses: true", "  timeout: 5s",
                  "  connect_timeout: 2s", "  host_delay: 0"]
        path = tmp_path / "config.yaml"
        path.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
        return path

    return write


#: What makes a test slow: a real Chromium, a database filled from real pages by subprocesses
#: (tests/sample_db.py), processes killed and restarted, a wheel built. `make test` and CI run
#: everything; `make test-fast` (pytest -m "not slow") leaves these out.
SLOW_MODULES = {"test_browser", "test_concurrency", "test_packaging"}
SLOW_FIXTURES = {"served", "sample_db_path"}
SLOW_TESTS = {"test_cli_poll_survives_hostile_feeds_without_a_traceback",
              "test_run_stops_within_seconds_with_a_request_in_flight",
              "test_poll_with_unreachable_feeds_prints_a_line_each_and_exits_0"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        module = item.module.__name__.rsplit(".", 1)[-1] if item.module else ""
        if module in SLOW_MODULES or SLOW_FIXTURES & set(item.fixturenames) \
                or item.originalname in SLOW_TESTS:
            item.add_marker(pytest.mark.slow)

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

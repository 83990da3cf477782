"""`monitor report`: the weekly brief as text, JSON and one self-contained HTML file, from a
database filled from real pages (tests/sample_db.py)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from monitor.cli import app
from monitor.console import report
from monitor.db import store
from monitor.errors import UsageError

from .sample_db import COSSIO, STORY_TITLE, STORY_URL, sample_db

#: A week after the seed story: 2022-04-18 .. 2022-04-25.
NOW = datetime(2022, 4, 25, 12, 0, tzinfo=UTC)

runner = CliRunner()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    return sample_db(tmp_path_factory)


@pytest.fixture(scope="module")
def week(served):
    db = store.open_db(served)
    try:
        return report.brief(db, since="7d", now=NOW)
    finally:
        db.close()


def test_since_accepts_ages_dates_months_and_words():
    now = datetime(2024, 3, 14, 15, 30, tzinfo=UTC)  # a Thursday
    assert report.resolve_since("7d", now) == "2024-03-07T15:30:00+00:00"
    assert report.resolve_since("this week", now) == "2024-03-11T00:00:00+00:00"
    assert report.resolve_since("This  Month", now) == "2024-03-01T00:00:00+00:00"
    assert report.resolve_since("today", now) == "2024-03-14T00:00:00+00:00"
    assert report.resolve_since("2024-02", now) == "2024-02-01T00:00:00+00:00"
    assert report.resolve_since("2024-02-10", now) == "2024-02-10T00:00:00+00:00"
    assert report.resolve_since("2023", now) == "2023-01-01T00:00:00+00:00"
    assert report.resolve_since("", now) is None
    assert report.resolve_since("all", now) is None
    with pytest.raises(UsageError):
        report.resolve_since("fortnight", now)


def test_brief_has_officials_with_titles_new_entities_figures_and_sources(week):
    officials = {o["name"]: o for o in week["officials"]}
    assert officials[COSSIO]["titles"] == ["Deputy Foreign Minister"]
    assert officials["Joe Biden"]["titles"][0] == "President"
    assert officials[COSSIO]["articles"] == 1
    new = {e["name"]: e for e in week["new_entities"]}
    assert new[COSSIO]["kind"] == "official"
    assert all(e["first_seen"] >= "2022-04-18" for e in week["new_entities"])
    assert "NASA" not in new  # first seen in 2019
    figures = {f["text"]: f for f in week["figures"]}
    assert figures["16,531"]["what"] == "Cubans apprehended at the US-Mexico border"
    assert "soared to 16,531 in February" in figures["16,531"]["sentence"]
    assert figures["16,531"]["url"] == STORY_URL
    assert all(f["published"] >= "2022-04-18" for f in week["figures"])
    sources = {s["source"]: s for s in week["sources"]}
    assert sources["The Straits Herald"] == {"source": "The Straits Herald", "articles": 1,
                                             "stories": 1}
    assert sources["Isla Noticias"]["articles"] == 2
    assert sources["Isla Noticias"]["stories"] == 0  # republished copies
    assert "ScienceAlert" not in sources  # 2019
    assert week["totals"]["articles"] == sum(s["articles"] for s in week["sources"])


def test_text_brief(week):
    text = report.render_text(week)
    assert text.startswith("monitor — weekly brief, 2022-04-18 to 2022-04-25 (since 7d)\n")
    for heading in ("Top officials", "New entities", "New figures", "Articles per source"):
        assert f"\n{heading}" in text
    assert f"{COSSIO} — Deputy Foreign Minister" in text
    assert "16,531 — Cubans apprehended at the US-Mexico border (February)" in text
    assert "soared to 16,531 in February" in text
    assert re.search(r"The Straits Herald +1\n", text)
    assert "ScienceAlert" not in text
    assert all(len(line) <= 140 for line in text.splitlines() if "://" not in line)


def test_html_brief_is_one_self_contained_file(week):
    page = report.render_html(week)
    assert page.startswith("<!DOCTYPE html>")
    assert "<style>" in page and "<svg" in page  # inline CSS, inline chart
    for loads_something in ("<script", "<link", "src=", "url(", "@import"):
        assert loads_something not in page
    assert COSSIO in page and "Deputy Foreign Minister" in page
    assert f'href="{STORY_URL}"' in page and STORY_TITLE in page
    hostile = {**week, "figures": [{**week["figures"][0],
                                    "sentence": "<script>alert(1)</script>"}]}
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in report.render_html(hostile)


def test_report_command(served, tmp_path):
    result = runner.invoke(app, ["report", "--db", str(served), "--since", "2022-04-18"])
    assert result.exit_code == 0, result.output
    assert "Top officials" in result.stdout and COSSIO in result.stdout

    out = tmp_path / "brief.html"
    result = runner.invoke(app, ["report", "--db", str(served), "--since", "2022-04-18",
                                 "--html", str(out)])
    assert result.exit_code == 0, result.output
    assert "16,531" in out.read_text(encoding="utf-8")

    result = runner.invoke(app, ["report", "--db", str(served), "--since", "all", "--json"])
    data = json.loads(result.stdout)
    assert data["from"] is None and "ScienceAlert" in {s["source"] for s in data["sources"]}

    result = runner.invoke(app, ["report", "--db", str(served), "--since", "fortnight"])
    assert result.exit_code == 2
    result = runner.invoke(app, ["report", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1


def test_every_command_takes_the_same_since(tmp_path):
    """One vocabulary: search --since once refused 'this week' that report --since took."""
    from typer.testing import CliRunner

    from monitor.cli import app
    from monitor.db.store import open_db

    open_db(tmp_path / "x.db").close()
    runner = CliRunner()
    for since in ("this week", "2024-03", "7d", "all", "2023"):
        for command in (["search", "cuba"], ["report"]):
            result = runner.invoke(app, [*command, "--since", since, "--db",
                                         str(tmp_path / "x.db")])
            assert result.exit_code == 0, (command, since, result.output)
    result = runner.invoke(app, ["search", "cuba", "--since", "fortnight", "--db",
                                 str(tmp_path / "x.db")])
    assert result.exit_code == 2 and "this week" in result.output

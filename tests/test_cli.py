"""The command line as users script it: exit codes, one-line errors, --json/--csv shapes."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from monitor.cli import app
from monitor.db import store

from .pages import article_page

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def db_file(tmp_path):
    path = tmp_path / "monitor.db"
    db = store.open_db(path)
    article = store.save_article(db, store.ArticleRecord(
        url="https://a.example/talks", title="Talks", source="Example",
        published="2022-04-19T16:30:00+00:00",
        text="Deputy Foreign Minister Carlos Fernández de Cossío will head the delegation."),
        None, None)
    from types import SimpleNamespace as NS

    store.replace_tags(db, article, NS(
        mentions=[NS(text="Carlos Fernández de Cossío", name="Carlos Fernández de Cossío",
                     label="PERSON", kind="official", title="Deputy Foreign Minister",
                     affiliation="Cuba", start=24, end=50, sentence="…")],
        figures=[NS(value=16531.0, text="16,531", unit=None, what="Cubans apprehended",
                    when="February", sentence="…16,531 Cubans…", start=0, end=6)]), "test")
    db.close()
    return path


def test_search_json_shape(db_file):
    result = invoke("search", "COSSIO", "--db", str(db_file), "--json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert rows[0]["url"] == "https://a.example/talks"
    assert set(rows[0]) >= {"url", "title", "source", "published", "snippet", "score"}


def test_search_no_results_is_empty_list_and_exit_0(db_file):
    result = invoke("search", "baseball", "--db", str(db_file), "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []


def test_search_with_stray_quotes_is_fine(db_file):
    result = invoke("search", '"Cossío', "--db", str(db_file), "--csv")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "url,title,source,published,snippet,score"
    assert "https://a.example/talks" in result.stdout


def test_search_with_only_punctuation_is_a_usage_error(db_file):
    result = invoke("search", '"()"', "--db", str(db_file))
    assert result.exit_code == 2
    assert "nothing to search for" in result.stderr


def test_entity_json_and_not_found(db_file):
    found = invoke("entity", "fernandez de cossio", "--db", str(db_file), "--json")
    assert found.exit_code == 0
    data = json.loads(found.stdout)
    assert data["name"] == "Carlos Fernández de Cossío"
    assert data["titles"] == ["Deputy Foreign Minister"]
    assert data["kind"] == "official"
    assert data["mentions"] == 1
    assert data["articles"][0]["url"] == "https://a.example/talks"
    missing = invoke("entity", "Nobody", "--db", str(db_file))
    assert missing.exit_code == 1
    assert missing.stdout == ""


def test_entities_figures_show_feeds_json(db_file):
    entities = json.loads(invoke("entities", "--kind", "official", "--db", str(db_file),
                                 "--json").stdout)
    assert entities == [{"name": "Carlos Fernández de Cossío", "label": "PERSON",
                         "kind": "official", "mentions": 1}]
    figures = json.loads(invoke("figures", "apprehended", "--db", str(db_file), "--json").stdout)
    assert figures[0]["value"] == 16531 and figures[0]["when"] == "February"
    shown = json.loads(invoke("show", "https://a.example/talks", "--db", str(db_file),
                              "--json").stdout)
    assert set(shown) >= {"url", "title", "source", "published", "language", "text",
                          "entities", "figures"}
    assert json.loads(invoke("feeds", "--db", str(db_file), "--json").stdout) == []
    assert invoke("show", "https://nope.example/", "--db", str(db_file)).exit_code == 1
    assert invoke("entities", "--kind", "robot", "--db", str(db_file)).exit_code == 2


def test_json_and_csv_together_is_usage_error(db_file):
    result = invoke("entities", "--json", "--csv", "--db", str(db_file))
    assert result.exit_code == 2


def test_bad_config_is_one_line_exit_2_and_creates_nothing(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("feeds: []\nfetch:\n  timeout: never\n")
    result = invoke("poll", "--config", str(config))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "fetch.timeout" in result.stderr and str(config) in result.stderr
    assert not (tmp_path / "monitor.db").exists()


def test_reading_commands_without_a_database_say_so(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("search", "cuba")
    assert result.exit_code == 1
    assert "no database yet" in result.stderr


def dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_poll_with_unreachable_feeds_prints_a_line_each_and_exits_0(write_config, tmp_path):
    port = dead_port()
    feeds = [f"http://127.0.0.1:{port}/feed-{i}.xml" for i in range(3)]
    feeds.append("http://no-such-host.invalid/feed.xml")
    config = write_config(feeds)
    result = subprocess.run([sys.executable, "-m", "monitor", "poll", "--config", str(config)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len([line for line in lines if line.startswith("✗ feed")]) == 4
    assert "Traceback" not in result.stderr
    assert lines[-1].startswith("round: 4 feeds (0 ok, 0 unchanged, 4 failed)")
    health = json.loads(subprocess.run(
        [sys.executable, "-m", "monitor", "feeds", "--config", str(config), "--json"],
        capture_output=True, text=True, timeout=60).stdout)
    assert all(row["error_count"] == 1 and row["last_error"] for row in health)


def test_extract_prints_clean_text_without_storing(tmp_path, seed_text):
    paragraphs = [line for line in seed_text.splitlines() if line.strip()]
    page = tmp_path / "page.html"
    page.write_text(article_page("Talks", paragraphs, canonical="https://example.org/talks"))
    result = invoke("extract", str(page), str(tmp_path / "missing.html"), "--json")
    data = json.loads(result.stdout)
    assert [d["url"] for d in data] == ["https://example.org/talks",
                                        str(tmp_path / "missing.html")]
    assert "Fernández de Cossío" in data[0]["text"]
    assert "GIPHY" not in data[0]["text"]
    assert (data[0]["published"][:10], data[0]["published_source"]) == ("2022-04-19", "stated")
    assert data[1]["text"] == ""
    assert result.exit_code == 1  # one input failed
    assert not list(tmp_path.glob("*.db"))


CONTRACT_COMMANDS = ["poll", "run", "ingest", "extract", "search", "show", "entity", "entities",
                     "figures", "feeds", "serve"]


@pytest.mark.parametrize("command", [*CONTRACT_COMMANDS, "retag", "demo"])
def test_every_command_has_help_and_the_shared_options(command):
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert "--config" in result.stdout
    if command != "demo":
        assert "--db" in result.stdout
    summary = result.stdout.split("Options")[0]
    assert len(summary.split("\n", 2)[-1].strip()) > 20  # a real description, not empty


def test_readme_documents_every_command():
    from pathlib import Path

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    for command in [*CONTRACT_COMMANDS, "retag", "demo"]:
        assert f"monitor {command}" in readme

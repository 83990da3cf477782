"""Safe output: text from the web or the user never drives the terminal (escape sequences,
control and bidi characters are stripped) and is never parsed as rich markup; JSON is data
and stays exactly as it was."""

from __future__ import annotations

import io
import json
import re
from types import SimpleNamespace as NS

import pytest
from rich.console import Console
from typer.testing import CliRunner

from monitor import cli
from monitor.cli import app
from monitor.console.output import highlight, safe
from monitor.console.progress import ConsoleReporter
from monitor.db import queries, store

runner = CliRunner()

OSC = "\x1b]0;pwned\x07"  # retitles the terminal window
CLEAR = "\x1b[2J"  # clears the screen
BIDI = "\u202e"  # right-to-left override
EVIL = f"{OSC}{CLEAR}{BIDI}"
BIDI_CONTROLS = [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]
#: The colours rich itself emits on a terminal: the only escape sequences allowed through.
_SGR = re.compile(r"\x1b\[[0-9;]*m")

ARTICLE_URL = f"https://evil.example/talks{CLEAR}"
FEED_URL = "https://evil.example/feed.xml"


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def assert_inert(out: str) -> None:
    """Nothing in ``out`` can act on a terminal: no escape sequence (but rich's own colours),
    no leftovers of one, no control character but newline, no bidi control."""
    plain = _SGR.sub("", out)
    assert "\x1b" not in plain
    assert "pwned" not in plain and "[2J" not in plain
    assert not [c for c in plain if (ord(c) < 0x20 and c not in "\n") or 0x7F <= ord(c) < 0xA0]
    assert not [c for c in plain if c in BIDI_CONTROLS]


@pytest.fixture
def hostile_db(tmp_path):
    """A database whose web-sourced text is full of escape sequences and rich markup."""
    path = tmp_path / "monitor.db"
    db = store.open_db(path)
    article = store.save_article(db, store.ArticleRecord(
        url=ARTICLE_URL, title=f"Cuba talks {EVIL}[/] [bold]resume",
        source=f"Evil{EVIL} News", published="2022-04-19T16:30:00+00:00",
        author=f"A. Writer{OSC}",
        text=f"Talks about C:\\Cuba\\talks went on.{EVIL}\n\nSecond [bold]paragraph[/] here."),
        None, None)
    store.replace_tags(db, article, NS(
        mentions=[NS(text="Carlos Fernández de Cossío",
                     name=f"Carlos Fernández de Cossío{CLEAR}", label="PERSON",
                     kind="official", title=f"Deputy Foreign Minister{EVIL}",
                     affiliation=f"Cuba{OSC}", start=0, end=26, sentence=f"…{EVIL}…")],
        figures=[NS(value=16531.0, text="16,531", unit=None, what=f"Cubans{EVIL} apprehended",
                    when=f"February{OSC}", sentence=f"16,531 Cubans{EVIL} [/]", start=0,
                    end=6)]), "test")
    db["feeds"].insert({"url": FEED_URL, "name": f"Evil {OSC}feed{CLEAR}", "created_at":
                        "2022-04-19T16:30:00+00:00", "error_count": 1, "last_status": "error",
                        "last_error": f"HTTP 500 from {FEED_URL}{EVIL} [/]"})
    db.close()
    return path


# --- the function ----------------------------------------------------------------------------


def test_safe_strips_whole_sequences_and_keeps_text():
    assert safe(f"a{OSC}b{CLEAR}c{BIDI}d\x9b31me\x00f\u2066g") == "abcdefg"
    assert safe("one\ntwo\tthree\r\nfour") == "one two three four"
    assert safe("one\ntwo\tthree\r\nfour", newlines=True) == "one\ntwo\tthree\nfour"
    assert safe("C:\\Cuba [/] [bold]x — Fernández") == "C:\\Cuba [/] [bold]x — Fernández"
    assert safe("\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\") == "click"
    assert safe(None) == ""


def test_highlight_makes_bold_spans_without_parsing_markup():
    text = highlight("C:\\**Cuba**\\talks [/] **x\x1b[2J**")
    assert text.plain == "C:\\Cuba\\talks [/] x"
    assert [(text.plain[s.start:s.end], str(s.style)) for s in text.spans] == \
        [("Cuba", "bold yellow"), ("x", "bold yellow")]


# --- search, show, entity, report ------------------------------------------------------------


def test_search_with_a_backslash_before_the_highlighted_word(hostile_db):
    result = invoke("search", "cuba", "--db", str(hostile_db))
    assert result.exit_code == 0, result.output
    assert "C:\\Cuba\\talks" in result.stdout
    assert "Cuba talks [/] [bold]resume" in result.stdout  # the title, literally
    assert_inert(result.stdout)

    result = invoke("search", "cuba", "--db", str(hostile_db), "--json")  # data: as stored
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert rows[0]["title"] == f"Cuba talks {EVIL}[/] [bold]resume"
    assert "\\u001b]0;pwned\\u0007" in result.stdout


def test_show_and_entity_views_are_inert(hostile_db):
    shown = invoke("show", ARTICLE_URL, "--db", str(hostile_db))
    assert shown.exit_code == 0, shown.output
    assert "Second [bold]paragraph[/] here." in shown.stdout
    assert "Deputy Foreign Minister" in shown.stdout
    assert_inert(shown.stdout)
    found = invoke("entity", "cossio", "--db", str(hostile_db))
    assert found.exit_code == 0, found.output
    assert "Carlos Fernández de Cossío" in found.stdout
    assert "evil.example/talks" in found.stdout
    assert_inert(found.stdout)


def test_text_report_is_inert(hostile_db):
    result = invoke("report", "--db", str(hostile_db), "--since", "all")
    assert result.exit_code == 0, result.output
    assert "Carlos Fernández de Cossío — Deputy Foreign Minister" in result.stdout
    assert "16,531 Cubans [/]" in result.stdout
    assert_inert(result.stdout)


# --- feeds and progress ----------------------------------------------------------------------


def test_feeds_table_and_csv_are_inert_json_is_unchanged(hostile_db):
    table = invoke("feeds", "--db", str(hostile_db))
    assert table.exit_code == 0, table.output
    assert "Evil feed" in table.stdout and "[/]" in table.stdout
    assert_inert(table.stdout)

    as_csv = invoke("feeds", "--db", str(hostile_db), "--csv")
    assert as_csv.exit_code == 0
    assert "Evil feed" in as_csv.stdout
    assert_inert(as_csv.stdout.replace("\r", ""))

    as_json = invoke("feeds", "--db", str(hostile_db), "--json")
    assert as_json.exit_code == 0
    db = store.open_db(hostile_db)
    try:
        expected = queries.feeds(db, limit=100)
    finally:
        db.close()
    assert as_json.stdout == json.dumps(expected, ensure_ascii=False, indent=2,
                                        default=str) + "\n"
    assert "Evil \\u001b]0;pwned\\u0007feed\\u001b[2J" in as_json.stdout


def test_reporter_lines_for_poll_and_run_are_inert():
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=200)
    reporter = ConsoleReporter(console, verbose=True)
    feed = {"url": f"{FEED_URL}{CLEAR}", "name": f"Evil {OSC}feed{CLEAR}"}
    reporter.feed_done(feed, "error", f"HTTP 500 [/] {EVIL}")
    reporter.feed_done({**feed, "name": None, "title": f"Title{OSC}[bold]"}, "ok",
                       f"3 items{EVIL}")
    reporter.article_done(ARTICLE_URL, "new", f"Cuba talks {EVIL}[/] resume")
    reporter.article_done(ARTICLE_URL, "error", f"HTTP 404 {OSC}")
    reporter.notice(f"tagging failed for {ARTICLE_URL}: ValueError: [/]{EVIL}")
    printed = out.getvalue()
    assert_inert(printed)
    plain = _SGR.sub("", printed)
    assert "✗ feed Evil feed (https://evil.example/feed.xml): HTTP 500 [/] " in plain
    assert "✓ feed Title[bold]: 3 items" in plain
    assert "new https://evil.example/talks — Cuba talks [/] resume" in plain
    assert "ValueError: [/]" in plain
    assert "\x1b[31m✗ feed\x1b[0m Evil feed" in printed  # our colours are kept


# --- errors ----------------------------------------------------------------------------------


def test_usage_error_quoting_markup_is_printed_literally(tmp_path):
    result = invoke("entities", "--kind", "[/] [bold]x", "--db", str(tmp_path / "x.db"))
    assert result.exit_code == 2
    assert "error: --kind '[/] [bold]x': choose one of" in result.stderr


def test_missing_database_error_quoting_markup_is_printed_literally(tmp_path):
    folder = tmp_path / "[bold]x["  # the path reads "…/[bold]x[/]no.db"
    folder.mkdir()
    result = invoke("search", "x", "--db", str(folder / f"]no{CLEAR}.db"))
    assert result.exit_code == 1
    assert f"{tmp_path}/[bold]x[/]no.db" in result.stderr  # as given, markup and all, inert
    assert_inert(result.stderr)


def test_last_resort_handler_never_fails(monkeypatch, capsys):
    def explode() -> None:
        raise RuntimeError(f"[/] boom [bold]{EVIL}")

    monkeypatch.setattr(cli, "app", explode)
    with pytest.raises(SystemExit) as exit_:
        cli.main()
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: [/] boom [bold]" in err
    assert_inert(err)

    class Unprintable(Exception):
        def __str__(self) -> str:
            raise ValueError("no")

    def explode_unprintably() -> None:
        raise Unprintable()

    monkeypatch.setattr(cli, "app", explode_unprintably)
    with pytest.raises(SystemExit) as exit_:
        cli.main()
    assert exit_.value.code == 1
    assert "internal error: Unprintable" in capsys.readouterr().err

    class Broken:
        def print(self, *args: object, **kwargs: object) -> None:
            raise OSError("console is gone")

    monkeypatch.setattr(cli, "app", explode)
    monkeypatch.setattr(cli, "stderr", Broken())
    with pytest.raises(SystemExit) as exit_:
        cli.main()
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: [/] boom [bold]" in err
    assert_inert(err)


# --- extract ---------------------------------------------------------------------------------


def test_extract_text_and_metadata_are_inert(monkeypatch, tmp_path):
    import monitor.extract_cmd

    def fake_extract(config, sources):
        return [{"url": f"https://evil.example/{OSC}page", "title": f"[/]Title{EVIL}",
                 "published": "2022-04-19", "author": f"[bold]Writer{CLEAR}",
                 "site_name": f"Site{BIDI}", "language": "en",
                 "text": f"First\tline{EVIL}\nC:\\**Cuba**\\talks [/]", "published_source": None},
                {"url": f"/tmp/missing{CLEAR}.html", "title": None, "published": None,
                 "language": None, "text": "", "error": f"/tmp/missing{EVIL}[/]: cannot read"}]

    monkeypatch.setattr(monitor.extract_cmd, "extract_sources", fake_extract)
    monkeypatch.chdir(tmp_path)
    result = invoke("extract", "whatever.html")
    assert result.exit_code == 1
    assert "[/]Title" in result.stdout and "author: [bold]Writer" in result.stdout
    assert "C:\\**Cuba**\\talks [/]" in result.stdout  # article text is shown as it is
    assert_inert(result.stdout.replace("\t", " "))
    assert "error: /tmp/missing[/]: cannot read" in result.stderr
    assert_inert(result.stderr)

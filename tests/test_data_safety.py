"""Nothing lost, nothing forged: the data-safety rules, each tried the way an outside probe
(or an unlucky user) broke them. Real loopback server, real SQLite files, real spaCy model."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner
from werkzeug import Request, Response

from monitor.cli import app
from monitor.config import load_config
from monitor.db import queries, store
from monitor.db.store import open_db
from monitor.errors import ConfigError, MonitorError
from monitor.pipeline import Monitor

from .pages import article_page, rss

runner = CliRunner()

CUBA = ["Cuba and the United States held talks on migration in Havana on {n}.",
        "Deputy Foreign Minister Carlos Fernández de Cossío led the Cuban delegation."]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def story(number: int, **kwargs) -> str:
    return article_page(f"Cuba migration talks, part {number}",
                        [CUBA[0].format(n=f"day {number}"), CUBA[1]], **kwargs)


# --- demo never deletes what it did not make ------------------------------------------------


@pytest.fixture
def real_database(tmp_path, write_config, tagger):
    """A monitor database holding a user's article: what `demo --db` must never destroy."""
    cfg = load_config(write_config(), env={})
    page = tmp_path / "story.html"
    page.write_text(story(1, canonical="https://news.example/cuba/1"), encoding="utf-8")
    db = open_db(cfg.database_path)
    Monitor(cfg, db, tagger=tagger).ingest([str(page)])
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return cfg.database_path


def test_demo_refuses_an_existing_database_and_leaves_it_byte_for_byte(real_database):
    before = digest(real_database)
    result = runner.invoke(app, ["demo", "--db", str(real_database)])
    assert result.exit_code == 2
    assert "already exists" in result.output and "--force" in result.output
    assert digest(real_database) == before


def test_demo_force_replaces_only_a_demo_database(real_database, tmp_path):
    before = digest(real_database)
    result = runner.invoke(app, ["demo", "--db", str(real_database), "--force"])
    assert result.exit_code == 1 and "not a database made by monitor demo" in result.output
    assert digest(real_database) == before
    # A file of another application, or any other file, is just as safe.
    other = tmp_path / "notes.txt"
    other.write_text("my notes")
    assert runner.invoke(app, ["demo", "--db", str(other), "--force"]).exit_code == 1
    assert other.read_text() == "my notes"


def test_demo_force_rebuilds_its_own_database(tmp_path):
    path = tmp_path / "demo.db"
    assert runner.invoke(app, ["demo", "--db", str(path)]).exit_code == 0
    conn = sqlite3.connect(path)  # not through monitor: a write command would unmark it
    count = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    conn.execute("UPDATE articles SET title = 'edited' WHERE id = 1")
    conn.commit()
    conn.close()
    assert runner.invoke(app, ["demo", "--db", str(path), "--force"]).exit_code == 0
    db = open_db(path)
    assert db["articles"].count == count and "edited" not in {r["title"] for r in
                                                              db["articles"].rows}


def test_no_command_creates_folders_for_a_mistyped_database(tmp_path):
    for args in (["demo", "--db", str(tmp_path / "typo" / "x.db")],
                 ["retag", "--db", str(tmp_path / "typo" / "x.db")],
                 ["search", "cuba", "--db", str(tmp_path / "typo" / "x.db")]):
        result = runner.invoke(app, args)
        assert result.exit_code == 1, args
        assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "typo").exists()


def test_retag_needs_an_existing_database(tmp_path):
    result = runner.invoke(app, ["retag", "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 1 and "no database yet" in result.output
    assert not (tmp_path / "x.db").exists()


# --- a foreign SQLite file is never converted -----------------------------------------------


def test_another_applications_database_is_refused_unchanged(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('keep me')")
    conn.commit()
    conn.close()
    before = digest(path)
    for args in (["search", "x"], ["poll"], ["ingest", str(tmp_path)], ["feeds"]):
        result = runner.invoke(app, [*args, "--db", str(path)])
        assert result.exit_code == 1, (args, result.output)
        assert "not a monitor database" in result.output
    assert digest(path) == before
    assert not Path(f"{path}-wal").exists()


def test_an_empty_file_becomes_a_monitor_database(tmp_path):
    path = tmp_path / "new.db"
    path.touch()
    db = open_db(path)
    assert "articles" in db.table_names()


# --- a feed's backlog beyond the per-round cap ----------------------------------------------


@pytest.fixture
def long_feed(httpserver):
    """A feed of five on-topic items, served with an ETag (so a second round gets a 304)."""
    links = []
    for number in range(5):
        path = f"/cuba/{number}"
        httpserver.expect_request(path).respond_with_data(
            story(number), content_type="text/html")
        links.append((f"Cuba {number}", httpserver.url_for(path)))
    body = rss("Cuba Wire", links)

    def handler(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304)
        return Response(body, content_type="application/rss+xml", headers={"ETag": '"v1"'})

    httpserver.expect_request("/feed.xml").respond_with_handler(handler)
    return httpserver.url_for("/feed.xml")


@pytest.mark.parametrize("force", [False, True])
def test_items_beyond_the_cap_are_fetched_in_later_rounds(long_feed, write_config, tagger,
                                                          force):
    cfg = load_config(write_config([long_feed], extra="poll:\n  max_articles_per_feed: 2\n"),
                      env={})
    db = open_db(cfg.database_path)
    monitor = Monitor(cfg, db, tagger=tagger)
    stored = []
    for _ in range(4):
        monitor.poll(force=True) if force else monitor.poll(force=False)
        db.execute("UPDATE feeds SET next_poll_at = NULL")  # due again at once
        db.conn.commit()
        stored.append(db["articles"].count)
    assert stored == [2, 4, 5, 5]
    assert db["feeds"].get(1)["last_status"] == "not_modified"  # the feed itself unchanged
    assert db["feed_backlog"].count == 0


# --- a broken configuration costs no article its attempts ----------------------------------


@pytest.mark.parametrize("residue", ["missing", "directory", "invalid"])
def test_a_bad_residue_file_stops_at_start_and_the_articles_wait(long_feed, write_config,
                                                                 tagger, tmp_path, residue):
    target = tmp_path / "residue.txt"
    if residue == "directory":
        target.mkdir()
    elif residue == "invalid":
        target.write_text("Follow us on (Telegram\n")
    path = write_config([long_feed], extra=f"cleaning:\n  residue_file: {target}\n")
    cfg = load_config(path, env={})
    db = open_db(cfg.database_path)
    with pytest.raises(ConfigError, match="residue"):
        Monitor(cfg, db, tagger=tagger).poll()
    assert db["article_errors"].count == 0 and db["articles"].count == 0
    assert db.execute("SELECT count(*) FROM feeds WHERE content_hash IS NOT NULL"
                      ).fetchone()[0] == 0
    result = runner.invoke(app, ["poll", "--config", str(path)])
    assert result.exit_code == 2 and "residue" in result.output
    assert "Traceback" not in result.output
    # Fixed, the next round fetches every article: none was given up on.
    if target.is_dir():
        target.rmdir()
    target.write_text("Follow us on Telegram\n")
    Monitor(cfg, db, tagger=tagger).poll()
    assert db["articles"].count == 5


# --- one bad page never aborts a batch ------------------------------------------------------


def test_ingest_stores_what_it_can_and_reports_each_bad_input(tmp_path, write_config):
    good = tmp_path / "good.html"
    good.write_text(story(1, canonical="https://news.example/cuba/1"), encoding="utf-8")
    (tmp_path / "empty.html").write_bytes(b"")
    (tmp_path / "broken.html.gz").write_bytes(b"not gzip at all")
    path = write_config()
    result = runner.invoke(app, ["ingest", "--config", str(path), str(good),
                                 str(tmp_path / "empty.html"), str(tmp_path / "missing.html"),
                                 str(tmp_path / "broken.html.gz"), "ftp://news.example/x"])
    assert result.exit_code == 0, result.output
    assert "internal error" not in result.output
    for name in ("empty.html", "missing.html", "broken.html.gz", "ftp://news.example/x"):
        assert sum(name in line for line in result.output.splitlines()) >= 1, name
    db = open_db(load_config(path, env={}).database_path)
    assert [r["url"] for r in db["articles"].rows] == ["https://news.example/cuba/1"]


# --- trust boundaries for URLs ----------------------------------------------------------------


VICTIM = "https://victim.example/news/story"


def test_a_canonical_url_on_another_site_is_recorded_not_believed(httpserver, write_config,
                                                                  tagger, tmp_path):
    httpserver.expect_request("/forged").respond_with_data(
        story(1, canonical=VICTIM), content_type="text/html")
    cfg = load_config(write_config(), env={})
    db = open_db(cfg.database_path)
    own = httpserver.url_for("/forged")
    Monitor(cfg, db, tagger=tagger).ingest([own])
    row = next(db["articles"].rows)
    assert (row["url"], row["canonical_claim"]) == (own, VICTIM)
    assert store.article_for_url(db, VICTIM) is None
    # The real page, met later, is stored under its own URL, not skipped as "known".
    real = tmp_path / "real.html"
    real.write_text(article_page("The real story about Cuba", [
        "Havana and Washington agreed on new consular steps for Cuban migrants this week.",
        "The U.S. Embassy in Havana will expand visa processing, officials said."],
        canonical=VICTIM), encoding="utf-8")
    assert Monitor(cfg, db, tagger=tagger).ingest([str(real)]).articles_new == 1
    assert "consular" in queries.show(db, VICTIM)["text"]


def test_a_canonical_url_on_the_same_site_is_believed(httpserver, write_config, tagger):
    canonical = httpserver.url_for("/news/cuba-talks")
    httpserver.expect_request("/amp/cuba-talks").respond_with_data(
        story(1, canonical=canonical), content_type="text/html")
    cfg = load_config(write_config(), env={})
    db = open_db(cfg.database_path)
    Monitor(cfg, db, tagger=tagger).ingest([httpserver.url_for("/amp/cuba-talks")])
    row = next(db["articles"].rows)
    assert (row["url"], row["canonical_claim"]) == (canonical, None)


def test_pages_elsewhere_cannot_teach_a_site_to_delete_its_sentences(httpserver, write_config,
                                                                    tagger, tmp_path):
    sentence = "Cuba's foreign ministry confirmed the talks."
    cfg = load_config(write_config(), env={})
    db = open_db(cfg.database_path)
    monitor = Monitor(cfg, db, tagger=tagger)
    for number in range(4):
        httpserver.expect_request(f"/poison/{number}").respond_with_data(
            article_page(f"Poison {number}", [
                f"Cuban officials and their US counterparts met for round {number} in Havana.",
                f"Report number {number} carried nothing else of note about the migration.",
                sentence], canonical=f"https://victim.example/news/{number}"),
            content_type="text/html")
        monitor.ingest([httpserver.url_for(f"/poison/{number}")])
    assert store.repeated_lines(db, "victim.example", 2) == set()
    real = tmp_path / "real.html"
    real.write_text(article_page("Talks confirmed", [
        "The United States and Cuba will meet again in Washington next month.", sentence],
        canonical="https://victim.example/news/real"), encoding="utf-8")
    monitor.ingest([str(real)])
    assert sentence in queries.show(db, "https://victim.example/news/real")["text"]


# --- bounded work per page and per query ----------------------------------------------------


def test_a_text_over_the_cap_is_cut_and_marked_truncated(tmp_path, write_config, tagger):
    paragraph = ("Cuban and US officials discussed migration, visas and deportation flights "
                 "at length in Havana on Thursday. ")
    page = tmp_path / "long.html"
    page.write_text(article_page("A long Cuba story",
                                 [f"Part {n}. {paragraph * 3}".strip() for n in range(40)],
                                 canonical="https://news.example/long"), encoding="utf-8")
    cfg = load_config(write_config(extra="cleaning:\n  max_chars: 2000\n"), env={})
    db = open_db(cfg.database_path)
    Monitor(cfg, db, tagger=tagger).ingest([str(page)])
    row = next(db["articles"].rows)
    assert row["truncated"] == 1 and 1000 < len(row["text"]) <= 2000
    assert row["text"].endswith("Thursday.")  # cut at a paragraph break, not mid-word


def traced(db, fn) -> list[str]:
    """The SQL statements (parameters expanded) a call runs."""
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    try:
        fn()
    finally:
        db.conn.set_trace_callback(None)
    return statements


def test_search_work_is_bounded_by_the_limit_whatever_the_query(tmp_path):
    """Snippets were made for every matching row before the limit, and every repeat of a word
    was matched again: 250 words took minutes. Now snippets are made for the rows shown
    only, each word is matched once, and a page-long query is refused."""
    db = open_db(tmp_path / "s.db")
    words = "talks migration havana officials border minister deputy foreign said".split()
    db["articles"].insert_all(
        {"url": f"https://x.example/{i}", "title": f"t{i}", "fetched_at": "2022-01-01",
         "text": " ".join(words[(i + j) % len(words)] if j % 40 else "Cuba"
                          for j in range(800))}
        for i in range(200))
    db.conn.commit()
    statements = traced(db, lambda: queries.search(db, " ".join(["cuba"] * 32), limit=5))
    snippets = [s for s in statements if "snippet(" in s]
    assert len(snippets) == 5 and all("rowid = " in s for s in snippets)
    assert not any('"cuba" "cuba"' in s for s in statements)
    result = runner.invoke(app, ["search", " ".join(["cuba"] * 250), "--db",
                                 str(tmp_path / "s.db")])
    assert result.exit_code == 2 and "at most 32" in result.output


# --- encodings ----------------------------------------------------------------------------


def test_a_legacy_page_without_a_charset_is_decoded_not_replaced(tmp_path, write_config,
                                                                 tagger):
    html = article_page("Cuba y EEUU retoman el diálogo migratorio", [
        "El viceministro Carlos Fernández de Cossío habló en La Habana sobre la migración.",
        "España y México siguieron las conversaciones con atención, según la cancillería."],
        canonical="https://news.example/es/1", lang="es").replace('<meta charset="utf-8">', "")
    page = tmp_path / "cp1252.html"
    page.write_bytes(html.encode("cp1252"))
    cfg = load_config(write_config(), env={})
    db = open_db(cfg.database_path)
    Monitor(cfg, db, tagger=tagger).ingest([str(page)])
    text = next(db["articles"].rows)["text"]
    assert "Cossío" in text and "España" in text and "\ufffd" not in text
    assert [r["url"] for r in queries.search(db, "cossio")] == ["https://news.example/es/1"]


# --- the lock file ------------------------------------------------------------------------


def test_a_symlinked_lock_file_is_refused_and_its_target_untouched(write_config, tmp_path):
    path = write_config()
    cfg = load_config(path, env={})
    target = tmp_path / "precious.txt"
    target.write_text("do not truncate me")
    Path(f"{cfg.database_path}.lock").symlink_to(target)
    result = runner.invoke(app, ["poll", "--config", str(path)])
    assert result.exit_code == 1 and "symbolic link" in result.output
    assert target.read_text() == "do not truncate me"


# --- configuration values that would fail inside a round ----------------------------------


@pytest.mark.parametrize("extra, key", [
    ("poll:\n  interval: .inf\n", "poll.interval"),
    ("poll:\n  interval: .nan\n", "poll.interval"),
    ("fetch:\n  timeout: 10000d\n", "fetch.timeout"),
    ('feeds:\n  - url: "https://news.example/feed\\r\\nX-Injected: 1"\n', "feeds.0.url"),
    ('feeds:\n  - url: "https://news.example:99999/feed"\n', "feeds.0.url"),
])
def test_values_that_would_fail_mid_round_are_refused_at_start(tmp_path, extra, key):
    path = tmp_path / "config.yaml"
    path.write_text(extra)
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        load_config(path, env={})


# --- a full disk never leaves a feed marked ok --------------------------------------------


def test_a_full_disk_marks_the_feed_and_loses_no_item(long_feed, write_config, tagger,
                                                      monkeypatch):
    cfg = load_config(write_config([long_feed]), env={})
    db = open_db(cfg.database_path)
    real_save = store.save_article

    def fill_the_disk(db_, *args, **kwargs):
        # From here on SQLite may not grow the file: the real SQLITE_FULL, not a stand-in.
        pages = db_.execute("PRAGMA page_count").fetchone()[0]
        db_.execute(f"PRAGMA max_page_count = {pages}")
        return real_save(db_, *args, **kwargs)

    monkeypatch.setattr(store, "save_article", fill_the_disk)
    with pytest.raises(MonitorError, match="could not be stored"):
        Monitor(cfg, db, tagger=tagger).poll()
    feed = db["feeds"].get(1)
    assert feed["last_status"] == "error" and "full" in feed["last_error"]
    assert feed["etag"] is None and feed["content_hash"] is None
    monkeypatch.undo()
    db.execute("PRAGMA max_page_count = 1073741823")
    db.execute("UPDATE feeds SET next_poll_at = NULL")
    db.conn.commit()
    Monitor(cfg, db, tagger=tagger).poll()
    assert db["articles"].count == 5


# --- credentials in feed URLs -------------------------------------------------------------


def test_feed_credentials_stay_in_the_config(httpserver, write_config, tagger):
    # Relative links: resolved against the feed's URL, they must not inherit its password.
    httpserver.expect_request("/private/feed.xml").respond_with_data(
        rss("Private Cuba feed", [("Cuba 1", "/private/1"), ("Cuba 2", "/private/2")]),
        content_type="application/rss+xml")
    httpserver.expect_request("/private/1").respond_with_data(story(1), content_type="text/html")
    httpserver.expect_request("/private/2").respond_with_data("down", status=503)
    url = httpserver.url_for("/private/feed.xml").replace("://", "://reader:s3cret@")
    path = write_config([url])
    cfg = load_config(path, env={})
    db = open_db(cfg.database_path)
    Monitor(cfg, db, tagger=tagger).poll()
    request = next(r for r, _ in httpserver.log if r.path == "/private/feed.xml")
    assert request.authorization is not None and request.authorization.password == "s3cret"
    assert db.table("articles").count == 1 and db.table("article_errors").count == 1
    assert [r["url"] for r in db["feeds"].rows] == [url.replace("reader:s3cret@", "***@")]
    assert db["feeds"].get(1)["last_status"] == "ok"
    result = runner.invoke(app, ["feeds", "--json", "--config", str(path)])
    assert "s3cret" not in result.output and "***@" in result.output
    dump = "\n".join(db.conn.iterdump())
    assert "s3cret" not in dump


# --- read-only databases ------------------------------------------------------------------


@pytest.fixture
def immutable(tmp_path):
    """Make paths immutable with chattr +i — read-only even for root, which tests run as
    (chmod does not stop root). Skips where the filesystem or the sandbox does not allow it."""
    import shutil
    import subprocess

    done: list[Path] = []
    if shutil.which("chattr") is None:
        pytest.skip("chattr is not installed")

    def make(*paths: Path) -> None:
        for path in paths:
            if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode:
                pytest.skip("this filesystem does not support chattr +i")
            done.append(path)

    yield make
    for path in reversed(done):
        subprocess.run(["chattr", "-i", str(path)], check=False)


def test_a_read_only_database_is_searchable_and_writes_are_one_line_errors(real_database,
                                                                            immutable):
    # A checkpointed WAL database in a read-only folder: no -shm can be made beside it.
    folder = real_database.parent
    for extra in folder.glob("*.db-*"):
        extra.unlink()
    immutable(real_database, folder)
    result = runner.invoke(app, ["search", "cossio", "--json", "--db", str(real_database)])
    assert result.exit_code == 0, result.output
    assert "https://news.example/cuba/1" in result.output
    for args in (["retag"], ["ingest", str(real_database)], ["poll"]):
        result = runner.invoke(app, [*args, "--db", str(real_database),
                                     "--config", str(folder / "config.yaml")])
        assert result.exit_code == 1, (args, result.output)
        assert "read-only" in result.output and len(result.output.strip().splitlines()) == 1


def test_on_topic_says_whether_the_topic_terms_matched(tmp_path, write_config, tagger):
    cfg = load_config(write_config(), env={})
    db = open_db(cfg.database_path)
    cuba, other = tmp_path / "cuba.html", tmp_path / "other.html"
    cuba.write_text(story(1, canonical="https://news.example/cuba"), encoding="utf-8")
    other.write_text(article_page("Libraries to open longer", [
        "The city council approved a new budget for public libraries on Monday evening.",
        "Libraries across the county will extend their opening hours this summer."],
        canonical="https://news.example/libraries"), encoding="utf-8")
    Monitor(cfg, db, tagger=tagger).ingest([str(cuba), str(other)], topic_filter=False)
    assert {r["url"]: r["on_topic"] for r in db["articles"].rows} == {
        "https://news.example/cuba": 1, "https://news.example/libraries": 0}


# --- what an outside review found after the first pass ------------------------------------


def test_a_link_redirected_to_an_unrelated_page_is_retried_not_made_known(
        httpserver, write_config, tagger):
    """A consent wall for one round: the items are not stored as that page, nor linked to
    it for good; the next round stores their real articles."""
    links = [(f"Cuba migration talks, part {n}", httpserver.url_for(f"/item/{n}"))
             for n in range(2)]
    httpserver.expect_request("/feed.xml").respond_with_data(rss("Wire", links),
                                                             content_type="application/rss+xml")
    consent = article_page("Before you continue to Cuba Wire", [
        "We and our partners use cookies to show you news about Cuba and the region.",
        "Accept all cookies to continue reading, or manage your choices here."])
    httpserver.expect_request("/consent").respond_with_data(consent, content_type="text/html")
    for n in range(2):
        httpserver.expect_oneshot_request(f"/item/{n}").respond_with_data(
            "", status=302, headers={"Location": httpserver.url_for("/consent")})
    cfg = load_config(write_config([httpserver.url_for("/feed.xml")]), env={})
    db = open_db(cfg.database_path)
    Monitor(cfg, db, tagger=tagger).poll()
    assert db.table("articles").count == 0 and db.table("article_errors").count == 2
    for n in range(2):
        httpserver.expect_request(f"/item/{n}").respond_with_data(story(n),
                                                                  content_type="text/html")
    db.execute("UPDATE feeds SET next_poll_at = NULL")
    db.conn.commit()
    Monitor(cfg, db, tagger=tagger).poll()
    assert sorted(r["title"] for r in db.table("articles").rows) == [
        "Cuba migration talks, part 0", "Cuba migration talks, part 1"]


def test_failed_items_are_retried_while_the_feed_keeps_changing_or_fails(
        httpserver, write_config, tagger):
    state = {"round": 0}

    def feed(request: Request) -> Response:
        if state["round"] == 2:
            return Response("gone", status=410)
        # A new build date every round: the feed is never "unchanged".
        body = rss(f"Wire, build {state['round']}", [("Cuba 1", httpserver.url_for("/s/1")),
                                                     ("Cuba 2", httpserver.url_for("/s/2"))])
        return Response(body if state["round"] == 0 else body.replace("Cuba 1", "Cuba 3")
                        .replace("/s/1", "/s/3"), content_type="application/rss+xml")

    def flaky(request: Request) -> Response:
        if state["round"] == 0:
            return Response("busy", status=503)
        return Response(story(2), content_type="text/html")

    httpserver.expect_request("/feed.xml").respond_with_handler(feed)
    httpserver.expect_request("/s/1").respond_with_data(story(1), content_type="text/html")
    httpserver.expect_request("/s/3").respond_with_data(story(3), content_type="text/html")
    httpserver.expect_request("/s/2").respond_with_handler(flaky)
    cfg = load_config(write_config([httpserver.url_for("/feed.xml")],
                                   extra="poll:\n  max_articles_per_feed: 1\n"), env={})
    db = open_db(cfg.database_path)
    monitor = Monitor(cfg, db, tagger=tagger)
    for number in range(4):
        state["round"] = min(number, 2)
        monitor.poll(force=True)
    # Round 0: s/1 stored, s/2 waits. Round 1: the feed changed (s/3 in, s/1 out): s/3 and
    # s/2 (which failed once) still come. Round 2-3: the feed is gone; what it listed is not.
    assert sorted(r["url"].rsplit("/", 1)[1] for r in db.table("articles").rows) == \
        ["1", "2", "3"]
    assert db.table("feed_backlog").count == 0
    assert db.table("feeds").get(1)["state"] == "gone"


def test_a_canonical_claim_that_reads_differently_in_a_browser_is_not_believed():
    from monitor.sources.urls import canonical_is_trusted, is_fetchable_url

    claim = "http://127.0.0.1:8100\\@127.0.0.2:8100/story"
    assert not is_fetchable_url(claim)
    assert not canonical_is_trusted(claim, "http://127.0.0.2:8100/page")
    assert not canonical_is_trusted("http://user@127.0.0.2:8100/x", "http://127.0.0.2:8100/p")


def test_read_commands_never_make_an_empty_file_a_database(tmp_path):
    empty = tmp_path / "e.db"
    empty.touch()
    for args in (["search", "cuba"], ["entities"], ["feeds"], ["report"], ["retag"]):
        result = runner.invoke(app, [*args, "--db", str(empty)])
        assert result.exit_code == 1 and "empty file" in result.output, args
    assert empty.stat().st_size == 0


def test_a_file_marked_by_another_application_is_refused_even_without_tables(tmp_path):
    path = tmp_path / "app.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = 1234")
    conn.execute("CREATE VIEW answer AS SELECT 42")
    conn.commit()
    conn.close()
    before = digest(path)
    assert runner.invoke(app, ["poll", "--db", str(path)]).exit_code == 1
    assert digest(path) == before


def test_a_demo_database_a_user_writes_to_is_no_longer_demos_to_replace(tmp_path,
                                                                        write_config):
    path = tmp_path / "demo.db"
    assert runner.invoke(app, ["demo", "--db", str(path)]).exit_code == 0
    page = tmp_path / "mine.html"
    page.write_text(story(7, canonical="https://news.example/mine"), encoding="utf-8")
    assert runner.invoke(app, ["ingest", str(page), "--db", str(path),
                               "--config", str(write_config())]).exit_code == 0
    before = digest(path)
    result = runner.invoke(app, ["demo", "--db", str(path), "--force"])
    assert result.exit_code == 1 and digest(path) == before


def test_a_hard_linked_lock_file_is_refused(write_config, tmp_path):
    path = write_config()
    target = tmp_path / "secret.txt"
    target.write_text("data")
    Path(f"{load_config(path, env={}).database_path}.lock").hardlink_to(target)
    result = runner.invoke(app, ["poll", "--config", str(path)])
    assert result.exit_code == 1 and "hard link" in result.output
    assert target.read_text() == "data"


@pytest.mark.parametrize("extra, key", [
    ("feeds:\n  - url: https://a:1@news.example/feed\n  - url: https://b:2@news.example/feed\n",
     "feeds"),
    ('fetch:\n  user_agent: "monitor\\nX-Evil: 1"\n', "fetch.user_agent"),
    ("poll:\n  interval: 0.0001\n", "poll.interval"),
])
def test_more_values_that_would_fail_mid_round_are_refused_at_start(tmp_path, extra, key):
    path = tmp_path / "config.yaml"
    path.write_text(extra)
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        load_config(path, env={})


def test_a_residue_file_that_is_a_device_is_refused_at_start(tmp_path, write_config, tagger):
    cfg = load_config(write_config(extra="cleaning:\n  residue_file: /dev/zero\n"), env={})
    with pytest.raises(ConfigError, match="not a regular file"):
        Monitor(cfg, open_db(cfg.database_path), tagger=tagger).check()


def test_a_model_that_cannot_load_stops_the_round_before_any_fetch(long_feed, write_config,
                                                                   tmp_path, httpserver):
    broken = tmp_path / "broken_model"
    broken.mkdir()
    (broken / "meta.json").write_text('{"lang": "en", "name": "broken", "version": "0.0.1"}')
    path = write_config([long_feed], extra=f"nlp:\n  model: {broken}\n")
    requests = len(httpserver.log)
    result = runner.invoke(app, ["poll", "--config", str(path)])
    assert result.exit_code == 2 and "cannot be loaded" in result.output, result.output
    assert len(httpserver.log) == requests  # nothing fetched, no attempt spent


def test_figure_views_leave_out_the_counts_of_sources(tmp_path, write_config, tagger):
    page = tmp_path / "sources.html"
    page.write_text(article_page("Cuba returns migrants", [
        "Two sources familiar with the talks said Havana had agreed to take flights.",
        "The Coast Guard returned 54 Cuban migrants to Mariel on Tuesday, officials said."],
        canonical="https://news.example/sources"), encoding="utf-8")
    cfg = load_config(write_config(), env={})
    db = open_db(cfg.database_path)
    Monitor(cfg, db, tagger=tagger).ingest([str(page)])
    assert [f["text"] for f in queries.figures(db)] == ["54"]
    shown = queries.show(db, "https://news.example/sources")["figures"]
    assert [(f["text"], f["attribution"]) for f in shown] == [("Two", True), ("54", False)]

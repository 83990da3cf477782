"""The SQLite file: schema, migrations, atomic writes, entity merging, search."""

from __future__ import annotations

import json
import sqlite3
from types import SimpleNamespace

import pytest

from monitor.db import queries, store
from monitor.db.migrations import migrations
from monitor.errors import NotFoundError, UsageError

TEXT = ("The Cuban delegation will be headed by Deputy Foreign Minister Carlos Fernández de "
        "Cossío, two sources said. He is expected to meet officials from the US State Department.")


def mention(text, name, label="PERSON", kind="person", title=None, start=0, sentence=TEXT):
    return SimpleNamespace(text=text, name=name, label=label, kind=kind, title=title,
                           affiliation=None, start=start, end=start + len(text),
                           sentence=sentence)


def figure(value, text, what=None, when=None):
    return SimpleNamespace(value=value, text=text, unit=None, what=what, when=when,
                           sentence=f"{text} {what}", start=0, end=len(text))


def tags(*mentions, figures=()):
    return SimpleNamespace(mentions=list(mentions), figures=list(figures))


def record(url, text=TEXT, title="US and Cuba to hold talks", **kw):
    return store.ArticleRecord(url=url, title=title, text=text, source="Test", **kw)


@pytest.fixture
def db(tmp_path):
    database = store.open_db(tmp_path / "m.db")
    yield database
    database.close()


def test_fresh_database_has_the_contract_tables_foreign_keys_fts_and_wal(db):
    names = set(db.table_names())
    assert {"feeds", "articles", "entities", "mentions", "figures"} <= names
    assert {"articles_fts", "entities_fts"} <= names
    assert db.journal_mode == "wal"
    assert {fk.other_table for fk in db["mentions"].foreign_keys} == {"articles", "entities"}
    assert {fk.other_table for fk in db["figures"].foreign_keys} == {"articles"}
    assert "remove_diacritics 2" in db["articles_fts"].schema
    assert {t.name for t in db["articles"].triggers} >= {"articles_ai", "articles_ad",
                                                         "articles_au"}
    assert [m.name for m in migrations.applied(db)] == [m.name for m in migrations._migrations]


def test_reopening_migrates_nothing_twice_and_keeps_data(tmp_path):
    path = tmp_path / "m.db"
    first = store.open_db(path)
    store.save_article(first, record("https://a.example/1"), None, None)
    first.close()
    again = store.open_db(path)
    assert again["articles"].count == 1
    assert len(migrations.applied(again)) == len(migrations._migrations)


def test_not_a_database_is_a_clear_error(tmp_path):
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(store.MonitorError, match="not a usable monitor database"):
        store.open_db(path)


def test_article_is_stored_atomically(db, monkeypatch):
    broken = tags(mention("Carlos Fernández de Cossío", "Carlos Fernández de Cossío"))
    broken.figures = [SimpleNamespace()]  # missing attributes: fails half-way through
    with pytest.raises(AttributeError):
        store.save_article(db, record("https://a.example/1"), broken, "t")
    assert db["articles"].count == 0
    assert db["mentions"].count == 0
    assert db["entities"].count == 0
    assert db["article_urls"].count == 0
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_entities_merge_by_accents_case_and_surname(db):
    first = tags(mention("Carlos Fernández de Cossío", "Carlos Fernández de Cossío",
                         kind="official", title="Deputy Foreign Minister"))
    store.save_article(db, record("https://a.example/1"), first, "t")
    second = tags(mention("Carlos Fernandez de Cossio", "Carlos Fernandez de Cossio"),
                  mention("Cossío", "Cossío", start=40))
    store.save_article(db, record("https://b.example/2", text=TEXT + " Again."), second, "t")
    rows = list(db["entities"].rows)
    assert len(rows) == 1
    assert rows[0]["name"] == "Carlos Fernández de Cossío"
    assert rows[0]["kind"] == "official"
    aliases = json.loads(rows[0]["aliases"])
    assert {"Carlos Fernandez de Cossio", "Cossío"} <= set(aliases)
    assert json.loads(rows[0]["titles"]) == ["Deputy Foreign Minister"]


def test_ambiguous_surname_stays_apart(db):
    store.save_article(db, record("https://a.example/1"),
                       tags(mention("Raúl Castro", "Raúl Castro"),
                            mention("Fidel Castro", "Fidel Castro", start=20)), "t")
    store.save_article(db, record("https://a.example/2", text="Castro spoke."),
                       tags(mention("Castro", "Castro")), "t")
    assert db["entities"].count == 3


def test_saving_figures_and_show(db):
    url = "https://a.example/1"
    store.save_article(db, record(url, published="2022-04-19T16:30:00+00:00"),
                       tags(mention("State Department", "U.S. Department of State", "ORG",
                                    "agency"),
                            figures=[figure(16531, "16,531", "Cubans apprehended", "February")]),
                       "t")
    shown = queries.show(db, url)
    assert shown["entities"][0]["name"] == "U.S. Department of State"
    assert shown["figures"] == [{"value": 16531, "text": "16,531", "what": "Cubans apprehended",
                                 "when": "February", "sentence": "16,531 Cubans apprehended",
                                 "url": url, "unit": None, "bound": None,
                                 "attribution": False}]
    with pytest.raises(NotFoundError):
        queries.show(db, "https://nope.example/")


@pytest.fixture
def searchable(db):
    store.save_article(db, record("https://a.example/talks", published="2022-04-19"),
                       tags(mention("Carlos Fernández de Cossío", "Carlos Fernández de Cossío"),
                            mention("US State Department", "U.S. Department of State", "ORG",
                                    "agency", start=90)), "t")
    other = ("Officials at the Department of State in Washington discussed visas for Cuban "
             "families with the embassy.")
    store.save_article(db, record("https://b.example/visas", text=other, title="Visa backlog",
                                  published="2023-01-05"),
                       tags(mention("Department of State", "U.S. Department of State", "ORG",
                                    "agency", sentence=other)), "t")
    return db


@pytest.mark.parametrize("query", ["Fernández de Cossío", "fernandez de cossio", "COSSIO",
                                   '"Cossío', "Cossío AND", "cossio*", "NEAR(cossio",
                                   "(fernández) OR"])
def test_search_is_accent_case_insensitive_and_never_leaks_fts_syntax(searchable, query):
    results = queries.search(searchable, query)
    assert [r["url"] for r in results] == ["https://a.example/talks"]
    assert "**" in results[0]["snippet"]
    assert set(results[0]) >= {"url", "title", "source", "published", "snippet", "score"}


def test_search_by_alias_finds_articles_naming_the_entity_otherwise(searchable):
    urls = {r["url"] for r in queries.search(searchable, "State Department")}
    assert urls == {"https://a.example/talks", "https://b.example/visas"}


def test_search_since_filters_by_publication(searchable):
    urls = [r["url"] for r in queries.search(searchable, "Cuban", since="2023-01-01")]
    assert urls == ["https://b.example/visas"]


@pytest.mark.parametrize("query", ['"', "***", "   ", "()"])
def test_search_without_words_is_a_usage_error(searchable, query):
    with pytest.raises(UsageError):
        queries.search(searchable, query)


def test_duplicates_are_shown_once(db):
    original = store.save_article(db, record("https://a.example/1"), None, None)
    store.save_article(db, record("https://copy.example/1", duplicate_of=original), None, None)
    assert [r["url"] for r in queries.search(db, "Cossío")] == ["https://a.example/1"]
    assert queries.show(db, "https://a.example/1")["also_at"] == ["https://copy.example/1"]


def test_entity_lookup_by_alias_accent_and_surname(searchable):
    for name in ("Fernandez de Cossio", "COSSÍO", "cossio", "Carlos Fernández de Cossío"):
        assert queries.entity(searchable, name)["name"] == "Carlos Fernández de Cossío"
    agency = queries.entity(searchable, "state department")
    assert agency["name"] == "U.S. Department of State"
    assert agency["mentions"] == 2
    assert {a["url"] for a in agency["articles"]} == {"https://a.example/talks",
                                                      "https://b.example/visas"}
    with pytest.raises(NotFoundError):
        queries.entity(searchable, "Nobody Atall")


def test_entities_ranked_by_articles_and_filtered_by_kind(searchable):
    ranked = queries.entities(searchable)
    assert ranked[0] == {"name": "U.S. Department of State", "label": "ORG", "kind": "agency",
                         "mentions": 2}
    assert [e["name"] for e in queries.entities(searchable, kind="person")] == [
        "Carlos Fernández de Cossío"]


def test_foreign_keys_are_enforced(db):
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO mentions (article_id, entity_id) VALUES (999, 999)")


def test_surname_seen_first_joins_the_full_name_seen_later(db):
    store.save_article(db, record("https://a.example/1", text="Blinken spoke.",
                                  published="2022-04-01"),
                       tags(mention("Blinken", "Blinken", title="Secretary of State",
                                    kind="official")), "t")
    store.save_article(db, record("https://a.example/2", text="Antony Blinken spoke again.",
                                  published="2022-05-01"),
                       tags(mention("Antony Blinken", "Antony Blinken")), "t")
    rows = list(db["entities"].rows)
    assert len(rows) == 1
    assert rows[0]["name"] == "Antony Blinken"
    assert rows[0]["kind"] == "official"
    assert json.loads(rows[0]["titles"]) == ["Secretary of State"]
    assert rows[0]["first_seen"] == "2022-04-01" and rows[0]["last_seen"] == "2022-05-01"
    assert queries.entity(db, "blinken")["mentions"] == 2
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_surname_shared_by_two_full_names_is_not_absorbed(db):
    store.save_article(db, record("https://a.example/1", text="Castro spoke."),
                       tags(mention("Castro", "Castro")), "t")
    store.save_article(db, record("https://a.example/2", text="Fidel Castro spoke."),
                       tags(mention("Fidel Castro", "Fidel Castro")), "t")
    store.save_article(db, record("https://a.example/3", text="Raúl Castro spoke."),
                       tags(mention("Raúl Castro", "Raúl Castro")), "t")
    names = sorted(row["name"] for row in db["entities"].rows)
    # The first full name absorbed "Castro" when it was the only one; the second stays apart.
    assert names == ["Fidel Castro", "Raúl Castro"]


def test_surname_before_full_name_in_one_article(db):
    store.save_article(db, record("https://a.example/1", text="Blinken said. Antony Blinken."),
                       tags(mention("Blinken", "Blinken"),
                            mention("Antony Blinken", "Antony Blinken", start=14)), "t")
    assert [row["name"] for row in db["entities"].rows] == ["Antony Blinken"]
    assert db["mentions"].count == 2
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_old_database_upgraded_in_place_losing_nothing(tmp_path):
    """A database made by the first release (m001 only) gets the later migrations."""
    from sqlite_utils import Database

    path = tmp_path / "old.db"
    old = Database(path)
    migrations.apply(old, stop_before="m002_feed_schedule")
    old["feeds"].insert({"url": "https://a.example/feed", "error_count": 2})
    old["feeds"].insert({"url": "https://reader:s3cret@b.example/feed", "error_count": 0})
    article = record("https://a.example/1")
    article_id = old["articles"].insert({"url": article.url, "title": article.title,
                                         "text": article.text, "fetched_at": "2022-04-19"}
                                        ).last_pk
    old["article_urls"].insert({"url": article.url, "article_id": article_id})
    old.close()
    db = store.open_db(path)
    assert [m.name for m in migrations.applied(db)] == [m.name for m in migrations._migrations]
    feed = next(iter(db["feeds"].rows))
    assert (feed["error_count"], feed["state"], feed["failure_score"]) == (2, "active", 0.0)
    # m003: the password leaves the database; the rest of the URL stays.
    assert [r["url"] for r in db["feeds"].rows] == ["https://a.example/feed",
                                                   "https://***@b.example/feed"]
    assert [r["url"] for r in queries.search(db, "cossio")] == ["https://a.example/1"]
    assert db["articles"].get(article_id)["truncated"] == 0
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_stories_view_folds_copies_and_the_date_index_serves_date_ranges(tmp_path):
    db = store.open_db(tmp_path / "x.db")
    first = store.save_article(db, record("https://a.example/1"), None, None)
    copy = record("https://b.example/1")
    copy.duplicate_of = first
    store.save_article(db, copy, None, None)
    assert [r["url"] for r in db.query("SELECT url FROM stories")] == ["https://a.example/1"]
    plan = " ".join(str(r) for r in db.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM articles a "
        "WHERE COALESCE(a.published, a.fetched_at) >= '2024-01-01'").fetchall())
    assert "idx_articles_dated" in plan

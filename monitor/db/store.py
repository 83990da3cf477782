"""The SQLite file: opening (migrated, WAL, foreign keys) and every write.

Reads for the commands live in :mod:`monitor.db.queries`; this module owns writes. Each article is
stored in one transaction together with its URLs, mentions, entities and figures, so a crash
never leaves half an article.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlite_utils import Database

from ..errors import MonitorError, NotFoundError
from ..sources.urls import mask_credentials
from ..text import fold
from .migrations import is_monitor_database, migrate, migrations

if TYPE_CHECKING:
    from ..tagging.tagger import Mention, Tagged

#: Labels whose mentions are one entity whatever spaCy label variant they carry.
_LABEL_GROUPS = {"PERSON": "person", "ORG": "org", "GPE": "place", "LOC": "place",
                 "FAC": "place", "NORP": "group"}
#: When mentions of one entity disagree on kind, the more specific one wins.
_KIND_RANK = {"official": 3, "agency": 3, "person": 2, "organization": 2, "place": 1,
              "group": 1, "other": 0}


def utcnow() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def open_db(path: str | Path, *, create: bool = True, write: bool | None = None) -> Database:
    """Open and migrate a monitor database; raise MonitorError (one line) if it is unusable.

    The data-safety rule: monitor alters only files that are its own. A new or empty file is
    made a monitor database (when ``create``); an SQLite file of another application is
    refused before anything is written to it (no tables, no WAL switch). Missing folders are
    never created: a typo in ``--db`` is an error, not a new tree. A read-only file that
    needs no upgrade is opened read-only for the commands that only read (``write`` false;
    by default a command that may create the file also writes to it).
    """
    write = create if write is None else write
    path = Path(path)
    if not path.exists() and not create:
        raise NotFoundError(f"{path}: no database yet (run `monitor poll` or `monitor demo` "
                            "first)")
    if not path.parent.is_dir():
        raise MonitorError(f"{path}: folder {path.parent} does not exist")
    if path.exists() and not path.is_file():
        raise MonitorError(f"{path}: not a file")
    db: Database | None = None
    try:
        try:
            if path.exists() and not (os.access(path, os.W_OK)
                                      and os.access(path.parent, os.W_OK)):
                # Opened read-write, SQLite would leave read-only -shm/-wal files beside a
                # read-only file, and they would block every later writer.
                raise sqlite3.OperationalError("attempt to write a readonly database")
            db = Database(path)
            db.execute("PRAGMA busy_timeout = 30000")
            db.execute("PRAGMA foreign_keys = ON")
            kind = is_monitor_database(db)
            writable = True
        except sqlite3.OperationalError as exc:
            if not is_read_only_error(exc) or not path.exists():
                raise
            if db is not None:
                db.close()
            db = _open_read_only(path)
            kind, writable = is_monitor_database(db), False
        if kind is None and not create:
            raise NotFoundError(f"{path}: an empty file, no monitor database yet (run "
                                "`monitor poll` or `monitor demo` first)")
        if kind is False:
            raise MonitorError(f"{path}: not a monitor database (it holds another "
                               "application's tables); monitor leaves it unchanged — choose "
                               "another --db")
        if writable:
            try:
                if db.journal_mode != "wal":
                    db.enable_wal()
                migrate(db)
                if write:  # a demo database a user writes to is no longer demo's to replace
                    db.execute("DELETE FROM monitor_meta WHERE key = 'made_by'")
            except sqlite3.OperationalError as exc:
                if not is_read_only_error(exc) or migrations.pending(db):
                    raise
                db.close()
                db = _open_read_only(path)
        elif migrations.pending(db):
            raise MonitorError(f"{path}: the database is read-only and needs an upgrade by "
                               "this version of monitor; make it writable once")
    except sqlite3.DatabaseError as exc:
        if db is not None:
            db.close()
        if is_read_only_error(exc):
            raise MonitorError(f"{path}: the database or its folder is read-only ({exc})"
                               ) from None
        raise MonitorError(f"{path}: not a usable monitor database ({exc})") from None
    except MonitorError:
        if db is not None:
            db.close()
        raise
    except OSError as exc:
        raise MonitorError(f"{path}: cannot open database ({exc.strerror})") from None
    if write and getattr(db, "_monitor_read_only", False):
        db.close()
        raise MonitorError(f"{path}: the database or its folder is read-only; this command "
                           "writes to it")
    return db


def is_read_only_error(exc: sqlite3.Error) -> bool:
    """Whether SQLite refused because the file or its folder may not be written."""
    message = str(exc).lower()
    return "readonly" in message or "read-only" in message or "unable to open" in message


def _open_read_only(path: Path) -> Database:
    """A read-only connection. A fully checkpointed file (no ``-wal`` beside it, or an empty
    one) is read as immutable, which needs no ``-shm`` file (none can be made in a read-only
    folder, and one made beside a read-only file would block later writers). A read-only
    command is short, and a writer that starts meanwhile makes its own -wal, leaving the file
    as it was; with changes waiting in a ``-wal``, the file is opened ``mode=ro``."""
    uri = path.resolve().as_uri()
    wal = Path(f"{path}-wal")
    if not wal.exists() or wal.stat().st_size == 0:
        # Everything is in the file: read it as immutable, which creates no -shm beside it.
        conn = sqlite3.connect(f"{uri}?immutable=1", uri=True)
    else:
        conn = sqlite3.connect(f"{uri}?mode=ro", uri=True)
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # fails now, not later
    db = Database(conn)
    db.execute("PRAGMA busy_timeout = 30000")
    db._monitor_read_only = True  # type: ignore[attr-defined]
    return db


def set_meta(db: Database, key: str, value: str) -> None:
    with db.atomic():
        db.table("monitor_meta").upsert({"key": key, "value": value}, pk="key")


def entity_key(label: str, name: str) -> str:
    return f"{_LABEL_GROUPS.get(label, label.lower())}:{fold(name)}"


# --- feeds -----------------------------------------------------------------------------------


def sync_feeds(db: Database, feeds: Iterable[Any]) -> list[dict[str, Any]]:
    """Make sure each configured feed has a row; return the rows in config order.

    A row holds the feed's URL with any credentials masked (``https://***@host/feed``): the
    database is browsed and shared, the password stays in the config file."""
    rows = []
    for feed in feeds:
        url = mask_credentials(feed.url)
        existing = next(db.table("feeds").rows_where("url = ?", [url]), None)
        values = {"name": feed.name, "topic_filter": int(feed.topic_filter)}
        if existing is None:
            db.table("feeds").insert({"url": url, "created_at": utcnow(), "error_count": 0,
                                      **values})
        elif any(existing[k] != v for k, v in values.items()):
            db.table("feeds").update(existing["id"], values)
        rows.append(next(db.table("feeds").rows_where("url = ?", [url])))
    return rows


# --- a feed's backlog: items listed beyond the per-round cap ----------------------------------


def backlog(db: Database, feed_id: int) -> list[dict[str, Any]]:
    """Items this feed listed that were not fetched yet, oldest remembered first."""
    return list(db.query("SELECT url, title, published, guid FROM feed_backlog "
                         "WHERE feed_id = ? ORDER BY added_at, rowid", [feed_id]))


def remember_backlog(db: Database, feed_id: int, items: Iterable[Any]) -> None:
    with db.atomic():
        for item in items:
            db.execute(
                "INSERT INTO feed_backlog (url, feed_id, title, published, guid, added_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO NOTHING",
                [item.url, feed_id, item.title, item.published, item.guid, utcnow()])


def forget_backlog(db: Database, urls: Iterable[str]) -> None:
    urls = list(urls)
    if urls:
        with db.atomic():
            db.conn.executemany("DELETE FROM feed_backlog WHERE url = ?", [(u,) for u in urls])


def update_feed(db: Database, feed_id: int, values: dict[str, Any]) -> None:
    with db.atomic():
        db.table("feeds").update(feed_id, values)


# --- articles --------------------------------------------------------------------------------


@dataclass
class ArticleRecord:
    url: str
    title: str | None
    text: str
    urls: list[str] = field(default_factory=list)
    author: str | None = None
    published: str | None = None
    site_name: str | None = None
    source: str | None = None
    language: str | None = None
    description: str | None = None
    feed_id: int | None = None
    text_hash: str | None = None
    minhash: bytes | None = None
    duplicate_of: int | None = None
    fetched_at: str = field(default_factory=utcnow)
    furniture: set[str] = field(default_factory=set)
    #: The site whose furniture counts this article's lines feed: only a site the page was
    #: fetched from (never a site it merely claims, never a saved file).
    site: str | None = None
    #: The text was cut at ``cleaning.max_chars``.
    truncated: bool = False
    #: A canonical URL the page named on another site: recorded, not believed.
    canonical_claim: str | None = None
    #: Whether the topic filter matched (an article kept with --all, or from a feed without
    #: the filter, may not have).
    on_topic: bool = True


def database_file(db: Database) -> str:
    """The path of the file behind ``db`` (the round lock sits beside it)."""
    return str(db.execute("PRAGMA database_list").fetchone()[2])


def story_signatures(db: Database) -> Iterator[tuple[int, bytes]]:
    """(id, MinHash bytes) of every story, for the near-duplicate index."""
    yield from db.execute("SELECT id, minhash FROM stories WHERE minhash IS NOT NULL")


def story_with_text_hash(db: Database, text_hash: str | None) -> int | None:
    row = db.execute("SELECT id FROM stories WHERE text_hash = ? LIMIT 1",
                     [text_hash]).fetchone()
    return row[0] if row else None


def count_tagged_by_other(db: Database, tagger_name: str) -> int:
    """Stories tagged by other rules or another model than ``tagger_name``."""
    return int(db.execute("SELECT count(*) FROM stories WHERE tagger IS NOT NULL "
                          "AND tagger != ?", [tagger_name]).fetchone()[0])


def stories_with_text(db: Database) -> list[tuple[int, str | None]]:
    """(id, language) of every story with text, oldest first: the texts are read in chunks
    (:func:`texts_of`), never all at once."""
    return [(row[0], row[1]) for row in db.execute(
        "SELECT id, language FROM stories WHERE text != '' ORDER BY id")]


def texts_of(db: Database, ids: Sequence[int]) -> dict[int, str]:
    marks = ",".join("?" * len(ids))
    return {row[0]: row[1] for row in db.execute(
        f"SELECT id, text FROM articles WHERE id IN ({marks})", list(ids))}


def next_due(db: Database) -> str | None:
    """When the earliest feed is next due (ISO), or None."""
    row = db.execute("SELECT MIN(next_poll_at) FROM feeds").fetchone()
    return row[0] if row else None


def article_for_url(db: Database, url: str) -> int | None:
    row = db.execute("SELECT article_id FROM article_urls WHERE url = ?", [url]).fetchone()
    return row[0] if row else None


def is_known(db: Database, url: str) -> bool:
    """Stored, or skipped as off-topic: either way, never fetched again."""
    return (
        article_for_url(db, url) is not None
        or db.execute("SELECT 1 FROM skipped WHERE url = ?", [url]).fetchone() is not None
    )


def article_attempts(db: Database, url: str) -> int:
    row = db.execute("SELECT attempts FROM article_errors WHERE url = ?", [url]).fetchone()
    return row[0] if row else 0


def retryable_articles(db: Database, feed_id: int, max_attempts: int) -> list[str]:
    """Pages of this feed that failed fewer than ``max_attempts`` times."""
    rows = db.execute("SELECT url FROM article_errors WHERE feed_id = ? AND attempts < ? "
                      "ORDER BY last_attempt_at", [feed_id, max_attempts])
    return [row[0] for row in rows]


def record_article_error(db: Database, url: str, feed_id: int | None, message: str) -> None:
    with db.atomic():
        attempts = article_attempts(db, url) + 1
        db.table("article_errors").upsert(
            {"url": url, "feed_id": feed_id, "attempts": attempts, "last_error": message,
             "last_attempt_at": utcnow()},
            pk="url",
        )


def record_skipped(db: Database, urls: Sequence[str], *, title: str | None, reason: str,
                   feed_id: int | None) -> None:
    with db.atomic():
        for url in dict.fromkeys(urls):
            db.table("skipped").upsert(
                {"url": url, "title": title, "reason": reason, "feed_id": feed_id,
                 "seen_at": utcnow()},
                pk="url",
            )
            db.table("article_errors").delete_where("url = ?", [url])


def link_urls(db: Database, article_id: int, urls: Iterable[str]) -> None:
    with db.atomic():
        for url in dict.fromkeys(urls):
            db.execute("INSERT OR IGNORE INTO article_urls (url, article_id) VALUES (?, ?)",
                       [url, article_id])
            db.table("article_errors").delete_where("url = ?", [url])


def repeated_lines(db: Database, site: str | None, min_articles: int) -> set[str]:
    if not site:
        return set()
    rows = db.execute("SELECT key FROM site_lines WHERE site = ? AND articles >= ?",
                      [site, min_articles])
    return {row[0] for row in rows}


def save_article(db: Database, record: ArticleRecord, tagged: Tagged | None,
                 tagger_name: str | None) -> int:
    """Store one article with everything found in it, atomically. Returns its id."""
    with db.atomic():
        article_id = db.table("articles").insert(
            {
                "url": record.url,
                "title": record.title,
                "author": record.author,
                "published": record.published,
                "site_name": record.site_name,
                "source": record.source,
                "language": record.language,
                "description": record.description,
                "text": record.text,
                "text_hash": record.text_hash,
                "minhash": record.minhash,
                "word_count": len(record.text.split()),
                "feed_id": record.feed_id,
                "duplicate_of": record.duplicate_of,
                "fetched_at": record.fetched_at,
                "truncated": int(record.truncated),
                "canonical_claim": record.canonical_claim,
                "on_topic": int(record.on_topic),
            }
        ).last_pk
        assert isinstance(article_id, int)
        link_urls(db, article_id, [record.url, *record.urls])
        if tagged is not None:
            _store_tags(db, article_id, tagged, tagger_name,
                        record.published or record.fetched_at)
        if record.site and record.furniture:
            db.conn.executemany(
                "INSERT INTO site_lines (site, key, articles) VALUES (?, ?, 1) "
                "ON CONFLICT(site, key) DO UPDATE SET articles = articles + 1",
                [(record.site, key) for key in sorted(record.furniture)],
            )
    return article_id


def replace_tags(db: Database, article_id: int, tagged: Tagged, tagger_name: str) -> None:
    """Re-tagging: drop an article's mentions and figures and store the new ones, atomically."""
    with db.atomic():
        db.table("mentions").delete_where("article_id = ?", [article_id])
        db.table("figures").delete_where("article_id = ?", [article_id])
        row = db.table("articles").get(article_id)
        _store_tags(db, article_id, tagged, tagger_name, row["published"] or row["fetched_at"])
        db.execute("DELETE FROM entities WHERE id NOT IN (SELECT entity_id FROM mentions)")


def _store_tags(db: Database, article_id: int, tagged: Tagged, tagger_name: str | None,
                seen: str) -> None:
    entity_ids: dict[str, int] = {}
    mention_rows = []
    for mention in tagged.mentions:
        _upsert_entity(db, mention, seen, entity_ids)
        mention_rows.append(
            {"article_id": article_id, "entity_key": entity_key(mention.label, mention.name),
             "text": mention.text,
             "start": mention.start, "end": mention.end, "sentence": mention.sentence,
             "title": mention.title, "affiliation": mention.affiliation}
        )
    for row in mention_rows:  # resolved after all entities: a merge may have moved some
        row["entity_id"] = entity_ids[str(row.pop("entity_key"))]
    if mention_rows:
        db.table("mentions").insert_all(mention_rows)
    figure_rows = [
        {"article_id": article_id, "value": f.value, "text": f.text, "unit": f.unit,
         "what": f.what, "when": f.when, "sentence": f.sentence, "start": f.start, "end": f.end,
         "bound": getattr(f, "bound", None),
         "attribution": int(getattr(f, "attribution", False))}
        for f in tagged.figures
    ]
    if figure_rows:
        db.table("figures").insert_all(figure_rows)
    db.table("articles").update(article_id, {"tagger": tagger_name, "tagged_at": utcnow()})


def _resolve_person(db: Database, key: str) -> int | None:
    """A surname-only or partial name ("Blinken") joins the one person whose name ends with it.

    Ambiguity (two stored people end the same way) leaves the short form as its own entity.
    """
    group, _, folded = key.partition(":")
    rows = db.execute(
        "SELECT id FROM entities WHERE key LIKE ? ESCAPE '\\' LIMIT 2",
        [f"{group}:% " + folded.replace("%", "\\%").replace("_", "\\_")],
    ).fetchall()
    return rows[0][0] if len(rows) == 1 else None


def _upsert_entity(db: Database, mention: Mention, seen: str, cache: dict[str, int]) -> int:
    key = entity_key(mention.label, mention.name)
    entity_id: int | None
    if key in cache:
        entity_id = cache[key]
    else:
        row = db.execute("SELECT id FROM entities WHERE key = ?", [key]).fetchone()
        entity_id = row[0] if row else None
        if entity_id is None and key.startswith("person:"):
            entity_id = _resolve_person(db, key)
        if entity_id is None:
            new_id = db.table("entities").insert(
                {"key": key, "name": mention.name, "label": mention.label, "kind": mention.kind,
                 "aliases": json.dumps([]), "titles": json.dumps([]), "first_seen": seen,
                 "last_seen": seen}
            ).last_pk
            assert isinstance(new_id, int)
            entity_id = new_id
            if key.startswith("person:") and " " in key:
                for dropped in _absorb_short_forms(db, new_id, key):
                    # Mentions of this article already resolved to the short form follow it.
                    for cached_key, cached_id in cache.items():
                        if cached_id == dropped:
                            cache[cached_key] = new_id
        cache[key] = entity_id
    _merge_into_entity(db, entity_id, mention, seen)
    return entity_id


def _absorb_short_forms(db: Database, entity_id: int, key: str) -> list[int]:
    """A full name seen for the first time takes over the surname-only entities stored before
    it ("Blinken" from earlier articles joins "Antony Blinken"), when no other stored person
    shares that ending."""
    group, _, folded = key.partition(":")
    words = folded.split()
    dropped = []
    for size in range(1, len(words)):
        short_key = f"{group}:{' '.join(words[-size:])}"
        short = db.execute("SELECT id FROM entities WHERE key = ?", [short_key]).fetchone()
        if short is None or _resolve_person(db, short_key) != entity_id:
            continue
        merge_entities(db, keep=entity_id, drop=short[0])
        dropped.append(short[0])
    return dropped


def merge_entities(db: Database, *, keep: int, drop: int) -> None:
    """Fold entity ``drop`` into ``keep``: mentions move, aliases/titles/kinds/dates merge."""
    gone = db.table("entities").get(drop)
    row = db.table("entities").get(keep)
    aliases = json.loads(row["aliases"] or "[]")
    for alias in [gone["name"], *json.loads(gone["aliases"] or "[]")]:
        if alias not in aliases:
            aliases.append(alias)
    titles = json.loads(row["titles"] or "[]")
    for title in json.loads(gone["titles"] or "[]"):
        if fold(title) not in {fold(t) for t in titles}:
            titles.append(title)
    kind = max((row["kind"], gone["kind"]), key=lambda k: _KIND_RANK.get(k, 0))
    db.execute("UPDATE mentions SET entity_id = ? WHERE entity_id = ?", [keep, drop])
    db.table("entities").delete(drop)
    db.table("entities").update(keep, {
        "aliases": json.dumps(aliases, ensure_ascii=False),
        "titles": json.dumps(titles, ensure_ascii=False), "kind": kind,
        "first_seen": min(filter(None, [row["first_seen"], gone["first_seen"]]), default=None),
        "last_seen": max(filter(None, [row["last_seen"], gone["last_seen"]]), default=None),
    })


def _merge_into_entity(db: Database, entity_id: int, mention: Mention, seen: str) -> None:
    row = db.table("entities").get(entity_id)
    aliases = json.loads(row["aliases"] or "[]")
    titles = json.loads(row["titles"] or "[]")
    changes: dict[str, Any] = {}
    for variant in (mention.name, mention.text):
        if variant and variant not in aliases:
            aliases.append(variant)
            changes["aliases"] = json.dumps(aliases, ensure_ascii=False)
    if mention.title and fold(mention.title) not in {fold(t) for t in titles}:
        titles.append(mention.title)
        changes["titles"] = json.dumps(titles, ensure_ascii=False)
    if _fuller(mention.name, row["name"]):
        changes["name"] = mention.name
    if _KIND_RANK.get(mention.kind, 0) > _KIND_RANK.get(row["kind"], 0):
        changes["kind"] = mention.kind
    if seen < (row["first_seen"] or seen):
        changes["first_seen"] = seen
    if seen > (row["last_seen"] or ""):
        changes["last_seen"] = seen
    if changes:
        db.table("entities").update(entity_id, changes)


def _fuller(candidate: str, current: str) -> bool:
    """Is ``candidate`` a fuller form of the same name: more words, or the same with accents."""
    if len(candidate.split()) != len(current.split()):
        return len(candidate.split()) > len(current.split())
    return fold(candidate) == fold(current) and candidate != current and (
        sum(not c.isascii() for c in candidate) > sum(not c.isascii() for c in current)
    )

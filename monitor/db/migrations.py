"""The database schema, as named, append-only migrations.

Never edit a migration that has shipped: add a new one. Every command that opens the
database applies what is pending first, so a newer `monitor` upgrades an older file in place.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("monitor")

#: What an entity is (``entities.kind``): the one list, for the tagger, the CLI and the web.
KINDS = ("official", "person", "agency", "organization", "place", "group", "other")

#: The figures the views show: not the counts of people a story cites ("two sources said").
SHOWN_FIGURE = "f.attribution = 0"

#: The date an article counts under, for every reader: published, else when it was fetched.
#: Written against the alias ``a`` (``FROM articles a`` or ``FROM stories a``); the index
#: ``idx_articles_dated`` (m004) is on this very expression, so ranges and sorts over
#: articles can use it.
ARTICLE_DATE = "COALESCE(a.published, a.fetched_at)"

#: SQLite's unicode61 folds case; ``remove_diacritics 2`` also folds accents, so
#: "Cossío" and "COSSIO" are the same token.
FTS_TOKENIZE = "unicode61 remove_diacritics 2"


@migrations(name="m001_initial")
def m001_initial(db: Database) -> None:
    db.table("feeds").create(
        {
            "id": int,
            "url": str,
            "name": str,
            "title": str,
            "site_url": str,
            "topic_filter": int,
            "etag": str,
            "last_modified": str,
            "content_hash": str,
            "last_status": str,
            "http_status": int,
            "error_count": int,
            "last_error": str,
            "last_polled_at": str,
            "last_ok_at": str,
            "next_poll_at": str,
            "created_at": str,
        },
        pk="id",
        not_null={"url"},
        defaults={"error_count": 0, "topic_filter": 1},
    )
    db.table("feeds").create_index(["url"], unique=True)

    db.table("articles").create(
        {
            "id": int,
            "url": str,
            "title": str,
            "author": str,
            "published": str,
            "site_name": str,
            "source": str,
            "language": str,
            "description": str,
            "text": str,
            "text_hash": str,
            "minhash": bytes,
            "word_count": int,
            "feed_id": int,
            "on_topic": int,
            "duplicate_of": int,
            "fetched_at": str,
            "tagger": str,
            "tagged_at": str,
        },
        pk="id",
        not_null={"url"},
        foreign_keys=[("feed_id", "feeds", "id"), ("duplicate_of", "articles", "id")],
    )
    db.table("articles").create_index(["url"], unique=True)
    db.table("articles").create_index(["text_hash"])
    db.table("articles").create_index(["published"])
    db.table("articles").create_index(["feed_id"])
    db.table("articles").create_index(["duplicate_of"])

    # Every URL an article was seen under (feed link, final URL after redirects, canonical),
    # so a story is never fetched twice.
    db.table("article_urls").create(
        {"url": str, "article_id": int},
        pk="url",
        foreign_keys=[("article_id", "articles", "id")],
    )
    db.table("article_urls").create_index(["article_id"])

    # Article pages that could not be fetched or yielded no text: retried a few times.
    db.table("article_errors").create(
        {
            "url": str,
            "feed_id": int,
            "attempts": int,
            "last_error": str,
            "last_attempt_at": str,
        },
        pk="url",
        foreign_keys=[("feed_id", "feeds", "id")],
    )

    # Pages fetched but not kept (off topic): recorded so they are never fetched again.
    db.table("skipped").create(
        {"url": str, "title": str, "reason": str, "feed_id": int, "seen_at": str},
        pk="url",
        foreign_keys=[("feed_id", "feeds", "id")],
    )

    db.table("entities").create(
        {
            "id": int,
            "key": str,
            "name": str,
            "label": str,
            "kind": str,
            "aliases": str,
            "titles": str,
            "first_seen": str,
            "last_seen": str,
        },
        pk="id",
        not_null={"key", "name"},
    )
    db.table("entities").create_index(["key"], unique=True)
    db.table("entities").create_index(["kind"])

    db.table("mentions").create(
        {
            "id": int,
            "article_id": int,
            "entity_id": int,
            "text": str,
            "start": int,
            "end": int,
            "sentence": str,
            "title": str,
            "affiliation": str,
        },
        pk="id",
        foreign_keys=[("article_id", "articles", "id"), ("entity_id", "entities", "id")],
    )
    db.table("mentions").create_index(["article_id"])
    db.table("mentions").create_index(["entity_id"])

    db.table("figures").create(
        {
            "id": int,
            "article_id": int,
            "value": float,
            "text": str,
            "unit": str,
            "what": str,
            "when": str,
            "sentence": str,
            "start": int,
            "end": int,
        },
        pk="id",
        foreign_keys=[("article_id", "articles", "id")],
    )
    db.table("figures").create_index(["article_id"])

    # Short lines per site, counted over articles: a line seen in many articles of one site is
    # furniture ("Follow us on Telegram") and the cleaning layer removes it.
    db.table("site_lines").create(
        {"site": str, "key": str, "articles": int},
        pk=("site", "key"),
    )

    db.table("articles").enable_fts(["title", "text"], tokenize=FTS_TOKENIZE,
                                    create_triggers=True)
    db.table("entities").enable_fts(["name", "aliases"], tokenize=FTS_TOKENIZE,
                                    create_triggers=True)


@migrations(name="m002_feed_schedule")
def m002_feed_schedule(db: Database) -> None:
    """Per-feed scheduling state: `state` (active, gone after HTTP 410) and the weighted
    failure score that drives backoff."""
    db.table("feeds").add_column("state", str, not_null_default="active")
    db.table("feeds").add_column("failure_score", float, not_null_default=0.0)
    db.table("feeds").add_column("poll_interval", float)


@migrations(name="m003_data_safety")
def m003_data_safety(db: Database) -> None:
    """What keeps data from being lost or forged:

    * ``feed_backlog``: items a feed listed beyond ``poll.max_articles_per_feed``, fetched in
      later rounds even while the feed itself is unchanged;
    * ``articles.truncated``: 1 when the text was cut at ``cleaning.max_chars``;
    * ``articles.canonical_claim``: a canonical URL the page named on another site, recorded
      but not believed (the article is kept under the URL it was fetched from);
    * ``monitor_meta``: facts about the file itself (``made_by = demo`` for a demo database,
      which ``monitor demo --force`` may rebuild; no other file is ever deleted);
    * credentials in feed URLs are masked: they stay in the config file only.
    """
    db.table("feed_backlog").create(
        {"url": str, "feed_id": int, "title": str, "published": str, "guid": str,
         "added_at": str},
        pk="url",
        foreign_keys=[("feed_id", "feeds", "id")],
    )
    db.table("feed_backlog").create_index(["feed_id"])
    db.table("articles").add_column("truncated", int, not_null_default=0)
    db.table("articles").add_column("canonical_claim", str)
    db.table("monitor_meta").create({"key": str, "value": str}, pk="key")
    from ..sources.urls import mask_credentials

    taken = {row[0] for row in db.execute("SELECT url FROM feeds")}
    for feed_id, url in db.execute("SELECT id, url FROM feeds").fetchall():
        masked = mask_credentials(url)
        if masked != url and masked not in taken:
            db.execute("UPDATE feeds SET url = ? WHERE id = ?", [masked, feed_id])
            taken.add(masked)


@migrations(name="m004_stories")
def m004_stories(db: Database) -> None:
    """``stories``: one row per story — the articles that are no copy of another (a copy has
    ``duplicate_of``) — for every reader that counts or lists stories; and an index on the
    date an article counts under (:data:`ARTICLE_DATE`)."""
    db.execute("CREATE VIEW stories AS SELECT * FROM articles WHERE duplicate_of IS NULL")
    db.execute("CREATE INDEX idx_articles_dated ON articles (COALESCE(published, fetched_at))")


@migrations(name="m005_figure_bounds")
def m005_figure_bounds(db: Database) -> None:
    """``figures.bound``: "at least" when the text gives no exact number ("hundreds of
    thousands"), so no view shows the convention's lower bound as a count the text stated.
    Figures stored before it have none until ``monitor retag``."""
    db.table("figures").add_column("bound", str)


@migrations(name="m006_figure_attribution")
def m006_figure_attribution(db: Database) -> None:
    """``figures.attribution``: 1 for a count of the people a story cites ("two sources
    said"), which the figure views leave out."""
    db.table("figures").add_column("attribution", int, not_null_default=0)


def is_monitor_database(db: Database) -> bool | None:
    """True for a monitor database, None for an empty one (nothing in it at all, no
    application id or user version: monitor may make it its own), False for any other SQLite
    file, which monitor must never alter."""
    tables = set(db.table_names())
    objects = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    marks = [db.execute(f"PRAGMA {name}").fetchone()[0]
             for name in ("application_id", "user_version")]
    if not objects and not any(marks):
        return None
    if Migrations.migrations_table in tables:
        row = db.execute(f"SELECT 1 FROM [{Migrations.migrations_table}] "
                         "WHERE migration_set = ? LIMIT 1", [migrations.name]).fetchone()
        if row is not None:
            return True
    return False


def migrate(db: Database) -> None:
    """Apply pending migrations, once, even when two processes open a new file at once: the
    check and the migrations run under one write lock (each migration is a savepoint)."""
    if not migrations.pending(db):
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        migrations.apply(db)
    except BaseException:
        db.conn.execute("ROLLBACK")
        raise
    db.conn.execute("COMMIT")

"""Reads behind the commands: search, show, entity, entities, figures, feeds.

Every function returns plain dicts shaped as the contract's JSON, so the CLI only prints.
User text never reaches FTS5 syntax raw: queries are rebuilt from their words, each quoted.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlite_utils import Database

from ..errors import NotFoundError, UsageError
from ..text import fold, squash
from .migrations import ARTICLE_DATE, SHOWN_FIGURE

_WORD = re.compile(r"\w+")
_RELATIVE = re.compile(r"^\s*(\d+)\s*([hdwmy])\s*$", re.IGNORECASE)
_RELATIVE_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1),
                   "m": timedelta(days=30), "y": timedelta(days=365)}


#: FTS5 operators as a user types them: syntax to them, not words to find.
_OPERATORS = {"AND", "OR", "NOT", "NEAR"}


def query_words(query: str) -> list[str]:
    """The searchable words of a user query: folded; punctuation and capitalised FTS5
    operators (AND, OR, NOT, NEAR) dropped, since every word is required anyway."""
    kept = [w for w in _WORD.findall(query) if w not in _OPERATORS]
    return _WORD.findall(fold(" ".join(kept)))


def fts_phrase(words: list[str]) -> str:
    return '"' + " ".join(words) + '"'


def fts_all(words: list[str]) -> str:
    return " ".join(f'"{w}"' for w in words)


_MONTH = re.compile(r"^\s*(\d{4})-(\d{2})\s*$")
_YEAR = re.compile(r"^\s*(\d{4})\s*$")
#: What every ``since`` takes, for messages: the CLI's --since, the canned queries, the charts.
SINCE_FORMS = ("a date (2024-03-01), a month (2024-03), a year, an age (24h, 7d, 2w, 3m), "
               "today, this week, this month, this year, or all")


def parse_since(value: str | None, now: datetime | None = None) -> str | None:
    """The start of a period as an ISO timestamp (UTC), or None for all time: the one
    ``since`` vocabulary of every command, canned query and chart.

    Accepts an age (``7d``, ``24h``, ``2w``, ``3m``), a date (``2024-03-01``), a month
    (``2024-03``), a year, ``today``, ``this week`` (from Monday), ``this month``,
    ``this year``, and ``''``/``all`` for all time. Anything else is a UsageError."""
    if value is None or not value.strip() or value.strip().lower() in {"all", "all time"}:
        return None
    now = now or datetime.now(UTC)
    midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    word = " ".join(value.lower().split())
    named = {
        "today": midnight,
        "this week": midnight - timedelta(days=midnight.weekday()),
        "this month": midnight.replace(day=1),
        "this year": midnight.replace(month=1, day=1),
    }
    if word in named:
        return named[word].isoformat()
    if match := _MONTH.match(value):
        return f"{match.group(1)}-{match.group(2)}-01T00:00:00+00:00"
    if match := _YEAR.match(value):
        return f"{match.group(1)}-01-01T00:00:00+00:00"
    if match := _RELATIVE.match(value):
        return (now - int(match.group(1)) * _RELATIVE_UNITS[match.group(2).lower()]).isoformat()
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(f"--since {value!r}: use {SINCE_FORMS}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.isoformat()


#: Officials by the number of stories naming them since ``:start`` (None: all time), then the
#: most recently named, then by mentions: the one ranking the weekly brief and the landing
#: page share.
TOP_OFFICIALS_SQL = f"""
SELECT e.id, e.name, e.titles, COUNT(DISTINCT a.id) AS articles, COUNT(*) AS mentions,
       MAX({ARTICLE_DATE}) AS last_seen,
       (SELECT m2.title FROM mentions m2 WHERE m2.entity_id = e.id AND m2.title IS NOT NULL
        ORDER BY m2.id DESC LIMIT 1) AS latest_title
FROM mentions m JOIN entities e ON e.id = m.entity_id JOIN stories a ON a.id = m.article_id
WHERE e.kind = 'official' AND (:start IS NULL OR {ARTICLE_DATE} >= :start)
GROUP BY e.id ORDER BY articles DESC, last_seen DESC, mentions DESC, e.name LIMIT :limit
"""


# --- search ----------------------------------------------------------------------------------

#: Ranking reads only ids and bm25; snippets are made afterwards for the rows shown, so a
#: query's cost is its ranking plus ``limit`` snippets, however many articles match.
_SEARCH_SQL = """
SELECT a.id, a.url, a.title, COALESCE(a.source, a.site_name) AS source, a.published,
       bm25(articles_fts, 5.0, 1.0) AS rank
FROM articles_fts JOIN stories a ON a.id = articles_fts.rowid
WHERE articles_fts MATCH :match
  AND (:since IS NULL OR {date} >= :since)
ORDER BY rank LIMIT :limit
""".replace("{date}", ARTICLE_DATE)

_SNIPPET_SQL = """
SELECT snippet(articles_fts, 1, '**', '**', '…', 16) FROM articles_fts
WHERE articles_fts MATCH :match AND rowid = :id
"""

#: Words a query may have: a sentence, not a page (each word costs every matching row).
MAX_QUERY_WORDS = 32

_ENTITY_ARTICLES_SQL = """
SELECT a.id, a.url, a.title, COALESCE(a.source, a.site_name) AS source, a.published,
       m.sentence AS snippet, m.text AS surface
FROM mentions m JOIN stories a ON a.id = m.article_id
WHERE m.entity_id IN ({ids})
  AND (:since IS NULL OR {date} >= :since)
GROUP BY a.id ORDER BY {date} DESC LIMIT :limit
""".replace("{date}", ARTICLE_DATE)


def matching_entities(db: Database, words: list[str]) -> list[int]:
    """Entities whose name or an alias contains the query as a phrase."""
    rows = db.execute(
        "SELECT rowid FROM entities_fts WHERE entities_fts MATCH ? ORDER BY rank LIMIT 50",
        [fts_phrase(words)],
    )
    return [row[0] for row in rows]


def search(db: Database, query: str, *, limit: int = 20, since: str | None = None
           ) -> list[dict[str, Any]]:
    """Articles matching the words, ranked: exact phrase first, then all words, then articles
    that name a matching entity under another alias ("State Department" finds
    "U.S. Department of State")."""
    words = query_words(query)
    if not words:
        raise UsageError(f"nothing to search for in {query!r}: give at least one word")
    if len(words) > MAX_QUERY_WORDS:
        raise UsageError(f"the query has {len(words)} words; search takes at most "
                         f"{MAX_QUERY_WORDS}")
    params = {"since": parse_since(since), "limit": limit}
    results: dict[int, dict[str, Any]] = {}
    distinct = list(dict.fromkeys(words))  # "cuba cuba" requires "cuba" once
    # Phrase hits rank above hits that only have all the words somewhere.
    passes = [(fts_phrase(words), 1.0), (fts_all(distinct), 0.0)] if len(words) > 1 else \
        [(fts_all(distinct), 0.0)]
    for match, bonus in passes:
        for row in db.query(_SEARCH_SQL, {**params, "match": match}):
            if row["id"] not in results:
                # bm25() is lower-is-better (negative): flip it so a higher score is better.
                results[row["id"]] = {**row, "score": round(bonus - row["rank"], 4),
                                      "match": match}
        if len(results) >= limit:
            break
    entity_ids = matching_entities(db, words)
    if entity_ids and len(results) < limit:
        sql = _ENTITY_ARTICLES_SQL.format(ids=",".join(str(i) for i in entity_ids))
        for row in db.query(sql, params):
            if row["id"] not in results:
                snippet = row["snippet"].replace(row["surface"], f"**{row['surface']}**", 1)
                results[row["id"]] = {**row, "snippet": snippet, "score": 0.0}
    ranked = sorted(results.values(), key=lambda r: r["score"], reverse=True)[:limit]
    for row in ranked:
        if "match" in row:
            found = db.execute(_SNIPPET_SQL, {"match": row["match"], "id": row["id"]}
                               ).fetchone()
            row["snippet"] = found[0] if found else ""
    return [
        {"url": r["url"], "title": r["title"], "source": r["source"], "published": r["published"],
         "snippet": squash(r["snippet"] or ""), "score": r["score"]}
        for r in ranked
    ]


# --- articles, entities, figures, feeds -----------------------------------------------------

_FIGURE_COLUMNS = """f.value, f.text, f.unit, f.what, f."when", f.sentence, a.url, f.bound,
f.attribution"""


def _figure(row: dict[str, Any]) -> dict[str, Any]:
    value = row["value"]
    if value is not None and float(value).is_integer():
        value = int(value)
    return {"value": value, "text": row["text"], "what": row["what"], "when": row["when"],
            "sentence": row["sentence"], "url": row["url"], "unit": row["unit"],
            "bound": row["bound"], "attribution": bool(row["attribution"])}


def find_article(db: Database, url: str) -> dict[str, Any]:
    from ..sources.urls import canonical_url

    row = None
    for candidate in dict.fromkeys([url, canonical_url(url) if "://" in url else url]):
        row = next(db.query(
            "SELECT a.* FROM article_urls u JOIN articles a ON a.id = u.article_id "
            "WHERE u.url = ?", [candidate]), None)
        if row:
            break
    if row is None:
        raise NotFoundError(f"no stored article with URL {url}")
    return row


def show(db: Database, url: str) -> dict[str, Any]:
    row = find_article(db, url)
    original = row["duplicate_of"] or row["id"]
    entities = list(db.query(
        "SELECT e.name, e.label, e.kind, COUNT(*) AS count, "
        "  (SELECT m2.title FROM mentions m2 WHERE m2.entity_id = e.id "
        "   AND m2.article_id = :id AND m2.title IS NOT NULL LIMIT 1) AS title "
        "FROM mentions m JOIN entities e ON e.id = m.entity_id WHERE m.article_id = :id "
        "GROUP BY e.id ORDER BY MIN(m.start)", {"id": original}))
    figures = [_figure(r) for r in db.query(
        f"SELECT {_FIGURE_COLUMNS} FROM figures f JOIN articles a ON a.id = f.article_id "
        "WHERE f.article_id = ? ORDER BY f.start", [original])]
    duplicate_of = db.table("articles").get(row["duplicate_of"])["url"] \
        if row["duplicate_of"] else None
    also_at = [r["url"] for r in db.query(
        "SELECT url FROM articles WHERE duplicate_of = ? ORDER BY id", [row["id"]])]
    return {
        "url": row["url"], "title": row["title"], "source": row["source"] or row["site_name"],
        "published": row["published"], "language": row["language"], "author": row["author"],
        "text": row["text"], "entities": entities, "figures": figures,
        "duplicate_of": duplicate_of, "also_at": also_at, "fetched_at": row["fetched_at"],
    }


def _entity_candidates(db: Database, name: str) -> list[dict[str, Any]]:
    words = query_words(name)
    if not words:
        raise UsageError(f"{name!r} is not a name")
    folded = " ".join(words)
    exact = []
    for row in db.query("SELECT * FROM entities"):
        variants = [row["name"], *json.loads(row["aliases"] or "[]")]
        if any(" ".join(query_words(v)) == folded for v in variants):
            exact.append(row)
    if exact:
        return exact
    return list(db.query(
        "SELECT e.* FROM entities_fts JOIN entities e ON e.id = entities_fts.rowid "
        "WHERE entities_fts MATCH ? ORDER BY rank", [fts_phrase(words)]))


def entity(db: Database, name: str, *, limit: int = 20) -> dict[str, Any]:
    """One entity by any alias, spelling, accent variant or an identifying part of its name."""
    candidates = _entity_candidates(db, name)
    if not candidates:
        raise NotFoundError(f"no entity named {name!r}")
    if len(candidates) > 1:
        counts = {c["id"]: _article_count(db, c["id"]) for c in candidates}
        candidates.sort(key=lambda c: counts[c["id"]], reverse=True)
        if len({fold(c["name"]) for c in candidates}) > 1 and counts[candidates[0]["id"]] == \
                counts[candidates[1]["id"]]:
            names = ", ".join(c["name"] for c in candidates[:5])
            raise NotFoundError(f"{name!r} is ambiguous: {names} — give more of the name")
    row = candidates[0]
    articles = list(db.query(
        "SELECT a.url, a.title, a.published FROM articles a WHERE a.id IN "
        "(SELECT article_id FROM mentions WHERE entity_id = ?) "
        f"ORDER BY {ARTICLE_DATE} DESC LIMIT ?", [row["id"], limit]))
    return {
        "name": row["name"], "label": row["label"], "kind": row["kind"],
        "aliases": json.loads(row["aliases"] or "[]"), "titles": json.loads(row["titles"] or "[]"),
        "mentions": _article_count(db, row["id"]), "articles": articles,
        "first_seen": row["first_seen"], "last_seen": row["last_seen"],
    }


def _article_count(db: Database, entity_id: int) -> int:
    return db.execute("SELECT COUNT(DISTINCT article_id) FROM mentions WHERE entity_id = ?",
                      [entity_id]).fetchone()[0]


def entities(db: Database, *, kind: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
    return list(db.query(
        "SELECT e.name, e.label, e.kind, COUNT(DISTINCT m.article_id) AS mentions "
        "FROM entities e JOIN mentions m ON m.entity_id = e.id "
        "WHERE (:kind IS NULL OR e.kind = :kind) GROUP BY e.id "
        "ORDER BY mentions DESC, e.name LIMIT :limit", {"kind": kind, "limit": limit}))


def figures(db: Database, query: str | None = None, *, limit: int = 20) -> list[dict[str, Any]]:
    sql = (f"SELECT {_FIGURE_COLUMNS} FROM figures f JOIN articles a ON a.id = f.article_id "
           f"WHERE {SHOWN_FIGURE}")
    params: list[Any] = []
    if query:
        words = query_words(query)
        if not words:
            raise UsageError(f"nothing to look for in {query!r}")
        rows = [r for r in db.query(sql + f" ORDER BY {ARTICLE_DATE} DESC, "
                                    "f.start")
                if all(w in fold(f"{r['what'] or ''} {r['sentence'] or ''}") for w in words)]
        return [_figure(r) for r in rows[:limit]]
    sql += f" ORDER BY {ARTICLE_DATE} DESC, f.start LIMIT ?"
    params.append(limit)
    return [_figure(r) for r in db.query(sql, params)]


def feeds(db: Database, *, limit: int | None = None) -> list[dict[str, Any]]:
    rows = db.query(
        "SELECT url, COALESCE(name, title) AS name, last_status, error_count, last_error, "
        "last_polled_at, next_poll_at, state, http_status, failure_score, poll_interval "
        "FROM feeds ORDER BY id"
        + (" LIMIT ?" if limit else ""), [limit] if limit else [])
    return list(rows)

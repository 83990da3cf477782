"""The landing page's numbers: articles this week, top officials, newest figures, failing
feeds. Plain SQL over one read-only connection; the template only lays them out."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

from ..db.migrations import ARTICLE_DATE, SHOWN_FIGURE
from ..db.queries import TOP_OFFICIALS_SQL
from ..sources.urls import mask_credentials_in

WINDOW_DAYS = 7
def _rows(conn: sqlite3.Connection, sql: str, params: Any = ()) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _titles(raw: str | None) -> str:
    try:
        return "; ".join(json.loads(raw or "[]"))
    except (TypeError, ValueError):
        return ""


def summary(conn: sqlite3.Connection, now: datetime | None = None) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    since = (now - timedelta(days=WINDOW_DAYS)).isoformat()
    one = lambda sql, params=(): conn.execute(sql, params).fetchone()[0]  # noqa: E731

    counts = {
        "week": one(f"SELECT COUNT(*) FROM stories a WHERE {ARTICLE_DATE} >= ?", [since]),
        "fetched_week": one("SELECT COUNT(*) FROM articles WHERE fetched_at >= ?", [since]),
        "articles": one("SELECT COUNT(*) FROM stories"),
        "copies": one("SELECT COUNT(*) FROM articles WHERE duplicate_of IS NOT NULL"),
        "sources": one("SELECT COUNT(DISTINCT COALESCE(source, site_name)) FROM articles"),
        "entities": one("SELECT COUNT(*) FROM entities"),
        "officials": one("SELECT COUNT(*) FROM entities WHERE kind = 'official'"),
        "figures": one("SELECT COUNT(*) FROM figures"),
        "feeds": one("SELECT COUNT(*) FROM feeds"),
    }

    article_sql = (f"SELECT a.id, a.title, a.url, COALESCE(a.source, a.site_name) AS source, "
                   f"{ARTICLE_DATE} AS published, "
                   "(SELECT COUNT(*) FROM articles c WHERE c.duplicate_of = a.id) AS copies "
                   "FROM stories a WHERE 1 {where} "
                   f"ORDER BY {ARTICLE_DATE} DESC LIMIT 8")
    articles = _rows(conn, article_sql.format(where=f"AND {ARTICLE_DATE} >= ?"), [since])
    articles_window = bool(articles)
    if not articles:
        articles = _rows(conn, article_sql.format(where=""))

    officials = _rows(conn, TOP_OFFICIALS_SQL, {"start": since, "limit": 8})
    officials_window = bool(officials)
    if not officials:
        officials = _rows(conn, TOP_OFFICIALS_SQL, {"start": None, "limit": 8})
    for row in officials:
        row["titles"] = _titles(row["titles"]) or row["latest_title"] or ""

    figures = _rows(conn, f"""
        SELECT f.id, f.text, f.what, f."when" AS "when", f.sentence, a.id AS article_id,
               a.title AS article, {ARTICLE_DATE} AS published
        FROM figures f JOIN articles a ON a.id = f.article_id WHERE {SHOWN_FIGURE}
        ORDER BY {ARTICLE_DATE} DESC, f.article_id DESC, f.start LIMIT 6""")

    failing = _rows(conn, """
        SELECT id, COALESCE(name, title, url) AS name, url, last_status, state, error_count,
               last_error, last_ok_at, next_poll_at
        FROM feeds WHERE last_status = 'error' OR state != 'active' OR error_count > 0
        ORDER BY error_count DESC, name""")
    for row in failing:
        for key in ("name", "url", "last_error"):
            if isinstance(row[key], str):
                row[key] = mask_credentials_in(row[key])

    return {
        "now": now.isoformat(timespec="minutes"),
        "since": since,
        "window_days": WINDOW_DAYS,
        "counts": counts,
        "articles": articles,
        "articles_window": articles_window,
        "officials": officials,
        "officials_window": officials_window,
        "figures": figures,
        "failing_feeds": failing,
        "month_start": now.strftime("%Y-%m-01"),
    }

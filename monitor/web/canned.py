"""Canned queries: the questions analysts ask, named, described and parameterised.

Every parameter may be left empty (it then does not filter), except a name the query is
about. Names and words are matched as ``monitor search`` matches them: case and accents do
not matter, and a name may be any alias ("State Department" finds "U.S. Department of
State"). Dates accept ``2024-03-01``, an age (``7d``, ``4w``), ``this week``, ``this month``
or nothing (all time).

Result columns follow one convention that the plugin turns into links: a column ``article``
next to ``article_id`` links to that article's row, ``entity``/``official``/``agency`` next to
``entity_id`` to the entity's row, ``feed`` next to ``feed_id`` to the feed's row.

The SQL uses the functions the monitor plugin adds to every connection: ``monitor_fts(words)``
(an FTS5 query that matches all the words, accent-insensitively), ``monitor_has_words(text,
words)`` (every word is, or starts, a word of the text, accents folded), ``monitor_side(text,
side)`` (the text names that side: US, United States, American…) and ``monitor_since(value)``
(an ISO timestamp, or NULL for all time).
"""

from __future__ import annotations

import html
from typing import Any

from ..db.migrations import ARTICLE_DATE, SHOWN_FIGURE

#: Monday of the article's week (UTC), e.g. 2022-04-18 for 2022-04-19T16:30:00+00:00.
ARTICLE_WEEK = f"date({ARTICLE_DATE}, 'weekday 0', '-6 days')"
SINCE = f"(monitor_since(:since) IS NULL OR {ARTICLE_DATE} >= monitor_since(:since))"
TITLES = "(SELECT group_concat(value, '; ') FROM json_each(e.titles))"
SINCE_HELP = ("a date (2024-03-01), an age (7d, 4w), this week, this month, or empty for all "
              "time; by publication date")
KIND_HELP = "official, person, agency, organization, place, group, or empty for all"

QUERIES: dict[str, dict[str, Any]] = {
    "who_spoke": {
        "title": "Who spoke for a side on a topic",
        "description": "Officials named in articles about a topic, with the title they were "
        "given, the side they speak for, the sentence, and the figures the article cites.",
        "help": {
            "side": "matched against the affiliation the tagger found, else against the "
            "sentence: Cuba finds \"the Cuban delegation\", US finds \"United States\"; "
            "empty for any side",
            "topic": "words that must all appear in the article (migration, visa…)",
            "since": SINCE_HELP,
        },
        "params": ["side", "topic", "since"],
        "sql": f"""
WITH spoke AS (
  SELECT m.entity_id, m.article_id, MIN(m.start) AS first_start
  FROM mentions m
  JOIN entities e ON e.id = m.entity_id
  JOIN stories a ON a.id = m.article_id
  WHERE e.kind = 'official'
    AND (:topic = '' OR a.id IN
         (SELECT rowid FROM articles_fts WHERE articles_fts MATCH monitor_fts(:topic)))
    AND (:side = '' OR monitor_side(COALESCE(NULLIF(m.affiliation, ''), m.sentence), :side))
    AND {SINCE}
  GROUP BY m.entity_id, m.article_id
)
SELECT e.name AS official, COALESCE(m.title, {TITLES}) AS title,
       m.affiliation, substr({ARTICLE_DATE}, 1, 10) AS published,
       a.title AS article, COALESCE(a.source, a.site_name) AS source, m.sentence,
       (SELECT group_concat(f.text || ' ' || COALESCE(f.what, '')
                || CASE WHEN f."when" IS NOT NULL THEN ' (' || f."when" || ')' ELSE '' END,
                char(10))
        FROM (SELECT * FROM figures f WHERE article_id = a.id AND {SHOWN_FIGURE}
              ORDER BY start) f
       ) AS figures_in_article,
       e.id AS entity_id, a.id AS article_id
FROM spoke s
JOIN mentions m ON m.entity_id = s.entity_id AND m.article_id = s.article_id
               AND m.start = s.first_start
JOIN entities e ON e.id = s.entity_id
JOIN articles a ON a.id = s.article_id
GROUP BY s.entity_id, s.article_id
ORDER BY {ARTICLE_DATE} DESC, m.start
""",
    },
    "officials": {
        "title": "Officials and their titles",
        "description": "Every person named with a title, the titles given, the side they "
        "were named for, when they were first and last seen and in how many articles.",
        "help": {"name": "words of a name or alias (cossio), or empty for all"},
        "params": ["name"],
        "sql": f"""
SELECT e.name AS official, {TITLES} AS titles,
       (SELECT group_concat(DISTINCT m2.affiliation) FROM mentions m2
        WHERE m2.entity_id = e.id) AS affiliation,
       e.first_seen, e.last_seen,
       COUNT(DISTINCT m.article_id) AS articles, COUNT(*) AS mentions, e.id AS entity_id
FROM entities e JOIN mentions m ON m.entity_id = e.id
WHERE e.kind = 'official'
  AND (:name = '' OR e.id IN
       (SELECT rowid FROM entities_fts WHERE entities_fts MATCH monitor_fts(:name)))
GROUP BY e.id
ORDER BY articles DESC, e.last_seen DESC, e.name
""",
    },
    "entity_mentions_per_week": {
        "title": "One entity's mentions per week",
        "description": "How often an entity was named, week by week (weeks start on Monday, "
        "by publication date). The same as a chart: the Trends dashboard.",
        "help": {"name": "any name or alias, accents optional (fernandez de cossio)"},
        "params": ["name"],
        "sql": f"""
SELECT {ARTICLE_WEEK} AS week, e.name AS entity,
       COUNT(*) AS mentions, COUNT(DISTINCT a.id) AS articles, e.id AS entity_id
FROM mentions m
JOIN entities e ON e.id = m.entity_id
JOIN articles a ON a.id = m.article_id
WHERE e.id IN (SELECT rowid FROM entities_fts WHERE entities_fts MATCH monitor_fts(:name))
GROUP BY week, e.id
ORDER BY week, mentions DESC
""",
    },
    "agency_articles": {
        "title": "Latest articles naming an agency",
        "description": "Newest first: articles that name a government agency, how it was "
        "named and the first sentence naming it.",
        "help": {"agency": "any name or alias (State Department finds U.S. Department of "
                           "State), or empty for every agency"},
        "params": ["agency"],
        "sql": f"""
WITH named AS (
  SELECT m.article_id, m.entity_id, MIN(m.start) AS first_start, COUNT(*) AS mentions
  FROM mentions m JOIN entities e ON e.id = m.entity_id
  WHERE e.kind = 'agency'
    AND (:agency = '' OR e.id IN
         (SELECT rowid FROM entities_fts WHERE entities_fts MATCH monitor_fts(:agency)))
  GROUP BY m.article_id, m.entity_id
)
SELECT {ARTICLE_DATE} AS published, a.title AS article,
       COALESCE(a.source, a.site_name) AS source, e.name AS agency, m.text AS named_as,
       n.mentions, m.sentence, a.id AS article_id, e.id AS entity_id
FROM named n
JOIN mentions m ON m.article_id = n.article_id AND m.entity_id = n.entity_id
               AND m.start = n.first_start
JOIN entities e ON e.id = n.entity_id
JOIN articles a ON a.id = n.article_id
GROUP BY n.article_id, n.entity_id
ORDER BY published DESC, e.name
LIMIT 200
""",
    },
    "figures_about": {
        "title": "Figures, by what they count",
        "description": "Numbers with what they count, when, the sentence and the article, "
        "newest first.",
        "help": {"what": "words that must all appear in what the figure counts (border, "
                         "deport, visa…; a word may be the start of a longer one), or empty"},
        "params": ["what"],
        "sql": f"""
SELECT f.text AS figure, f.value, f.bound, f.unit, f.what, f."when", f.sentence,
       a.title AS article, {ARTICLE_DATE} AS published, f.id AS figure_id,
       a.id AS article_id
FROM figures f JOIN articles a ON a.id = f.article_id
WHERE {SHOWN_FIGURE} AND (:what = '' OR monitor_has_words(f.what, :what))
ORDER BY published DESC, f.article_id, f.start
LIMIT 500
""",
    },
    "co_mentions": {
        "title": "Who is mentioned with whom",
        "description": "Entities named in the same articles as the chosen one, by the number "
        "of articles they share.",
        "help": {"name": "any name or alias of the chosen entity", "kind": KIND_HELP},
        "params": ["name", "kind"],
        "sql": f"""
WITH chosen AS (
  SELECT rowid AS id FROM entities_fts WHERE entities_fts MATCH monitor_fts(:name)
),
shared AS (
  SELECT DISTINCT article_id FROM mentions WHERE entity_id IN (SELECT id FROM chosen)
)
SELECT o.name AS entity, o.kind,
       COUNT(DISTINCT m.article_id) AS articles_together, COUNT(*) AS mentions,
       MAX({ARTICLE_DATE}) AS latest, o.id AS entity_id
FROM mentions m
JOIN shared s ON s.article_id = m.article_id
JOIN entities o ON o.id = m.entity_id
JOIN articles a ON a.id = m.article_id
WHERE m.entity_id NOT IN (SELECT id FROM chosen) AND (:kind = '' OR o.kind = :kind)
GROUP BY o.id
ORDER BY articles_together DESC, mentions DESC, o.name
LIMIT 200
""",
    },
    "feed_health": {
        "title": "Feeds and their health",
        "description": "Every feed, failing ones first: status, consecutive errors, the last "
        "error, when it last worked and will be polled next, how many articles it brought "
        "and how many of its article pages fail.",
        "help": {},
        "params": [],
        "sql": f"""
SELECT COALESCE(f.name, f.title, f.url) AS feed, f.state, f.last_status,
       f.http_status, f.error_count, f.last_error, f.last_polled_at, f.last_ok_at,
       f.next_poll_at,
       (SELECT COUNT(*) FROM articles a WHERE a.feed_id = f.id) AS articles,
       (SELECT MAX({ARTICLE_DATE}) FROM articles a
        WHERE a.feed_id = f.id) AS latest_article,
       (SELECT COUNT(*) FROM article_errors x WHERE x.feed_id = f.id) AS failing_pages,
       f.url, f.id AS feed_id
FROM feeds f
ORDER BY (f.last_status = 'error' OR f.state != 'active') DESC, f.error_count DESC, feed
""",
    },
    "articles_per_source_per_week": {
        "title": "Articles per source per week",
        "description": "How many articles each outlet published each week (copies of a "
        "story republished elsewhere included). The same as a chart: the Trends dashboard.",
        "help": {"since": SINCE_HELP},
        "params": ["since"],
        "sql": f"""
SELECT {ARTICLE_WEEK} AS week, COALESCE(a.source, a.site_name, '(unknown)') AS source,
       COUNT(*) AS articles
FROM articles a
WHERE {SINCE}
GROUP BY week, source
ORDER BY week DESC, articles DESC, source
""",
    },
    "new_entities": {
        "title": "Entities seen for the first time",
        "description": "Entities whose first article is recent, newest first.",
        "help": {"since": SINCE_HELP, "kind": KIND_HELP},
        "params": ["since", "kind"],
        "sql": """
SELECT e.name AS entity, e.kind, e.label,
       (SELECT group_concat(value, '; ') FROM json_each(e.titles)) AS titles,
       e.first_seen, COUNT(DISTINCT m.article_id) AS articles, e.id AS entity_id
FROM entities e JOIN mentions m ON m.entity_id = e.id
WHERE (monitor_since(:since) IS NULL OR e.first_seen >= monitor_since(:since))
  AND (:kind = '' OR e.kind = :kind)
GROUP BY e.id
ORDER BY e.first_seen DESC, articles DESC, e.name
LIMIT 500
""",
    },
}


def describe(query: dict[str, Any]) -> str:
    """The query's description with what each parameter takes, as HTML."""
    parts = [f"<p>{html.escape(query['description'])}</p>"]
    if query["help"]:
        parts.append('<dl class="monitor-params">')
        for param in query["params"]:
            parts.append(f"<dt>{html.escape(param)}</dt>"
                         f"<dd>{html.escape(query['help'].get(param, ''))}</dd>")
        parts.append("</dl>")
    return "".join(parts)


def canned_queries() -> dict[str, dict[str, Any]]:
    """Datasette's ``queries`` metadata: read-only SQL, titled and described, SQL folded away
    (one click shows it)."""
    return {name: {"title": q["title"], "description": q["description"],
                   "description_html": describe(q), "hide_sql": True,
                   "params": list(q["params"]), "sql": q["sql"].strip()}
            for name, q in QUERIES.items()}

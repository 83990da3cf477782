"""Charts, drawn by datasette-dashboards with Vega-Lite (shipped inside that plugin and served
from this machine: nothing is loaded from the internet).

The ``trends`` dashboard has an entity picker and a start date; its charts are also pages of
their own (``/-/dashboards/trends/<chart>``). The landing page shows the articles-per-source
chart too.
"""

from __future__ import annotations

from typing import Any

from .canned import ARTICLE_DATE, ARTICLE_WEEK, SINCE

DASHBOARD = "trends"

#: vega-embed options carried in the spec: SVG (crisp, printable, testable) and no action
#: menu (its links lead to the Vega editor online).
EMBED = {"$schema": "https://vega.github.io/schema/vega-lite/v6.json",  # an id, not fetched
         "usermeta": {"embedOptions": {"renderer": "svg", "actions": False}}}

#: The start date, read as the canned queries read it (2024-03-01, 2024-03, 7d, this month…);
#: kept only when given.
_SINCE = f"[[ AND {SINCE} ]]"


def charts(database: str) -> dict[str, dict[str, Any]]:
    return {
        "entity-mentions": {
            "title": "Mentions of the chosen entity per week",
            "db": database,
            "library": "vega-lite",
            "query": f"""
SELECT {ARTICLE_WEEK} AS week, COUNT(*) AS mentions, COUNT(DISTINCT a.id) AS articles
FROM mentions m
JOIN entities e ON e.id = m.entity_id
JOIN articles a ON a.id = m.article_id
WHERE {ARTICLE_DATE} IS NOT NULL [[ AND e.name = :entity ]] {_SINCE}
GROUP BY week ORDER BY week
""".strip(),
            "display": {
                **EMBED,
                "mark": {"type": "line", "point": True, "tooltip": True},
                "encoding": {
                    "x": {"field": "week", "type": "temporal", "timeUnit": "utcyearmonthdate",
                          "title": "week starting"},
                    "y": {"field": "mentions", "type": "quantitative", "title": "mentions"},
                },
            },
        },
        "articles-per-source": {
            "title": "Articles per source per week",
            "db": database,
            "library": "vega-lite",
            "query": f"""
SELECT {ARTICLE_WEEK} AS week, COALESCE(a.source, a.site_name, '(unknown)') AS source,
       COUNT(*) AS articles
FROM articles a
WHERE {ARTICLE_DATE} IS NOT NULL {_SINCE}
GROUP BY week, source ORDER BY week
""".strip(),
            "display": {
                **EMBED,
                # a few weeks must not make a few giant bars
                "mark": {"type": "bar", "tooltip": True,
                         "width": {"expr": "min(60, bandwidth('x'))"}},
                "encoding": {
                    "x": {"field": "week", "type": "ordinal", "title": "week starting"},
                    "y": {"field": "articles", "type": "quantitative", "aggregate": "sum",
                          "title": "articles"},
                    "color": {"field": "source", "type": "nominal", "title": "source"},
                },
            },
        },
        "top-officials": {
            "title": "Officials by number of articles",
            "db": database,
            "library": "vega-lite",
            "query": f"""
SELECT e.name AS official, COUNT(DISTINCT a.id) AS articles
FROM mentions m
JOIN entities e ON e.id = m.entity_id
JOIN articles a ON a.id = m.article_id
WHERE e.kind = 'official' {_SINCE}
GROUP BY e.id ORDER BY articles DESC, e.name LIMIT 15
""".strip(),
            "display": {
                **EMBED,
                "autosize": {"type": "fit-x", "contains": "padding"},
                "mark": {"type": "bar", "tooltip": True},
                "encoding": {
                    "y": {"field": "official", "type": "nominal", "sort": "-x", "title": None},
                    "x": {"field": "articles", "type": "quantitative", "title": "articles"},
                },
            },
        },
    }


def dashboards(database: str, *, default_entity: str | None = None) -> dict[str, Any]:
    """datasette-dashboards' configuration: one dashboard, ``trends``."""
    entity_filter: dict[str, Any] = {
        "name": "Entity",
        "type": "select",
        "db": database,
        "query": "SELECT e.name FROM entities e JOIN mentions m ON m.entity_id = e.id "
        "GROUP BY e.name ORDER BY COUNT(*) DESC, e.name LIMIT 2000",
    }
    if default_entity:
        entity_filter["default"] = default_entity
    return {
        DASHBOARD: {
            "title": "Trends",
            "description": "Who is named how often, and which outlets publish when. Pick an "
            "entity (any person, official, agency, place…) and optionally a start date.",
            "settings": {"allow_fullscreen": True},
            "layout": [["entity-mentions", "entity-mentions"],
                       ["articles-per-source", "top-officials"]],
            "filters": {
                "entity": entity_filter,
                "since": {"name": "Since", "type": "date"},
            },
            "charts": charts(database),
        }
    }

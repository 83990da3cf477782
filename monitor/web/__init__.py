"""monitor's Datasette plugin: the landing dashboard, readable cells, links between rows, a
"month" facet, the SQL functions the canned queries use, and monitor's CSS and templates.

Registered by :func:`monitor.web.serve.register_plugin` (``monitor serve`` and the tests), not
through an entry point, so plain ``datasette`` on another database is unaffected. Its
``templates/`` and ``static/`` folders are found by Datasette next to this module; every asset
is served from this machine.
"""

from __future__ import annotations

import json
import re
import sys
import urllib.parse
from datetime import UTC, datetime
from importlib.util import find_spec
from typing import Any

from datasette import hookimpl
from datasette.facets import Facet
from datasette.filters import FilterArguments
from datasette.utils import (
    escape_sqlite,
    path_with_added_args,
    path_with_removed_args,
    tilde_decode,
)
from datasette.utils.asgi import Forbidden, Request, Response
from markupsafe import Markup

from ..db.queries import fts_all, query_words
from ..db.queries import parse_since as resolve_since
from ..errors import UsageError
from ..sources.urls import mask_credentials_in
from ..text import fold
from . import landing
from .canned import QUERIES
from .charts import DASHBOARD, charts

PLUGIN = "monitor.web"

#: Query-result columns that link to a row: column -> (table, column holding the row's id).
LINKS = {
    "article": ("articles", "article_id"),
    "entity": ("entities", "entity_id"),
    "official": ("entities", "entity_id"),
    "agency": ("entities", "entity_id"),
    "feed": ("feeds", "feed_id"),
    "figure": ("figures", "figure_id"),
}
#: ...and the id columns themselves.
ID_LINKS = {"article_id": "articles", "entity_id": "entities", "feed_id": "feeds",
            "figure_id": "figures"}
JSON_COLUMNS = {"aliases", "titles"}
#: datasette-dashboards' optional SQL, ``[[ AND x = :filter ]]``, kept only when filtered.
OPTIONAL_SQL = re.compile(r"\[\[.*?\]\]")

#: Write actions of Datasette's JSON write API (1.0): denied, whoever asks.
WRITE_ACTIONS = {"insert-row", "delete-row", "update-row", "create-table", "alter-table",
                 "drop-table", "upsert-row"}

# --- SQL functions for the canned queries ----------------------------------------------------

def sql_fts(words: str | None) -> str:
    """An FTS5 query requiring every word (quoted, folded); ``""`` matches nothing."""
    found = query_words(words or "")
    return fts_all(found) if found else '""'

def sql_has_words(text: str | None, words: str | None) -> int:
    """1 when every word of ``words`` is a word of ``text`` or, from four letters on, starts
    one ("deport" finds "deported"); accents and case folded."""
    wanted = query_words(words or "")
    if not wanted:
        return 1
    have = query_words(text or "")
    return int(all(any(h == w or (len(w) >= 4 and h.startswith(w)) for h in have)
                   for w in wanted))

#: Ways of naming a side: an affiliation or a sentence naming one of these is that side.
SIDES = {"us": ["us", "u s", "usa", "united states", "american", "americans"],
         "cuba": ["cuba", "cuban", "cubans", "republic of cuba"]}

def sql_side(text: str | None, side: str | None) -> int:
    """1 when ``text`` (an affiliation or a sentence) names ``side``: "US" also matches "United
    States" and "American", "Cuba" also "Cuban"; any other side matches as words do."""
    wanted = " ".join(query_words(side or ""))
    if not wanted:
        return 1
    for names in SIDES.values():
        if wanted in names:
            hay = f" {' '.join(query_words(text or ''))} "
            return int(any(f" {name} " in hay for name in names))
    return sql_has_words(text, side)

SINCE_TAKES = ("use a date (2024-03-01), a month (2024-03), an age (7d, 4w), today, this "
               "week, this month, or leave it empty for all time")

class BadSince(ValueError):
    """A ``since`` that :func:`monitor.console.report.resolve_since` refuses, raised inside SQL."""

def since_error(value: str | None) -> str | None:
    """Why ``value`` is not a ``since`` the queries and charts take, or None when it is."""
    try:
        resolve_since(value)
    except UsageError:
        return f"since \u201c{value}\u201d is not a date or an age: {SINCE_TAKES}"
    return None

def sql_since(value: str | None) -> str | None:
    try:
        return resolve_since(value)
    except UsageError as exc:
        raise BadSince(str(exc)) from None

def _quiet_bad_since() -> None:
    """Datasette has SQLite print a traceback for every exception raised in an SQL function;
    a bad ``since`` is the user's typo, not a bug: the query fails (HTTP 400) and Datasette
    logs one line, and its traceback is not printed. Every other exception still is."""
    previous = sys.unraisablehook
    if getattr(previous, "monitor_quiet", False):
        return

    def hook(unraisable, _previous=previous):
        if isinstance(unraisable.exc_value, BadSince):
            return
        _previous(unraisable)

    hook.monitor_quiet = True  # type: ignore[attr-defined]
    sys.unraisablehook = hook

@hookimpl
def prepare_connection(conn):
    _quiet_bad_since()
    conn.create_function("monitor_fts", 1, sql_fts, deterministic=True)
    conn.create_function("monitor_has_words", 2, sql_has_words, deterministic=True)
    conn.create_function("monitor_side", 2, sql_side, deterministic=True)
    conn.create_function("monitor_fold", 1, lambda s: fold(s) if s is not None else None,
                         deterministic=True)
    conn.create_function("monitor_since", 1, sql_since)

# --- read-only, whatever the Datasette version ------------------------------------------------

@hookimpl
def permission_allowed(action):
    if action in WRITE_ACTIONS:
        return False
    return None

# --- month facet -------------------------------------------------------------------------------

def _month_arg(column: str) -> str:
    return f"_month_{column}"

class MonthFacet(Facet):
    """Rows counted by calendar month of a date column (UTC), newest month first. Selecting a
    month filters with ``?_month_<column>=YYYY-MM``."""

    type = "month"

    async def suggest(self):
        return []

    async def facet_results(self):
        results, timed_out = [], []
        size = self.get_facet_size()
        for source_and_config in self.get_configs():
            config = source_and_config["config"]
            column = config.get("column") or config["simple"]
            col = escape_sqlite(column)
            sql = (f"select substr(date({col}), 1, 7) as value, count(*) as count "
                   f"from ({self.sql}) where date({col}) is not null "
                   f"group by value order by value desc limit {size + 1}")
            try:
                rows = await self.ds.execute(self.database, sql, self.params, truncate=False,
                                             custom_time_limit=self.ds.setting(
                                                 "facet_time_limit_ms"))
            except Exception:  # noqa: BLE001 - a slow or odd column only loses its facet
                timed_out.append(column)
                continue
            arg = _month_arg(column)
            chosen = self.request.args.get(arg)
            values = []
            for row in rows.rows[:size]:
                selected = chosen == row["value"]
                path = (path_with_removed_args(self.request, {arg: row["value"]}) if selected
                        else path_with_added_args(self.request, {arg: row["value"]}))
                values.append({"value": row["value"], "label": row["value"],
                               "count": row["count"], "selected": selected,
                               "toggle_url": self.ds.absolute_url(self.request, path)})
            results.append({
                "name": column, "type": self.type, "results": values,
                "hideable": source_and_config["source"] != "metadata",
                "toggle_url": path_with_removed_args(self.request, {"_facet_month": column}),
                "truncated": len(rows) > size,
            })
        return results, timed_out

@hookimpl
def register_facet_classes():
    return [MonthFacet]

@hookimpl
def filters_from_request(request, database, table, datasette):
    clauses, params, described = [], {}, []
    for i, key in enumerate(request.args.keys()):
        value = request.args.get(key)
        if key.startswith("_month_") and value:
            column = key[len("_month_"):]
            clauses.append(f"substr(date({escape_sqlite(column)}), 1, 7) = :monitor_month_{i}")
            params[f"monitor_month_{i}"] = value
            described.append(f"{column} in {value}")
    if clauses:
        return FilterArguments(clauses, params=params, human_descriptions=described)
    return None

# --- cells -------------------------------------------------------------------------------------

def _row_link(datasette, database: str, table: str, row_id: Any, label: Any) -> Markup:
    href = datasette.urls.row(database, table, urllib.parse.quote(str(row_id), safe=""))
    return Markup('<a href="{}">{}</a>').format(href, label)

def _entity_links(datasette, database: str, name: str) -> Markup:
    trends = datasette.urls.path(f"/-/dashboards/{DASHBOARD}") + "?" + urllib.parse.urlencode(
        {"entity": name})
    together = datasette.urls.query(database, "co_mentions") + "?" + urllib.parse.urlencode(
        {"name": name, "kind": ""})
    return Markup('<span class="monitor-entity-links"><a href="{}">mentions over time</a> '
                  '<a href="{}">mentioned with</a></span>').format(trends, together)

@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if value is None or isinstance(value, bytes):
        return None
    masked = False
    if isinstance(value, str) and "@" in value and "://" in value:
        shown = mask_credentials_in(value)  # a password in a feed URL is never shown
        masked, value = shown != value, shown
    cell = _render_cell(row, value, column, table, database, datasette)
    if cell is None and masked:
        return Markup("{}").format(value)
    return cell

def _render_cell(row, value, column, table, database, datasette):
    if table == "articles" and column == "text":
        paragraphs = [p for p in str(value).split("\n") if p.strip()]
        return Markup('<div class="monitor-text">{}</div>').format(
            Markup("").join(Markup("<p>{}</p>").format(p) for p in paragraphs))
    if column in JSON_COLUMNS and isinstance(value, str) and value[:1] in "[{":
        try:
            parsed = json.loads(value)
        except ValueError:
            return None
        if not parsed:
            return Markup('<span class="monitor-muted">none</span>')
        return Markup('<pre class="monitor-json">{}</pre>').format(
            json.dumps(parsed, ensure_ascii=False, indent=2))
    if table == "entities" and column == "name":
        return Markup("{} {}").format(value, _entity_links(datasette, database, value))
    if table is None:  # a query's results: link the conventional columns
        keys = row.keys() if hasattr(row, "keys") else []
        if column in LINKS:
            target, id_column = LINKS[column]
            if id_column in keys and row[id_column] is not None:
                return _row_link(datasette, database, target, row[id_column], value)
        if column in ID_LINKS:
            return _row_link(datasette, database, ID_LINKS[column], value, value)
    return None

# --- assets --------------------------------------------------------------------------------

@hookimpl
def extra_css_urls(datasette):
    return [datasette.urls.static_plugins(PLUGIN, "monitor.css")]

@hookimpl
def menu_links(datasette):
    return [{"href": datasette.urls.instance(), "label": "Dashboard"}]

# --- the landing page ---------------------------------------------------------------------

def served_database(datasette):
    """The monitor database Datasette serves (the first file, never _internal/_memory)."""
    for name, db in datasette.databases.items():
        if not name.startswith("_") and not db.is_memory:
            return db
    return None

async def dashboard_page(request, datasette):
    if await datasette.permission_allowed(request.actor, "view-instance",
                                          default=True) is False:
        raise Forbidden("view-instance denied")
    db = served_database(datasette)
    if db is None:
        return Response.redirect(datasette.urls.path("/-/databases"))
    now = datetime.now(UTC)
    data = await db.execute_fn(lambda conn: landing.summary(conn, now))
    chart = None
    if find_spec("datasette_dashboards") is not None:
        chart = charts(db.name)["articles-per-source"]
        chart["query"] = OPTIONAL_SQL.sub("", chart["query"])  # no filters on this page
    return Response.html(await datasette.render_template(
        "monitor_dashboard.html",
        {**data, "database": db.name, "chart": chart, "dashboard": DASHBOARD,
         "queries": QUERIES,
         "absolute_url": datasette.absolute_url(request, datasette.urls.instance()),
         "metadata_title": (datasette.metadata("title") or "monitor")},
        request=request))

@hookimpl
def register_routes():
    return [(r"^/$", dashboard_page)]

# --- read-only and since, before Datasette sees the request ---------------------------------

#: The only methods monitor serve answers: nothing it serves can be changed.
READ_METHODS = frozenset({"GET", "HEAD"})
#: A table or canned query page: /<database>/<name>[.<format>].
QUERY_PATH = re.compile(r"^/(?P<database>[^/]+)/(?P<name>[^/]+?)(?:\.(?P<format>\w+))?$")

def _takes_since(path: str, args) -> bool:
    """Whether the page at ``path`` reads its ``since`` with monitor's rules: a canned query
    with a since, a chart page, or SQL passing :since to monitor_since()."""
    if path == "/-/dashboards" or path.startswith("/-/dashboards/"):
        return True
    match = QUERY_PATH.match(path)
    if match and not match["database"].startswith("-"):
        query = QUERIES.get(tilde_decode(match["name"]))
        if query and "since" in query["params"]:
            return True
    return "monitor_since(:since)" in re.sub(r"\s+", "", args.get("sql") or "")

def refusal(path: str, method: str, args) -> tuple[int, str, str] | None:
    """(status, title, message) when monitor serve answers a request with an error before
    Datasette sees it: 405 for any method but GET and HEAD (Datasette 0.65 answers a POST to a
    read-only canned query with a crash), 400 for a ``since`` the page cannot read (an SQL
    function would fail with "user-defined function raised exception")."""
    if method.upper() not in READ_METHODS:
        return 405, "Method not allowed", ("monitor serve is read-only: it answers GET and HEAD "
                                           "requests only.")
    values = args.getlist("since")
    if values and _takes_since(path, args):
        for value in values:
            if message := since_error(value):
                return 400, "Invalid since", message
    return None

async def _error_response(datasette, request: Request, status: int, title: str,
                          message: str) -> Response:
    """An error in Datasette's own shape: JSON for .json, text for other formats, else its
    error page."""
    headers = {"Allow": ", ".join(sorted(READ_METHODS))} if status == 405 else {}
    path = request.path
    if path.endswith(".json"):
        return Response.json({"ok": False, "error": message, "status": status,
                              "title": title}, status=status, headers=headers)
    match = QUERY_PATH.match(path)
    if match and match["format"]:
        return Response.text(f"{title}: {message}\n", status=status, headers=headers)
    error: Markup | str = message
    if status == 400 and "since" in request.args:  # one click back to the form, since emptied
        again = request.path + "?" + urllib.parse.urlencode(
            [(k, "" if k == "since" else v) for k in request.args
             for v in request.args.getlist(k)])
        error = Markup('{} <a href="{}">Ask again without it.</a>').format(message, again)
    await datasette.invoke_startup()
    # outside Datasette's CSRF middleware, which gives every request its token: no form here
    request = Request({**request.scope, "csrftoken": lambda: ""}, request.receive)
    page = await datasette.render_template(
        [f"{status}.html", "error.html"],
        {"ok": False, "error": error, "status": status, "title": title}, request=request)
    return Response.html(page, status=status, headers=headers)

@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def monitor_guard(scope, receive, send):
            if scope.get("type") == "http":
                request = Request(scope, receive)
                path = scope.get("path") or "/"
                base = datasette.setting("base_url") or "/"
                if base != "/" and path.startswith(base):
                    path = "/" + path[len(base):]
                refused = refusal(path, scope.get("method") or "GET", request.args)
                if refused is not None:
                    response = await _error_response(datasette, request, *refused)
                    await response.asgi_send(send)
                    return
            await app(scope, receive, send)

        return monitor_guard

    return wrap

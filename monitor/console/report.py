"""`monitor report`: a weekly brief — top officials with their titles, entities seen for the
first time, new figures with their sentences, articles per source — as plain text for the
terminal or as one self-contained HTML file (inline CSS and SVG; nothing loaded from anywhere).

An article belongs to the period by its publication date, else the day it was fetched.
"""

from __future__ import annotations

import html
import json
import textwrap
from datetime import UTC, datetime
from typing import Any

from sqlite_utils import Database

from ..db.migrations import ARTICLE_DATE, SHOWN_FIGURE
from ..db.queries import TOP_OFFICIALS_SQL, parse_since
from .output import safe

#: The one ``since`` vocabulary (:func:`monitor.db.queries.parse_since`), under its old name.
resolve_since = parse_since

KIND_ORDER = ["official", "person", "agency", "organization", "group", "place", "other"]

def _titles(raw: str | None) -> list[str]:
    try:
        return [t for t in json.loads(raw or "[]") if t]
    except (TypeError, ValueError):
        return []


def brief(db: Database, *, since: str = "7d", limit: int = 15,
          now: datetime | None = None) -> dict[str, Any]:
    """Everything the brief shows, as plain data (what ``--json`` prints)."""
    now = now or datetime.now(UTC)
    start = resolve_since(since, now)
    lower = start or ""
    window = f"{ARTICLE_DATE} >= :start"
    params = {"start": lower, "limit": limit}

    sources = list(db.query(
        f"SELECT COALESCE(a.source, a.site_name, '(unknown)') AS source, COUNT(*) AS articles, "
        f"SUM(a.duplicate_of IS NULL) AS stories FROM articles a WHERE {window} "
        "GROUP BY 1 ORDER BY articles DESC, source", params))
    totals = {"articles": sum(s["articles"] for s in sources),
              "stories": sum(s["stories"] for s in sources),
              "sources": len(sources)}

    officials = []
    for row in db.query(TOP_OFFICIALS_SQL, {"start": start, "limit": limit}):
        said = {"start": lower, "entity": row["id"]}
        used = [r[0] for r in db.execute(
            "SELECT m.title FROM mentions m JOIN articles a ON a.id = m.article_id "
            f"WHERE m.entity_id = :entity AND m.title IS NOT NULL AND {window} "
            "GROUP BY m.title ORDER BY COUNT(*) DESC, m.title", said)]
        sides = [r[0] for r in db.execute(
            "SELECT m.affiliation FROM mentions m JOIN articles a ON a.id = m.article_id "
            f"WHERE m.entity_id = :entity AND m.affiliation IS NOT NULL AND {window} "
            "GROUP BY m.affiliation ORDER BY COUNT(*) DESC, m.affiliation", said)]
        officials.append({"name": row["name"],
                          "titles": list(dict.fromkeys([*used, *_titles(row["titles"])])),
                          "affiliation": sides,
                          "articles": row["articles"], "mentions": row["mentions"]})

    kind_rank = " ".join(f"WHEN '{k}' THEN {i}" for i, k in enumerate(KIND_ORDER))
    new_sql = (
        "FROM entities e WHERE e.first_seen >= :start "
        "AND EXISTS (SELECT 1 FROM mentions m WHERE m.entity_id = e.id)")
    new_total = db.execute(f"SELECT COUNT(*) {new_sql}", params).fetchone()[0]
    new_entities = [
        {"name": r["name"], "kind": r["kind"], "label": r["label"],
         "titles": _titles(r["titles"]), "first_seen": r["first_seen"],
         "articles": r["articles"]}
        for r in db.query(
            "SELECT e.name, e.kind, e.label, e.titles, e.first_seen, "
            "(SELECT COUNT(DISTINCT article_id) FROM mentions m WHERE m.entity_id = e.id) "
            f"AS articles {new_sql} ORDER BY CASE e.kind {kind_rank} ELSE 99 END, "
            "articles DESC, e.name LIMIT :limit2", {**params, "limit2": limit * 2})]

    figure_sql = (f"FROM figures f JOIN articles a ON a.id = f.article_id WHERE {window} "
                  f"AND {SHOWN_FIGURE}")
    figures_total = db.execute(f"SELECT COUNT(*) {figure_sql}", params).fetchone()[0]
    figures = [
        {"text": r["text"], "value": r["value"], "unit": r["unit"], "what": r["what"],
         "when": r["when"], "sentence": r["sentence"], "title": r["title"], "url": r["url"],
         "source": r["source"], "published": r["published"]}
        for r in db.query(
            f'SELECT f.text, f.value, f.unit, f.what, f."when", f.sentence, a.title, a.url, '
            f"COALESCE(a.source, a.site_name) AS source, {ARTICLE_DATE} AS published "
            f"{figure_sql} ORDER BY {ARTICLE_DATE} DESC, a.id, f.start LIMIT :limit", params)]

    return {
        "since": since, "from": start, "until": now.isoformat(timespec="seconds"),
        "totals": totals, "sources": sources, "officials": officials,
        "new_entities": new_entities, "new_entities_total": new_total,
        "figures": figures, "figures_total": figures_total,
    }


# --- plain text ------------------------------------------------------------------------------


def _n(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


def _day(iso: str | None) -> str:
    return (iso or "")[:10]


def period(data: dict[str, Any]) -> str:
    start = _day(data["from"]) or "the beginning"
    return f"{start} to {_day(data['until'])}"


def render_text(data: dict[str, Any], width: int = 100) -> str:
    """The brief as plain text for a terminal: every value from the database or the user
    goes through :func:`monitor.console.output.safe` (no escape sequences, control or bidi
    characters)."""
    out: list[str] = []
    wrap = textwrap.TextWrapper(width=width, initial_indent="    ", subsequent_indent="    ")

    def heading(text: str) -> None:
        out.extend(["", text, "-" * len(text)])

    def joined(values: list[Any], sep: str) -> str:
        return sep.join(safe(v) for v in values)

    title = f"monitor — weekly brief, {safe(period(data))} (since {safe(data['since'])})"
    out.extend([title, "=" * len(title)])
    totals = data["totals"]
    copies = totals["articles"] - totals["stories"]
    out.append(f"{_n(totals['articles'], 'article')} "
               f"({_n(totals['stories'], 'story', 'stories')}, "
               f"{_n(copies, 'republished copy', 'republished copies')}) "
               f"from {_n(totals['sources'], 'source')}")

    heading("Top officials")
    for o in data["officials"]:
        titles = joined(o["titles"], "; ") or "no title given"
        side = f" [{joined(o['affiliation'], ', ')}]" if o["affiliation"] else ""
        out.append(f"  {safe(o['name'])} — {titles}{side} · {_n(o['articles'], 'article')}, "
                   f"{_n(o['mentions'], 'mention')}")
    if not data["officials"]:
        out.append("  (none)")

    heading(f"New entities ({data['new_entities_total']})")
    for e in data["new_entities"]:
        titles = f" — {joined(e['titles'], '; ')}" if e["titles"] else ""
        out.append(f"  {safe(e['kind']) or '?':<12} {safe(e['name'])}{titles}")
    if data["new_entities_total"] > len(data["new_entities"]):
        out.append(f"  … and {data['new_entities_total'] - len(data['new_entities'])} more")
    if not data["new_entities"]:
        out.append("  (none)")

    heading(f"New figures ({data['figures_total']})")
    for f in data["figures"]:
        what = f" — {safe(f['what'])}" if f["what"] else ""
        when = f" ({safe(f['when'])})" if f["when"] else ""
        out.append(f"  {safe(f['text'])}{what}{when}")
        out.extend(wrap.wrap(f"“{safe(f['sentence'])}”"))
        out.append(f"    {safe(f['title'])} ({safe(f['source']) or '?'}, "
                   f"{safe(_day(f['published']))})")
        out.append(f"    {safe(f['url'])}")
    if data["figures_total"] > len(data["figures"]):
        out.append(f"  … and {data['figures_total'] - len(data['figures'])} more "
                   "(monitor figures, or the figures table in monitor serve)")
    if not data["figures"]:
        out.append("  (none)")

    heading("Articles per source")
    sources = [(safe(s["source"]), s) for s in data["sources"]]
    name_width = max([len(name) for name, _ in sources] + [6])
    for name, s in sources:
        copies = s["articles"] - s["stories"]
        extra = f"  ({copies} republished)" if copies else ""
        out.append(f"  {name:<{name_width}}  {s['articles']:>4}{extra}")
    if not data["sources"]:
        out.append("  (none)")
    return "\n".join(out) + "\n"


# --- one self-contained HTML file ------------------------------------------------------------

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:60em;
margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.5em;margin-bottom:.1em}h2{font-size:1.15em;margin-top:1.6em;
border-bottom:1px solid #ddd;padding-bottom:.2em}
.hint{color:#666;font-size:.9em}table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.25em .5em;border-bottom:1px solid #eee;vertical-align:top}
th{color:#555;font-weight:600}.num{text-align:right}
blockquote{margin:.2em 0 .2em 1em;padding-left:.6em;border-left:3px solid #c9dcf2;color:#333}
li{margin-bottom:.7em}a{color:#0b5cad}svg text{font-size:12px;fill:#333}
"""


_NONE = '<p class="hint">None in this period.</p>'


def _more(total: int, shown: int) -> list[str]:
    """The hint under a list cut short: "… and 12 more."."""
    return [f'<p class="hint">… and {total - shown} more.</p>'] if total > shown else []


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _bars(sources: list[dict[str, Any]]) -> str:
    """Articles per source as an inline SVG bar chart."""
    if not sources:
        return ""
    top = sources[:15]
    most = max(s["articles"] for s in top) or 1
    label_w, bar_w, row_h = 190, 380, 22
    height = row_h * len(top) + 6
    rows = []
    for i, s in enumerate(top):
        y = i * row_h + 4
        w = max(2, round(bar_w * s["articles"] / most))
        rows.append(
            f'<text x="{label_w - 8}" y="{y + 14}" text-anchor="end">{_e(s["source"][:28])}'
            f'</text><rect x="{label_w}" y="{y}" width="{w}" height="{row_h - 6}" '
            f'fill="#4c78a8"><title>{_e(s["source"])}: {s["articles"]}</title></rect>'
            f'<text x="{label_w + w + 6}" y="{y + 14}">{s["articles"]}</text>')
    return (f'<svg role="img" aria-label="Articles per source" width="{label_w + bar_w + 50}" '
            f'height="{height}" xmlns="http://www.w3.org/2000/svg">{"".join(rows)}</svg>')


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    """An HTML table, every cell escaped; a header written ``#name`` is a number column."""
    numeric = [h.startswith("#") for h in headers]
    head = "".join(f'<th class="num">{_e(h[1:])}</th>' if n else f"<th>{_e(h)}</th>"
                   for h, n in zip(headers, numeric, strict=True))
    body = ["<tr>" + "".join(f'<td class="num">{_e(str(c))}</td>' if n else
                             f"<td>{_e(str(c))}</td>"
                             for c, n in zip(row, numeric, strict=True)) + "</tr>"
            for row in rows]
    return "\n".join([f"<table><tr>{head}</tr>", *body, "</table>"])


def render_html(data: dict[str, Any]) -> str:
    totals = data["totals"]
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        f"<title>monitor — weekly brief, {_e(period(data))}</title>",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<style>{_CSS}</style></head><body>",
        f"<h1>Weekly brief: US–Cuba news</h1><p class=\"hint\">{_e(period(data))} "
        f"(since {_e(data['since'])}) · {totals['articles']} articles ({totals['stories']} "
        f"stories) from {totals['sources']} sources</p>",
        "<h2>Top officials</h2>",
    ]
    if data["officials"]:
        parts.append(_table(["official", "titles", "side", "#articles", "#mentions"],
                            [[o["name"], "; ".join(o["titles"]), ", ".join(o["affiliation"]),
                              o["articles"], o["mentions"]] for o in data["officials"]]))
    else:
        parts.append(_NONE)

    parts.append(f"<h2>New entities ({data['new_entities_total']})</h2>")
    if data["new_entities"]:
        parts.append(_table(["name", "kind", "titles", "first seen"],
                            [[e["name"], e["kind"], "; ".join(e["titles"]),
                              _day(e["first_seen"])] for e in data["new_entities"]]))
        parts += _more(data["new_entities_total"], len(data["new_entities"]))
    else:
        parts.append(_NONE)

    parts.append(f"<h2>New figures ({data['figures_total']})</h2>")
    if data["figures"]:
        parts.append("<ul>")
        for f in data["figures"]:
            when = f" <span class=\"hint\">({_e(f['when'])})</span>" if f["when"] else ""
            parts.append(
                f"<li><strong>{_e(f['text'])}</strong> {_e(f['what'] or '')}{when}"
                f"<blockquote>{_e(f['sentence'])}</blockquote>"
                f'<span class="hint"><a href="{_e(f["url"])}">{_e(f["title"] or f["url"])}'
                f"</a> · {_e(f['source'])} · {_e(_day(f['published']))}</span></li>")
        parts.append("</ul>")
        parts += _more(data["figures_total"], len(data["figures"]))
    else:
        parts.append(_NONE)

    parts.append("<h2>Articles per source</h2>")
    if data["sources"]:
        parts.append(_bars(data["sources"]))
        parts.append(_table(["source", "#articles", "#of which republished"],
                            [[s["source"], s["articles"], s["articles"] - s["stories"]]
                             for s in data["sources"]]))
    else:
        parts.append('<p class="hint">No articles in this period.</p>')
    parts.append(f'<p class="hint">Made by monitor on {_e(data["until"])}.</p></body></html>')
    return "\n".join(parts) + "\n"

"""Datasette over the database: metadata, FTS wired, read-only, on loopback; the canned
queries, facets, links, landing dashboard and charts against a database filled from real
pages (tests/sample_db.py)."""

from __future__ import annotations

import asyncio
import os
import re
import select
import socket
import subprocess
import sys
import urllib.parse

import httpx
import pytest
from datasette.app import Datasette
from markupsafe import escape

from monitor import store
from monitor.serve import datasette_app, metadata, quiet_datasette_errors
from monitor.web.canned import QUERIES
from monitor.web.schema import TABLES

from .sample_db import BROKEN_FEED, COSSIO, OK_FEED, STORY_TITLE, STORY_URL, sample_db


@pytest.fixture
def db_path(tmp_path):
    path = tmp_path / "monitor.db"
    db = store.open_db(path)
    store.save_article(db, store.ArticleRecord(
        url="https://a.example/talks", title="Talks", source="Test",
        text="Deputy Foreign Minister Carlos Fernández de Cossío will lead the delegation."),
        None, None)
    db.close()
    return path


def test_datasette_searches_articles_accent_insensitively_and_refuses_writes(db_path):
    quiet_datasette_errors()
    ds = Datasette([str(db_path)], metadata=metadata("monitor"))

    async def exercise():
        found = await ds.client.get("/monitor/articles.json?_search=COSSIO&_shape=array")
        insert = await ds.client.post("/monitor/articles/-/insert",
                                      json={"row": {"url": "https://evil.example/"}})
        sql = await ds.client.get(
            "/monitor.json?sql=" + "DELETE FROM articles")
        meta = await ds.client.get("/-/metadata.json")
        missing = await ds.client.get("/monitor/no_such_table")
        return found, insert, sql, meta, missing

    found, insert, sql, meta, missing = asyncio.run(exercise())
    assert missing.status_code == 404
    assert found.status_code == 200
    assert [row["url"] for row in found.json()] == ["https://a.example/talks"]
    assert insert.status_code in (403, 404, 405)
    assert sql.status_code in (400, 403)
    assert meta.json()["title"] == "monitor — US–Cuba news"
    db = store.open_db(db_path)
    assert db["articles"].count == 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_monitor_serve_starts_datasette_on_loopback(db_path):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "monitor", "serve", "--db", str(db_path), "--port", str(port)],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, cwd=db_path.parent)
    try:
        assert proc.stderr is not None
        for _ in range(50):  # reads lines until Uvicorn says it is up (bounded, no sleeping)
            line = proc.stderr.readline()
            if "running on" in line.lower() or not line:
                break
        assert f"127.0.0.1:{port}" in line
        page = httpx.get(f"http://127.0.0.1:{port}/monitor/articles.json?_shape=array",
                         timeout=10)
        assert page.status_code == 200
        assert page.json()[0]["title"] == "Talks"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    # Datasette ran as a child of `monitor serve`: it must be gone with it.
    with pytest.raises(httpx.TransportError):
        for _ in range(100):  # bounded: the port closes once the child has exited
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)



# --- against a database filled from real pages ----------------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    return sample_db(tmp_path_factory)


def fetch(db_path, *paths: str, method: str = "GET", **kwargs):
    """Responses of the in-process Datasette that `monitor serve` runs, one per path."""
    ds = datasette_app(db_path)

    async def run():
        return [await ds.client.request(method, path, **kwargs) for path in paths]

    return asyncio.run(run())


def rows(db_path, path: str) -> list[dict]:
    """The rows of a table, query or canned query page, as JSON."""
    base, _, query = path.partition("?")
    [response] = fetch(db_path, f"{base}.json?{query}&_shape=array&_size=max")
    assert response.status_code == 200, response.text[:2000]
    return response.json()


def test_every_table_and_column_has_a_title_and_a_description(served):
    db = store.open_db(served)
    meta = metadata("monitor")["databases"]["monitor"]["tables"]
    contract = ["feeds", "articles", "entities", "mentions", "figures", "skipped",
                "article_errors", "article_urls", "site_lines"]
    for table in contract:
        assert TABLES[table]["title"] and len(TABLES[table]["description"]) > 20, table
        assert meta[table]["title"] == TABLES[table]["title"]
        for column in db[table].columns_dict:
            title, text = TABLES[table]["columns"].get(column, ("", ""))
            assert title and len(text) > 5, f"{table}.{column} is not described"
            assert meta[table]["columns"][column] == f"{title}: {text}"
    [page] = fetch(served, "/monitor/figures")
    assert "What the number counts" in page.text


def test_default_facets_and_the_month_facet(served):
    [page] = fetch(served, "/monitor/articles.json?_size=0")
    facets = page.json()["facet_results"]
    assert {"source", "language", "published"} <= set(facets)
    months = {row["value"]: row["count"] for row in facets["published"]["results"]}
    assert months["2022-04"] >= 5  # the seed story and four copies of it
    assert months["2019-11"] >= 4
    april = rows(served, "/monitor/articles?_month_published=2022-04")
    assert {row["published"][:7] for row in april} == {"2022-04"}
    assert STORY_URL in {row["url"] for row in april}
    [entities] = fetch(served, "/monitor/entities.json?_size=0")
    assert {"kind", "label"} <= set(entities.json()["facet_results"])
    [figures] = fetch(served, "/monitor/figures.json?_size=0")
    assert "unit" in figures.json()["facet_results"]


def test_search_boxes_fold_accents(served):
    found = rows(served, "/monitor/articles?_search=fernandez+de+cossio")
    assert STORY_URL in [row["url"] for row in found]
    names = [row["name"] for row in rows(served, "/monitor/entities?_search=fernandez+de+cossio")]
    assert names == [COSSIO]
    assert COSSIO in [row["name"] for row in rows(served, "/monitor/entities?_search=COSSÍO")]


def test_cells_are_readable_and_linked(served):
    db = store.open_db(served)
    cossio = next(db["entities"].rows_where("name = ?", [COSSIO]))
    story = next(db["articles"].rows_where("url = ?", [STORY_URL]))
    articles, entity, mentions, figures = fetch(
        served, "/monitor/articles", f"/monitor/entities/{cossio['id']}",
        f"/monitor/mentions?entity_id={cossio['id']}", "/monitor/figures")
    assert '<div class="monitor-text"><p>' in articles.text  # text in paragraphs, clipped by CSS
    assert "monitor.css" in articles.text
    # JSON columns pretty-printed, one item a line
    assert '<pre class="monitor-json">[\n  &#34;Deputy Foreign Minister&#34;\n]</pre>' in \
        entity.text
    assert "/-/dashboards/trends?entity=Carlos+Fern%C3%A1ndez+de+Coss%C3%ADo" in entity.text
    assert "/monitor/co_mentions?name=Carlos+Fern%C3%A1ndez+de+Coss%C3%ADo&amp;kind=" in \
        entity.text
    # mentions and figures link to their article and entity rows, labelled
    assert f'href="/monitor/articles/{story["id"]}">{STORY_TITLE}</a>' in mentions.text
    assert f'href="/monitor/entities/{cossio["id"]}">{COSSIO}</a>' in mentions.text
    assert f'href="/monitor/articles/{story["id"]}">{STORY_TITLE}</a>' in figures.text


def test_canned_queries_are_named_described_and_listed(served):
    queries = metadata("monitor")["databases"]["monitor"]["queries"]
    assert set(queries) == set(QUERIES)
    for name, query in queries.items():
        assert query["title"] and len(query["description"]) > 30, name
        assert "<dl" in query["description_html"] or not query["params"]
        assert query["sql"].lstrip().upper().startswith(("SELECT", "WITH"))
        assert "write" not in query
    [database] = fetch(served, "/monitor")
    for query in queries.values():
        assert str(escape(query["title"])) in database.text


def test_who_spoke_for_cuba_on_migration(served):
    found = rows(served, "/monitor/who_spoke?side=Cuba&topic=migration&since=2022-01-01")
    officials = [row["official"] for row in found]
    assert COSSIO in officials and "Joe Biden" not in officials
    assert "Antony Blinken" not in officials
    [row] = [row for row in found if row["official"] == COSSIO]
    assert row["title"] == "Deputy Foreign Minister"
    assert row["article"] == STORY_TITLE
    assert "Cuban delegation" in row["sentence"]
    assert "16,531 Cubans apprehended at the US-Mexico border (February)" in \
        row["figures_in_article"]
    # the other side, and nothing before the period or outside the topic
    us = {r["official"] for r in rows(served, "/monitor/who_spoke?side=US&topic=migration")}
    assert {"Joe Biden", "Antony Blinken"} <= us and COSSIO not in us
    assert rows(served, "/monitor/who_spoke?side=Cuba&topic=migration&since=2023-01-01") == []
    assert rows(served, "/monitor/who_spoke?side=Cuba&topic=titan") == []
    assert COSSIO in {r["official"] for r in rows(
        served, "/monitor/who_spoke?side=cubá&topic=COSSIO&since=")}  # accents folded


def test_officials_with_titles_first_and_last_seen_and_article_count(served):
    found = {row["official"]: row for row in rows(served, "/monitor/officials")}
    cossio = found[COSSIO]
    assert cossio["titles"] == "Deputy Foreign Minister"
    assert cossio["first_seen"].startswith("2022-04-19")
    assert cossio["last_seen"].startswith("2022-04-19")
    assert cossio["articles"] == 1  # copies are not tagged again
    assert found["Joe Biden"]["titles"] == "President"
    assert found["Joe Biden"]["articles"] == 1
    assert [r["official"] for r in rows(served, "/monitor/officials?name=cossio")] == [COSSIO]


def test_one_entitys_mentions_per_week(served):
    found = rows(served, "/monitor/entity_mentions_per_week?name=fernandez+de+cossio")
    assert [(r["week"], r["entity"]) for r in found] == [("2022-04-18", COSSIO)]
    assert found[0]["mentions"] >= 1 and found[0]["articles"] == 1
    nasa = rows(served, "/monitor/entity_mentions_per_week?name=NASA")
    assert {r["week"] for r in nasa} == {"2019-11-18"}
    assert rows(served, "/monitor/entity_mentions_per_week?name=") == []


def test_latest_articles_naming_an_agency(served):
    found = rows(served, "/monitor/agency_articles?agency=State+Department")
    assert (STORY_TITLE, "U.S. Department of State") in [(r["article"], r["agency"])
                                                         for r in found]
    assert {r["agency"] for r in found} == {"U.S. Department of State"}
    assert "State Department" in found[0]["sentence"]
    every = rows(served, "/monitor/agency_articles?agency=")
    assert {"U.S. Customs and Border Protection", "U.S. Department of State"} <= \
        {r["agency"] for r in every}
    published = [r["published"] for r in every]
    assert published == sorted(published, reverse=True)


def test_figures_filtered_by_what_they_count(served):
    found = rows(served, "/monitor/figures_about?what=border")
    assert all("border" in r["what"].lower() for r in found)
    border = [r for r in found if r["article"] == STORY_TITLE]
    assert border[0]["figure"] == "16,531"  # in the order of the text
    assert "1,300" in [r["figure"] for r in border]
    assert border[0]["what"] == "Cubans apprehended at the US-Mexico border"
    assert border[0]["when"] == "February"
    assert "soared to 16,531 in February" in border[0]["sentence"]
    assert border[0]["article"] == STORY_TITLE
    assert "16,531" in [r["figure"] for r in rows(
        served, "/monitor/figures_about?what=cubans+apprehend")]
    assert "600" not in [r["figure"] for r in rows(
        served, "/monitor/figures_about?what=cubans+apprehend")]
    assert len(rows(served, "/monitor/figures_about?what=")) >= 20
    [page] = fetch(served, "/monitor/figures_about?what=border")
    assert f'>{STORY_TITLE}</a>' in page.text  # linked to the article's row


def test_who_is_mentioned_with_whom(served):
    found = {r["entity"]: r for r in rows(served, "/monitor/co_mentions?name=cossio&kind=")}
    assert COSSIO not in found
    assert {"Joe Biden", "Antony Blinken", "U.S. Department of State", "Havana"} <= set(found)
    assert found["Joe Biden"]["articles_together"] == 1
    assert "NASA" not in found
    officials = rows(served, "/monitor/co_mentions?name=cossio&kind=official")
    assert {"Joe Biden", "Antony Blinken"} <= {r["entity"] for r in officials}
    assert {r["kind"] for r in officials} == {"official"}


def test_feeds_and_their_health(served):
    found = rows(served, "/monitor/feed_health")
    assert [r["feed"] for r in found] == [BROKEN_FEED, OK_FEED]  # failing first
    broken, ok = found
    assert broken["last_status"] == "error" and broken["error_count"] == 1
    assert "500" in broken["last_error"] and broken["http_status"] == 500
    assert ok["last_status"] == "ok" and ok["error_count"] == 0 and ok["last_ok_at"]


def test_articles_per_source_per_week_and_new_entities(served):
    counts = {(r["week"], r["source"]): r["articles"]
              for r in rows(served, "/monitor/articles_per_source_per_week")}
    assert counts[("2022-04-18", "The Straits Herald")] == 1
    assert counts[("2022-04-18", "Isla Noticias")] == 2
    assert counts[("2019-11-18", "ScienceAlert")] == 2
    recent = rows(served, "/monitor/articles_per_source_per_week?since=2022-01-01")
    assert {r["week"] for r in recent} == {"2022-04-18"}
    new = {r["entity"] for r in rows(served, "/monitor/new_entities?since=2022-04-01&kind=")}
    assert COSSIO in new and "NASA" not in new
    assert {r["entity"] for r in rows(
        served, "/monitor/new_entities?since=2022-04&kind=official")} >= {COSSIO, "Joe Biden"}


def test_landing_page_is_the_dashboard(served):
    page, trends, chart, asset = fetch(
        served, "/", "/-/dashboards/trends?entity=" + COSSIO,
        "/-/dashboards/trends/entity-mentions?entity=" + COSSIO,
        "/-/static-plugins/datasette_dashboards/vega-lite.min.js")
    assert page.status_code == 200
    for heading in ("Articles this week", "Top officials", "Newest figures", "Feeds failing",
                    "Articles per source per week", "Questions you can ask"):
        assert heading in page.text
    assert BROKEN_FEED in page.text and "HTTP 500" in page.text
    assert COSSIO in page.text and "16,531" in page.text
    assert 'action="/monitor/who_spoke"' in page.text  # the question, one click away
    assert trends.status_code == 200 and "Mentions of the chosen entity per week" in trends.text
    assert chart.status_code == 200
    assert asset.status_code == 200 and len(asset.content) > 100_000
    # every asset is served from here: no script or stylesheet from another host
    for text in (page.text, trends.text, chart.text):
        assert not re.search(r'<(script|link)[^>]+(src|href)="(https?:)?//', text)


def test_the_chart_query_runs(served):
    ds_meta = metadata("monitor", default_entity=COSSIO)
    chart = ds_meta["plugins"]["datasette-dashboards"]["trends"]["charts"]["entity-mentions"]
    sql = chart["query"].replace("[[", "").replace("]]", "").replace(
        "AND COALESCE(a.published, a.fetched_at) >= :since", "")
    found = rows(served, "/monitor?sql=" + urllib.parse.quote(sql) + "&entity="
                 + urllib.parse.quote(COSSIO))
    assert [(r["week"], r["articles"]) for r in found] == [("2022-04-18", 1)]


def test_nothing_can_be_written(served):
    before = store.open_db(served)["articles"].count
    insert, create, delete, update = fetch(
        served, "/monitor/articles/-/insert", "/monitor/-/create", "/monitor/articles/1/-/delete",
        "/monitor/articles/1/-/update", method="POST",
        json={"row": {"url": "https://evil.example/"}, "table": "x", "rows": []})
    for response in (insert, create, delete, update):
        assert response.status_code in (403, 404, 405), response.status_code
    sql, = fetch(served, "/monitor.json?sql=" + urllib.parse.quote(
        "INSERT INTO articles (url) VALUES ('https://evil.example/')"))
    assert sql.status_code in (400, 403)
    assert store.open_db(served)["articles"].count == before


def test_monitor_serve_open_opens_the_browser_once_up(served, tmp_path):
    # $BROWSER is what Python's webbrowser runs; ours writes the URL into a pipe we watch.
    pipe = tmp_path / "opened"
    os.mkfifo(pipe)
    browser = tmp_path / "browser.sh"
    browser.write_text(f'#!/bin/sh\necho "$1" > {pipe}\n', encoding="utf-8")
    browser.chmod(0o755)
    reader = os.open(pipe, os.O_RDONLY | os.O_NONBLOCK)
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "monitor", "serve", "--db", str(served), "--port", str(port),
         "--open"], stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        env={**os.environ, "BROWSER": f"{browser} %s"})
    try:
        ready, _, _ = select.select([reader], [], [], 60)  # bounded wait, no sleeping
        assert ready, "monitor serve --open did not open a browser within 60 s"
        assert os.read(reader, 1000).decode().strip() == f"http://127.0.0.1:{port}/"
        page = httpx.get(f"http://127.0.0.1:{port}/", timeout=10)  # it was up when opened
        assert page.status_code == 200 and "Articles this week" in page.text
    finally:
        os.close(reader)
        proc.terminate()
        proc.wait(timeout=10)


def test_dashboard_and_charts_on_a_database_with_no_tags_yet(db_path):
    page, trends, chart, query = fetch(
        db_path, "/", "/-/dashboards/trends", "/-/dashboards/trends/articles-per-source",
        "/monitor/who_spoke")
    assert page.status_code == 200
    assert "No officials yet." in page.text and "No figures yet." in page.text
    assert "No feed polled yet" in page.text
    assert trends.status_code == 200 and chart.status_code == 200
    assert query.status_code == 200

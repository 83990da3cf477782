"""Datasette over the database: metadata, FTS wired, read-only, on loopback; the canned
queries, facets, links, landing dashboard and charts against a database filled from real
pages (tests/sample_db.py)."""

from __future__ import annotations

import asyncio
import os
import re
import select
import shutil
import socket
import sqlite3
import subprocess
import sys
import urllib.parse

import httpx
import pytest
from datasette.app import Datasette
from markupsafe import escape

from monitor.db import store
from monitor.web import serve
from monitor.web.canned import QUERIES
from monitor.web.schema import TABLES
from monitor.web.serve import datasette_app, metadata, quiet_datasette_errors

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


# --- nothing lost, nothing forged: clean refusals, read-only files, masked credentials --------

ACCESS_LOG = re.compile(r'^INFO: +127\.0\.0\.1:\d+ - "(GET|POST|HEAD|PUT|DELETE) ')


def start_serve(db_path, *args: str, prefix: tuple[str, ...] = ()):
    """`monitor serve` on a free port, up (its stderr read until Uvicorn runs); the process,
    its port and the stderr lines read so far."""
    port = free_port()
    proc = subprocess.Popen(
        [*prefix, sys.executable, "-m", "monitor", "serve", "--db", str(db_path), "--port",
         str(port), *args], stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        cwd=db_path.parent)
    assert proc.stderr is not None
    lines = []
    for _ in range(100):  # bounded: reads lines until Uvicorn says it is up, or the end
        line = proc.stderr.readline()
        lines.append(line)
        if "running on" in line.lower() or not line:
            break
    if f"127.0.0.1:{port}" not in lines[-1]:
        log = stop_serve(proc)
        pytest.fail("monitor serve did not start:\n" + ("".join(lines) + log)[-3000:])
    return proc, port, lines


def stop_serve(proc) -> str:
    """Stop the server; what it logged after starting (stdout: Uvicorn's access log, then
    stderr)."""
    proc.terminate()
    out, err = proc.communicate(timeout=20)
    return out + err


def test_refusals_are_clean_4xx_with_one_log_line_and_no_traceback(served):
    proc, port, _ = start_serve(served)
    base = f"http://127.0.0.1:{port}"
    chart_sql = metadata("monitor")["plugins"]["datasette-dashboards"]["trends"]["charts"][
        "articles-per-source"]["query"].replace("[[", "").replace("]]", "")
    requests = [
        ("POST", "/monitor/who_spoke", 405),
        ("POST", "/monitor/feed_health?_json=1", 405),
        ("POST", "/monitor/articles", 405),
        ("POST", "/", 405),
        ("GET", "/monitor/who_spoke?side=Cuba&topic=migration&since=garbage", 400),
        ("GET", "/monitor/who_spoke.json?side=&topic=&since=garbage", 400),
        ("GET", "/monitor/new_entities.csv?since=last+tuesday&kind=", 400),
        ("GET", "/monitor/articles_per_source_per_week?since=2022-13-45", 400),
        ("GET", "/-/dashboards/trends?since=garbage", 400),
        ("GET", "/-/dashboards/trends/articles-per-source?since=garbage", 400),
        ("GET", "/monitor.json?" + urllib.parse.urlencode(
            {"sql": chart_sql, "since": "garbage", "_shape": "objects"}), 400),
        ("GET", "/monitor.json?sql=select+monitor_since('garbage')+as+s", 400),
    ]
    try:
        for method, path, status in requests:
            response = httpx.request(method, base + path, timeout=20)
            assert response.status_code == status, (method, path, response.text[:500])
            if path.startswith("/monitor.json?sql=select"):
                continue  # a user's own SQL: SQLite's own message
            if status == 400:
                assert "garbage" in response.text or "2022-13-45" in response.text or \
                    "last tuesday" in response.text, path
                assert "this week" in response.text, path  # says what it accepts
            else:
                assert "GET" in response.headers.get("allow", ""), path
    finally:
        log = stop_serve(proc)
    assert "Traceback" not in log and "Exception ignored" not in log, log[-3000:]
    lifecycle = ("Shutting down", "Waiting for application shutdown",
                 "Application shutdown complete", "Finished server process")
    logged = [line for line in log.splitlines()
              if line.strip() and not any(word in line for word in lifecycle)]
    # one access-log line a request, and at most one more line (SQLite's error) for the SQL
    assert len(logged) <= len(requests) + 1, "\n".join(logged)
    assert len([line for line in logged if ACCESS_LOG.match(line)]) == len(requests)


def test_a_bad_since_says_what_since_takes_and_a_good_one_still_works(served):
    html, as_json, chart, good, ages = fetch(
        served, "/monitor/who_spoke?side=&topic=&since=garbage",
        "/monitor/new_entities.json?since=garbage&kind=",
        "/-/dashboards/trends/entity-mentions?since=garbage",
        "/monitor/who_spoke.json?side=Cuba&topic=migration&since=2022-01-01&_shape=array",
        "/-/dashboards/trends?since=1000w&entity=" + urllib.parse.quote(COSSIO))
    assert html.status_code == 400 and "garbage" in html.text and "this month" in html.text
    assert 'href="/monitor/who_spoke?side=&amp;topic=&amp;since="' in html.text  # ask again
    assert as_json.status_code == 400
    assert "garbage" in as_json.json()["error"] and as_json.json()["ok"] is False
    assert chart.status_code == 400
    assert good.status_code == 200 and COSSIO in {r["official"] for r in good.json()}
    assert ages.status_code == 200


def test_the_charts_take_the_same_since_as_the_queries(served):
    charts = metadata("monitor")["plugins"]["datasette-dashboards"]["trends"]["charts"]
    sql = charts["articles-per-source"]["query"].replace("[[", "").replace("]]", "")
    ages = rows(served, "/monitor?sql=" + urllib.parse.quote(sql) + "&since=1000w")
    all_time = rows(served, "/monitor?sql=" + urllib.parse.quote(sql) + "&since=all")
    dated = rows(served, "/monitor?sql=" + urllib.parse.quote(sql) + "&since=2022-01-01")
    assert ages and ages == all_time  # an age, and "all", as in the canned queries
    assert {r["week"] for r in dated} == {"2022-04-18"}


def feed_with_credentials(db_path, *, status: str = "error") -> None:
    """A feeds row as an older monitor stored it: the password in the URL."""
    db = store.open_db(db_path)
    db["feeds"].insert({"url": "https://reader:s3cret@feeds.example/private.xml",
                        "name": None, "last_status": status, "error_count": 2, "state":
                        "active", "last_error": "HTTP 401 from https://reader:s3cret@"
                        "feeds.example/private.xml", "created_at": "2024-01-01T00:00:00"})
    db.close()


def test_the_ui_masks_credentials_in_feed_urls(db_path):
    feed_with_credentials(db_path)
    pages = fetch(db_path, "/monitor/feeds", "/monitor/feeds/1", "/monitor/feed_health", "/",
                  "/monitor?sql=" + urllib.parse.quote("select url, last_error from feeds"))
    for page in pages:
        assert page.status_code == 200, page.text[:500]
        assert "s3cret" not in page.text and "reader:" not in page.text, page.url
        assert "https://***@feeds.example/private.xml" in page.text, page.url


def wal_with_unsaved_changes(tmp_path):
    """A WAL database whose newest article is only in its -wal file (no -shm): what a folder
    copied while monitor was writing holds. The original is closed afterwards."""
    live = tmp_path / "live"
    live.mkdir()
    db = store.open_db(live / "monitor.db")
    store.save_article(db, store.ArticleRecord(url="https://a.example/first", title="First",
                       source="Test", text="Cuba and the United States met."), None, None)
    db.conn.execute("PRAGMA wal_autocheckpoint = 0")
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.save_article(db, store.ArticleRecord(url="https://a.example/late", title="Late",
                       source="Test", text="Havana answered."), None, None)
    copy = tmp_path / "copy"
    copy.mkdir()
    shutil.copyfile(live / "monitor.db", copy / "monitor.db")
    shutil.copyfile(live / "monitor.db-wal", copy / "monitor.db-wal")
    db.close()
    path = copy / "monitor.db"
    assert (copy / "monitor.db-wal").stat().st_size > 0
    # the main file alone does not have the late article: reading it alone would lose it
    conn = sqlite3.connect(f"{path.as_uri()}?immutable=1", uri=True)
    assert [r[0] for r in conn.execute("SELECT title FROM articles")] == ["First"]
    conn.close()
    return path


def not_writable(monkeypatch, *paths):
    """os.access says ``paths`` (and what is in them) cannot be written: what serve's choice
    is made on (the tests run as root, for whom chmod changes nothing). SQLite itself is not
    fooled: the tests using this prove that the choice serves the data, not that SQLite would
    have failed; the end-to-end tests further down prove that."""
    real = os.access

    def access(path, mode, *args, **kwargs):
        where = os.path.abspath(path)
        if mode & os.W_OK and any(where == str(p) or where.startswith(f"{p}{os.sep}")
                                  for p in paths):
            return False
        return real(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)


def served_titles(db_path, source) -> list[str]:
    ds = datasette_app(db_path, source=source)

    async def run():
        return await ds.client.get(f"/{source.path.stem}/articles.json?_shape=array&_sort=id")

    response = asyncio.run(run())
    assert response.status_code == 200, response.text[:500]
    return [row["title"] for row in response.json()]


def test_a_wal_database_in_a_read_only_folder_is_served_as_a_snapshot(db_path, tmp_path,
                                                                       monkeypatch):
    not_writable(monkeypatch, db_path.parent)
    source = serve.prepare_source(db_path, tmp_path / "work")
    assert source.immutable and source.path == db_path and "read-only" in source.note
    assert served_titles(db_path, source) == ["Talks"]


def test_a_read_only_wal_file_is_served_as_a_snapshot_leaving_no_files(db_path, tmp_path,
                                                                        monkeypatch):
    not_writable(monkeypatch, db_path)
    source = serve.prepare_source(db_path, tmp_path / "work")
    assert source.immutable and source.path == db_path
    assert served_titles(db_path, source) == ["Talks"]
    assert [p.name for p in db_path.parent.glob("monitor.db*")] == ["monitor.db"]


def test_unsaved_changes_in_a_read_only_folder_are_served_not_lost(tmp_path, monkeypatch):
    path = wal_with_unsaved_changes(tmp_path)
    not_writable(monkeypatch, path.parent)
    work = tmp_path / "work"
    work.mkdir()
    source = serve.prepare_source(path, work)
    assert source.path.parent == work and source.path.name == path.name and source.note
    assert served_titles(path, source) == ["First", "Late"]
    assert sorted(p.name for p in path.parent.iterdir()) == ["monitor.db", "monitor.db-wal"]


def test_a_path_datasette_would_misread_is_served_not_another_file(tmp_path):
    folder = tmp_path / "news#1?"
    folder.mkdir()
    path = folder / "monitor%41.db"
    db = store.open_db(path)
    store.save_article(db, store.ArticleRecord(url="https://a.example/talks", title="Talks",
                       source="Test", text="Cuba and the United States met."), None, None)
    db.close()
    source = serve.prepare_source(path, tmp_path / "work")
    assert served_titles(path, source) == ["Talks"]
    # Datasette opened the file, not tmp_path/"news" (which it used to create, empty)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["news#1?", "work"]


def test_a_writable_folder_is_served_in_place_read_only(db_path, tmp_path):
    source = serve.prepare_source(db_path, tmp_path)
    assert source.path == db_path and not source.immutable and source.note is None
    assert source.uri.endswith("?mode=ro")


@pytest.mark.parametrize("content, message", [
    (b"", "empty"),
    (b"<html>not a database</html>" * 10, "not an SQLite database"),
    ("sqlite-other-app", "not a monitor database"),
    ("unreadable", "cannot read"),
])
def test_what_cannot_be_served_is_one_line(tmp_path, monkeypatch, content, message):
    path = tmp_path / "monitor.db"
    if content == "sqlite-other-app":
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
        conn.close()
    elif content == "unreadable":
        db = store.open_db(path)
        db.close()
        real = os.access
        monkeypatch.setattr(os, "access", lambda p, mode, *a, **k: False
                            if os.path.abspath(p) == str(path) and mode & os.R_OK
                            else real(p, mode, *a, **k))
    else:
        path.write_bytes(content)
    with pytest.raises(serve.ServeError) as error:
        serve.prepare_source(path, tmp_path)
    assert message in str(error.value) and str(path) in str(error.value)
    assert "\n" not in str(error.value)


def test_monitor_serve_on_a_file_that_is_not_a_database_prints_one_line(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 20, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "monitor", "serve", "--db", str(path), "--port",
         str(free_port())], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"error: {path}: not an SQLite database"], result.stderr[-3000:]


def drop_root_powers() -> tuple[str, ...]:
    """A command prefix under which file permissions bind, as they do for any user: none
    when not root; as root, setpriv without the capabilities that override them. Skips the
    test when neither is possible here."""
    if os.geteuid() != 0:
        return ()
    prefix = ("setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner")
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: chmod cannot make a folder read-only")
    probe = subprocess.run([*prefix, "true"], capture_output=True, timeout=30)
    if probe.returncode != 0:
        pytest.skip("cannot drop root's file capabilities here")
    return prefix


@pytest.mark.parametrize("unsaved, folder_mode", [(False, 0o555), (True, 0o555),
                                                  (False, 0o755)],
                         ids=["read-only-folder", "read-only-folder-unsaved-wal",
                              "read-only-file"])
def test_monitor_serve_works_on_a_read_only_file_in_a_read_only_folder(tmp_path, db_path,
                                                                      unsaved, folder_mode):
    prefix = drop_root_powers()
    path = wal_with_unsaved_changes(tmp_path) if unsaved else db_path
    expected = ["First", "Late"] if unsaved else ["Talks"]
    folder = path.parent
    # really read-only, for the server: checked under the same prefix
    for file in folder.iterdir():
        file.chmod(0o444)
    folder.chmod(folder_mode)
    try:
        denied = subprocess.run([*prefix, "sh", "-c", f"echo >> '{path}'"],
                                capture_output=True, timeout=30)
        assert denied.returncode != 0, "the file is still writable: the test proves nothing"
        if folder_mode == 0o555:
            denied = subprocess.run([*prefix, "touch", str(folder / "x")],
                                    capture_output=True, timeout=30)
            assert denied.returncode != 0, "the folder is still writable"
        proc, port, lines = start_serve(path, prefix=prefix)
        try:
            page = httpx.get(f"http://127.0.0.1:{port}/monitor/articles.json?_shape=array"
                             "&_sort=id", timeout=20)
            landing = httpx.get(f"http://127.0.0.1:{port}/", timeout=20)
        finally:
            log = stop_serve(proc)
        assert page.status_code == 200, page.text[:500]
        assert [row["title"] for row in page.json()] == expected
        assert landing.status_code == 200
        assert any(line.startswith("note: ") and "read-only" in line for line in lines)
        assert "Traceback" not in "".join(lines) + log
        # nothing left behind: SQLite's read-only -shm next to a read-only file would stop
        # every writer once the file is writable again
        assert sorted(p.name for p in folder.iterdir()) == sorted(
            ["monitor.db", "monitor.db-wal"] if unsaved else ["monitor.db"])
    finally:
        folder.chmod(0o755)
        for file in folder.iterdir():
            file.chmod(0o644)

"""Datasette over the database: metadata, FTS wired, read-only, on loopback."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys

import httpx
import pytest
from datasette.app import Datasette

from monitor import store
from monitor.serve import metadata, quiet_datasette_errors


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


"""`monitor serve`: Datasette over the database, read-only, on loopback — described tables,
facets and accent-insensitive search, canned queries, charts (datasette-dashboards) and a
landing dashboard (monitor's plugin, :mod:`monitor.web`)."""

from __future__ import annotations

import json
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import webbrowser
from pathlib import Path
from typing import Any

from .config import Config

#: Datasette table options beside the titles and descriptions of :mod:`monitor.web.schema`.
TABLE_OPTIONS: dict[str, dict[str, Any]] = {
    "articles": {"sort_desc": "published", "label_column": "title",
                 "facets": ["source", "language", {"month": "published"}],
                 "fts_table": "articles_fts", "fts_pk": "id"},
    "entities": {"sort_desc": "last_seen", "label_column": "name", "facets": ["kind", "label"],
                 "fts_table": "entities_fts", "fts_pk": "id"},
    "mentions": {"label_column": "text", "facets": ["title", "affiliation"]},
    "figures": {"label_column": "text", "facets": ["unit", "article_id"]},
    "feeds": {"label_column": "name", "facets": ["last_status", "state"]},
    "skipped": {"sort_desc": "seen_at", "facets": ["reason"]},
    "article_errors": {"sort_desc": "last_attempt_at"},
}


def metadata(database_name: str, *, default_entity: str | None = None) -> dict[str, Any]:
    """Datasette metadata: a title and description for every table and column, facets, sort
    orders and search wired to the FTS tables, the canned queries, and the chart dashboard."""
    from .web.canned import canned_queries
    from .web.charts import dashboards
    from .web.schema import HIDDEN, TABLES

    tables: dict[str, Any] = {}
    for name, doc in TABLES.items():
        tables[name] = {
            "title": doc["title"],
            "description": doc["description"],
            "columns": {column: f"{title}: {text}"
                        for column, (title, text) in doc["columns"].items()},
            **TABLE_OPTIONS.get(name, {}),
        }
    for name in HIDDEN:
        tables.setdefault(name, {})["hidden"] = True
    return {
        "title": "monitor — US–Cuba news",
        "description": "Articles from the configured feeds with the officials, agencies and "
        "figures found in them. Read-only.",
        "databases": {
            database_name: {
                "description": "Articles, the entities and figures found in them, and the "
                "feeds they came from. Start with the canned queries below.",
                "tables": tables,
                "queries": canned_queries(),
            }
        },
        "plugins": {"datasette-dashboards": dashboards(database_name,
                                                       default_entity=default_entity)},
    }


def default_entity(db_path: Path) -> str | None:
    """The entity the Trends dashboard opens on: the official named in most articles, else the
    most-named entity; None for an empty or unreadable database."""
    try:
        conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        row = conn.execute(
            "SELECT e.name FROM entities e JOIN mentions m ON m.entity_id = e.id "
            "GROUP BY e.id ORDER BY e.kind = 'official' DESC, COUNT(DISTINCT m.article_id) "
            "DESC, COUNT(*) DESC, e.name LIMIT 1").fetchone()
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    return row[0] if row else None


def register_plugin() -> None:
    """Load monitor's Datasette plugin (:mod:`monitor.web`) into this process's Datasette:
    before a Datasette is created, so its templates and static files are found."""
    from datasette.plugins import pm

    from . import web

    if not pm.is_registered(web):
        pm.register(web, name=web.PLUGIN)


def datasette_app(db_path: Path) -> Any:
    """The Datasette `monitor serve` runs, in this process (for tests and embedding)."""
    from datasette.app import Datasette

    quiet_datasette_errors()
    register_plugin()
    meta = metadata(db_path.stem, default_entity=default_entity(db_path))
    return Datasette([str(db_path)], metadata=meta, settings={"sql_time_limit_ms": 5000})


def quiet_datasette_errors() -> None:
    """Work around Datasette 0.65: with rich installed (monitor uses it), its error handler
    calls rich's print_exception outside an ``except`` block, which raises, so every 404 page
    becomes a crash. Without rich, Datasette handles the error as designed."""
    import datasette.handle_exception

    datasette.handle_exception.rich = None


def _browser_host(host: str) -> str:
    return "127.0.0.1" if host in ("", "0.0.0.0", "::") else host


def open_when_ready(url: str, host: str, port: int, child: subprocess.Popen[Any],
                    timeout: float = 60.0) -> bool:
    """Open ``url`` in the user's browser once the server accepts connections; give up if
    the server exits or does not come up within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while child.poll() is None and time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=1):
                break
        except OSError:
            time.sleep(0.2)
    else:
        return False
    return webbrowser.open(url)


def serve_datasette(config: Config, *, host: str, port: int, open_browser: bool = False) -> int:
    db_path = config.database_path.resolve()
    with tempfile.TemporaryDirectory(prefix="monitor-serve-") as tmp:
        meta = Path(tmp) / "metadata.json"
        meta.write_text(json.dumps(metadata(db_path.stem, default_entity=default_entity(db_path)),
                                   ensure_ascii=False), encoding="utf-8")
        command = [sys.executable, "-m", "monitor.datasette_main", "serve", str(db_path),
                   "--metadata", str(meta), "--host", host, "--port", str(port),
                   "--setting", "sql_time_limit_ms", "5000"]
        url = f"http://{_browser_host(host)}:{port}/"
        print(f"Datasette on {url} (read-only; Ctrl-C stops)", file=sys.stderr)
        child = subprocess.Popen(command)
        if open_browser:
            threading.Thread(target=open_when_ready, daemon=True,
                             args=(url, _browser_host(host), port, child)).start()
        # SIGTERM to `monitor serve` must stop Datasette too, or it outlives us.
        previous = signal.signal(signal.SIGTERM, lambda *_: child.terminate())
        try:
            return child.wait()
        except KeyboardInterrupt:  # Ctrl-C reaches the child through the process group
            child.wait()
            return 0
        finally:
            signal.signal(signal.SIGTERM, previous)
            if child.poll() is None:
                child.kill()

"""`monitor serve`: Datasette over the database, read-only, with titles, facets and search."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from .config import Config


def metadata(database_name: str) -> dict[str, Any]:
    """Datasette metadata: what each table is, sensible facets and sort orders, FTS wiring."""
    return {
        "title": "monitor — US–Cuba news",
        "description": "Articles from the configured feeds with the officials, agencies and "
        "figures found in them. Read-only.",
        "databases": {
            database_name: {
                "tables": {
                    "articles": {
                        "description": "Stored articles (clean text). duplicate_of links a "
                        "copy of the same story to the original.",
                        "sort_desc": "published",
                        "facets": ["source", "language"],
                        "label_column": "title",
                        "fts_table": "articles_fts",
                        "fts_pk": "id",
                    },
                    "entities": {
                        "description": "People, officials, agencies, organisations, places "
                        "and groups; one row per real-world entity, with its aliases.",
                        "facets": ["kind", "label"],
                        "label_column": "name",
                        "fts_table": "entities_fts",
                        "fts_pk": "id",
                    },
                    "mentions": {
                        "description": "Each time an entity is named in an article, with "
                        "the title given to a person there and the sentence.",
                        "facets": ["title"],
                    },
                    "figures": {
                        "description": "Numbers with what they count and when.",
                        "facets": ["unit"],
                    },
                    "feeds": {
                        "description": "Configured feeds and their health.",
                        "facets": ["last_status"],
                        "label_column": "name",
                    },
                    "skipped": {"description": "Pages fetched but not kept (off topic)."},
                    "article_errors": {"description": "Article pages that failed, with why."},
                    "article_urls": {"hidden": True},
                    "site_lines": {"hidden": True},
                    "_sqlite_migrations": {"hidden": True},
                }
            }
        },
    }


def quiet_datasette_errors() -> None:
    """Work around Datasette 0.65: with rich installed (monitor uses it), its error handler
    calls rich's print_exception outside an ``except`` block, which raises, so every 404 page
    becomes a crash. Without rich, Datasette handles the error as designed."""
    import datasette.handle_exception

    datasette.handle_exception.rich = None


def serve_datasette(config: Config, *, host: str, port: int) -> int:
    db_path = config.database_path.resolve()
    with tempfile.TemporaryDirectory(prefix="monitor-serve-") as tmp:
        meta = Path(tmp) / "metadata.json"
        meta.write_text(json.dumps(metadata(db_path.stem), ensure_ascii=False), encoding="utf-8")
        command = [sys.executable, "-m", "monitor.datasette_main", "serve", str(db_path),
                   "--metadata", str(meta), "--host", host, "--port", str(port),
                   "--setting", "sql_time_limit_ms", "5000"]
        print(f"Datasette on http://{host}:{port}/{db_path.stem} (read-only; Ctrl-C stops)",
              file=sys.stderr)
        child = subprocess.Popen(command)
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

"""`monitor extract`: clean text and metadata of pages, without storing anything."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .config import Config
from .db.store import open_db
from .errors import MonitorError
from .pages.cleaning import Cleaner
from .pages.extraction import extract_article
from .pipeline import fetch_html, read_saved_page, without_furniture
from .sources.fetching import Fetcher, FetchSettings
from .sources.urls import is_fetchable_url, site_of


def _load(source: str, fetcher: Fetcher | None,
          config: Config) -> tuple[bytes, str, Fetcher | None]:
    if "://" in source and not source.startswith("file://"):
        if not is_fetchable_url(source):
            raise MonitorError(f"{source}: only http(s) URLs can be fetched")
        fetcher = fetcher or Fetcher(FetchSettings.from_config(config.fetch))
        result = fetch_html(fetcher, source)
        return result.content, result.url, fetcher
    path = Path(source.removeprefix("file://"))
    try:
        return read_saved_page(path), source, fetcher
    except (OSError, EOFError) as exc:
        raise MonitorError(f"{path}: cannot read ({getattr(exc, 'strerror', None) or exc})")\
            from None


def extract_sources(config: Config, sources: list[str]) -> list[dict[str, Any]]:
    """One result per source, in order; a source that fails gets ``text: ""`` and ``error``."""
    cleaner = Cleaner.load(config.residue_path)
    fetcher: Fetcher | None = None
    results = []
    db = open_db(config.database_path, create=False, write=False) \
        if config.database_path.exists() else None
    try:
        for source in sources:
            try:
                html, url, fetcher = _load(source, fetcher, config)
                page = extract_article(html, url, cleaner=cleaner)
                site = site_of(page.url) if page.url and page.url.startswith("http") else None
                page.text = without_furniture(db, cleaner, site, page.text,
                                              config.cleaning.repeated_line_min_articles)
                results.append({
                    "url": page.url or source, "title": page.title, "published": page.published,
                    "language": page.language, "text": page.text, "author": page.author,
                    "site_name": page.site_name, "published_source": page.published_source,
                })
            except MonitorError as exc:
                results.append({"url": source, "title": None, "published": None,
                                "language": None, "text": "", "error": str(exc)})
    finally:
        if fetcher is not None:
            fetcher.close()
        if db is not None:
            db.close()
    return results

"""One polling round, ingestion and re-tagging: the stages wired together.

Data flows one way: feeds -> article pages -> extraction + cleaning -> topic filter ->
de-duplication -> spaCy -> store. Network work (feeds, pages) runs in a bounded thread pool;
everything that touches the database runs on the calling thread, one transaction per article.
"""

from __future__ import annotations

import gzip
import logging
import sqlite3
import threading
import zlib
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import cached_property
from itertools import islice
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from .config import Config
from .db import store
from .db.lock import RoundLock
from .errors import ConfigError, FetchError, MonitorError
from .pages import dedup
from .pages.cleaning import Cleaner, furniture_candidates
from .pages.extraction import Extracted, extract_article, publication_date
from .pages.topic import TopicFilter
from .sources.feed_state import next_state
from .sources.feeds import FeedItem
from .sources.fetching import Fetcher, FetchSettings
from .sources.politeness import HostLimiter, RobotsCache, RobotsDisallowed
from .sources.urls import (
    canonical_is_trusted,
    canonical_url,
    is_fetchable_url,
    mask_credentials,
    mask_credentials_in,
    site_of,
)
from .summary import Reporter, RoundSummary
from .tagging.tagger import Tagged, Tagger
from .text import fold

log = logging.getLogger(__name__)

FEED_ACCEPT = ("application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
               "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5")
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
#: Articles extracted, tagged (one nlp.pipe call) and stored per step: bounds memory.
BATCH = 16
HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".html.gz", ".htm.gz")


@dataclass(frozen=True)
class Page:
    """A page: to fetch (``html`` empty, ``url`` the link), or fetched or saved and waiting
    for extraction (fetching returns a new Page; none is changed in place)."""

    url: str                      # the link to fetch; once fetched, the final URL, or file://
    seen_as: list[str]            # the URLs it was known by before fetching (feed link…)
    html: bytes = b""
    feed: dict[str, Any] | None = None
    item: FeedItem | None = None
    topic_filter: bool = True

    @property
    def feed_id(self) -> int | None:
        return self.feed["id"] if self.feed else None

    @property
    def key(self) -> str:
        """The URL its failures are recorded under: the feed link, else where it came from."""
        return self.seen_as[0] if self.seen_as else self.url


@dataclass
class _Pending:
    page: Page
    record: store.ArticleRecord
    minhash: Any
    tag: bool
    duplicate_of_batch: int | None = None


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


#: How alike (rapidfuzz token-set ratio, 0-100) a feed item's title and the title of the page
#: its link redirected to must be for the page to count as the item's article. Titles of one
#: story vary (a site suffix, a word changed); a consent wall's or an error page's do not
#: share its words.
SAME_TITLE = 50


def _redirected_elsewhere(page: Page, extracted: Extracted) -> str | None:
    """The title of the page a feed item's link redirected to, when that page is plainly not
    the item's article (their titles share almost nothing); else None. Only redirected
    feed items with a title are judged."""
    if page.item is None or not page.item.title or not extracted.title or not page.seen_as:
        return None
    if canonical_url(page.url) == page.seen_as[0]:
        return None
    from rapidfuzz import fuzz

    if fuzz.token_set_ratio(fold(page.item.title), fold(extracted.title)) >= SAME_TITLE:
        return None
    return extracted.title


def fetch_html(fetcher: Fetcher, url: str) -> Any:
    """An article page's fetch result; a FetchError when it is no HTML (an image, a PDF)."""
    result = fetcher.get(url, accept=PAGE_ACCEPT)
    content_type = (result.content_type or "").lower()
    if content_type and not any(t in content_type for t in ("html", "xml", "text/plain")):
        raise FetchError(f"not an HTML page ({content_type.split(';')[0]})", kind="protocol")
    return result


def without_furniture(db: Database | None, cleaner: Cleaner, site: str | None, text: str,
                      min_articles: int) -> str:
    """``text`` without the lines the store has seen in ``min_articles`` of ``site``'s
    articles (site furniture); as it is without a database, a site or text."""
    if db is None or not site or not text:
        return text
    repeated = store.repeated_lines(db, site, min_articles)
    return cleaner.clean(text, repeated=repeated) if repeated else text


def cap_text(text: str, max_chars: int) -> tuple[str, bool]:
    """``text`` cut to at most ``max_chars`` characters, at the last paragraph break (else the
    last space) before the cap, and whether it was cut. Bounds what one article costs the
    tagger and the store whatever a page holds."""
    if len(text) <= max_chars:
        return text, False
    head = text[:max_chars]
    cut = head.rfind("\n")
    if cut < max_chars // 2:
        cut = head.rfind(" ")
    return (head[:cut] if cut > 0 else head).rstrip(), True


def read_saved_page(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.name.endswith(".gz") else data


class Monitor:
    """The library API behind every command that fetches or stores."""

    def __init__(self, config: Config, db: Database, *, fetcher: Fetcher | None = None,
                 tagger: Tagger | None = None, reporter: Reporter | None = None,
                 stop: threading.Event | None = None) -> None:
        self.config = config
        self.db = db
        self._fetcher = fetcher
        self._tagger = tagger
        self.reporter = reporter or Reporter()
        self.stop = stop or threading.Event()
        self._validators: dict[int, dict[str, Any]] = {}
        #: Feed URLs as stored (credentials masked) -> as configured, to fetch with.
        self._feed_urls = {mask_credentials(f.url): f.url for f in config.feeds}

    # -- parts, built on first use ------------------------------------------------------------

    @property
    def fetcher(self) -> Fetcher:
        if self._fetcher is None:
            self._fetcher = Fetcher(FetchSettings.from_config(self.config.fetch))
        return self._fetcher

    @property
    def tagger(self) -> Tagger:
        if self._tagger is None:
            nlp = self.config.nlp
            self._tagger = Tagger(nlp.model, languages=nlp.languages, batch_size=nlp.batch_size,
                                  n_process=nlp.n_process)
        return self._tagger

    @cached_property
    def cleaner(self) -> Cleaner:
        return Cleaner.load(self.config.residue_path)

    @cached_property
    def topic(self) -> TopicFilter:
        return TopicFilter(self.config.topic.any)

    @cached_property
    def dedup_index(self) -> dedup.DedupIndex:
        index = dedup.DedupIndex(self.config.dedup.threshold)
        index.load(store.story_signatures(self.db))
        return index

    def close(self) -> None:
        if self._fetcher is not None:
            self._fetcher.close()

    def check(self) -> None:
        """Load what the configuration names (residue file, spaCy pipelines) before any work,
        so a broken setting is one ConfigError at start — never a round in which every article
        fails, spends its attempts and is given up on for a fault that is not its own."""
        self.cleaner  # noqa: B018 - loading is the check
        self.tagger.load()

    # -- polling ------------------------------------------------------------------------------

    def due_feeds(self, *, force: bool = False) -> list[dict[str, Any]]:
        rows = store.sync_feeds(self.db, self.config.feeds)
        if force:
            return rows
        now = now_utc().isoformat()
        return [row for row in rows if row["state"] != "gone"
                and (not row["next_poll_at"] or row["next_poll_at"] <= now)]

    def poll(self, *, force: bool = False) -> RoundSummary:
        """One round: every due feed fetched, every new item fetched, kept and stored.

        Raises :class:`RoundBusy` when another process is polling the same database."""
        self.check()
        with RoundLock(store.database_file(self.db)):
            return self._poll(force=force)

    def _poll(self, *, force: bool) -> RoundSummary:
        summary = RoundSummary()
        feeds = self.due_feeds(force=force)
        self.reporter.stage("feeds", len(feeds))
        items: list[tuple[dict[str, Any], FeedItem]] = []
        self._validators = {}
        for feed, outcome in self._fetch_all(feeds, self._fetch_feed):
            items.extend((feed, item) for item in self._record_feed(feed, outcome, summary))
        pages = self._fetch_pages(self._new_items(items, summary), summary)
        try:
            self._process(pages, summary)
        except sqlite3.OperationalError as exc:
            self._storage_failed({feed["id"]: feed for feed, _ in items}.values(), exc)
            raise MonitorError(f"articles could not be stored ({exc}); the round stopped and "
                               "its items will be fetched again next round") from None
        if not self.stop.is_set():
            for feed_id, validators in self._validators.items():
                store.update_feed(self.db, feed_id, validators)
        return summary

    def _storage_failed(self, feeds: Iterable[dict[str, Any]], exc: sqlite3.Error) -> None:
        """The store refused a write (disk full, read-only file): the feeds whose items were
        being stored say so, rather than the "ok" their fetch earned, and keep no validators,
        so the next round fetches their items again. Best effort: the disk may refuse this
        too, and then the error itself still reaches the user."""
        message = f"articles could not be stored: {exc}"
        try:
            for feed in feeds:
                store.update_feed(self.db, feed["id"], {
                    "last_status": "error", "last_error": message,
                    "error_count": (feed["error_count"] or 0) + 1})
        except sqlite3.Error:
            log.debug("could not record the storage failure on the feeds", exc_info=True)

    def _fetch_all(self, rows: Sequence[Any], fn: Any) -> Iterator[tuple[Any, Any]]:
        """Run ``fn`` over ``rows`` in the pool; yield (row, result-or-exception) in input order.

        Requests run concurrently but results are consumed in order, so a round stores the same
        articles in the same order every time (the first of two copies is the original).
        On stop, requests in flight are abandoned: the client is closed under them, so no slow
        server keeps the process alive.
        """
        if not rows:
            return
        workers = self.config.fetch.concurrency
        pool = ThreadPoolExecutor(max_workers=workers)
        # A bounded window of requests in flight: bodies finished behind one slow request wait
        # in memory, so at most ``2 × concurrency`` of them (each under fetch.max_bytes).
        queue = iter(rows)
        futures: deque[tuple[Any, Future[Any]]] = deque(
            (row, pool.submit(fn, row)) for row in islice(queue, 2 * workers))
        try:
            while futures:
                row, future = futures.popleft()
                while not future.done() and not self.stop.is_set():
                    wait([future], timeout=0.5)
                if self.stop.is_set():
                    break
                for more in islice(queue, 1):
                    futures.append((more, pool.submit(fn, more)))
                try:
                    yield row, future.result()
                except MonitorError as exc:
                    yield row, exc
                except Exception as exc:  # noqa: BLE001 - never fatal: recorded on the row
                    log.debug("unexpected error for %s", row, exc_info=True)
                    yield row, MonitorError(f"internal error: {type(exc).__name__}: {exc}")
        finally:
            stopping = self.stop.is_set()
            if stopping and self._fetcher is not None:
                self._fetcher.abort()
            pool.shutdown(wait=not stopping, cancel_futures=True)

    @cached_property
    def limiter(self) -> HostLimiter:
        fetch = self.config.fetch
        return HostLimiter(fetch.per_host, fetch.host_delay, pause=self.stop.wait)

    @cached_property
    def robots(self) -> RobotsCache:
        def fetch(url: str) -> bytes:
            with self.limiter.slot(url):
                return self.fetcher.get(url, accept="text/plain").content

        return RobotsCache(fetch)

    def _fetch_feed(self, feed: dict[str, Any]) -> Any:
        url = self._feed_urls.get(feed["url"], feed["url"])
        with self.limiter.slot(url):
            return self.fetcher.get(url, etag=feed["etag"],
                                    last_modified=feed["last_modified"], accept=FEED_ACCEPT)

    def _record_feed(self, feed: dict[str, Any], outcome: Any,
                     summary: RoundSummary) -> list[FeedItem]:
        """Store the feed's next state (:func:`monitor.sources.feed_state.next_state`); return the
        items to consider: the feed's own when it changed, else its pages that failed last
        time, and in both cases its backlog."""
        interval = timedelta(seconds=self.config.poll.interval)
        adaptive = self.config.poll.adaptive
        try:
            step = next_state(feed, outcome, now_utc(), interval=interval, adaptive=adaptive)
        except Exception as exc:  # noqa: BLE001 - a feed's failure never ends the round
            log.debug("unexpected error for feed %s", feed["url"], exc_info=True)
            failure = MonitorError(f"internal error: {type(exc).__name__}: {exc}")
            step = next_state(feed, failure, now_utc(), interval=interval, adaptive=adaptive)
        store.update_feed(self.db, feed["id"], step.values)
        items = list(step.parsed.items) if step.parsed is not None else []
        # Pages that failed before and items waiting in the backlog are fetched whatever the
        # feed did this time: a 304, a feed that no longer lists them, a feed that fails or is
        # gone must not strand items it once listed.
        listed = {item.url for item in items}
        waiting = [FeedItem(url=url, title=None, published=None, summary=None, guid=None)
                   for url in store.retryable_articles(
                       self.db, feed["id"], self.config.poll.article_attempts)]
        waiting += [FeedItem(url=row["url"], title=row["title"], published=row["published"],
                             summary=None, guid=row["guid"])
                    for row in store.backlog(self.db, feed["id"])]
        items += [item for item in waiting if item.url not in listed]
        if step.error is not None:
            summary.feeds_failed += 1
            summary.failures.append((feed["url"], step.values["last_error"]))
            self.reporter.feed_done({**feed, **step.values}, "error", step.values["last_error"])
            return items
        if step.parsed is not None:
            summary.feeds_ok += 1
        else:
            summary.feeds_unchanged += 1
        self._validators[feed["id"]] = step.validators or {}
        message = f"{len(items)} items" if step.changed else step.status.replace("_", " ")
        if not step.changed and items:
            message += f"; {len(items)} failed or waiting pages to fetch"
        self.reporter.feed_done({**feed, **step.values}, step.status, message)
        return items

    def _new_items(self, items: Iterable[tuple[dict[str, Any], FeedItem]],
                   summary: RoundSummary) -> list[Page]:
        """Feed items worth fetching: not stored, not skipped, not given up on. Items beyond
        ``poll.max_articles_per_feed`` go to the feed's backlog, fetched in later rounds; an
        item leaves the backlog once it is stored, skipped or given up on."""
        per_feed: dict[int, int] = {}
        wanted: dict[str, Page] = {}
        later: dict[int, list[FeedItem]] = {}
        settled: list[str] = []
        for feed, item in items:
            if not is_fetchable_url(item.url):
                continue
            url = canonical_url(item.url)
            if url in wanted:
                continue
            if store.is_known(self.db, url) or store.is_known(self.db, item.url):
                summary.articles_known += 1
                settled.append(item.url)
                continue
            if store.article_attempts(self.db, url) >= self.config.poll.article_attempts:
                settled.append(item.url)
                continue
            if per_feed.get(feed["id"], 0) >= self.config.poll.max_articles_per_feed:
                later.setdefault(feed["id"], []).append(item)
                continue
            per_feed[feed["id"]] = per_feed.get(feed["id"], 0) + 1
            wanted[url] = Page(url, [url], feed=feed, item=item,
                               topic_filter=bool(feed["topic_filter"]))
        store.forget_backlog(self.db, settled)
        for feed_id, waiting in later.items():
            store.remember_backlog(self.db, feed_id, waiting)
        if later:
            count = sum(len(v) for v in later.values())
            self.reporter.notice(f"{count} more items wait in the feeds' backlog for the next "
                                 f"round (poll.max_articles_per_feed = "
                                 f"{self.config.poll.max_articles_per_feed})")
        return list(wanted.values())

    def _fetch_page(self, page: Page) -> Page:
        if self.config.fetch.robots:
            self.robots.check(page.url)
        with self.limiter.slot(page.url):
            result = fetch_html(self.fetcher, page.url)
        return replace(page, html=result.content, url=result.url)

    def _fetch_pages(self, pages: list[Page], summary: RoundSummary) -> Iterator[Page]:
        self.reporter.stage("articles", len(pages))
        for page, outcome in self._fetch_all(pages, self._fetch_page):
            if isinstance(outcome, RobotsDisallowed):  # a standing refusal: don't retry
                store.record_skipped(self.db, page.seen_as, title=page.item and page.item.title,
                                     reason="robots", feed_id=page.feed_id)
                summary.articles_failed += 1
                self.reporter.article_done(page.key, "error", str(outcome))
            elif isinstance(outcome, MonitorError):
                self._article_failed(page, str(outcome), summary)
            else:
                yield outcome

    def _article_failed(self, page: Page, message: str, summary: RoundSummary) -> None:
        summary.articles_failed += 1
        message = mask_credentials_in(message)
        store.record_article_error(self.db, page.key, page.feed_id, message)
        self.reporter.article_done(page.key, "error", message)

    # -- ingesting saved pages and URLs ------------------------------------------------------

    def ingest(self, sources: Sequence[str], *, topic_filter: bool = True) -> RoundSummary:
        """Store saved pages, folders of them and article URLs. Each input stands alone: one
        that cannot be read (a missing file, a URL that is not http(s)) is reported in one
        line and counted, and the others are stored."""
        self.check()
        summary = RoundSummary()
        urls: list[Page] = []
        pages: list[Page] = []
        for source in sources:
            if "://" in source and not source.startswith("file://"):
                if not is_fetchable_url(source):
                    self._input_failed(source, "only http(s) URLs can be ingested", summary)
                    continue
                url = canonical_url(source)
                urls.append(Page(url, [url], topic_filter=topic_filter))
            else:
                pages.extend(self._saved_pages(Path(source.removeprefix("file://")),
                                               topic_filter, summary))
        fetched = list(self._fetch_pages(urls, summary)) if urls else []
        self._process([*pages, *fetched], summary)
        return summary

    def _input_failed(self, source: str, message: str, summary: RoundSummary) -> None:
        summary.inputs_failed += 1
        summary.failures.append((source, message))
        self.reporter.article_done(source, "error", message)

    def _saved_pages(self, path: Path, topic_filter: bool,
                     summary: RoundSummary) -> Iterator[Page]:
        if path.is_dir():
            files = sorted(p for p in path.rglob("*")
                           if p.is_file() and p.name.lower().endswith(HTML_SUFFIXES))
        elif path.is_file():
            files = [path]
        else:
            self._input_failed(str(path), "no such file or directory", summary)
            return
        for file in files:
            try:
                yield Page(file.resolve().as_uri(), [], read_saved_page(file),
                           topic_filter=topic_filter)
            except (OSError, EOFError, gzip.BadGzipFile, zlib.error) as exc:
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
                self._input_failed(str(file), f"cannot read ({reason})", summary)

    # -- extraction -> filter -> dedup -> NLP -> store ----------------------------------------

    def extract(self, page: Page) -> Extracted:
        return extract_article(page.html, page.url, cleaner=self.cleaner)

    def _process(self, pages: Iterable[Page], summary: RoundSummary) -> None:
        batch: list[_Pending] = []
        for page in pages:
            if self.stop.is_set():
                break
            pending = self._prepare(page, batch, summary)
            if pending is not None:
                batch.append(pending)
            if len(batch) >= BATCH:
                self._store_batch(batch, summary)
                batch = []
        if batch and not self.stop.is_set():
            self._store_batch(batch, summary)

    def _prepare(self, page: Page, batch: list[_Pending],
                 summary: RoundSummary) -> _Pending | None:
        try:
            extracted = self.extract(page)
        except ConfigError:
            raise  # the configuration's fault, not the page's: no attempt is spent on it
        except Exception as exc:  # noqa: BLE001 - one bad page never ends the round
            log.debug("unexpected error extracting %s", page.url, exc_info=True)
            self._article_failed(page, f"internal error: {type(exc).__name__}: {exc}", summary)
            return None
        elsewhere = _redirected_elsewhere(page, extracted)
        if elsewhere is not None and store.article_attempts(self.db, page.key) + 1 < \
                self.config.poll.article_attempts:
            # A consent wall, a rate-limit or maintenance page: not this item's article. The
            # item is retried rather than made known under that page; on its last attempt it
            # is kept as it comes (a story retitled in another language is still a story).
            self._article_failed(page, f"redirected to {page.url}, a page titled "
                                       f"{elsewhere!r}, not this item's article", summary)
            return None
        url, claim = self._identity(page, extracted)
        urls = list(dict.fromkeys([url, *page.seen_as, page.url]))
        for known_url in urls:
            article_id = store.article_for_url(self.db, known_url)
            if article_id is not None:
                store.link_urls(self.db, article_id, urls)
                summary.articles_known += 1
                self.reporter.article_done(url, "known", None)
                return None
        for pending in batch:  # the same page under another URL (an AMP copy) in this batch
            if pending.record.url == url:
                pending.record.urls.extend(u for u in urls if u not in pending.record.urls)
                summary.articles_known += 1
                self.reporter.article_done(page.url, "known", f"same page as {url}")
                return None
        # Furniture is removed by the article's site (a saved file's canonical URL names it),
        # but learned only from pages fetched from that site: lines a page elsewhere carries
        # must never teach the cleaner to delete a sentence from another publisher's articles.
        site = site_of(url) if url.startswith("http") else None
        learn = site if page.url.startswith("http") and site_of(page.url) == site else None
        furniture = furniture_candidates(extracted.text) if learn else set()
        extracted.text = without_furniture(self.db, self.cleaner, site, extracted.text,
                                           self.config.cleaning.repeated_line_min_articles)
        if not extracted.text:
            self._article_failed(page, "no article text found on the page", summary)
            return None
        on_topic = self.topic.matches(extracted.title, extracted.text)
        if page.topic_filter and not on_topic:
            store.record_skipped(self.db, urls, title=extracted.title, reason="off_topic",
                                 feed_id=page.feed_id)
            summary.articles_off_topic += 1
            self.reporter.article_done(url, "off_topic", extracted.title)
            return None
        text, truncated = cap_text(extracted.text, self.config.cleaning.max_chars)
        if truncated:
            extracted.text = text
            self.reporter.notice(f"{url}: text cut at {len(text):,} characters "
                                 f"(cleaning.max_chars = {self.config.cleaning.max_chars:,})")
        record = self._record(page, extracted, url, urls)
        record.furniture = furniture
        record.site = learn
        record.truncated = truncated
        record.canonical_claim = claim
        record.on_topic = on_topic
        minhash = dedup.signature(record.text)
        pending = _Pending(page, record, minhash, tag=self.tagger.supports(record.language))
        self._find_duplicate(pending, batch)
        return pending

    @staticmethod
    def _identity(page: Page, extracted: Extracted) -> tuple[str, str | None]:
        """The URL an article is stored under, and a canonical claim that was not believed.

        A fetched page's own canonical URL (``<link rel=canonical>``, ``og:url``) is believed
        on the registrable domain it was fetched from, or from an AMP cache copy of that site
        (:func:`monitor.sources.urls.canonical_is_trusted`); a claim on another site is recorded and
        the article is kept under the URL it was fetched from. A saved file's claim is
        believed: the user who saved it vouches for it.
        """
        claimed = canonical_url(extracted.url) \
            if extracted.url and is_fetchable_url(extracted.url) else None
        if claimed is None:
            return page.url, None
        if not page.url.startswith("http") or canonical_is_trusted(claimed, page.url):
            return claimed, None
        return page.url, claimed

    def _record(self, page: Page, extracted: Extracted, url: str,
                urls: list[str]) -> store.ArticleRecord:
        feed = page.feed or {}
        # The page's stated date beats the feed's, which beats the page's weaker hints.
        published = publication_date(extracted, page.item.published if page.item else None)
        site = site_of(url) if url.startswith("http") else None
        return store.ArticleRecord(
            url=url, urls=urls, title=extracted.title or (page.item.title if page.item else None),
            text=extracted.text, author=extracted.author, published=published,
            site_name=extracted.site_name,
            source=feed.get("name") or feed.get("title") or extracted.site_name or site,
            language=extracted.language, description=extracted.description,
            feed_id=feed.get("id"), text_hash=dedup.text_hash(extracted.text),
        )

    def _find_duplicate(self, pending: _Pending, batch: list[_Pending]) -> None:
        record = pending.record
        record.duplicate_of = store.story_with_text_hash(self.db, record.text_hash) \
            or self.dedup_index.find(pending.minhash)
        if record.duplicate_of is None:
            threshold = self.config.dedup.threshold
            for index, other in enumerate(batch):
                if other.record.duplicate_of is None and other.duplicate_of_batch is None and (
                    other.record.text_hash == record.text_hash
                    or other.minhash.jaccard(pending.minhash) >= threshold
                ):
                    pending.duplicate_of_batch = index
                    break
        if record.duplicate_of is not None or pending.duplicate_of_batch is not None:
            pending.tag = False
            record.furniture = set()

    def _store_batch(self, batch: list[_Pending], summary: RoundSummary) -> None:
        to_tag = [p for p in batch if p.tag]
        tagged: dict[int, Tagged] = {}
        if to_tag:
            results = self._tag_safely([(p.record.text, p.record.language) for p in to_tag],
                                       [p.record.url for p in to_tag])
            tagged = {id(p): t for p, t in zip(to_tag, results, strict=True) if t is not None}
        ids: list[int] = []
        for pending in batch:
            if self.stop.is_set():  # stop between articles: each one is stored whole or not
                break
            record = pending.record
            if pending.duplicate_of_batch is not None:
                record.duplicate_of = ids[pending.duplicate_of_batch]
            tags = tagged.get(id(pending))
            if record.duplicate_of is None:
                record.minhash = dedup.to_bytes(pending.minhash)
            article_id = store.save_article(self.db, record, tags,
                                            self.tagger.name if tags else None)
            ids.append(article_id)
            if record.duplicate_of is None:
                self.dedup_index.add(article_id, pending.minhash)
                summary.articles_new += 1
                status = "new"
            else:
                summary.articles_duplicate += 1
                status = "duplicate"
            if tags:
                summary.mentions += len(tags.mentions)
                summary.figures += len(tags.figures)
            self.reporter.article_done(record.url, status, record.title)

    def _tag_safely(self, items: list[tuple[str, str | None]], urls: list[str]
                    ) -> list[Tagged | None]:
        """Tags of each item, in order; a failure of the NLP on one article (a bug in a rule)
        costs that article its tags, not the batch: it is stored untagged, the error is
        reported in one line, and ``retag`` tags it once the rule is fixed."""
        try:
            return list(self.tagger.tag(items))
        except ConfigError:
            raise  # a pipeline that cannot load fails every article: stop, spend nothing
        except Exception:  # noqa: BLE001 - find the one article, tag the others
            results: list[Tagged | None] = []
            for item, url in zip(items, urls, strict=True):
                try:
                    results.extend(self.tagger.tag([item]))
                except ConfigError:
                    raise
                except Exception as exc:  # noqa: BLE001 - stored untagged, never fatal
                    self.reporter.notice(f"tagging failed for {url}: "
                                         f"{type(exc).__name__}: {exc}")
                    results.append(None)
            return results

    # -- re-tagging ---------------------------------------------------------------------------

    def stale_hint(self) -> str | None:
        """A one-line hint when stored articles were tagged by other rules or another model
        than this tagger's (after an upgrade or an edit of ``models/``), else None."""
        count = store.count_tagged_by_other(self.db, self.tagger.name)
        if not count:
            return None
        return (f"{count} stored article{'s' if count != 1 else ''} were tagged by other rules "
                "or another model; `monitor retag` brings them up to date")

    def retag(self) -> int:
        """Re-run the NLP over stored text (after a model or pattern change); no refetching."""
        self.check()
        rows = [(article_id, language) for article_id, language
                in store.stories_with_text(self.db) if self.tagger.supports(language)]
        self.reporter.stage("retag", len(rows))
        done = 0
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            texts = store.texts_of(self.db, [article_id for article_id, _ in chunk])
            results = self._tag_safely([(texts[i], language) for i, language in chunk],
                                       [f"article {i}" for i, _ in chunk])
            for (article_id, _), tags in zip(chunk, results, strict=True):
                if self.stop.is_set():
                    return done
                if tags is not None:
                    store.replace_tags(self.db, article_id, tags, self.tagger.name)
                    done += 1
        return done

"""Article pages -> clean text and metadata.

trafilatura does the heavy lifting (main-content detection, metadata); this module adds what
a news monitor needs around it: robust decoding, one lxml parse shared by every step, a
canonical URL that is safe to use as the article's identity, a publication date taken only
from the page (never the fetch time), a 2-letter language code, and the cleaning layer of
:mod:`monitor.cleaning` on top of trafilatura's text.

Nothing here raises on bad pages: a page that yields no text gives ``Extracted.text == ""``.
"""

from __future__ import annotations

import codecs
import json
import logging
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from functools import cache
from typing import Any
from urllib.parse import urljoin, urlsplit

import trafilatura
from lxml.html import HtmlElement
from trafilatura.settings import Document

from .cleaning import Cleaner
from .text import fold

LOGGER = logging.getLogger(__name__)

#: Bigger inputs are cut: the fetcher caps bodies already, this guards direct callers (saved
#: files, `ingest`). Article text and metadata sit well inside the first megabytes.
MAX_HTML_CHARS = 20 * 1024 * 1024

#: Tables are left out by default: in news they are mostly data grids that the NLP stage
#: cannot read. But some pages lay their article out in tables, and some articles are mostly
#: tables (stats, results); when a second pass with tables adds at least this share of words,
#: the tables are taken as content. On the benchmark this restores the 3 of 121 pages that
#: need it: F1 0.950 without tables, 0.964 with all of them or with this rule (0.968 once the
#: cleaning layer is added).
TABLE_RETRY_GAIN = 1.25
#: A table with fewer words is navigation or a small fact box: not worth a second pass.
TABLE_RETRY_MIN_WORDS = 50

_TRAFILATURA_OPTIONS: dict[str, Any] = {
    "include_comments": False,
    "include_images": False,
    "include_links": False,
    "output_format": "txt",
}

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_DECLARED_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]{1,40})"""
    rb"""|<\?xml[^>]{0,100}?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})""",
    re.IGNORECASE,
)
# Browsers (WHATWG Encoding) read these labels as windows-1252; pages rely on it.
_CHARSET_ALIASES = {"iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
                    "us-ascii": "cp1252", "ascii": "cp1252", "iso8859-1": "cp1252"}
_TAG = re.compile(r"<\s*(?:[a-zA-Z][a-zA-Z0-9-]*|!doctype|!--)", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\ufffd]")
#: Share of control or replacement characters above which bytes are not a page.
_GARBAGE_SHARE = 0.05

_LANG_CODE = re.compile(r"^\s*([a-zA-Z]{2})(?:[-_][a-zA-Z0-9]{1,8})*\s*$")
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ARTICLE_TYPES = {
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle",
    "opinionnewsarticle", "backgroundnewsarticle", "blogposting", "liveblogposting",
    "report", "scholarlyarticle", "techarticle", "socialmediaposting",
}
_PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "og:published_time",
    "published_time", "datepublished", "article.published", "publish-date", "publishdate",
    "pubdate", "dc.date.issued", "dcterms.issued", "sailthru.date", "parsely-pub-date",
)
_WORD = re.compile(r"\w+")
_TITLE_SUFFIX = re.compile(r"^(.+?)\s+(?:[|\-–—·:]{1,2})\s+([^|\-–—·]+)$")

# Frequent function words of the languages a US–Cuba monitor meets; a cheap detector for
# pages that declare no language (trafilatura only detects one when py3langid is installed).
_STOPWORDS = {
    "en": frozenset("the and of to in is that for with was on said by as at from have has it "
                    "are were be this which".split()),
    "es": frozenset("el la los las de del que y en por con para una un se es su al lo como "
                    "más pero sus fue".split()),
    "pt": frozenset("o os da do das dos que e em no na para com uma um não por é ao se "
                    "mais foi pelo pela".split()),
    "fr": frozenset("le la les des du de et en un une est que pour dans qui sur pas par au il "
                    "ce sont avec".split()),
    "de": frozenset("der die das und ist den dem nicht ein eine zu mit von auf für sich im es "
                    "auch dass wird".split()),
}
_DETECT_MIN_WORDS = 30


@dataclass
class Extracted:
    """What a page yields: clean text and the metadata the page itself states."""

    #: Canonical URL named by the page, else the ``url`` argument.
    url: str | None
    #: What the page itself names (<link rel=canonical>, og:url), absolute, http(s); or None.
    canonical_url: str | None
    title: str | None
    author: str | None
    #: ISO 8601 date or datetime from the page; None when it gives none (never fetch time).
    published: str | None
    site_name: str | None
    #: 2-letter code, or None when unknown.
    language: str | None
    description: str | None
    #: Cleaned article text, one paragraph per line; "" when nothing could be extracted.
    text: str
    #: trafilatura's text before the cleaning layer ("" if it found none).
    raw_text: str


@cache
def default_cleaner() -> Cleaner:
    """The shipped residue patterns, loaded once per process."""
    return Cleaner.load()


def extract_article(
    html: str | bytes,
    url: str | None = None,
    *,
    cleaner: Cleaner | None = None,
    repeated: Collection[str] = (),
) -> Extracted:
    """Extract the article of one page; never raises for a bad page (text is "" then).

    ``repeated`` holds :func:`monitor.cleaning.line_key` keys of the site's furniture lines.
    Raises TypeError only when ``html`` is not text or bytes, or ``url`` not a string.
    """
    if isinstance(html, bytearray | memoryview):
        html = bytes(html)
    if not isinstance(html, str | bytes):
        raise TypeError(f"html must be str or bytes, not {type(html).__name__}")
    if url is not None and not isinstance(url, str):
        raise TypeError(f"url must be a string or None, not {type(url).__name__}")
    base = (url.strip() or None) if url else None
    text = decode_html(html) if isinstance(html, bytes) else html
    tree = _parse(text)
    if tree is None:
        return _empty(base)

    meta = _page_meta(tree)
    canonical = _canonical_url(tree, meta, base)
    best_url = canonical or base
    doc = _trafilatura_metadata(tree, best_url)
    site_name = _text_or_none(meta.get("og:site_name") or (doc.sitename if doc else None))
    title = _strip_site_suffix(_text_or_none(doc.title if doc else None), site_name)
    raw, clean = _article_text(tree, best_url, cleaner or default_cleaner(), repeated)
    return Extracted(
        url=best_url,
        canonical_url=canonical,
        title=title,
        author=_text_or_none(doc.author if doc else None),
        published=_published(tree, meta, doc, (canonical, base)),
        site_name=site_name,
        language=_language(tree, meta, doc, clean),
        description=_text_or_none(doc.description if doc else None),
        text=_drop_leading_title(clean, title),
        raw_text=raw,
    )


def _empty(url: str | None) -> Extracted:
    return Extracted(url=url, canonical_url=None, title=None, author=None, published=None,
                     site_name=None, language=None, description=None, text="", raw_text="")


# --- decoding and parsing ------------------------------------------------------------------


def decode_html(data: bytes) -> str:
    """Bytes -> text: BOM, else UTF-8, else the charset the page declares, else lossy UTF-8.

    Valid UTF-8 wins over a declared charset because pages that say iso-8859-1 but are
    UTF-8 are common, while non-UTF-8 text that happens to decode as UTF-8 is rare.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = _declared_charset(data[:8192])
    if declared:
        return data.decode(declared, errors="replace")
    return data.decode("utf-8", errors="replace")


def _declared_charset(head: bytes) -> str | None:
    match = _DECLARED_CHARSET.search(head)
    if not match:
        return None
    label = (match.group(1) or match.group(2)).decode("ascii").lower()
    label = _CHARSET_ALIASES.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    # A page cannot really be UTF-16/32 if its declaration was readable as ASCII.
    return None if name.startswith(("utf-16", "utf-32")) else name


def _looks_like_markup(text: str) -> bool:
    head = text[:65536]
    if not _TAG.search(head):
        return False
    sample = head[:8192]
    return len(_CONTROL.findall(sample)) <= _GARBAGE_SHARE * len(sample)


def _parse(text: str) -> HtmlElement | None:
    """One lxml tree for every later step, or None for empty input or binary garbage."""
    text = text[:MAX_HTML_CHARS].lstrip("\ufeff")
    if not text.strip() or not _looks_like_markup(text):
        return None
    tree = trafilatura.load_html(text)
    if tree is None:
        # trafilatura refuses documents without an <html> near the start (fragments,
        # a saved <article> alone); give the fragment a document around it.
        tree = trafilatura.load_html(f"<html><body>{text}</body></html>")
    return tree


# --- text ----------------------------------------------------------------------------------


def _article_text(
    tree: HtmlElement, url: str | None, cleaner: Cleaner, repeated: Collection[str]
) -> tuple[str, str]:
    """(raw, clean): precision mode first, the default (recall-leaning) mode if it found none."""
    raw = ""
    table_retry = _table_words(tree) >= TABLE_RETRY_MIN_WORDS
    for precision in (True, False):
        raw = _trafilatura_text(tree, url, precision=precision, tables=False)
        if table_retry:
            with_tables = _trafilatura_text(tree, url, precision=precision, tables=True)
            if _word_count(with_tables) >= TABLE_RETRY_GAIN * _word_count(raw):
                raw = with_tables
        clean = cleaner.clean(raw, repeated=repeated)
        if clean:
            return raw, clean
    return raw, ""


def _trafilatura_text(tree: HtmlElement, url: str | None, *, precision: bool, tables: bool) -> str:
    try:
        # trafilatura copies a tree it is given, so the shared tree stays intact.
        result = trafilatura.extract(tree, url=url, favor_precision=precision,
                                     include_tables=tables, **_TRAFILATURA_OPTIONS)
    except Exception as exc:  # a library bug on one page must not stop a round
        LOGGER.warning("trafilatura failed on %s: %s", url or "a page", exc)
        return ""
    return result or ""


def _table_words(tree: HtmlElement) -> int:
    """Words inside the page's largest table (0 without tables)."""
    return max((_word_count(" ".join(table.itertext())) for table in tree.iter("table")),
               default=0)


def _word_count(text: str) -> int:
    return len(_WORD.findall(text))


# --- metadata ------------------------------------------------------------------------------


def _trafilatura_metadata(tree: HtmlElement, url: str | None) -> Document | None:
    try:
        return trafilatura.extract_metadata(tree, default_url=url)
    except Exception as exc:  # metadata is optional; the text still counts
        LOGGER.warning("metadata extraction failed on %s: %s", url or "a page", exc)
        return None


def _page_meta(tree: HtmlElement) -> dict[str, str]:
    """<meta> contents by lower-cased property/name/http-equiv/itemprop; the first one wins."""
    found: dict[str, str] = {}
    for element in tree.iter("meta"):
        content = (element.get("content") or "").strip()
        if not content:
            continue
        for attribute in ("property", "name", "http-equiv", "itemprop"):
            key = (element.get(attribute) or "").strip().lower()
            if key:
                found.setdefault(key, content)
    return found


def _canonical_url(tree: HtmlElement, meta: dict[str, str], base: str | None) -> str | None:
    candidates = [
        link.get("href") or ""
        for link in tree.iter("link")
        if "canonical" in (link.get("rel") or "").lower().split()
    ]
    candidates.append(meta.get("og:url", ""))
    for candidate in candidates:
        resolved = _absolute_http_url(candidate, base)
        if resolved and not _is_homepage_for_article(resolved, base):
            return resolved
    return None


def _absolute_http_url(href: str, base: str | None) -> str | None:
    href = href.strip()
    if not href or any(ch.isspace() for ch in href):
        return None
    try:
        if href.startswith("//") and not urlsplit(href).netloc:
            return None  # "//" alone would silently resolve to the base URL itself
        resolved = urljoin(base, href) if base else href
        parts = urlsplit(resolved)
    except ValueError:  # malformed IPv6 netloc and the like
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return resolved


def _is_homepage_for_article(canonical: str, base: str | None) -> bool:
    """Sites that misconfigure every page's canonical as the homepage would merge all their
    articles into one record; such a canonical is ignored when the page's own URL is deeper."""
    if urlsplit(canonical).path not in ("", "/"):
        return False
    return base is not None and urlsplit(base).path not in ("", "/")


def _published(
    tree: HtmlElement, meta: dict[str, str], doc: Document | None, urls: tuple[str | None, ...]
) -> str | None:
    stated = [
        *_json_ld_dates(tree),
        *(meta[key] for key in _PUBLISHED_META if key in meta),
        *_time_element_dates(tree),
    ]
    for candidate in stated:
        iso = iso_date(candidate)
        if iso:
            return iso
    # trafilatura's date (htmldate) is a guess from anywhere on the page, and a page with a
    # "today's date" widget in its header makes it guess the fetch day. Such a guess cannot be
    # told from a real same-day date, so it is only trusted when the URL carries it too.
    guess = iso_date(getattr(doc, "date", None) or "")
    if guess and (not _near_today(guess) or _date_in_urls(guess, urls)):
        return guess
    return None


def _near_today(iso: str) -> bool:
    """Within a day of today in UTC (the widget shows the site's local date)."""
    day = date.fromisoformat(iso[:10])
    return abs((day - datetime.now(UTC).date()).days) <= 1


def _date_in_urls(iso: str, urls: tuple[str | None, ...]) -> bool:
    year, month, day = iso[:4], iso[5:7], iso[8:10]
    shapes = (f"{year}/{month}/{day}", f"{year}-{month}-{day}", f"{year}{month}{day}")
    return any(url and any(shape in url for shape in shapes) for url in urls)


def iso_date(value: str) -> str | None:
    """An ISO 8601 date (``2022-04-19``) or datetime (``2022-04-19T16:30:00+00:00``), or None.

    Accepts ISO forms and RFC 2822 (some sites put that in meta tags); rejects the rest.
    """
    value = (value or "").strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if not 1990 <= moment.year <= 2100:
        return None
    if _DATE_ONLY.match(value):
        return moment.date().isoformat()
    return moment.isoformat(timespec="seconds")


def _json_ld_dates(tree: HtmlElement) -> list[str]:
    """datePublished values of JSON-LD objects, article types first."""
    article_dates: list[str] = []
    other_dates: list[str] = []
    for item in _json_ld_objects(tree):
        value = item.get("datePublished")
        if not isinstance(value, str):
            continue
        types = item.get("@type")
        names = types if isinstance(types, list) else [types]
        is_article = any(isinstance(n, str) and n.lower() in _ARTICLE_TYPES for n in names)
        (article_dates if is_article else other_dates).append(value)
    return article_dates + other_dates


def _json_ld_objects(tree: HtmlElement) -> Iterator[dict[str, Any]]:
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        source = (script.text or "").strip()
        # Some CMSs wrap the JSON in an HTML comment or CDATA section.
        source = re.sub(r"^(?:<!--|/\*<!\[CDATA\[\*/|<!\[CDATA\[)|(?:-->|/\*\]\]>\*/|\]\]>)$",
                        "", source).strip()
        try:
            data = json.loads(source, strict=False)
        except ValueError:
            continue
        yield from _walk_json(data, depth=0)


def _walk_json(node: Any, depth: int) -> Iterator[dict[str, Any]]:
    if depth > 8:  # nesting this deep is not metadata any more
        return
    if isinstance(node, dict):
        yield node
        for value in node.values():
            if isinstance(value, dict | list):
                yield from _walk_json(value, depth + 1)
    elif isinstance(node, list):
        for value in node:
            yield from _walk_json(value, depth + 1)


def _time_element_dates(tree: HtmlElement) -> list[str]:
    """<time datetime> values that say they are the publication date, then those inside the
    article. A bare first <time> on the page is often a header widget showing today's date,
    which would pass the fetch time off as the publication date."""
    marked: list[str] = []
    in_article: list[str] = []
    for element in tree.iter("time"):
        value = element.get("datetime")
        if not value:
            continue
        hints = " ".join(element.get(a) or "" for a in ("itemprop", "class", "id")).lower()
        if element.get("pubdate") is not None or "published" in hints or "pubdate" in hints:
            marked.append(value)
        elif any(parent.tag in ("article", "main") for parent in element.iterancestors()):
            in_article.append(value)
    return marked + in_article


def _language(
    tree: HtmlElement, meta: dict[str, str], doc: Document | None, text: str
) -> str | None:
    declared = [
        # The HTML parser keeps XHTML's xml:lang as a plain attribute of that name.
        tree.get("lang") or tree.get("xml:lang") or "",
        meta.get("og:locale", ""),
        meta.get("content-language", "").split(",")[0],
        meta.get("language", ""),
        getattr(doc, "language", None) or "",
    ]
    for value in declared:
        match = _LANG_CODE.match(value)
        if match:
            return match.group(1).lower()
    return detect_language(text)


def detect_language(text: str) -> str | None:
    """Guess the language of ``text`` from function words; None when unsure."""
    words = [w.lower() for w in _WORD.findall(text[:5000])]
    if len(words) < _DETECT_MIN_WORDS:
        return None
    scores = sorted(
        ((sum(w in stop for w in words) / len(words), lang) for lang, stop in _STOPWORDS.items()),
        reverse=True,
    )
    (best, lang), (second, _) = scores[0], scores[1]
    # Romance languages share many function words: demand a clear lead.
    return lang if best >= 0.15 and best >= 1.25 * second else None


def _strip_site_suffix(title: str | None, site_name: str | None) -> str | None:
    """"Talks in Havana | Example News" -> "Talks in Havana" when the suffix is the site name."""
    if not title or not site_name:
        return title
    match = _TITLE_SUFFIX.match(title)
    if match and fold(match.group(2)) == fold(site_name) and match.group(1).strip():
        return match.group(1).strip()
    return title


def _drop_leading_title(text: str, title: str | None) -> str:
    """Some pages repeat the headline as the first line of the body; the title is stored on
    its own, and a second copy would double its mentions."""
    first, _, rest = text.partition("\n")
    if title and first and fold(first) == fold(title):
        return rest.lstrip("\n")
    return text


def _text_or_none(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None

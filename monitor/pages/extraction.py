"""Article pages -> clean text and metadata.

trafilatura does the heavy lifting (main-content detection, metadata); this module adds what
a news monitor needs around it: robust decoding, one lxml parse shared by every step, a
canonical URL that is safe to use as the article's identity, a publication date taken only
from the page (never the fetch time), a 2-letter language code, and the cleaning layer of
:mod:`monitor.pages.cleaning` on top of trafilatura's text.

The text is trafilatura's precision mode (``include_comments=False``), steered by what the
page shows about itself rather than by rules for particular sites:

* before extraction, two markup repairs: inline elements inside a sentence lose the class
  that would make trafilatura drop them, and a container's loose leading text becomes a
  paragraph (:func:`_unmark_inline_elements`, :func:`_wrap_leading_text`);
* the fast variant first, trafilatura's full cascade (readability, jusText) only when that
  finds little, the default mode when precision keeps nothing, tables when they add text;
* an article body split into sibling containers is joined (:func:`_merge_article_chunks`);
* after cleaning: copies of the headline near the top and a closing run of link headlines go
  (:func:`_drop_title_lines`, :func:`_drop_trailing_links`).

``bench/extraction.py`` measures all of it against plain trafilatura on the article-extraction
benchmark, on two fixed halves of its pages.

Nothing here raises on bad pages: a page that yields no text gives ``Extracted.text == ""``.
"""

from __future__ import annotations

import codecs
import json
import logging
import re
from collections import Counter
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import trafilatura
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.settings import Document

try:  # the pieces of trafilatura.extract_metadata that monitor uses, without the rest
    from htmldate import find_date
    from trafilatura.metadata import (
        examine_meta,
        extract_author,
        extract_meta_json,
        extract_sitename,
        extract_title,
    )
    from trafilatura.settings import set_date_params
except ImportError:  # pragma: no cover - a trafilatura that moved them: use the whole thing
    find_date = None  # type: ignore[assignment]

from ..assets import Assets
from ..text import fold, squash
from .cleaning import Cleaner

LOGGER = logging.getLogger(__name__)

#: Bigger inputs are cut: the fetcher caps bodies already, this guards direct callers (saved
#: files, `ingest`). Article text and metadata sit well inside the first megabytes.
MAX_HTML_CHARS = 20 * 1024 * 1024

#: Tables are left out by default: in news they are mostly data grids that the NLP stage
#: cannot read. But some pages lay their article out in tables, and some articles are mostly
#: tables (stats, results); when a second pass with tables adds at least this share of words,
#: the tables are taken as content. On the benchmark this restores the 3 of 121 pages that
#: need it: trafilatura's precision mode scores F1 0.954 without tables, 0.964 with all of
#: them or with this rule.
TABLE_RETRY_GAIN = 1.25
#: A table with fewer words is navigation or a small fact box: not worth a second pass.
TABLE_RETRY_MIN_WORDS = 50

#: The fast precision pass is trusted when its cleaned text has at least this many words and
#: at least this share of the words in the page's paragraphs; otherwise trafilatura's full
#: precision mode (with its readability and jusText comparison) runs too.
SHORT_TEXT_WORDS = 100
PAGE_SHARE = 0.5

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
#: How a page's publication date was found (``Extracted.published_source``), most reliable
#: first: stated for the article by JSON-LD, meta tags or a marked <time>; hinted by a <time>
#: inside the article or a non-article JSON-LD object; guessed by htmldate.
STATED = "stated"
HINTED = "hinted"
GUESSED = "guessed"

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
    #: How ``published`` was found: :data:`STATED`, :data:`HINTED`, :data:`GUESSED` or None.
    #: :func:`publication_date` weighs it against a feed entry's date.
    published_source: str | None = None


def default_cleaner() -> Cleaner:
    """A cleaner of the shipped residue patterns: a new one on every call (nothing is kept
    between calls), so a caller extracting many pages loads one and passes it as
    ``cleaner=``, as :class:`monitor.pipeline.Monitor` does."""
    return Cleaner.load(assets=Assets.default())


def extract_article(
    html: str | bytes,
    url: str | None = None,
    *,
    cleaner: Cleaner | None = None,
    repeated: Collection[str] = (),
) -> Extracted:
    """Extract the article of one page; never raises for a bad page (text is "" then).

    ``cleaner`` defaults to a new :func:`default_cleaner` (pass one to extract many pages).
    ``repeated`` holds :func:`monitor.pages.cleaning.line_key` keys of the site's furniture lines.
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
    # Dates first: trafilatura works on copies, but the date guess reads this tree.
    json_ld = list(_json_ld_objects(tree))
    published, published_source = _published(tree, meta, json_ld, (canonical, base))
    own_urls = {u for u in (canonical, base) if u}
    if cleaner is None:
        cleaner = default_cleaner()
    raw, clean = _article_text(tree, best_url, cleaner, repeated, own_urls)
    return Extracted(
        url=best_url,
        canonical_url=canonical,
        title=title,
        author=_text_or_none(doc.author if doc else None),
        published=published,
        published_source=published_source,
        site_name=site_name,
        language=_language(tree, meta, doc, clean),
        description=_text_or_none(doc.description if doc else None),
        text=_drop_trailing_links(
            _drop_title_lines(clean, _headlines(tree, meta, json_ld, title)), tree),
        raw_text=raw,
    )


def _empty(url: str | None) -> Extracted:
    return Extracted(url=url, canonical_url=None, title=None, author=None, published=None,
                     site_name=None, language=None, description=None, text="", raw_text="")


# --- decoding and parsing ------------------------------------------------------------------


def decode_html(data: bytes) -> str:
    """Bytes -> text: BOM, else UTF-8, else the charset the page declares, else a detected one.

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
    return data.decode(detect_encoding(data), errors="replace")


#: Bytes read to guess an undeclared encoding: enough for any page's prose, bounded for a
#: 15 MB one.
DETECT_BYTES = 256 * 1024


def detect_encoding(data: bytes) -> str:
    """The encoding of bytes that are not UTF-8 and declare none, by charset-normalizer.

    Single-byte Latin encodings tie on Western text (cp1250 and cp1252 both read "Cossío",
    but only cp1252 reads "España"); on a tie windows-1252 wins, as it is the HTML
    standard's fallback for unlabelled pages. It is also the answer when detection finds
    nothing, since it decodes almost every byte."""
    from charset_normalizer import from_bytes

    results = from_bytes(data[:DETECT_BYTES])
    best = results.best()
    if best is None:
        return "cp1252"
    for match in results:
        if (match.chaos, match.coherence) == (best.chaos, best.coherence) and \
                "cp1252" in match.could_be_from_charset:
            return "cp1252"
    return best.encoding


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
    if tree is not None:
        _trim_text(tree, PAGE_TEXT_BUDGET)
    return tree


#: Visible text a page is read for, in characters: an article is kept up to
#: ``cleaning.max_chars`` (200,000 by default), so text far beyond that can only be cut later;
#: reading it would cost trafilatura, whose work grows faster than the page, a minute on a
#: 14 MB page. Script and style contents do not count (a page's JSON blobs are not text).
PAGE_TEXT_BUDGET = 1_000_000
_NOT_TEXT = frozenset({"script", "style", "noscript", "template", "svg"})


def _trim_text(tree: HtmlElement, budget: int) -> bool:
    """Cut the document after the element at which its visible text passes ``budget``
    characters: everything after it in document order goes. Returns whether it cut."""
    total = 0
    last = None
    for element in tree.iter():
        if not isinstance(element.tag, str):  # comments, processing instructions
            total += len(element.tail or "")
            continue
        if element.tag not in _NOT_TEXT:
            total += len(element.text or "")
        total += len(element.tail or "")
        if total > budget:
            last = element
            break
    if last is None:
        return False
    last.tail = None
    for child in list(last):
        last.remove(child)
    node = last
    while (parent := node.getparent()) is not None:
        for sibling in list(node.itersiblings()):
            parent.remove(sibling)
        node = parent
    return True


# --- text ----------------------------------------------------------------------------------


def _article_text(
    tree: HtmlElement,
    url: str | None,
    cleaner: Cleaner,
    repeated: Collection[str],
    own_urls: Collection[str],
) -> tuple[str, str]:
    """(raw, clean): trafilatura's precision mode, with fallbacks when it finds too little.

    1. Precision mode in trafilatura's fast variant. Its full variant also runs readability
       and jusText and keeps their text when its own is empty or much shorter; on a page
       where the fast pass already found a fair share of the text that never happens, so the
       full variant only runs when the fast one found little (:data:`SHORT_TEXT_WORDS`, or
       less than :data:`PAGE_SHARE` of the words in the page's paragraphs).
    2. When even that leaves nothing once cleaned (the precision rules threw the article
       container away and kept only furniture), the default mode.
    """
    _unmark_inline_elements(tree)
    _wrap_leading_text(tree)
    page_words = _paragraph_words(tree)
    table_retry = _table_words(tree) >= TABLE_RETRY_MIN_WORDS

    def attempt(precision: bool, fast: bool) -> _Attempt:
        raw = _trafilatura_text(tree, url, precision=precision, tables=False, fast=fast)
        if table_retry:
            with_tables = _trafilatura_text(tree, url, precision=precision, tables=True,
                                            fast=fast)
            if _word_count(with_tables) >= TABLE_RETRY_GAIN * _word_count(raw):
                raw = with_tables
        clean = cleaner.clean(_drop_own_urls(raw, own_urls), repeated=repeated)
        return _Attempt(raw, clean, _word_count(clean), precision, fast)

    best = attempt(precision=True, fast=True)
    if best.words < SHORT_TEXT_WORDS or best.words < PAGE_SHARE * page_words:
        best = attempt(precision=True, fast=False)
        if not best.words:
            fallback = attempt(precision=False, fast=False)
            if fallback.words > best.words:
                best = fallback
    if best.words and _merge_article_chunks(tree, best.raw):
        merged = attempt(best.precision, best.fast)
        if merged.words > best.words and _covers(merged.clean, best.clean):
            best = merged
    return best.raw, best.clean


@dataclass
class _Attempt:
    raw: str
    clean: str
    words: int
    precision: bool
    fast: bool


#: A line of extracted text is looked up among the page's paragraphs by its tokens; shorter
#: lines (headings, labels) are too common to say where they came from.
CHUNK_LINE_MIN_TOKENS = 8
#: How far above a found paragraph the repeated chunk container may sit.
CHUNK_MAX_LEVELS = 3
#: Sibling chunks must hold at least this many words of paragraphs not yet extracted.
CHUNK_MIN_NEW_WORDS = 50


def _tokens_key(text: str) -> str:
    return " ".join(_WORD.findall(text))


def _merge_article_chunks(tree: HtmlElement, raw: str) -> bool:
    """Join an article body split into sibling containers; True when the tree was changed.

    Some layouts cut the body into several containers of the same class with ads or
    newsletter boxes between them (``<div class="body">…</div><div class="ad"/><div
    class="body">…</div>``); trafilatura takes the first container and stops. Found from the
    first extracted paragraph, the container's siblings of the same tag and class that hold
    paragraphs not yet extracted are moved into the first one, for one more pass. Siblings
    that look like whole articles (an <article> or an <h1> of their own: the next story of an
    endless-scroll page) are not chunks, and neither are siblings separated by other text.
    """
    keys = _line_keys(raw)
    if not keys:
        return False
    first = next((p for p in tree.iter("p") if _tokens_key(" ".join(p.itertext())) in keys),
                 None)
    node = first
    for _ in range(CHUNK_MAX_LEVELS):
        node = node.getparent() if node is not None else None
        parent = node.getparent() if node is not None else None
        if parent is None:
            return False
        chunks = _chunk_run(node, parent)
        if len(chunks) < 2:
            continue
        if any(chunk.tag == "article" or next(chunk.iter("article", "h1"), None) is not None
               for chunk in chunks):
            return False
        new_words = sum(
            len(tokens)
            for chunk in chunks if chunk is not node
            for p in chunk.iter("p")
            if len(tokens := _WORD.findall(" ".join(p.itertext()))) >= CHUNK_LINE_MIN_TOKENS
            and " ".join(tokens) not in keys
        )
        if new_words < CHUNK_MIN_NEW_WORDS:
            continue
        target = chunks[0]
        for chunk in chunks[1:]:
            for child in list(chunk):
                target.append(child)
            chunk.getparent().remove(chunk)
        return True
    return False


def _line_keys(text: str) -> set[str]:
    """Token keys of the lines of ``text`` long enough to be looked up in the page."""
    keys = set()
    for line in text.splitlines():
        tokens = _WORD.findall(line)
        if len(tokens) >= CHUNK_LINE_MIN_TOKENS:
            keys.add(" ".join(tokens))
    return keys


def _chunk_run(node: HtmlElement, parent: HtmlElement) -> list[HtmlElement]:
    """``node`` and its siblings of the same tag and class, in document order, as long as
    what separates them holds no paragraph text (ads, newsletter boxes, empty slots)."""
    signature = (node.tag, node.get("class"))
    if not signature[1]:
        return [node]
    children = [child for child in parent if isinstance(child.tag, str)]
    index = children.index(node)
    run = [node]
    for step in (-1, 1):
        position = index + step
        while 0 <= position < len(children):
            child = children[position]
            if (child.tag, child.get("class")) == signature:
                run.insert(0, child) if step < 0 else run.append(child)
            elif any(_word_count(" ".join(p.itertext())) >= CHUNK_LINE_MIN_TOKENS
                     for p in child.iter("p")):
                break
            position += step
    return run


def _covers(longer: str, shorter: str) -> bool:
    """Most lines of ``shorter`` are in ``longer`` too (a merge must add, not replace)."""
    lines = [_tokens_key(line) for line in shorter.splitlines() if line.strip()]
    found = set(_tokens_key(line) for line in longer.splitlines())
    return sum(line in found for line in lines) >= 0.9 * len(lines)


def _trafilatura_text(
    tree: HtmlElement, url: str | None, *, precision: bool, tables: bool, fast: bool = False
) -> str:
    try:
        # trafilatura copies a tree it is given, so the shared tree stays intact.
        result = trafilatura.extract(tree, url=url, favor_precision=precision, fast=fast,
                                     include_tables=tables, **_TRAFILATURA_OPTIONS)
    except Exception as exc:  # a library bug on one page must not stop a round
        LOGGER.warning("trafilatura failed on %s: %s", url or "a page", exc)
        return ""
    return result or ""


#: Inline elements: part of a sentence when they sit inside a paragraph with text around them.
_INLINE_TAGS = frozenset(
    "a abbr b bdi bdo cite code data dfn em font i kbd mark q s samp small span strong sub "
    "sup time u var".split()
)
_TEXT_BLOCKS = ("p", "li", "blockquote", "dd")
#: A paragraph has a few links and highlights; with more marked elements than this it is
#: word-level markup, and trafilatura's time grows with the square of the inline elements it
#: keeps in one paragraph.
UNMARK_MAX_PER_PARAGRAPH = 16
#: Elements a paragraph has at most (twice: start and end); more is a container, not a
#: paragraph, and walking each of those nested in one another would take quadratic time.
UNMARK_MAX_STEPS = 2000
#: Text meant for screen readers or hidden: it keeps its class, so trafilatura still drops it.
_HIDDEN_CLASS = re.compile(r"hidden|sr-only|screen-?reader|visually|offscreen|a11y|no-?print",
                           re.IGNORECASE)


def _unmark_inline_elements(tree: HtmlElement) -> None:
    """Take class and id off inline elements in the middle of a paragraph's text.

    trafilatura drops elements by the words in their class or id ("link", "bottom",
    "teaser", …); on an inline element inside a sentence that cuts words out of the middle of
    it ("… has reported that <span class="link"><a>the NFL will fine Rudolph</a></span> for
    his role …"). An inline element with text of its own paragraph on both sides is part of
    the sentence, whatever its class says; one alone in its paragraph is left to trafilatura.
    """
    by_block: dict[HtmlElement, list[HtmlElement]] = {}
    for element in tree.iter(*_INLINE_TAGS):
        attributes = element.attrib
        if ("class" not in attributes and "id" not in attributes) or _HIDDEN_CLASS.search(
            f"{attributes.get('class', '')} {attributes.get('id', '')}"
        ):
            continue
        block = next(element.iterancestors(*_TEXT_BLOCKS), None)
        if block is not None:
            by_block.setdefault(block, []).append(element)
    for block, elements in by_block.items():
        if len(elements) > UNMARK_MAX_PER_PARAGRAPH:
            continue  # word-level markup (or a hostile page): left as it is
        if _text_length(block) <= sum(_text_length(element) for element in elements):
            continue  # nothing around them (a menu item, a lone link): trafilatura decides
        for element in _inside_sentences(block, set(elements)):
            element.attrib.pop("class", None)
            element.attrib.pop("id", None)


_STRING = etree.XPath("string()")


def _text_length(element: HtmlElement) -> int:
    return len(str(_STRING(element)).strip())


def _inside_sentences(block: HtmlElement, elements: set[HtmlElement]) -> list[HtmlElement]:
    """Those of ``elements`` with text of ``block`` (not of paragraphs nested in it) both
    before and after them."""
    seen = 0  # characters of the block's own text so far
    nested = 0  # depth inside paragraphs nested in the block, whose text is theirs
    starts: dict[HtmlElement, int] = {}
    ranges: list[tuple[HtmlElement, int, int]] = []
    for step, (event, element) in enumerate(etree.iterwalk(block, events=("start", "end"))):
        if step > UNMARK_MAX_STEPS:
            return []  # not a paragraph: a list holding a whole menu or page
        own = element is not block and isinstance(element.tag, str) \
            and element.tag in _TEXT_BLOCKS
        if event == "start":
            nested += own
            if element in elements:
                starts[element] = seen
            if not nested and isinstance(element.tag, str):  # comments' text is not text
                seen += len((element.text or "").strip())
            continue
        nested -= own
        if element in starts:
            ranges.append((element, starts.pop(element), seen))
        if not nested and element is not block:
            seen += len((element.tail or "").strip())
    return [element for element, before, upto in ranges if before > 0 and upto < seen]


_CONTAINERS = ("div", "section", "article", "main")
#: Shorter leading text is a label ("By", "Photo:"), not the start of a paragraph.
LEADING_TEXT_MIN_CHARS = 40


def _wrap_leading_text(tree: HtmlElement) -> None:
    """Give a container's loose leading text its own <p>.

    Pages that separate paragraphs with <br> ("<div class=content>First paragraph…<br><br>
    Second…") have the first paragraph as the container's own text; trafilatura keeps the
    text after each <br> but loses that first run. Wrapped in a <p> (with the inline elements
    up to the first <br> or block), it is a paragraph like the others.
    """
    for container in list(tree.iter(*_CONTAINERS)):
        text = container.text or ""
        if len(container) == 0 or len(text.strip()) < LEADING_TEXT_MIN_CHARS:
            continue
        run = 0  # inline elements that continue the leading text
        while run < len(container) and (
            not isinstance(container[run].tag, str) or container[run].tag in _INLINE_TAGS
        ):  # comments go along with the text around them
            run += 1
        if run == len(container):
            continue  # all inline: the container is itself a paragraph
        paragraph = container.makeelement("p", {})
        paragraph.text, container.text = text, None
        for child in list(container[:run]):
            paragraph.append(child)  # moves it, with its tail
        container.insert(0, paragraph)


def _drop_own_urls(text: str, own_urls: Collection[str]) -> str:
    """Without lines that are only the page's own address (print footers, share widgets)."""
    if not own_urls or not any(url in text for url in own_urls):
        return text
    return "\n".join(line for line in text.splitlines() if line.strip() not in own_urls)




def _paragraph_words(tree: HtmlElement) -> int:
    """Words inside the page's <p> elements: a rough measure of how much text it has. (Walked
    element by element: the XPath ``//p//text()`` took 25 s on a page of 140,000 <p>s.)"""
    return sum(_word_count(" ".join(p.itertext())) for p in tree.iter("p")
               if p.getparent() is None or not _inside_p(p))


def _inside_p(element: HtmlElement) -> bool:
    return any(ancestor.tag == "p" for ancestor in element.iterancestors())


def _table_words(tree: HtmlElement) -> int:
    """Words inside the page's largest table (0 without tables)."""
    return max((_word_count(" ".join(table.itertext())) for table in tree.iter("table")),
               default=0)


def _word_count(text: str) -> int:
    return len(_WORD.findall(text))


# --- metadata ------------------------------------------------------------------------------


def _trafilatura_metadata(tree: HtmlElement, url: str | None) -> Document | None:
    """Title, author, site name, description and declared language, as trafilatura finds them.

    These are the steps of ``trafilatura.extract_metadata`` that monitor uses (meta tags,
    JSON-LD, then the page's markup for what they lack), without its categories, tags,
    licence and date guess: those cost more than half of its time, and the date is guessed
    only when the page states none (:func:`_published`).
    """
    try:
        if find_date is None:  # pragma: no cover
            return trafilatura.extract_metadata(tree, default_url=url)
        doc = examine_meta(tree)
        if doc.author and " " not in doc.author:  # a handle or a one-word label, not a name
            doc.author = None
        try:
            doc = extract_meta_json(tree, doc)
        except Exception as exc:  # trafilatura's JSON-LD walker on odd data
            LOGGER.debug("JSON-LD metadata failed on %s: %s", url or "a page", exc)
        doc.title = doc.title or extract_title(tree)
        doc.author = doc.author or extract_author(tree)
        doc.sitename = doc.sitename or extract_sitename(tree)
        if doc.sitename:
            doc.sitename = doc.sitename.lstrip("@")
            if doc.sitename and "." not in doc.sitename and not doc.sitename[0].isupper():
                doc.sitename = doc.sitename.title()
        doc.clean_and_trim()
        return doc
    except Exception as exc:  # metadata is optional; the text still counts
        LOGGER.warning("metadata extraction failed on %s: %s", url or "a page", exc)
        return None


def _guess_date(tree: HtmlElement, url: str | None) -> str | None:
    """htmldate's guess from anywhere on the page (trafilatura's own date), or None."""
    try:
        if find_date is None:  # pragma: no cover
            doc = trafilatura.extract_metadata(tree, default_url=url)
            return getattr(doc, "date", None)
        return find_date(tree, url=url, **set_date_params(True))
    except Exception as exc:
        LOGGER.debug("date guess failed on %s: %s", url or "a page", exc)
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
    tree: HtmlElement,
    meta: dict[str, str],
    json_ld: list[dict[str, Any]],
    urls: tuple[str | None, ...],
) -> tuple[str | None, str | None]:
    """(ISO date, how it was found: :data:`STATED`, :data:`HINTED` or :data:`GUESSED`)."""
    article_ld, other_ld = _json_ld_dates(json_ld)
    marked_times, article_times = _time_element_dates(tree)
    tiers = (
        (STATED, [*article_ld, *(meta[key] for key in _PUBLISHED_META if key in meta),
                  *marked_times]),
        (HINTED, [*other_ld, *article_times]),
    )
    for tier, candidates in tiers:
        for candidate in candidates:
            iso = iso_date(candidate)
            if iso and not _in_future(iso):
                return iso, tier
    # trafilatura's date (htmldate) is a guess from anywhere on the page, and a page with a
    # "today's date" widget in its header makes it guess the fetch day. Such a guess cannot be
    # told from a real same-day date, so it is only trusted when the URL carries it too.
    guess = iso_date(_guess_date(tree, next((u for u in urls if u), None)) or "")
    if guess and not _in_future(guess) and (not _near_today(guess)
                                            or _date_in_urls(guess, urls)):
        return guess, GUESSED
    return None, None


def publication_date(page: Extracted, feed_published: str | None) -> str | None:
    """The ``published`` to store for a page reached from a feed entry (or from nowhere).

    Most reliable first: a date the page states for the article (JSON-LD article
    ``datePublished``, ``article:published_time`` and kin, a ``<time>`` marked as the
    publication date); the feed entry's date; the page's weaker hints (a ``<time>`` in the
    article, the ``datePublished`` of a non-article JSON-LD object); htmldate's guess. A date
    in the future is nobody's publication date. None when nothing dates the article: never
    the fetch time.
    """
    if page.published and page.published_source == STATED:
        return page.published
    feed = iso_date(feed_published or "")
    if feed and not _in_future(feed):
        return feed
    return page.published


def _in_future(iso: str) -> bool:
    """Later than a day from now (time zones and clock skew aside, not yet published)."""
    day = date.fromisoformat(iso[:10])
    return (day - datetime.now(UTC).date()).days > 1


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


def _json_ld_dates(json_ld: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """datePublished values of JSON-LD objects: (article types, other types)."""
    article_dates: list[str] = []
    other_dates: list[str] = []
    for item in json_ld:
        value = item.get("datePublished")
        if not isinstance(value, str):
            continue
        types = item.get("@type")
        names = types if isinstance(types, list) else [types]
        is_article = any(isinstance(n, str) and n.lower() in _ARTICLE_TYPES for n in names)
        (article_dates if is_article else other_dates).append(value)
    return article_dates, other_dates


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


def _time_element_dates(tree: HtmlElement) -> tuple[list[str], list[str]]:
    """<time datetime> values: (those that say they are the publication date, those inside
    the article). A bare first <time> on the page is often a header widget showing today's
    date, which would pass the fetch time off as the publication date."""
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
    return marked, in_article


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


#: Where a headline copy sits in extracted text: among its first lines.
TITLE_SCAN_LINES = 5
#: Share of a headline's words a line must have (and of the line's words the headline must
#: have) to count as a copy of it; headline variants differ in a word or two ("… tariffs
#: and trade" / "… tariffs and international trade").
TITLE_SIMILARITY = 0.8
_TITLE_MAX_CHARS = 300


def _headlines(
    tree: HtmlElement, meta: dict[str, str], json_ld: list[dict[str, Any]], title: str | None
) -> list[str]:
    """The forms of the page's headline: its title, og/twitter titles, JSON-LD headline, h1."""
    found = [title or "", meta.get("og:title", ""), meta.get("twitter:title", "")]
    for item in json_ld:
        headline = item.get("headline")
        if isinstance(headline, str):
            found.append(headline)
    found += [" ".join(h1.itertext()) for h1 in tree.iter("h1")]
    return [h for h in dict.fromkeys(squash(h) for h in found) if h]


def _drop_title_lines(text: str, headlines: list[str]) -> str:
    """Without copies of the headline among the first lines of the body.

    The title is stored on its own; a copy in the text would double its mentions. Pages
    show the headline in several variants (<title>, og:title, <h1>), and the copy can come
    after a kicker or a dateline line, so lines near the top that match any variant closely
    enough go.
    """
    if not headlines or not text:
        return text
    targets = [Counter(_WORD.findall(fold(h))) for h in headlines]
    lines = text.splitlines()
    kept: list[str] = []
    seen = 0
    for index, line in enumerate(lines):
        if not line.strip():
            kept.append(line)
            continue
        seen += 1
        if seen > TITLE_SCAN_LINES:
            kept.extend(lines[index:])
            break
        if len(line) <= _TITLE_MAX_CHARS and _matches_headline(line, targets):
            continue
        kept.append(line)
    result = "\n".join(kept).strip("\n")
    return result if result.strip() else text  # a one-line brief is its own headline


def _matches_headline(line: str, targets: list[Counter[str]]) -> bool:
    words = Counter(_WORD.findall(fold(line)))
    size = sum(words.values())
    if not size:
        return False
    for target in targets:
        common = sum((words & target).values())
        if common >= TITLE_SIMILARITY * max(size, sum(target.values())):
            return True
    return False


#: A headline in a list of links: short, without a full stop.
_LINK_LINE_MAX_CHARS = 160
#: One link line at the end may be the article's own ("Read the full report"); a list has two.
TRAILING_LINKS_MIN_LINES = 2
_URL_LINE = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?…:;][\"'”’»)\]]*$")
_BULLET = re.compile(r"^(?:[-–—•*·▪►|>]+\s*)+")


def _drop_trailing_links(text: str, tree: HtmlElement) -> str:
    """Without the run of link lines that ends the text: a "more on this" list.

    A line whose whole text is the text of one link of the page, short and without a full
    stop, is a headline pointing elsewhere; at the end of an article a run of them is a list
    of related stories, whatever its heading (or none) says.
    """
    lines = text.splitlines()
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    if not end or not _is_headline(lines[end - 1]):
        return text
    links = {_tokens_key(" ".join(a.itertext())) for a in tree.iter("a")}
    links.discard("")
    start = end
    while start and (not lines[start - 1].strip() or (
            _is_headline(lines[start - 1])
            and _tokens_key(_BULLET.sub("", lines[start - 1])) in links)):
        start -= 1
    while start < end and not lines[start].strip():
        start += 1
    if not start or sum(1 for line in lines[start:end] if line.strip()) < TRAILING_LINKS_MIN_LINES:
        return text  # nothing but links: not an article with a list after it
    return "\n".join(lines[:start]).rstrip()


def _is_headline(line: str) -> bool:
    """Short, no full stop, and not an address (a source cited at the end is text)."""
    line = line.strip()
    return (0 < len(line) <= _LINK_LINE_MAX_CHARS and not _SENTENCE_END.search(line)
            and not _URL_LINE.match(line))


def _text_or_none(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None

"""Feed parsing: RSS / Atom / RDF bytes -> :class:`ParsedFeed` with fetchable item URLs.

feedparser does the parsing, but its input is untrusted, so two things happen first:

* the bytes are converted to UTF-8 with feedparser's own encoding rules (so the next step
  sees exactly the characters feedparser will see, whatever charset the server claims), and
* :func:`neutralise_declarations` removes every DOCTYPE / ENTITY declaration from the prolog.
  feedparser keeps "safe-looking" internal entities (any literal without ``&``), so a 162 KB
  feed declaring one 100 KB entity referenced 20,000 times expands to gigabytes (measured:
  125 s, 9.8 GB). Without declarations there is nothing to expand and no external entity
  (``SYSTEM "file:///etc/passwd"``) to resolve. HTML named entities such as ``&nbsp;`` still
  work: undefined entities make the strict parser fail and feedparser's loose parser, which
  knows the HTML entities, takes over.

Numeric character references that name no character (``&#99999999999;``, beyond U+10FFFF, or a
surrogate) are replaced by U+FFFD first: feedparser's loose parser raises on them
(OverflowError, ValueError), which would lose the whole feed over one bad reference.
"""

from __future__ import annotations

import calendar
import codecs
import io
import re
import time
import xml.sax
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import urljoin

import feedparser
from feedparser.encodings import convert_to_utf8

from ..errors import FeedError
from ..text import squash
from .urls import is_fetchable_url

MAX_URL_LENGTH = 2048

#: Exceptions feedparser (and its sgmllib-based loose parser) has been seen or may plausibly
#: raise on hostile input instead of setting ``bozo``. They become FeedError, never silence.
#: Seen by fuzzing: OverflowError (huge character references), UnicodeDecodeError and
#: ValueError (encoding names with non-UTF-8 bytes or NUL) from encoding detection.
_PARSER_CRASHES: tuple[type[Exception], ...] = (
    ValueError,  # includes UnicodeError
    TypeError,
    AttributeError,
    LookupError,  # IndexError, KeyError, unknown codecs
    ArithmeticError,  # OverflowError
    AssertionError,
    RecursionError,
    xml.sax.SAXException,
)

#: A numeric character reference (decimal or hexadecimal), in an ASCII-compatible encoding.
_CHAR_REF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));")
_REPLACEMENT_REF = b"&#xFFFD;"

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


@dataclass
class FeedItem:
    url: str  #: absolute http(s), <= 2048 chars; feedburner:origLink preferred over link
    title: str | None
    published: str | None  #: ISO 8601 UTC, e.g. "2022-04-20T14:03:00+00:00"
    summary: str | None  #: plain text, whitespace collapsed
    guid: str | None


@dataclass
class ParsedFeed:
    title: str | None
    site_url: str | None
    items: list[FeedItem]  #: newest first when dated, otherwise document order
    ttl_seconds: int | None
    skipped: int  #: entries without a usable http(s) link


# ------------------------------------------------------------ declaration neutralising

#: Characters that matter while skipping over one markup declaration. A single-character
#: class cannot backtrack, so every search is linear and the whole scan is O(n).
_DECL_STRUCTURE = re.compile(r"[\"'\[\]<>]")

#: (BOM, codec) for encodings that are not ASCII-compatible, longest BOM first.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
)
#: "<?xm" (or "<" and "?") in encodings without a BOM, as in XML 1.0 appendix F.
_MARKERS: tuple[tuple[bytes, str], ...] = (
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<\x00?", "utf-16-be"),
    (b"<\x00?\x00", "utf-16-le"),
    (b"\x4c\x6f\xa7\x94", "cp037"),  # EBCDIC
)


def _skip_past(text: str, terminator: str, start: int) -> int:
    """Index just after ``terminator`` at or after ``start``; ``len(text)`` if absent."""
    found = text.find(terminator, start)
    return len(text) if found < 0 else found + len(terminator)


def _declaration_end(text: str, start: int) -> int:
    """End (exclusive) of the ``<!...>`` declaration starting at ``start``.

    Follows quoted literals, ``[...]`` internal subsets (nested for ``<![CDATA[``), comments
    and processing instructions, so a ``>`` inside any of them does not end it. An
    unterminated declaration runs to the end of the document, as it does for an XML parser.
    """
    pos, depth, end = start + 2, 0, len(text)
    while pos < end:
        match = _DECL_STRUCTURE.search(text, pos)
        if match is None:
            return end
        char, at = match.group(), match.start()
        if char in "\"'":
            pos = _skip_past(text, char, at + 1)
        elif char == "[":
            depth, pos = depth + 1, at + 1
        elif char == "]":
            depth, pos = max(0, depth - 1), at + 1
        elif char == "<":
            if text.startswith("<!--", at):
                pos = _skip_past(text, "-->", at + 4)
            elif text.startswith("<?", at):
                pos = _skip_past(text, "?>", at + 2)
            else:
                pos = at + 1
        elif depth == 0:  # ">" outside the internal subset
            return at + 1
        else:
            pos = at + 1
    return end


def _is_name_start(char: str) -> bool:
    # Same test as feedparser's own prolog split (bytes regex ``<\w``), so whatever
    # feedparser treats as its "head" is always inside the part scanned here.
    return char.isascii() and (char.isalnum() or char in "_:")


def _strip_declarations(text: str) -> str:
    """Remove every ``<!...>`` declaration (DOCTYPE, ENTITY, …) before the root element.

    Comments and processing instructions (the XML declaration) are kept. Returns ``text``
    itself when there was nothing to remove.
    """
    pieces: list[str] = []
    keep_from = pos = 0
    end = len(text)
    while pos < end:
        lt = text.find("<", pos)
        if lt < 0 or lt + 1 >= end:
            break
        following = text[lt + 1]
        if following == "?":
            pos = _skip_past(text, "?>", lt + 2)
        elif text.startswith("<!--", lt):
            pos = _skip_past(text, "-->", lt + 4)
        elif following == "!":
            pieces.append(text[keep_from:lt])
            keep_from = pos = _declaration_end(text, lt)
        elif _is_name_start(following):
            break  # the root element: declarations after it are errors for every parser
        else:
            pos = lt + 1
    if not pieces:
        return text
    pieces.append(text[keep_from:])
    return "".join(pieces)


def _wide_encoding(content: bytes) -> tuple[str, int] | None:
    """(codec, BOM length) when the bytes are UTF-16/32 or EBCDIC, else None."""
    for bom, codec in _BOMS:
        if content.startswith(bom) and not (len(bom) == 2 and content[2:4] == b"\x00\x00"):
            return codec, len(bom)
    for marker, codec in _MARKERS:
        if content.startswith(marker):
            return codec, 0
    head = content[:512]
    if b"\x00" not in head:
        return None
    half = max(1, len(head) // 2)
    even_zeros = head[0::2].count(0) / half
    odd_zeros = head[1::2].count(0) / half
    if even_zeros > 0.9 and 0.3 < odd_zeros < 0.7:
        return "utf-32-be", 0
    if odd_zeros > 0.9 and 0.3 < even_zeros < 0.7:
        return "utf-32-le", 0
    if even_zeros > 0.3 and even_zeros > 2 * odd_zeros:
        return "utf-16-be", 0
    if odd_zeros > 0.3 and odd_zeros > 2 * even_zeros:
        return "utf-16-le", 0
    return None


def _char_ref_replacement(match: re.Match[bytes]) -> bytes:
    hex_digits, digits = match.groups()
    text = (hex_digits or digits).lstrip(b"0") or b"0"
    if len(text) > 8:  # beyond any code point whatever the base (and int() stays cheap)
        return _REPLACEMENT_REF
    value = int(text, 16 if hex_digits else 10)
    if value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
        return _REPLACEMENT_REF
    return match.group()


def repair_char_refs(data: bytes) -> bytes:
    """Replace numeric character references to no character (beyond U+10FFFF, surrogates)
    with ``&#xFFFD;``; every other byte is kept. For UTF-8 (or any ASCII-compatible) data.
    Such text inside a CDATA section or comment is rewritten too, which is harmless there."""
    if b"&#" not in data:
        return data
    return _CHAR_REF.sub(_char_ref_replacement, data)


def neutralise_declarations(content: bytes) -> bytes:
    """Remove DOCTYPE internal subsets and ENTITY declarations before any XML parser runs.

    ASCII-compatible encodings (UTF-8, Latin-1, windows-125x, …) are scanned through a
    byte-preserving Latin-1 view, so only the removed declarations change. UTF-16/32 (BOM or
    XML 1.0 appendix F sniffing) and EBCDIC are decoded, cleaned and re-encoded in the same
    encoding. Linear time; returns ``content`` unchanged when there is nothing to remove.
    """
    wide = _wide_encoding(content)
    if wide is None:
        text = content.decode("latin-1")
        cleaned = _strip_declarations(text)
        return content if cleaned is text else cleaned.encode("latin-1")
    codec, bom_length = wide
    text = content[bom_length:].decode(codec, errors="replace")
    cleaned = _strip_declarations(text)
    if cleaned is text:
        return content
    return content[:bom_length] + cleaned.encode(codec, errors="replace")


# ------------------------------------------------------------------------ text helpers


class _TextCollector(HTMLParser):
    """HTML -> text; block-level tags become spaces so words do not run together."""

    _BLOCKS = frozenset(
        "p br div li ul ol h1 h2 h3 h4 h5 h6 tr td th table blockquote section article "
        "header footer figure figcaption pre hr dd dt dl".split()
    )
    _SKIP = frozenset({"script", "style", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    collector = _TextCollector()
    collector.feed(markup)
    collector.close()
    return squash("".join(collector.parts))


def _text_field(container: feedparser.FeedParserDict, key: str) -> str | None:
    """A title/summary as plain text; markup removed only when feedparser says it is HTML."""
    value = container.get(key)
    if not isinstance(value, str):
        return None
    detail = container.get(f"{key}_detail") or {}
    kind = detail.get("type")
    if kind in _HTML_TYPES or (kind is None and "<" in value):
        text = html_to_text(value)
    else:
        text = squash(value)
    return text or None


# ---------------------------------------------------------------------- feed helpers


def _resolve(link: object, base_url: str) -> str | None:
    """Absolute, fetchable form of a link, or None when it cannot be fetched."""
    if not isinstance(link, str) or not link.strip():
        return None
    link = link.strip().replace(" ", "%20")  # stray spaces in otherwise fine URLs
    try:
        absolute = urljoin(base_url, link) if base_url else link
    except ValueError:  # e.g. a broken IPv6 literal
        return None
    return absolute if is_fetchable_url(absolute, MAX_URL_LENGTH) else None


def _entry_url(entry: feedparser.FeedParserDict, base_url: str) -> str | None:
    # FeedBurner rewrites <link> to its click tracker and keeps the publisher's URL here.
    for key in ("feedburner_origlink", "link"):
        url = _resolve(entry.get(key), base_url)
        if url:
            return url
    return None


def _entry_time(entry: feedparser.FeedParserDict) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not isinstance(parsed, time.struct_time):
        return None
    try:
        # feedparser's struct_time is UTC; timegm also normalises leap seconds (sec 60).
        return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
    except (ValueError, OverflowError, OSError):
        return None


def _ttl_seconds(feed: feedparser.FeedParserDict) -> int | None:
    ttl = feed.get("ttl")
    if not isinstance(ttl, str):
        return None
    ttl = ttl.strip()
    if not (ttl.isascii() and ttl.isdigit() and len(ttl) <= 9):  # int() of 5000 digits raises
        return None
    minutes = int(ttl)
    return minutes * 60 if minutes > 0 else None


def _looks_like_html(data: bytes) -> bool:
    head = data[:4096].lower()
    return any(tag in head for tag in (b"<html", b"<!doctype html", b"<head", b"<body"))


def _bozo_reason(result: feedparser.FeedParserDict) -> str:
    exc = result.get("bozo_exception")
    if isinstance(exc, xml.sax.SAXParseException):
        reason = f"line {exc.getLineNumber()}: {exc.getMessage()}"
    elif exc is not None:
        reason = str(exc) or type(exc).__name__
    else:
        reason = "unknown error"
    reason = " ".join(reason.split())
    return reason if len(reason) <= 120 else reason[:119] + "…"


def _with_sniffed_charset(content: bytes, headers: dict[str, str]) -> dict[str, str]:
    """Tell feedparser about UTF-16/32 it would otherwise misread.

    feedparser 6.0.14 decodes a UTF-16/32 document whose XML declaration names no encoding
    as UTF-8 even when it starts with a BOM (the nulls are valid UTF-8), so the feed comes
    out empty. A BOM is authoritative (as in the WHATWG encoding rules); appendix F sniffing
    without a BOM is used only when the server named no charset.
    """
    wide = _wide_encoding(content)
    if wide is None or wide[0] == "cp037":  # EBCDIC: feedparser reads the XML declaration
        return headers
    codec, bom_length = wide
    media_type, _, params = headers["content-type"].partition(";")
    if not bom_length and "charset=" in params.lower():
        return headers
    return {**headers, "content-type": f"{media_type.strip()}; charset={codec}"}


def _to_utf8(content: bytes, headers: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    """Decode exactly as feedparser would, and return UTF-8 plus headers that say so.

    Doing this before neutralising means a server cannot hide declarations from the
    neutraliser by claiming a charset (say UTF-16) that only feedparser would honour.
    """
    headers = _with_sniffed_charset(content, headers)
    scratch: dict[str, object] = {}
    data = convert_to_utf8(headers, content, scratch)
    if not scratch.get("encoding"):  # undecodable: feedparser falls back to lenient UTF-8
        return content, headers
    media_type = headers["content-type"].split(";", 1)[0].strip() or "application/xml"
    return data, {**headers, "content-type": f"{media_type}; charset=utf-8"}


def _check_usable(result: feedparser.FeedParserDict, data: bytes, items: list[FeedItem],
                  title: str | None) -> None:
    if not result.get("version") and not result.get("entries"):
        if _looks_like_html(data):
            raise FeedError("not a feed (HTML page)")
        if result.get("bozo"):
            raise FeedError(f"malformed feed: {_bozo_reason(result)}")
        raise FeedError("not a feed (no RSS, Atom or RDF document)")
    if result.get("bozo") and not items and not title:
        raise FeedError(f"malformed feed: {_bozo_reason(result)}")


# ------------------------------------------------------------------------------ parse


def parse_feed(
    content: bytes, *, base_url: str = "", content_type: str | None = None
) -> ParsedFeed:
    """Parse feed bytes; relative links resolve against ``base_url`` (the feed's URL).

    Raises :class:`FeedError` for an empty body, something that is not a feed (an HTML
    page, JSON, …) or a malformed feed with neither items nor a title.
    """
    if not content.strip():
        raise FeedError("empty response")
    # Without a Content-Type feedparser assumes ISO-8859-1; application/xml means the XML
    # declaration decides and UTF-8 is the default, which is right for feeds.
    headers = {"content-type": content_type or "application/xml"}
    if base_url:
        headers["content-location"] = base_url
    try:
        data, headers = _to_utf8(content, headers)
    except _PARSER_CRASHES as exc:  # a garbled encoding name in the XML declaration or header
        raise FeedError(
            f"malformed feed: unusable character encoding declaration ({type(exc).__name__})"
        ) from exc
    data = repair_char_refs(neutralise_declarations(data))
    try:
        # Always a stream: feedparser treats a bytes/str argument as a path or URL to open.
        result = feedparser.parse(
            io.BytesIO(data),
            response_headers=headers,
            sanitize_html=True,  # drop script/style before we strip tags
            resolve_relative_uris=False,  # links inside HTML bodies are discarded anyway
        )
    except _PARSER_CRASHES as exc:
        raise FeedError(f"malformed feed: parser failed ({type(exc).__name__})") from exc

    feed = result.get("feed") or feedparser.FeedParserDict()
    title = _text_field(feed, "title")
    dated: list[tuple[datetime | None, FeedItem]] = []
    skipped = 0
    for entry in result.get("entries") or []:
        url = _entry_url(entry, base_url)
        if url is None:
            skipped += 1
            continue
        when = _entry_time(entry)
        guid = entry.get("id")
        dated.append((when, FeedItem(
            url=url,
            title=_text_field(entry, "title"),
            published=when.isoformat() if when else None,
            summary=_text_field(entry, "summary"),
            guid=(guid.strip() or None) if isinstance(guid, str) else None,
        )))
    items = _newest_first(dated)
    _check_usable(result, data, items, title)
    return ParsedFeed(
        title=title,
        site_url=_resolve(feed.get("link"), base_url),
        items=items,
        ttl_seconds=_ttl_seconds(feed),
        skipped=skipped,
    )


def _newest_first(dated: list[tuple[datetime | None, FeedItem]]) -> list[FeedItem]:
    """Dated items newest first, then undated ones; ties keep document order (stable sort)."""
    floor = datetime.min.replace(tzinfo=UTC)
    ordered = sorted(dated, key=lambda pair: (pair[0] is not None, pair[0] or floor),
                     reverse=True)
    return [item for _when, item in ordered]

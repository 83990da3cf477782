"""monitor.sources.feeds: real and hand-written feeds, hostile XML, and feedparser's own corpus."""

from __future__ import annotations

import io
from pathlib import Path

import feedparser
import pytest

from monitor.errors import FeedError
from monitor.sources import feeds
from monitor.sources.feeds import (
    FeedItem,
    ParsedFeed,
    neutralise_declarations,
    parse_feed,
    repair_char_refs,
)
from monitor.sources.urls import is_fetchable_url

from .conftest import SHARED

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"
CORPUS = SHARED / "data" / "feedparser-corpus"
BASE = "https://news.example.com/feeds/cuba.rss"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def rss(items: str, *, title: str = "Test feed", prolog: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n{prolog}'
        f'<rss version="2.0"><channel><title>{title}</title>'
        f"<link>https://news.example.com/</link>{items}</channel></rss>"
    ).encode()


def all_text(parsed: ParsedFeed) -> str:
    return repr(parsed)


# ------------------------------------------------------------------------ real feeds


@pytest.mark.parametrize(
    ("name", "count", "title"),
    [
        ("reuters_worldnews_2018-01-30.xml", 10, "Reuters: World News"),
        ("heise_online_rdf.xml", 60, "heise online News"),
        ("bbc_urdu.xml", 26, None),
    ],
)
def test_real_feeds_parse(name: str, count: int, title: str | None) -> None:
    parsed = parse_feed(fixture(name), base_url="https://feeds.example.com/feed",
                        content_type="application/rss+xml")
    assert len(parsed.items) == count
    assert parsed.skipped == 0
    assert parsed.title
    if title:
        assert parsed.title == title
    for item in parsed.items:
        assert isinstance(item, FeedItem)
        assert is_fetchable_url(item.url)
        assert item.title


def test_real_feed_prefers_feedburner_origlink() -> None:
    parsed = parse_feed(fixture("reuters_worldnews_2018-01-30.xml"))
    assert all(item.url.startswith("http://www.reuters.com/article/") for item in parsed.items)
    assert not any("feeds.reuters.com" in item.url for item in parsed.items)


def test_real_feed_ttl_and_dates_newest_first() -> None:
    parsed = parse_feed(fixture("bbc_urdu.xml"))
    assert parsed.ttl_seconds == 15 * 60
    dates = [item.published for item in parsed.items]
    assert all(dates)
    assert dates == sorted(dates, reverse=True)
    assert dates[0] == "2018-01-11T13:20:55+00:00"


def test_undated_feed_keeps_document_order() -> None:
    parsed = parse_feed(fixture("heise_online_rdf.xml"))
    raw = feedparser.parse(io.BytesIO(fixture("heise_online_rdf.xml")))
    assert all(item.published is None for item in parsed.items)
    assert [item.url for item in parsed.items] == [entry.link for entry in raw.entries]
    assert parsed.items[0].title == "OLED-TVs: Vorsichtsmaßnahmen gegen Einbrennen"


# ------------------------------------------------------------- hand-written fixtures


def test_rss_items_resolved_sorted_and_cleaned() -> None:
    parsed = parse_feed(fixture("articles_rss.xml"), base_url=BASE,
                        content_type="application/rss+xml")

    assert parsed.title == "Havana Desk"
    assert parsed.site_url == "https://news.example.com/cuba/"
    assert parsed.ttl_seconds == 30 * 60
    assert parsed.skipped == 4  # javascript:, file:, data:, no link
    assert [item.url for item in parsed.items] == [
        "https://news.example.com/2022/04/20/relative-newest.html",  # relative, resolved
        "https://news.example.com/2022/04/19/origin-story.html",  # feedburner:origLink
        "https://news.example.com/2022/04/18/older-story.html",
        "https://news.example.com/undated.html?id=7",  # undated last
    ]
    newest = parsed.items[0]
    assert newest.title == "Relative & newest"
    assert newest.published == "2022-04-20T14:03:00+00:00"  # -0400 converted to UTC
    assert newest.summary == "Talks in Havana resumed today."  # tags, script, spaces gone
    assert newest.guid == "story-newest"
    assert parsed.items[-1].published is None


def test_atom_feed() -> None:
    parsed = parse_feed(fixture("articles_atom.xml"), base_url="https://atom.example.org/feed",
                        content_type="application/atom+xml")
    assert parsed.title == "Atom Cuba Wire"
    assert parsed.site_url == "https://atom.example.org/"
    assert parsed.ttl_seconds is None
    first, second = parsed.items
    assert first.url == "https://other.example.net/second"
    assert first.published == "2022-04-21T05:30:00+00:00"  # from <updated>, in UTC
    assert second.url == "https://atom.example.org/news/2022/first-entry"  # xml:base
    assert second.published == "2022-04-20T14:03:00+00:00"  # <published> wins over <updated>
    assert second.summary == "First summary"
    assert second.guid == "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a"


def test_unsafe_and_overlong_links_are_skipped_and_counted() -> None:
    items = "".join(
        f"<item><title>t{n}</title><link>{link}</link></item>"
        for n, link in enumerate([
            "javascript:alert(1)",
            " JavaScript:alert(1)",
            "file:///etc/passwd",
            "data:text/html;base64,PGgxPmhpPC9oMT4=",
            "ftp://example.com/x",
            "https://news.example.com/" + "a" * 3000,
            "https://news.example.com/ok",
        ])
    )
    parsed = parse_feed(rss(items), base_url=BASE)
    assert [item.url for item in parsed.items] == ["https://news.example.com/ok"]
    assert parsed.skipped == 6


def test_bad_origlink_falls_back_to_link() -> None:
    items = (
        '<item xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0"><title>t</title>'
        "<link>https://news.example.com/real</link>"
        "<feedburner:origLink>javascript:alert(1)</feedburner:origLink></item>"
    )
    parsed = parse_feed(rss(items), base_url=BASE)
    assert [item.url for item in parsed.items] == ["https://news.example.com/real"]


def test_feed_with_title_but_no_items_is_not_an_error() -> None:
    parsed = parse_feed(rss(""))
    assert parsed.title == "Test feed"
    assert parsed.items == []
    assert parsed.skipped == 0


@pytest.mark.parametrize(("ttl", "seconds"), [("60", 3600), ("0", None), ("soon", None)])
def test_ttl(ttl: str, seconds: int | None) -> None:
    parsed = parse_feed(rss(f"<ttl>{ttl}</ttl>"))
    assert parsed.ttl_seconds == seconds


# ------------------------------------------------------------------------ not feeds


def test_malformed_xml_without_entries() -> None:
    with pytest.raises(FeedError, match=r"^malformed feed: line \d+: "):
        parse_feed(fixture("malformed.xml"))


@pytest.mark.parametrize("content_type", ["text/html; charset=utf-8", None])
def test_html_page_is_not_a_feed(content_type: str | None) -> None:
    page = (b"<!DOCTYPE html>\n<html><head><title>Cuba news</title></head>"
            b"<body><h1>Headlines</h1><p>Nothing to see</p></body></html>")
    with pytest.raises(FeedError) as info:
        parse_feed(page, base_url=BASE, content_type=content_type)
    assert str(info.value) == "not a feed (HTML page)"


@pytest.mark.parametrize("body", [b"", b"   \n\t  "])
def test_empty_response(body: bytes) -> None:
    with pytest.raises(FeedError) as info:
        parse_feed(body)
    assert str(info.value) == "empty response"


def test_json_is_not_a_feed() -> None:
    with pytest.raises(FeedError):
        parse_feed(b'{"version": "https://jsonfeed.org/version/1", "items": []}',
                   content_type="application/json")


def test_feedparser_only_ever_gets_a_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bytes or str would make feedparser open a path or URL named by the feed's content."""
    real_parse = feedparser.parse
    seen: list[object] = []

    def spy(source: object, **kwargs: object) -> feedparser.FeedParserDict:
        seen.append(source)
        return real_parse(source, **kwargs)

    monkeypatch.setattr(feeds.feedparser, "parse", spy)
    with pytest.raises(FeedError):
        parse_feed(b"/etc/passwd")  # a path-looking body must not be opened
    parse_feed(fixture("articles_rss.xml"))
    assert seen and all(isinstance(source, io.BytesIO) for source in seen)


# ------------------------------------------------------------------- hostile XML


def parse_or_feed_error(content: bytes, **kwargs: str) -> ParsedFeed | None:
    try:
        return parse_feed(content, **kwargs)
    except FeedError:
        return None


def big_entity_feed(prolog_prefix: str = "") -> bytes:
    """The measured case: a 100 KB entity referenced 20,000 times (2 GB if expanded)."""
    entity = "A" * 100_000
    refs = "&big;" * 20_000
    return rss(
        f"<item><title>x</title><link>https://news.example.com/a</link>"
        f"<description>{refs}</description></item>",
        prolog=f'{prolog_prefix}<!DOCTYPE rss [\n<!ENTITY big "{entity}">\n]>\n',
    )


def test_large_internal_entity_is_not_expanded() -> None:
    parsed = parse_or_feed_error(big_entity_feed())
    if parsed is not None:
        assert "A" * 1000 not in all_text(parsed)


def test_declaration_hidden_behind_a_comment_is_still_removed() -> None:
    # feedparser's own DOCTYPE filter stops at the first "<letter", even inside a comment,
    # so only expat's amplification limit (libexpat >= 2.4) would stand between this and a
    # blow-up; the neutraliser skips comments properly and removes the declaration anyway.
    parsed = parse_or_feed_error(big_entity_feed(prolog_prefix="<!-- <a> -->\n"))
    if parsed is not None:
        assert "A" * 1000 not in all_text(parsed)


def billion_laughs(levels: int = 10) -> bytes:
    declarations = ['<!ENTITY lol0 "lol">']
    for level in range(1, levels):
        declarations.append(f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">')
    top = f"&lol{levels - 1};"
    return rss(
        f"<item><title>{top}</title><link>https://news.example.com/a</link>"
        f"<description>{top * 5}</description></item>",
        title=top,
        prolog="<!DOCTYPE rss [\n" + "\n".join(declarations) + "\n]>\n",
    )


@pytest.mark.parametrize("content", [billion_laughs(), fixture("entity_expansion.xml")],
                         ids=["built", "fixture"])
def test_billion_laughs_is_harmless(content: bytes) -> None:
    parsed = parse_or_feed_error(content)
    if parsed is not None:
        assert "lollollol" not in all_text(parsed)


@pytest.fixture
def secret_file(tmp_path: Path) -> tuple[Path, str]:
    canary = "CANARY-7f3a9-secret-contents"
    path = tmp_path / "secret.txt"
    path.write_text(canary)
    return path, canary


@pytest.mark.parametrize(
    "prolog",
    [
        '<!DOCTYPE rss [<!ENTITY xxe SYSTEM "{uri}">]>',
        '<!DOCTYPE rss [<!ENTITY % ext SYSTEM "{uri}"> %ext;]>',
        '<!DOCTYPE rss SYSTEM "{uri}">',
        '<!DOCTYPE rss PUBLIC "-//X//Y" "{uri}" [<!ENTITY xxe SYSTEM "{uri}">]>',
    ],
)
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_external_entities_are_never_read(
    prolog: str, encoding: str, secret_file: tuple[Path, str]
) -> None:
    path, canary = secret_file
    doc = rss(
        "<item><title>&xxe;</title><link>https://news.example.com/a</link>"
        "<description>before &xxe; after</description></item>",
        title="t &xxe;",
        prolog=prolog.format(uri=path.as_uri()) + "\n",
    ).decode().replace('encoding="utf-8"', f'encoding="{encoding}"').encode(encoding)
    parsed = parse_or_feed_error(doc, base_url=BASE)
    if parsed is not None:
        assert canary not in all_text(parsed)


def test_charset_claimed_only_by_the_server_cannot_hide_declarations() -> None:
    """UTF-16 without BOM or marker, starting with non-ASCII text: only the header says so."""
    body = "\u4e2d\u6587" + big_entity_feed().decode().split("?>", 1)[1]
    parsed = parse_or_feed_error(body.encode("utf-16-le"),
                                 content_type="application/xml; charset=utf-16le")
    if parsed is not None:
        assert "A" * 1000 not in all_text(parsed)


def test_utf16_feed_with_bom_parses() -> None:
    # feedparser alone reads this as UTF-8 and finds nothing (no encoding in the declaration)
    doc = rss("<item><title>Caf\u00e9</title><link>https://news.example.com/a</link></item>")
    parsed = parse_feed(doc.decode().replace(' encoding="utf-8"', "").encode("utf-16"))
    assert [item.title for item in parsed.items] == ["Caf\u00e9"]


@pytest.mark.parametrize("reference", ["&#99999999999;", "&#xFFFFFFFFFFFF;", "&#1114112;",
                                       "&#xD800;", "&#" + "9" * 5000 + ";"])
def test_character_reference_to_no_character_costs_one_character(reference: str) -> None:
    """feedparser's loose parser raised OverflowError/ValueError here: the round died, or the
    whole feed was lost. Now the reference becomes U+FFFD and the feed is used."""
    content = rss(f"<item><title>Havana {reference} &nbsp;talks</title>"
                  "<link>https://news.example.com/a</link></item>",
                  title=f"Feed {reference}")
    parsed = parse_feed(content)
    assert parsed.title == "Feed \ufffd"
    assert [item.title for item in parsed.items] == ["Havana \ufffd talks"]


def test_repair_char_refs_keeps_every_valid_reference() -> None:
    data = b"&#65;&#x41;&#0065;&#1114111;&#x10FFFF;&#9;&#x;&#;&amp;#99999999999; caf\xc3\xa9"
    assert repair_char_refs(data) == data
    assert repair_char_refs(b"a&#x110000;b&#55296;c") == b"a&#xFFFD;b&#xFFFD;c"


@pytest.mark.parametrize("encoding", [b"\xaa\xbb", b"utf\x00-8"])
def test_garbled_encoding_declaration_is_a_feed_error(encoding: bytes) -> None:
    content = (b'<?xml version="1.0" encoding="' + encoding + b'"?>'
               b"<rss version='2.0'><channel><title>T</title></channel></rss>")
    with pytest.raises(FeedError, match="unusable character encoding declaration"):
        parse_feed(content)


# --------------------------------------------------------- neutralise_declarations


def test_neutralise_removes_doctype_and_entities_but_keeps_the_rest() -> None:
    doc = (
        b'<?xml version="1.0"?>\n<!-- a comment with <!DOCTYPE inside -->\n'
        b'<!DOCTYPE rss [\n  <!ENTITY a "x > y">\n  <!-- ]> tricky -->\n'
        b"  <!ENTITY b 'it\"s'>\n  <?pi ]> ?>\n]>\n"
        b"<!ENTITY stray \"z\">\n"
        b"<rss><channel><description><![CDATA[<!DOCTYPE html><p>kept</p>]]></description>"
        b"</channel></rss>"
    )
    out = neutralise_declarations(doc)
    assert out == (
        b'<?xml version="1.0"?>\n<!-- a comment with <!DOCTYPE inside -->\n\n\n'
        b"<rss><channel><description><![CDATA[<!DOCTYPE html><p>kept</p>]]></description>"
        b"</channel></rss>"
    )


def test_neutralise_returns_input_untouched_when_nothing_to_remove() -> None:
    doc = fixture("articles_rss.xml")
    assert neutralise_declarations(doc) is doc


def test_neutralise_keeps_non_ascii_bytes_exactly() -> None:
    doc = '<?xml version="1.0" encoding="windows-1251"?><!DOCTYPE r [<!ENTITY a "b">]><r>Цитата</r>'
    out = neutralise_declarations(doc.encode("cp1251"))
    assert out == '<?xml version="1.0" encoding="windows-1251"?><r>Цитата</r>'.encode("cp1251")


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_neutralise_wide_encodings(codec: str) -> None:
    doc = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "b">]><r>é</r>'
    out = neutralise_declarations(doc.encode(codec))
    assert out.decode(codec) == '<?xml version="1.0"?><r>é</r>'


def test_unterminated_doctype_swallows_the_rest() -> None:
    doc = b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "never closed><rss></rss>'
    assert neutralise_declarations(doc) == b'<?xml version="1.0"?>'


@pytest.mark.parametrize(
    "doc",
    [
        b"<!DOCTYPE " + b" " * 1_000_000,
        b"<!DOCTYPE r [" + b"[" * 500_000 + b"]>",
        b"<!DOCTYPE r [" + b'<!ENTITY a "x">' * 100_000 + b"]><r/>",
        b"<?" * 250_000,
        b"<" * 500_000,
        b"<!-- " + b"-" * 500_000,
        b"<!DOCTYPE r [" + b'"' * 500_001,
    ],
    ids=["spaces", "brackets", "many-entities", "pis", "lts", "comment", "quotes"],
)
def test_neutralise_is_linear_on_pathological_input(doc: bytes) -> None:
    # No timing assert: quadratic behaviour would make this test take minutes, not ms.
    out = neutralise_declarations(doc)
    assert len(out) <= len(doc)


# ----------------------------------------------------------------- feedparser corpus


@pytest.mark.skipif(not CORPUS.is_dir(), reason="feedparser corpus not available")
def test_feedparser_corpus_parses_or_raises_feed_error() -> None:
    files = sorted(path for path in CORPUS.rglob("*") if path.suffix in (".xml", ".json"))
    assert len(files) > 2000
    outcomes = {"parsed": 0, "feed_error": 0}
    for path in files:
        try:
            result = parse_feed(path.read_bytes(), base_url="http://example.org/feed/")
        except FeedError as error:
            assert str(error) and "\n" not in str(error), path
            outcomes["feed_error"] += 1
        else:
            assert isinstance(result, ParsedFeed), path
            assert all(is_fetchable_url(item.url) for item in result.items), path
            outcomes["parsed"] += 1
    assert outcomes["parsed"] > 1900

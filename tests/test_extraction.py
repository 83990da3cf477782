"""Article extraction: text, metadata and robustness, on hand-written and real saved pages."""

from __future__ import annotations

import codecs
import gzip
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml.html import HtmlElement

from monitor.pages import extraction
from monitor.pages.cleaning import Cleaner, line_key
from monitor.pages.extraction import (
    Extracted,
    decode_html,
    detect_language,
    extract_article,
    iso_date,
)

PAGES = Path(__file__).parent / "fixtures" / "pages"
SEED_LINES = [
    line
    for line in (PAGES.parent / "seed-article.txt").read_text(encoding="utf-8").splitlines()
    if line.strip()
]
SEED_PARAGRAPHS, GIPHY = SEED_LINES[:-1], SEED_LINES[-1]
SEED_TEXT = "\n".join(SEED_PARAGRAPHS)
FEED_URL = "https://www.example-news.com/rss/item/123"

# Chrome of the three hand-written layouts: none of it may reach the text.
CHROME = [
    GIPHY, "GIPHY", "Share on Facebook", "Share this", "WhatsApp", "Related stories",
    "Coast Guard reports more rafts", "Remittance rules change", "Rafters intercepted",
    "Sign up for our", "newsletter", "Enter your email", "cookies", "Accept all",
    "Publicidad", "Advertisement", "Most read", "Sugar harvest", "Cruise ships",
    "All rights reserved", "Privacy policy", "Follow us", "Síguenos", "Leave a Reply",
    "Your email address", "Save my name", "Tags:", "Photo:", "Skip to content",
    "Subscribe", "Sign in", "Laura Martínez", "Recent Posts", "Blackouts return",
]


def page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


def tokens(text: str) -> str:
    """Compare by \\w+ tokens, as the benchmark does: whitespace and punctuation may differ."""
    return " ".join(re.findall(r"\w+", text))


@pytest.fixture(scope="module")
def seed() -> Extracted:
    return extract_article(page("seed-article.html"), FEED_URL)


# --- the seed article in three layouts ---------------------------------------------------


@pytest.mark.parametrize(
    "name", ["seed-article.html", "wordpress-entry-content.html", "article-aside.html"]
)
def test_every_seed_paragraph_and_nothing_else(name: str) -> None:
    extracted = extract_article(page(name), FEED_URL)
    assert extracted.text == SEED_TEXT
    for chrome in CHROME:
        assert chrome not in extracted.text


def test_raw_text_keeps_what_the_cleaner_removed(seed: Extracted) -> None:
    assert GIPHY in seed.raw_text.splitlines()
    assert "Publicidad" in seed.raw_text.splitlines()


def test_seed_metadata(seed: Extracted) -> None:
    canonical = "https://www.example-news.com/world/us-cuba-migration-talks?utm_source=rss"
    assert seed.canonical_url == canonical
    assert seed.url == canonical
    assert seed.title == "US and Cuba to hold highest-level talks in years on migration"
    assert seed.published == "2022-04-19T16:30:00+00:00"
    assert seed.author == "Laura Martínez"
    assert seed.site_name == "Example News"
    assert seed.language == "en"
    assert seed.description is not None and seed.description.startswith("US and Cuban officials")


def test_page_without_canonical_keeps_the_argument_url() -> None:
    url = "https://islanoticias.example/?p=48213"
    extracted = extract_article(page("wordpress-entry-content.html"), url)
    assert extracted.canonical_url is None
    assert extracted.url == url
    assert extracted.published == "2022-04-19T12:45:00-04:00"  # article:published_time
    assert extracted.language == "en"  # <html lang="en-US">
    assert extracted.site_name == "Isla Noticias"
    assert extracted.title == "US and Cuba to hold highest-level talks in years on migration"


def test_relative_canonical_is_resolved_and_time_element_dates_the_page() -> None:
    extracted = extract_article(page("article-aside.html"), "https://islanoticias.example/feed?id=9")
    assert extracted.canonical_url == (
        "https://islanoticias.example/americas/2022/04/19/us-cuba-talks.html"
    )
    assert extracted.url == extracted.canonical_url
    assert extracted.published == "2022-04-19"  # <time datetime>, no meta, no JSON-LD
    assert extracted.language == "en"  # og:locale en_GB, no <html lang>
    # The page is windows-1252 (declared in <meta charset>): accents and quotes survive.
    assert "Carlos Fernández de Cossío" in extracted.text
    assert "“Havana syndrome”" in extracted.text


def test_relative_canonical_without_base_url_is_dropped() -> None:
    extracted = extract_article(page("article-aside.html"))
    assert extracted.canonical_url is None and extracted.url is None
    assert extracted.text == SEED_TEXT


def test_repeated_furniture_keys_are_passed_to_the_cleaner() -> None:
    first = SEED_PARAGRAPHS[0]
    extracted = extract_article(page("seed-article.html"), FEED_URL, repeated={line_key(first)})
    assert extracted.text == "\n".join(SEED_PARAGRAPHS[1:])


def test_custom_cleaner_is_used() -> None:
    keep_everything = Cleaner([])
    extracted = extract_article(page("seed-article.html"), FEED_URL, cleaner=keep_everything)
    assert GIPHY in extracted.text.splitlines()


def test_default_cleaner_is_the_shipped_patterns_kept_nowhere() -> None:
    first, second = extraction.default_cleaner(), extraction.default_cleaner()
    assert first is not second  # no cache: a caller of many pages keeps the one it loads
    assert [p.pattern for p in first.patterns] == [p.pattern for p in Cleaner.load().patterns]


# --- minimal pages -------------------------------------------------------------------------


def article_page(head: str = "", body: str = "") -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in SEED_PARAGRAPHS[:6])
    return (
        f"<!DOCTYPE html><html><head><title>Talks</title>{head}</head>"
        f"<body><article><h1>Talks</h1>{body}{paragraphs}</article></body></html>"
    )


@pytest.mark.parametrize(
    "href",
    ["javascript:alert(1)", "ftp://example.org/story", "mailto:desk@example.org", "//", ""],
)
def test_canonical_must_be_http(href: str) -> None:
    html = article_page(f'<link rel="canonical" href="{href}">')
    extracted = extract_article(html, "https://example.org/a/story")
    assert extracted.canonical_url is None
    assert extracted.url == "https://example.org/a/story"


def test_og_url_stands_in_for_a_missing_canonical() -> None:
    html = article_page('<meta property="og:url" content="https://example.org/world/talks">')
    assert extract_article(html).url == "https://example.org/world/talks"


def test_homepage_canonical_of_an_article_is_ignored() -> None:
    # Misconfigured sites name their homepage as every page's canonical URL; taking it would
    # merge all their articles into one.
    html = article_page('<link rel="canonical" href="https://example.org/">')
    extracted = extract_article(html, "https://example.org/2022/04/19/talks")
    assert extracted.canonical_url is None
    assert extracted.url == "https://example.org/2022/04/19/talks"


def test_page_without_dates_has_no_published_date() -> None:
    extracted = extract_article(article_page(), "https://example.org/world/talks")
    assert extracted.text
    assert extracted.published is None


def test_json_ld_graph_date_wins_over_meta() -> None:
    head = (
        '<meta property="article:published_time" content="2022-04-20T10:00:00Z">'
        '<script type="application/ld+json">{"@graph": ['
        '{"@type": "WebPage", "datePublished": "2021-01-01"},'
        '{"@type": ["NewsArticle"], "datePublished": "2022-04-19T16:30:00-04:00"}]}</script>'
    )
    assert extract_article(article_page(head)).published == "2022-04-19T16:30:00-04:00"


def test_broken_json_ld_falls_back_to_meta() -> None:
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", datePublished: }</script>'
        '<meta property="article:published_time" content="Tue, 19 Apr 2022 16:30:00 GMT">'
    )
    assert extract_article(article_page(head)).published == "2022-04-19T16:30:00+00:00"


@pytest.mark.parametrize(
    "widget",
    [
        '<header><time datetime="{day}">Today</time></header>',
        '<header><span class="date">{day:%B %d, %Y}</span></header>',
        '<div class="today">{day}</div>',
    ],
)
def test_todays_date_widget_is_not_the_publication_date(widget: str) -> None:
    # Many sites print today's date in the header; guessing from it would pass the fetch day
    # off as the publication date.
    today = datetime.now(UTC).date()
    html = article_page().replace("<body>", "<body>" + widget.format(day=today))
    assert extract_article(html, "https://example.org/world/talks").published is None
    # …unless the URL says the article is from that day.
    dated_url = f"https://example.org/{today:%Y/%m/%d}/talks"
    assert extract_article(html, dated_url).published == today.isoformat()


def test_date_guessed_from_the_page_is_kept_when_not_today() -> None:
    html = article_page().replace("<body>", '<body><p class="dateline">19/04/2022</p>')
    assert extract_article(html, "https://example.org/world/talks").published == "2022-04-19"


def test_site_name_suffix_is_stripped_from_the_title() -> None:
    head = '<meta property="og:site_name" content="Example News">'
    html = article_page(head).replace(
        "<title>Talks</title>", "<title>Migration talks in Washington | Example News</title>"
    ).replace("<h1>Talks</h1>", "")
    assert extract_article(html).title == "Migration talks in Washington"


def _record_passes(
    monkeypatch: pytest.MonkeyPatch, empty: set[tuple[bool, bool]]
) -> list[tuple[bool, bool]]:
    """Record (precision, fast) of every trafilatura pass; passes in ``empty`` find nothing."""
    calls: list[tuple[bool, bool]] = []
    real = extraction._trafilatura_text

    def recorded(
        tree: HtmlElement, url: str | None, *, precision: bool, tables: bool, fast: bool = False
    ) -> str:
        calls.append((precision, fast))
        if (precision, fast) in empty:
            return ""
        return real(tree, url, precision=precision, tables=tables, fast=fast)

    monkeypatch.setattr(extraction, "_trafilatura_text", recorded)
    return calls


def test_one_fast_precision_pass_when_it_finds_the_article(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = _record_passes(monkeypatch, set())
    html = article_page(body="".join(f"<p>{p}</p>" for p in SEED_PARAGRAPHS[6:] * 2))
    extracted = extract_article(html, FEED_URL)
    assert calls == [(True, True)]
    assert SEED_PARAGRAPHS[0] in extracted.text


def test_precision_mode_falls_back_to_full_then_default_mode(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = _record_passes(monkeypatch, {(True, True), (True, False)})
    extracted = extract_article(page("seed-article.html"), FEED_URL)
    assert calls == [(True, True), (True, False), (False, False)]
    assert SEED_PARAGRAPHS[0] in extracted.text


def test_short_fast_text_gets_the_full_precision_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    # A short article (under SHORT_TEXT_WORDS) is checked by trafilatura's full mode, which
    # compares its text with readability's and jusText's.
    calls = _record_passes(monkeypatch, set())
    short = "".join(f"<p>{p}</p>" for p in SEED_PARAGRAPHS[:2])
    extracted = extract_article(f"<html><body><article>{short}</article></body></html>")
    assert extracted.text.startswith(SEED_PARAGRAPHS[0])
    assert calls == [(True, True), (True, False)]


# --- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"",
        "",
        "   \n\t ",
        b"\x00" * 2048,
        bytes(range(256)) * 64,
        gzip.compress(b"<html><body><p>compressed</p></body></html>"),
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + b"\x9c" * 500,
        "just a sentence of plain text, no markup at all",
        "<html></html>",
    ],
    ids=["empty-bytes", "empty-str", "whitespace", "nul", "binary", "gzip", "pdf", "plain",
         "empty-html"],
)
def test_garbage_gives_empty_text(data: bytes | str) -> None:
    extracted = extract_article(data, "https://example.org/x")
    assert extracted.text == ""
    assert extracted.raw_text == ""
    assert extracted.url == "https://example.org/x"
    assert extracted.published is None


def test_wrong_argument_types_raise() -> None:
    with pytest.raises(TypeError):
        extract_article(12345)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        extract_article("<html></html>", url=b"https://example.org")  # type: ignore[arg-type]


def test_fragment_without_html_element_is_extracted() -> None:
    fragment = "<article>" + "".join(f"<p>{p}</p>" for p in SEED_PARAGRAPHS) + "</article>"
    assert extract_article(fragment).text == SEED_TEXT


def test_huge_input_is_cut_not_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extraction, "MAX_HTML_CHARS", 4096)
    html = article_page() + "<!--" + "x" * 100_000 + "-->"
    assert SEED_PARAGRAPHS[0] in extract_article(html).text


# --- decoding, dates, language -------------------------------------------------------------


def test_decode_prefers_bom_then_utf8_then_declared_charset() -> None:
    text = "<p>Fernández de Cossío</p>"
    assert decode_html(codecs.BOM_UTF16_LE + text.encode("utf-16-le")) == text
    assert decode_html(codecs.BOM_UTF8 + text.encode("utf-8")) == text
    declared = f'<meta charset="iso-8859-1">{text}'
    assert decode_html(declared.encode("cp1252")) == declared
    # Declared latin-1 but really UTF-8: valid UTF-8 wins.
    assert decode_html(declared.encode("utf-8")) == declared
    # Undeclared and not UTF-8: detected (cp1252 on a tie, the HTML standard's fallback),
    # never U+FFFD where a legacy encoding fits, never an exception.
    assert decode_html(text.encode("cp1252")) == text
    assert decode_html("<p>España y México</p>".encode("cp1252")) == "<p>España y México</p>"
    russian = "<p>Министр иностранных дел Кубы заявил, что переговоры продолжатся.</p>"
    assert decode_html(russian.encode("cp1251")) == russian
    assert isinstance(decode_html(bytes(range(256)) * 4), str)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2022-04-19", "2022-04-19"),
        ("2022-04-19T16:30:00Z", "2022-04-19T16:30:00+00:00"),
        ("2022-04-19T16:30:00.000-04:00", "2022-04-19T16:30:00-04:00"),
        ("2022-04-19T16:30", "2022-04-19T16:30:00"),
        ("Tue, 19 Apr 2022 16:30:00 GMT", "2022-04-19T16:30:00+00:00"),
        ("19 April 2022", None),
        ("yesterday", None),
        ("0001-01-01", None),
        ("", None),
    ],
)
def test_iso_date(value: str, expected: str | None) -> None:
    assert iso_date(value) == expected


def test_detect_language() -> None:
    english = " ".join(SEED_PARAGRAPHS[:3])
    spanish = (
        "Los funcionarios de Estados Unidos y de Cuba se reunirán el jueves en Washington para "
        "hablar de la migración, según dijeron a Reuters personas con conocimiento del asunto. "
        "Será la conversación de más alto nivel entre los dos gobiernos desde que el presidente "
        "Joe Biden llegó a la Casa Blanca el año pasado, y la delegación cubana estará "
        "encabezada por el vicecanciller."
    )
    assert detect_language(english) == "en"
    assert detect_language(spanish) == "es"
    assert detect_language("Cuba Havana Washington") is None


def test_language_is_detected_when_the_page_declares_none() -> None:
    html = article_page()  # no lang attribute, no og:locale, no content-language
    assert extract_article(html).language == "en"


# --- real pages from the article-extraction benchmark ---------------------------------------

# (page id prefix, first and last sentence of the ground-truth body, junk trafilatura keeps)
BENCHMARK = [
    (
        "e7994d55",
        "LONDON (AP) — Britain's Conservative Party was accused Wednesday of trying to deceive "
        "voters by changing the name of its press office Twitter account",
        "Clegg now works for Facebook.",
        ["Follow AP's full coverage of Brexit"],
    ),
    (
        "35b15891",
        "CLEVELAND, Ohio – The Doobie Brothers will look to ride a potential Rock and Roll Hall "
        "of Fame Induction into a 50th anniversary tour in 2020.",
        "The band currently sits in third place in the annual Fan Vote.",
        ["You may also like"],
    ),
    (
        "0dd13570",
        "Senator representing Yobe North , Ahmad Lawan , on Tuesday moved a motion for the "
        "adjournment of the first plenary session of the Senate",
        "— The Nigerian Senate (@NGRSenate) October 9, 2018",
        ["Comments"],
    ),
    (
        "23aaecd1",
        "Nunca ouviu as sensacionais brinquedorias musicais do grupo Serelepe, de Belo "
        "Horizonte?",
        "Clique aqui: https://goo.gl/FDS4xU.",
        ["Tempo de leitura"],
    ),
    (
        # Laid out in tables: only the second pass with tables finds the article.
        "c00962aa",
        "Earlier this month, NASA announced the newest milestone in the development of its "
        "long-awaited (and long-delayed) Space Launch System.",
        "should also include revisiting SLS and Orion themselves.",
        [],
    ),
]


def benchmark_page(prefix: str) -> bytes:
    (path,) = (PAGES / "benchmark").glob(f"{prefix}*.html.gz")
    return gzip.decompress(path.read_bytes())


@pytest.mark.parametrize(
    ("prefix", "first", "last", "junk"), BENCHMARK, ids=[b[0] for b in BENCHMARK]
)
def test_benchmark_page(prefix: str, first: str, last: str, junk: list[str]) -> None:
    extracted = extract_article(benchmark_page(prefix))
    text = tokens(extracted.text)
    assert tokens(first) in text
    assert tokens(last) in text
    for item in junk:
        assert tokens(item) in tokens(extracted.raw_text)  # trafilatura kept it…
        assert item not in extracted.text  # …the cleaner did not


def test_benchmark_metadata() -> None:
    ap = extract_article(benchmark_page("e7994d55"))
    assert ap.title == "UK Tories under fire for Twitter name switch during debate"
    assert ap.published == "2019-11-20T06:01:44-05:00"
    assert ap.url is not None and ap.url.startswith("https://hosted.ap.org/")
    portuguese = extract_article(benchmark_page("23aaecd1"))
    assert portuguese.language == "pt"
    assert portuguese.author == "Carlos Nadalim"


def test_xhtml_with_xml_declaration_and_xml_lang() -> None:
    paragraphs = "".join(
        f"<p>Los funcionarios de Estados Unidos y de Cuba se reunirán en Washington {n}.</p>"
        for n in range(3)
    )
    xhtml = (
        '<?xml version="1.0" encoding="iso-8859-1"?>\n<!DOCTYPE html>'
        '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="es"><head><title>T</title></head>'
        f"<body><article>{paragraphs}</article></body></html>"
    )
    extracted = extract_article(xhtml.encode("latin-1"))
    assert extracted.language == "es"
    assert "se reunirán en Washington 2." in extracted.text


# --- what the benchmark taught, on real pages -----------------------------------------------
# These pages are benchmark pages with their scripts, styles and data-* attributes stripped to
# keep the fixtures small (JSON-LD kept); each shows one failure of plain trafilatura that a
# general rule in monitor.pages.extraction repairs.


def lines_of(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def test_precision_mode_keeping_only_furniture_falls_back_to_default_mode(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Barron's: precision mode keeps the reprint notice and the page's own address, no article.
    calls = _record_passes(monkeypatch, set())
    extracted = extract_article(benchmark_page("f8ff621a"))
    assert calls == [(True, True), (True, False), (False, False)]
    assert extracted.text.startswith("Shares of construction goods giant Home Depot")
    assert "Home Depot shares are up about 40% year to date" in extracted.text
    assert extracted.url is not None and extracted.url not in lines_of(extracted.text)
    for junk in ("Order Reprints", "Print Article", "This article has been sent to",
                 "An error has occurred, please try again later.", "Write to Al Root"):
        assert junk not in extracted.text


def test_article_body_split_into_sibling_containers_is_joined() -> None:
    # Wired: the body comes in two <div class="grid …"> chunks with an ad row between them;
    # trafilatura alone stops after the first.
    text = extract_article(benchmark_page("2f42ef1d")).text
    first = "These neo-banks have been trying to make money in the usual way"
    second = "A second problem is more serious."
    assert first in text and second in text
    assert text.index(first) < text.index(second)


def test_inline_element_with_a_discarded_class_stays_in_its_sentence() -> None:
    # CBS Sports: <span class="link"> around a link inside a sentence; precision mode drops
    # elements whose class is "link".
    text = extract_article(benchmark_page("08f79376")).text
    assert ("CBS Sports NFL Insider Jason La Canfora has reported that the NFL will fine "
            "Rudolph for his role in the fight.") in text
    assert "decided to move the teams' Week 13 rematch in Pittsburgh" in text


def test_leading_text_of_a_br_separated_container_is_kept() -> None:
    # MacRumors: paragraphs separated by <br>; the first one is the container's own text.
    extracted = extract_article(benchmark_page("232a43fb"))
    assert "Following the 16-inch MacBook Pro, Apple plans to release a new 13-inch MacBook " \
        "Pro with a scissor switch keyboard" in extracted.text
    assert extracted.title == (
        "13-Inch MacBook Pro With Scissor Keyboard Expected in First Half of 2020")
    assert extracted.title not in lines_of(extracted.text)


def test_teaser_headlines_with_bracketed_tags_are_removed() -> None:
    # Express: "DON'T MISS" teasers end in [INSIGHT], [WARNING], [NEWS].
    extracted = extract_article(benchmark_page("ba4dfe2d"))
    teaser = "BLACK DEATH PLAGUE fears: Holidaymakers die after eating marmot [INSIGHT]"
    assert tokens(teaser) in tokens(extracted.raw_text)  # trafilatura keeps them
    assert "[INSIGHT]" not in extracted.text and "[WARNING]" not in extracted.text
    assert "with up to a dozen people diagnosed annually." in extracted.text


def test_headline_variant_and_closing_related_links_are_removed() -> None:
    # Inexhibit: the <h1> repeats a longer variant of the title; related posts close the text.
    extracted = extract_article(benchmark_page("94fbcc26"))
    text = lines_of(extracted.text)
    assert extracted.title == "Milan Design Week 2018 | Anastassiades' light installation for FLOS"
    assert not any(line.startswith(("Milan Design Week 2018 |", "Milano Design Week 2018 |"))
                   for line in text)
    assert text[0].startswith("During the 2018 Milan Design Meek, the Flos Showroom")
    assert text[-1] == "9.30 A.M. / 7.00 P.M."  # the venue's hours are the article's last line


# --- the same rules on small hand-written pages ---------------------------------------------

PARAGRAPHS = [
    f"Paragraph {n}: US and Cuban officials will meet in Washington on Thursday to discuss "
    "immigration, officials familiar with the matter told Reuters on Monday."
    for n in range(8)
]


def chunked_page(separator: str, chunk_tag: str = "div") -> str:
    first = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[:4])
    second = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[4:])
    return (
        "<html><head><title>Talks</title></head><body><main>"
        f'<{chunk_tag} class="article-body">{first}</{chunk_tag}>{separator}'
        f'<{chunk_tag} class="article-body">{second}</{chunk_tag}>'
        "</main></body></html>"
    )


def test_chunks_around_an_ad_are_joined() -> None:
    html = chunked_page('<div class="ad-slot"><span>Advertisement</span></div>')
    assert lines_of(extract_article(html).text) == PARAGRAPHS


@pytest.mark.parametrize(
    ("separator", "chunk_tag"),
    [
        # The next story of an endless-scroll page: <article> siblings are whole articles.
        ("", "article"),
        # Siblings with other prose between them are not one body.
        ("<section><p>" + "An unrelated story about sugar harvests in the east. " * 3
         + "</p></section>", "div"),
    ],
    ids=["articles", "text-between"],
)
def test_siblings_that_are_not_chunks_are_left_apart(separator: str, chunk_tag: str) -> None:
    tree = extraction._parse(chunked_page(separator, chunk_tag))
    assert tree is not None
    assert not extraction._merge_article_chunks(tree, "\n".join(PARAGRAPHS[:4]))


def test_inline_class_is_kept_when_the_element_is_the_whole_paragraph() -> None:
    html = (
        '<p>It said <span class="link">the NFL will fine him</span> for his role.</p>'
        '<p><span class="link"><a href="/more">More NFL news</a></span></p>'
    )
    tree = extraction._parse(f"<html><body>{html}</body></html>")
    assert tree is not None
    extraction._unmark_inline_elements(tree)
    spans = list(tree.iter("span"))
    assert spans[0].get("class") is None  # inside a sentence: unmarked
    assert spans[1].get("class") == "link"  # a paragraph of its own: trafilatura decides


def test_container_of_inline_text_only_is_not_rewrapped() -> None:
    tree = extraction._parse(
        '<html><body><div class="para">A paragraph held in a div, with <a href="/x">a link'
        "</a> and more words after it.</div>"
        '<div class="content">Loose leading text of a container that also holds blocks.'
        "<br><br>Second paragraph.<div>block</div></div></body></html>"
    )
    assert tree is not None
    extraction._wrap_leading_text(tree)
    para, content = list(tree.iter("div"))[:2]
    assert para.find("p") is None and para.text.startswith("A paragraph")
    assert content.text is None and content[0].tag == "p"
    assert content[0].text.startswith("Loose leading text")


def test_title_copy_after_a_kicker_is_dropped_but_a_one_line_brief_stays() -> None:
    headline = "US and Cuba to hold talks on migration in Washington"
    text = "\n".join(["Exclusive", "US and Cuba will hold talks on migration in Washington",
                      *PARAGRAPHS[:2]])
    assert extraction._drop_title_lines(text, [headline]).splitlines() == [
        "Exclusive", *PARAGRAPHS[:2]]
    assert extraction._drop_title_lines(headline, [headline]) == headline
    # Past the first lines, a sentence that repeats the headline's words is text.
    late = "\n".join([*PARAGRAPHS[:6], headline])
    assert extraction._drop_title_lines(late, [headline]) == late


def test_closing_link_run_goes_but_a_cited_address_or_single_link_stays() -> None:
    links = ["Coast Guard returns rafters", "Blackouts return to the east"]
    tree = extraction._parse(
        "<html><body>" + "".join(f'<a href="/{n}">{t}</a>' for n, t in enumerate(links))
        + '<a href="https://example.org/report">https://example.org/report</a></body></html>'
    )
    assert tree is not None
    body = "\n".join(PARAGRAPHS[:2])
    drop = extraction._drop_trailing_links
    assert drop(f"{body}\n- {links[0]}\n- {links[1]}", tree) == body
    assert drop(f"{body}\n{links[0]}", tree) == f"{body}\n{links[0]}"
    cited = f"{body}\nhttps://example.org/report\n{links[1]}"
    assert drop(cited, tree) == cited
    assert drop("\n".join(links), tree) == "\n".join(links)


def test_a_line_with_only_the_pages_own_address_is_dropped() -> None:
    url = "https://example.org/world/talks"
    html = article_page(body=f"<p>{url}</p>")
    extracted = extract_article(html, url)
    assert url not in extracted.text
    assert extracted.text.startswith(SEED_PARAGRAPHS[0])


# --- Spanish page: residue in Spanish, dates, language --------------------------------------

SPANISH_CHROME = [
    "PUBLICIDAD", "Publicidad", "GIPHY", "Suscríbete", "Síguenos", "Te puede interesar",
    "balseros", "apagones", "zafra", "Deja un comentario", "Deja una respuesta",
    "Tu dirección de correo", "Guardar mi nombre", "Publicar el comentario", "Lo más leído",
    "Utilizamos cookies", "Aceptar", "Compartir en", "Etiquetas", "derechos reservados",
]


def test_spanish_page_keeps_only_its_paragraphs() -> None:
    extracted = extract_article(page("spanish-wordpress.html"),
                                "https://noticiasdelcaribe.example/?p=48")
    text = lines_of(extracted.text)
    assert len(text) == 5
    assert text[0].startswith("Funcionarios de Cuba y de Estados Unidos se reunirán")
    assert text[-1].endswith("la represión de las protestas del 11 de julio.")
    for chrome in SPANISH_CHROME:
        assert chrome not in extracted.text
    assert extracted.language == "es"
    assert extracted.author == "Ana Rodríguez"
    # The article's JSON-LD date, not the header's "today" <time> nor the WebPage object's.
    assert extracted.published == "2022-04-21T09:15:00-04:00"
    assert extracted.published_source == extraction.STATED


# --- publication dates: page against feed entry ---------------------------------------------


def dated_page(head: str = "", body: str = "") -> Extracted:
    return extract_article(article_page(head, body), "https://example.org/world/talks")


def test_date_tiers() -> None:
    stated = dated_page('<meta property="article:published_time" content="2022-04-19">')
    assert (stated.published, stated.published_source) == ("2022-04-19", extraction.STATED)
    hinted = dated_page(body='<time datetime="2022-04-18T10:00:00Z">Monday</time>')
    assert hinted.published == "2022-04-18T10:00:00+00:00"
    assert hinted.published_source == extraction.HINTED
    guessed = dated_page(body='<p class="dateline">17/04/2022</p>')
    assert (guessed.published, guessed.published_source) == ("2022-04-17", extraction.GUESSED)
    none = dated_page()
    assert (none.published, none.published_source) == (None, None)


def test_a_date_in_the_future_is_not_a_publication_date() -> None:
    future = f"{datetime.now(UTC).year + 1}-01-01T00:00:00+00:00"
    extracted = dated_page(f'<meta property="article:published_time" content="{future}">')
    assert extracted.published is None
    assert extraction.publication_date(extracted, future) is None


@pytest.mark.parametrize(
    ("head", "body", "feed", "expected"),
    [
        # The page states the date: it wins over the feed's.
        ('<meta property="article:published_time" content="2022-04-19T16:30:00Z">', "",
         "2022-04-20T08:00:00+00:00", "2022-04-19T16:30:00+00:00"),
        # Only a <time> in the article: the feed entry's date is more reliable.
        ("", '<time datetime="2022-04-18">Monday</time>', "2022-04-19T16:30:00+00:00",
         "2022-04-19T16:30:00+00:00"),
        # htmldate's guess: the feed entry's date is more reliable.
        ("", '<p class="dateline">17/04/2022</p>', "2022-04-19T16:30:00+00:00",
         "2022-04-19T16:30:00+00:00"),
        # No feed date: the page's weaker date is still better than nothing.
        ("", '<time datetime="2022-04-18">Monday</time>', None, "2022-04-18"),
        # Nothing dates the article: null, never the fetch time.
        ("", "", None, None),
    ],
    ids=["page-stated", "page-hinted", "page-guessed", "no-feed-date", "undated"],
)
def test_publication_date_weighs_page_against_feed(
    head: str, body: str, feed: str | None, expected: str | None
) -> None:
    assert extraction.publication_date(dated_page(head, body), feed) == expected


def test_word_level_markup_is_left_alone() -> None:
    # Dozens of classed spans in one paragraph are word-level markup, not links in a
    # sentence; unmarked, they would cost trafilatura time growing with their square.
    many = " ".join(f'word <span class="w">{n}</span>' for n in range(40))
    tree = extraction._parse(f"<html><body><p>{many} end.</p></body></html>")
    assert tree is not None
    extraction._unmark_inline_elements(tree)
    assert all(span.get("class") == "w" for span in tree.iter("span"))


def test_a_page_is_read_for_its_first_million_characters_of_visible_text() -> None:
    """A 14 MB page took a minute in trafilatura; text past the budget could only be cut
    later. Scripts do not count toward it: a page's JSON blob must not push the article out."""
    from monitor.pages.extraction import PAGE_TEXT_BUDGET

    sentence = "Cuban and US officials met in Havana to discuss migration and visas. "
    paragraphs = "".join(f"<p>Part {n}. {sentence * 4}</p>" for n in range(12_000))
    blob = '{"data": "' + "x" * 3_000_000 + '"}'
    html = (f"<html><head><title>Long</title><script>var s = {blob};</script></head><body>"
            f"<article><h1>Long</h1>{paragraphs}</article></body></html>")
    assert len(html) > 6_000_000
    page = extract_article(html, "https://news.example/long")
    assert page.text.startswith("Part 0.")
    assert PAGE_TEXT_BUDGET // 2 < len(page.text) <= PAGE_TEXT_BUDGET + 10_000  # + one <p>

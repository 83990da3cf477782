"""monitor.sources.urls: canonical form, fetchability, site key."""

from __future__ import annotations

import pytest

from monitor.sources.urls import (
    TRACKING_PARAMS,
    TRACKING_PREFIXES,
    canonical_url,
    is_fetchable_url,
    is_tracking_param,
    site_of,
)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://www.example.com/a?utm_source=rss&utm_medium=feed&id=3&UTM_Campaign=x",
            "https://www.example.com/a?id=3",
        ),
        (
            "https://example.com/a?fbclid=abc&b=2&gclid=z&a=1&mc_cid=1&mc_eid=2&igshid=q",
            "https://example.com/a?b=2&a=1",
        ),
        (
            "https://example.com/a?ref=tw&ref_src=twsrc&smid=nytcore&cmpid=x&ncid=y&ocid=z",
            "https://example.com/a",
        ),
        ("https://example.com/a?_ga=2.1&spm=a.b.c&keep=1", "https://example.com/a?keep=1"),
        ("https://example.com/a?WT.mc_id=x&CMP=share_btn&page=2", "https://example.com/a?page=2"),
        # percent-encoded tracking name is still a tracking name
        ("https://example.com/a?utm%5Fsource=x&q=1", "https://example.com/a?q=1"),
    ],
)
def test_tracking_parameters_are_dropped_and_order_kept(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_other_params_keep_order_and_spelling() -> None:
    url = "https://example.com/search?z=1&a=%C3%A9&&b=two+words&flag"
    assert canonical_url(url) == "https://example.com/search?z=1&a=%C3%A9&b=two+words&flag"


def test_fragment_and_trailing_question_mark_removed() -> None:
    assert canonical_url("https://example.com/story#comments") == "https://example.com/story"
    assert canonical_url("https://example.com/story?") == "https://example.com/story"
    assert canonical_url("https://example.com/story?utm_source=x#top") == (
        "https://example.com/story"
    )


def test_scheme_host_case_and_default_ports() -> None:
    assert canonical_url("HTTPS://News.Example.COM:443/Path/To/Story.HTML") == (
        "https://news.example.com/Path/To/Story.HTML"
    )
    assert canonical_url("http://example.com:80/a") == "http://example.com/a"
    assert canonical_url("http://example.com:8080/a") == "http://example.com:8080/a"
    assert canonical_url("https://example.com:80/a") == "https://example.com:80/a"
    assert canonical_url("http://Example.com") == "http://example.com/"


def test_ipv6_and_idna_hosts() -> None:
    assert canonical_url("http://[2001:DB8::1]:80/x") == "http://[2001:db8::1]/x"
    assert canonical_url("https://BÜCHER.example/ä?utm_source=x") == "https://bücher.example/ä"
    assert canonical_url("https://xn--bcher-kva.example/") == "https://xn--bcher-kva.example/"


@pytest.mark.parametrize(
    ("url", "base", "expected"),
    [
        ("/2022/04/story.html", "https://example.com/feeds/rss.xml",
         "https://example.com/2022/04/story.html"),
        ("story.html?utm_source=rss", "https://example.com/news/feed",
         "https://example.com/news/story.html"),
        ("../up.html", "https://example.com/a/b/feed.xml", "https://example.com/a/up.html"),
        ("//cdn.example.net/x", "https://example.com/feed", "https://cdn.example.net/x"),
        ("https://other.org/abs", "https://example.com/feed", "https://other.org/abs"),
        ("  /padded  ", "https://example.com/", "https://example.com/padded"),
    ],
)
def test_relative_resolution(url: str, base: str, expected: str) -> None:
    assert canonical_url(url, base) == expected


def test_unparseable_input_is_returned_not_raised() -> None:
    assert canonical_url("http://[broken/path") == "http://[broken/path"


def test_tracking_data_is_module_level() -> None:
    assert isinstance(TRACKING_PARAMS, frozenset)
    assert "fbclid" in TRACKING_PARAMS
    assert "utm_" in TRACKING_PREFIXES
    assert is_tracking_param("utm_content")
    assert not is_tracking_param("id")


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/",
        "http://example.com/a?b=c",
        "HTTPS://EXAMPLE.COM/x",
        "http://127.0.0.1:8080/x",  # address policy is the fetcher's job, not this check
        "https://bücher.example/",
    ],
)
def test_fetchable(url: str) -> None:
    assert is_fetchable_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        "file:///etc/passwd",
        "data:text/html,<h1>hi</h1>",
        "ftp://example.com/file",
        "mailto:someone@example.com",
        "/relative/path",
        "https://",
        "http:///no-host",
        "https://example.com/has space",
        "https://example.com/tab\there",
        "https://example.com/newline\n",
        "https://example.com/\x00nul",
        "https://example.com/\u200binvisible",
        "https://example.com:99999/bad-port",
        "https://example.com:abc/bad-port",
        "http://[broken/path",
        "",
        "https://example.com/" + "a" * 4000,
    ],
)
def test_not_fetchable(url: str) -> None:
    assert not is_fetchable_url(url)


def test_fetchable_length_limit_is_inclusive() -> None:
    url = "https://example.com/" + "a" * (2048 - len("https://example.com/"))
    assert len(url) == 2048
    assert is_fetchable_url(url)
    assert not is_fetchable_url(url + "a")
    assert is_fetchable_url(url + "a", max_length=4096)


@pytest.mark.parametrize(
    ("url", "site"),
    [
        ("https://www.Example.com/a", "example.com"),
        ("http://news.example.co.uk:8080/x", "news.example.co.uk"),
        ("https://user:pw@WWW.cubadebate.cu/feed/", "cubadebate.cu"),
        ("https://www2.example.com/", "www2.example.com"),
        ("https://example.com./a", "example.com"),
        ("http://[::1]:8000/", "::1"),
        ("/relative", ""),
        ("not a url", ""),
        ("http://[broken", ""),
    ],
)
def test_site_of(url: str, site: str) -> None:
    assert site_of(url) == site


def test_credentials_are_masked_in_messages_up_to_the_last_at_of_the_authority():
    from monitor.sources.urls import mask_credentials, mask_credentials_in

    message = "redirect loop at https://user:p@ss@host.example/feed?next=a@b and http://x.org/@me"
    assert mask_credentials_in(message) == (
        "redirect loop at https://***@host.example/feed?next=a@b and http://x.org/@me")
    assert mask_credentials("https://user:p@ss@host.example/f") == "https://***@host.example/f"

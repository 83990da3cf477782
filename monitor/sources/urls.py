"""URL helpers: one canonical form per article, a fetchability check and a site key.

The canonical form is what de-duplicates the same article reached through different feeds,
newsletters or share links, so it removes only what never identifies a page (tracking
parameters, fragments, default ports, letter case of scheme and host) and leaves the rest —
path case, parameter order, percent-encoding — exactly as the publisher wrote it.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote_plus, urljoin, urlsplit, urlunsplit

#: Query parameters that only say how a reader arrived (campaigns, click ids, share
#: sources); compared case-insensitively after percent-decoding the name.
TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        # ad / social click identifiers
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid",
        "twclid", "ttclid", "li_fat_id", "igshid", "igsh", "epik", "s_kwcid",
        # newsletters and marketing automation (Mailchimp, HubSpot, Marketo, Vero…)
        "mc_cid", "mc_eid", "_hsenc", "_hsmi", "hsctatracking", "mkt_tok", "vero_id",
        "vero_conv", "oly_anon_id", "oly_enc_id", "rb_clickid",
        # analytics cross-domain linkers
        "_ga", "_gl", "_ke", "spm", "scm",
        # share / referral markers used by news sites
        "ref", "ref_src", "ref_url", "referrer", "cmpid", "ncid", "ocid", "smid", "smtyp",
        "sr_share", "xtor", "icid", "int_cmp", "intcmp", "cmp", "tpcc",
        # AT Internet / comScore (BBC and others) and Piwik
        "at_medium", "at_campaign", "at_source", "at_format", "at_link", "at_ptr",
        "ns_mchannel", "ns_source", "ns_campaign", "ns_linkname", "ns_fee",
        "pk_campaign", "pk_kwd", "pk_source", "pk_medium", "pk_content", "pk_cid",
        "__twitter_impression",
    }
)

#: Name prefixes of whole tracking families (utm_source, mtm_medium, WT.mc_id, at_custom1…).
TRACKING_PREFIXES: tuple[str, ...] = ("utm_", "mtm_", "hmb_", "wt.", "at_custom", "ga_")

_DEFAULT_PORTS = {"http": 80, "https": 443}
_FETCHABLE_SCHEMES = frozenset({"http", "https"})


def is_tracking_param(name: str) -> bool:
    """True when a query parameter name (raw, as in the URL) is a known tracker."""
    key = unquote_plus(name).strip().lower()
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


def _clean_query(query: str) -> str:
    """Drop tracking parameters and empty pieces, keeping the rest verbatim and in order."""
    kept = []
    for piece in query.split("&"):
        if not piece:
            continue
        name = piece.split("=", 1)[0]
        if not is_tracking_param(name):
            kept.append(piece)
    return "&".join(kept)


def _clean_netloc(scheme: str, netloc: str) -> str:
    """Lower-case the host, drop a default port and the user info: credentials never identify
    a page, and an article's URL is stored and shown (a feed's credentials stay in the
    config; its pages are fetched without them)."""
    userinfo, at, hostport = netloc.rpartition("@")
    if hostport.startswith("["):  # IPv6 literal: [::1]:8080
        close = hostport.find("]")
        host, port = hostport[: close + 1], hostport[close + 1 :].removeprefix(":")
    else:
        host, _, port = hostport.partition(":")
    host = host.lower().rstrip(".")  # "example.com." names the same host
    if port and port.isdigit() and int(port) == _DEFAULT_PORTS.get(scheme):
        port = ""
    del userinfo, at
    return f"{host}{':' + port if port else ''}"


def canonical_url(url: str, base: str | None = None) -> str:
    """Canonical form of ``url`` (resolved against ``base`` when relative).

    Lower-cases scheme and host, drops default ports, the fragment and tracking parameters,
    keeps the order and spelling of the other parameters, never changes path case, and gives
    an empty http(s) path as ``/``. Input that cannot be parsed at all (for example a broken
    IPv6 literal) is returned stripped but otherwise unchanged rather than raising, because
    feed data is full of oddities and one bad link must not stop a whole feed.
    """
    url = url.strip()
    try:
        if base:
            url = urljoin(base.strip(), url)
        parts = urlsplit(url)
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    netloc = _clean_netloc(scheme, parts.netloc) if parts.netloc else ""
    path = parts.path
    if not path and netloc and scheme in _DEFAULT_PORTS:
        path = "/"
    return urlunsplit((scheme, netloc, path, _clean_query(parts.query), ""))


def _has_unsafe_chars(text: str) -> bool:
    """Whitespace, control or invisible format characters, or a backslash: never part of a URL
    we fetch. (Browsers read ``\\`` as ``/``, Python's parser does not, so
    ``https://victim.example\\@evil.example/`` is one host to us and another to a reader.)"""
    return any(
        ch.isspace() or ch == "\\" or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")
        for ch in text
    )


def is_fetchable_url(url: str, max_length: int = 2048) -> bool:
    """An absolute http(s) URL with a host, at most ``max_length`` characters, nothing odd."""
    if not isinstance(url, str) or not url or len(url) > max_length or _has_unsafe_chars(url):
        return False
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError for a non-numeric or out-of-range port
    except ValueError:
        return False
    del port
    return parts.scheme.lower() in _FETCHABLE_SCHEMES and bool(parts.hostname)


def site_of(url: str) -> str:
    """Host of ``url`` in lower case without a leading ``www.`` (``""`` when there is none)."""
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:
        return ""
    host = host.rstrip(".")
    return host.removeprefix("www.")


def mask_credentials(url: str) -> str:
    """``https://user:secret@host/feed`` -> ``https://***@host/feed``: a URL as it may be
    shown or stored. Credentials stay in the configuration only (see ``store.sync_feeds``).
    Anything that does not parse is returned unchanged."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, f"***@{host}", parts.path, parts.query, parts.fragment))


#: ``scheme://`` then the user info: everything up to the authority's last ``@`` (a password
#: may itself hold ``@``), never past the end of the authority.
_USERINFO_IN_TEXT = re.compile(r"(?<=://)[^\s/?#]*@")


def mask_credentials_in(text: str) -> str:
    """Every ``scheme://user:pass@`` inside a message masked (error texts quote URLs)."""
    return _USERINFO_IN_TEXT.sub("***@", text)


def registrable_domain(url: str) -> str:
    """The domain a publisher registers (``bbc.co.uk`` for ``www.bbc.co.uk``; ``foo.github.io``
    for a page there, as the Public Suffix List's private section says), from the list that
    ships with the ``tld`` package (no download). An IP address or a one-label host is its
    own domain, with its port."""
    from tld import get_fld

    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").rstrip(".")
        port = parts.port
    except ValueError:
        return ""
    domain = get_fld(f"http://{host}/", fail_silently=True) if host else None
    if domain:
        return str(domain)
    return f"{host}:{port}" if port else host


#: Google's AMP cache serves a publisher's page from ``<any>.cdn.ampproject.org`` under a path
#: that names the publisher's host: ``/c/s/www.example.com/...`` (``/v/`` for viewer URLs,
#: ``/i/`` for images; ``s/`` when the origin is https).
_AMP_CACHE_PATH = re.compile(r"^/[cvi]/(?:s/)?([^/]+)/")


def canonical_is_trusted(claimed: str, fetched: str) -> bool:
    """Whether a page fetched from ``fetched`` may name ``claimed`` as its canonical URL: both
    on one registrable domain (``amp.example.com`` -> ``www.example.com``), or ``fetched`` an
    AMP cache copy whose path names ``claimed``'s site. Anything else is a claim one site
    makes about another's URL, and believing it would let any page overwrite (or pre-empt)
    another publisher's article."""
    if not is_fetchable_url(claimed) or "@" in urlsplit(claimed).netloc:
        return False  # user info or a backslash: a URL that reads differently in a browser
    own = registrable_domain(fetched)
    if own and own == registrable_domain(claimed):
        return True
    try:
        parts = urlsplit(fetched)
    except ValueError:
        return False
    if (parts.hostname or "").endswith(".cdn.ampproject.org"):
        match = _AMP_CACHE_PATH.match(parts.path)
        if match:
            return registrable_domain(f"https://{match.group(1)}/") == \
                registrable_domain(claimed)
    return False

"""Build realistic article pages and feeds for the loopback server in tests."""

from __future__ import annotations

from html import escape

CHROME_TOP = """<header><nav><a href="/">Home</a> <a href="/world">World</a>
<a href="/americas">Americas</a> <a href="/subscribe">Subscribe</a></nav></header>
<div class="cookie-banner">We use cookies to improve your experience. Accept all cookies</div>"""
CHROME_BOTTOM = """<aside class="related"><h3>Related stories</h3><ul>
<li><a href="/a">Hurricane season forecast</a></li><li><a href="/b">Markets wrap</a></li></ul>
</aside><footer><p>© 2022 Example News. All rights reserved.</p>
<a href="/privacy">Privacy policy</a></footer>"""


def article_page(title: str, paragraphs: list[str], *, canonical: str | None = None,
                 published: str | None = "2022-04-19T16:30:00Z", site: str = "Example News",
                 lang: str = "en") -> str:
    head = [f"<title>{escape(title)} | {escape(site)}</title>",
            f'<meta property="og:site_name" content="{escape(site)}">',
            f'<meta property="og:title" content="{escape(title)}">']
    if canonical:
        head.append(f'<link rel="canonical" href="{escape(canonical)}">')
    if published:
        head.append(f'<meta property="article:published_time" content="{published}">')
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">{''.join(head)}
</head><body>{CHROME_TOP}<main><article><h1>{escape(title)}</h1>
<p class="byline">By Staff Writer</p>{body}</article></main>{CHROME_BOTTOM}</body></html>"""


def rss(title: str, items: list[tuple[str, str]]) -> str:
    entries = "".join(
        f"<item><title>{escape(t)}</title><link>{escape(link)}</link>"
        f"<guid>{escape(link)}</guid><pubDate>Tue, 19 Apr 2022 16:30:00 GMT</pubDate></item>"
        for t, link in items)
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>{escape(title)}</title><link>https://example.org/</link>"
            f"<description>test</description>{entries}</channel></rss>")


def atom(title: str, entries: list[tuple[str, str]]) -> str:
    body = "".join(
        f"<entry><title>{escape(t)}</title><link href=\"{escape(link)}\"/>"
        f"<id>{escape(link)}</id><updated>2022-05-02T10:00:00Z</updated></entry>"
        for t, link in entries)
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>{escape(title)}</title><id>urn:test</id>"
            f"<updated>2022-05-02T10:00:00Z</updated>{body}</feed>")

"""Hostile servers: one polling round over every misbehaving feed and article page at once.

    .venv/bin/python bench/hostile.py [--timeout 3] [--keep] [--huge-feed] [--pile-up N]
    .venv/bin/python bench/hostile.py --pages [--max-chars N] [--page-cases a,b] [--keep]

Everything is served by one raw-socket, thread-per-connection server on 127.0.0.1 (port 0), so
the bytes and their timing are exactly what each case says. Each feed case is one feed of one
config; the article-page cases are items of one otherwise good feed; one good feed comes last
and must still yield its stored article. After ONE ``Monitor.poll()`` the script prints, per
case, the wall time of its fetch (+ feed parse), what was recorded (``last_status`` /
``last_error`` on the feed row, the ``article_errors`` row, or the stored article) and whether
that is the expected outcome; then the round's wall time and the process's peak RSS. A second,
tiny round with ``fetch.allow_private_addresses: false`` checks that loopback feeds are refused
before any request reaches the server.

The server stops by itself after ``--lifetime`` seconds (every connection handler waits on the
same stop event), and every blocking send gives up after 2 s without progress.

Two opt-in stress sections go beyond the fast-failing cases:

* ``--huge-feed`` adds a VALID feed just under the 15 MiB cap (~55,000 items). It is accepted,
  as it should be, but feedparser needs ~35 s of the round's main thread to parse it.
* ``--pile-up N``: one feed whose first item never answers and whose N other items are 12 MiB
  HTML pages. Results are consumed in order, so every finished page body waits in memory
  behind the slow one; prints the peak RSS when the first result is consumed and how many
  pages were fetched by then (a bounded in-flight window would keep that near 2 x
  fetch.concurrency).

``--pages`` runs the page-level attacks instead, each in a subprocess of its own so that its
wall time and peak RSS (the child's own ``ru_maxrss``) are its alone, one line per case:

* ``entity-dense``: a saved 4.9 MB page of 20,000 "Title Name Surname said …" sentences, one
  ``<p>`` each, ingested as ``monitor ingest FILE`` does (``Monitor.ingest`` on a fresh SQLite
  file): what was stored, cut or not, and how many mentions and officials were tagged;
* ``huge-prose``: a saved 14 MB page of ordinary prose (one long article), the same way:
  whether the stored article is marked ``truncated`` ("n/a" before that column exists);
* ``canonical-hijack``: a page on the attacker's host (an ``http.server`` on 127.0.0.1)
  whose ``<link rel=canonical>`` names ``https://victim.example/news/story``, ingested by its
  URL: the URL it is stored under (its own is the safe outcome) and the claim recorded;
* ``furniture-poisoning``: three pages from the attacker's host claiming URLs on
  victim.example, each carrying the line "Cuba's foreign ministry confirmed the talks.", then
  a real victim page saved as a file (canonical ``https://victim.example/news/real``) that
  has the same sentence: whether the sentence survived in the victim's stored text.

``--max-chars`` sets ``cleaning.max_chars`` for them (the config's default otherwise).

This module is also the fixture library of ``tests/test_hostile.py``: the suite serves the
same cases with a short timeout.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import random
import resource
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

MIB = 1024 * 1024
#: Signature of a route: (connection, request path, server stop event).
Handler = Callable[[socket.socket, str, threading.Event], None]

# ------------------------------------------------------------------------------- the server


class HostileServer:
    """A raw-socket HTTP/1.x server on 127.0.0.1: you write the bytes, you choose the timing.

    Routes map a path to a :data:`Handler`; ``/a`` also serves ``/a/anything``. Unknown paths
    get a 404. Each connection is handled in its own daemon thread and closed afterwards (one
    request per connection). ``requests`` lists every request target received, in order.
    The server stops at :meth:`stop` or, at the latest, ``lifetime`` seconds after start.
    """

    def __init__(self, routes: Mapping[str, Handler] | None = None, *,
                 lifetime: float = 120.0) -> None:
        self.routes: dict[str, Handler] = dict(routes or {})
        self.lifetime = lifetime
        self.stopping = threading.Event()
        self.requests: list[str] = []
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._conns: list[socket.socket] = []
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(128)
        self._listener.settimeout(0.05)  # the accept loop notices `stopping` quickly
        self.port: int = self._listener.getsockname()[1]
        self._acceptor = threading.Thread(target=self._accept_loop, name="hostile-accept",
                                          daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> HostileServer:
        self._acceptor.start()
        return self

    def __enter__(self) -> HostileServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop(self) -> None:
        self.stopping.set()
        self._acceptor.join(timeout=5)
        self._listener.close()
        with self._lock:
            conns, threads = list(self._conns), list(self._threads)
        for conn in conns:  # wake handlers blocked in send/recv
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for thread in threads:
            thread.join(timeout=5)

    def requested(self, path: str) -> int:
        """How many requests asked for ``path`` (the query string ignored)."""
        with self._lock:
            return sum(1 for target in self.requests if target.split("?", 1)[0] == path)

    def _accept_loop(self) -> None:
        end = time.monotonic() + self.lifetime
        while not self.stopping.is_set():
            if time.monotonic() > end:
                self.stopping.set()
                break
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                break
            thread = threading.Thread(target=self._serve, args=(conn,), name="hostile-conn",
                                      daemon=True)
            with self._lock:
                self._conns.append(conn)
                self._threads.append(thread)
            thread.start()

    def _route(self, path: str) -> Handler | None:
        best = None
        for prefix, handler in self.routes.items():
            if path == prefix or path.startswith(prefix.rstrip("/") + "/"):
                if best is None or len(prefix) > len(best[0]):
                    best = (prefix, handler)
        return best[1] if best else None

    def _serve(self, conn: socket.socket) -> None:
        try:
            head = _read_head(conn)
            if head is None:
                return
            parts = head.split(b"\r\n", 1)[0].split()
            target = parts[1].decode("latin-1") if len(parts) >= 2 else "/"
            with self._lock:
                self.requests.append(target)
            handler = self._route(target.split("?", 1)[0])
            if handler is None:
                send(conn, response_head(404, {"Content-Length": "0"}))
            else:
                handler(conn, target, self.stopping)
        except OSError:  # the client hung up (it gave up on us) or a send timed out
            pass
        finally:
            conn.close()


def _read_head(conn: socket.socket) -> bytes | None:
    conn.settimeout(2.0)
    data = b""
    while b"\r\n\r\n" not in data and len(data) < 65536:
        chunk = conn.recv(4096)
        if not chunk:
            return None
        data += chunk
    return data


def send(conn: socket.socket, data: bytes) -> None:
    """sendall that gives up (OSError) when the client has not read anything for 2 s."""
    conn.settimeout(2.0)
    conn.sendall(data)


def response_head(status: int, headers: Mapping[str, str] | None = None) -> bytes:
    reasons = {200: "OK", 302: "Found", 404: "Not Found"}
    lines = [f"HTTP/1.1 {status} {reasons.get(status, 'Status')}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


# ------------------------------------------------------------------------------- behaviours


def respond(body: bytes, content_type: str = "application/rss+xml",
            headers: Mapping[str, str] | None = None, status: int = 200) -> Handler:
    """A well-formed response (the body may be anything)."""

    def handler(conn: socket.socket, path: str, stop: threading.Event) -> None:
        fields = {"Content-Type": content_type, "Content-Length": str(len(body)),
                  **(headers or {})}
        send(conn, response_head(status, fields) + body)

    return handler


def redirect(location: str) -> Handler:
    return respond(b"", "text/plain", {"Location": location}, status=302)


def never_answers() -> Handler:
    """Accept, read the request, then say nothing until the server stops."""

    def handler(conn: socket.socket, path: str, stop: threading.Event) -> None:
        stop.wait()

    return handler


def closes_at_once() -> Handler:
    def handler(conn: socket.socket, path: str, stop: threading.Event) -> None:
        conn.shutdown(socket.SHUT_RDWR)

    return handler


def trickle(interval: float, *, content_length: int = 100_000,
            content_type: str = "application/rss+xml") -> Handler:
    """Headers at once, then the body one byte every ``interval`` seconds."""

    def handler(conn: socket.socket, path: str, stop: threading.Event) -> None:
        send(conn, response_head(200, {"Content-Type": content_type,
                                       "Content-Length": str(content_length)}))
        body = b"<rss version='2.0'><channel><title>slow" + b" " * content_length
        for byte in body[:content_length]:
            if stop.wait(interval):
                return
            send(conn, bytes([byte]))

    return handler


def trickle_headers(interval: float) -> Handler:
    """The status line and headers themselves, one byte every ``interval`` seconds."""

    def handler(conn: socket.socket, path: str, stop: threading.Event) -> None:
        head = response_head(200, {"Content-Type": "application/rss+xml",
                                   **{f"X-Pad-{n}": "x" * 40 for n in range(100)}})
        for byte in head:
            if stop.wait(interval):
                return
            send(conn, bytes([byte]))

    return handler


def endless_chunked(content_type: str = "application/rss+xml") -> Handler:
    """Transfer-Encoding: chunked that never sends the last chunk: an infinite body."""
    def chunk(data: bytes) -> bytes:
        return f"{len(data):x}\r\n".encode() + data + b"\r\n"

    repeated = chunk(b"<item><title>again</title></item>" * 2000)

    def handler(conn: socket.socket, path: str, stop: threading.Event) -> None:
        send(conn, response_head(200, {"Content-Type": content_type,
                                       "Transfer-Encoding": "chunked"})
             + chunk(b"<rss version='2.0'><channel><title>endless</title>"))
        while not stop.is_set():
            send(conn, repeated)

    return handler


def huge_content_length(size: int = 3 * 10**9, *, then_trickle: float | None = None,
                        content_type: str = "application/rss+xml") -> Handler:
    """Announce ``size`` bytes; then close at once, or trickle a byte every ``then_trickle``."""

    def handler(conn: socket.socket, path: str, stop: threading.Event) -> None:
        send(conn, response_head(200, {"Content-Type": content_type,
                                       "Content-Length": str(size)}))
        while then_trickle is not None and not stop.wait(then_trickle):
            send(conn, b"<")

    return handler


def not_http(seed: int = 7) -> Handler:
    """Binary garbage instead of a status line."""
    data = random.Random(seed).randbytes(4096)

    def handler(conn: socket.socket, path: str, stop: threading.Event) -> None:
        send(conn, data)

    return handler


def gzip_bomb(compressed_bytes: int = 10 * MIB, content_type: str = "application/rss+xml"
              ) -> Handler:
    """A valid gzip body of ~``compressed_bytes`` inflating ~1,000 times (10 MiB -> ~10 GiB),
    sent with Content-Encoding: gzip and an honest (small) Content-Length."""
    segments = max(1, compressed_bytes // len(_bomb_segment()))

    def handler(conn: socket.socket, path: str, stop: threading.Event) -> None:
        send(conn, response_head(200, {"Content-Type": content_type, "Content-Encoding": "gzip",
                                       "Content-Length": str(gzip_bomb_size(segments))}))
        batch = bytearray()
        for part in gzip_bomb_stream(segments):
            batch += part
            if len(batch) >= 64 * 1024:
                if stop.is_set():
                    return
                send(conn, bytes(batch))
                batch.clear()
        send(conn, bytes(batch))

    return handler


@functools.cache
def _bomb_segment() -> bytes:
    """1 MiB of zeros, raw deflate, ending in a full flush: byte-aligned and self-contained
    (no back-reference before it), so any number of copies in a row is valid deflate data."""
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return deflate.compress(bytes(MIB)) + deflate.flush(zlib.Z_FULL_FLUSH)


_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
_FINAL_BLOCK = b"\x03\x00"  # an empty final block with fixed Huffman codes


def gzip_bomb_size(segments: int) -> int:
    return len(_GZIP_HEADER) + segments * len(_bomb_segment()) + len(_FINAL_BLOCK) + 8


def gzip_bomb_stream(segments: int) -> Iterator[bytes]:
    """The gzip member, lazily: ``segments`` MiB of zeros once inflated. The CRC in the
    trailer is computed only if a client ever reads that far."""
    yield _GZIP_HEADER
    segment = _bomb_segment()
    for _ in range(segments):
        yield segment
    crc, zeros = 0, bytes(MIB)
    for _ in range(segments):
        crc = zlib.crc32(zeros, crc)
    yield _FINAL_BLOCK + struct.pack("<II", crc, (segments * MIB) & 0xFFFFFFFF)


# --------------------------------------------------------------------------------- payloads


def rss(title: str, items: Sequence[tuple[str, str]], *, prolog: str = "",
        description: str = "") -> bytes:
    entries = "".join(
        f"<item><title>{escape(t)}</title><link>{escape(link)}</link>"
        f"<guid>{escape(link)}</guid><pubDate>Tue, 19 Apr 2022 16:30:00 GMT</pubDate>"
        f"{description}</item>"
        for t, link in items)
    return (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<rss version="2.0"><channel>'
            f"<title>{escape(title)}</title><link>https://example.org/</link>"
            f"<description>hostile test</description>{entries}</channel></rss>").encode()


def billion_laughs(link: str) -> bytes:
    """The classic: ten levels of ten references, 10**9 "lol"s once expanded."""
    entities = ['<!ENTITY lol "lol">', '<!ENTITY lol1 "' + "&lol;" * 10 + '">']
    entities += [f'<!ENTITY lol{n} "' + f"&lol{n - 1};" * 10 + '">' for n in range(2, 10)]
    prolog = "<!DOCTYPE rss [" + "".join(entities) + "]>"
    return rss("Laughs &lol9;", [("&lol9;", link)], prolog=prolog,
               description="<description>&lol9;</description>").replace(b"&amp;lol9;", b"&lol9;")


def big_entity_feed(link: str, *, entity_bytes: int = 100_000,
                    references: int = 20_000) -> bytes:
    """One ~100 KB internal entity referenced 20,000 times: ~162 KB on the wire, 2 GB expanded
    (feedparser keeps such "safe-looking" entities)."""
    prolog = f'<!DOCTYPE rss [<!ENTITY e "{"A" * entity_bytes}">]>'
    return rss("Big entity", [("big", link)], prolog=prolog,
               description=f"<description>{'&e;' * references}</description>")


def huge_valid_feed(target_bytes: int = 14 * MIB) -> bytes:
    """A well-formed RSS feed of ~``target_bytes`` with tens of thousands of items."""
    words = "Cuba migration talks news " * 8
    item = ("<item><title>Story {0}</title><link>/page/plain?n={0}</link>"
            f"<description>{words}</description>"
            "<pubDate>Tue, 19 Apr 2022 16:30:00 GMT</pubDate></item>")
    count = target_bytes // len(item.format(10_000))
    return rss("Huge but valid", []).replace(
        b"</channel>", "".join(item.format(n) for n in range(count)).encode() + b"</channel>")


def garbage(size: int = 64 * 1024, seed: int = 1) -> bytes:
    return random.Random(seed).randbytes(size)


HOME_PAGE = (b"<!DOCTYPE html><html><head><title>Example News</title></head><body>"
             b"<h1>Example News</h1><p>Welcome to our home page. Subscribe to our feeds.</p>"
             b"</body></html>")

GOOD_PARAGRAPHS = (
    "Cuba and the United States held a round of migration talks in Havana on Thursday, the "
    "first at this level in four years, officials from both governments said.",
    "The delegations discussed the 1994 migration accords, consular services at the U.S. "
    "Embassy in Havana and the return of Cubans intercepted at sea, according to a statement "
    "from the Cuban Foreign Ministry.",
    "A State Department spokesperson in Washington said the talks were a practical step and "
    "did not signal a broader change in policy toward Cuba.",
)

VISA_PARAGRAPHS = (
    "The U.S. Embassy in Havana resumed processing immigrant visas for Cubans on Wednesday, "
    "the State Department said, after a pause of more than four years.",
    "The embassy expects to issue 20,000 visas a year to Cuban families under the migration "
    "accords, a spokesperson for the Department of State said in Washington.",
    "Cuba's Foreign Ministry welcomed the decision but said the United States should do more "
    "to allow orderly migration.",
)

OFF_TOPIC_PARAGRAPHS = (
    "The city council approved a new budget for public libraries on Monday evening.",
    "Libraries across the county will extend their opening hours during the summer months.",
    "The mayor said the plan would be paid for without raising local taxes this year.",
)


def article_html(title: str, paragraphs: Sequence[str]) -> bytes:
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{escape(title)}</title></head><body><main><article>"
            f"<h1>{escape(title)}</h1>{body}</article></main></body></html>").encode()


# ------------------------------------------------------------------------------------ cases


@dataclass(frozen=True)
class Case:
    """One hostile input. ``role`` "feed": a feed of the config; "page": an item of the
    ``pages`` feed. ``expect``: substrings, one of which the recorded error must contain
    (status "error"); empty when the case must get through with the status ``succeeds``
    ("ok" for a feed; "stored" or "skipped" for a page)."""

    name: str
    role: str
    path: str
    handler: Handler
    expect: tuple[str, ...] = ()
    what: str = ""
    succeeds: str = "ok"


#: Article pages of the "pages" feed that are not cases of their own.
GOOD_PAGE = "/page/good"
PLAIN_PAGE = "/page/plain"
LONG_PATH = "/page/" + "a" * 4000


def build_cases(trickle_interval: float, *, bomb_bytes: int = 10 * MIB,
                huge_feed: bool = False) -> list[Case]:
    """Every hostile case. ``trickle_interval`` is the gap between trickled bytes: shorter
    than the fetch timeout, so only a total deadline (not a per-read timeout) can cut them.
    ``bomb_bytes``: compressed size of the gzip bombs (x ~1,000 inflated); keep it under
    fetch.max_bytes so that the honest Content-Length does not give the bomb away."""
    bomb = f"{bomb_bytes / MIB:g} MiB gzip of zeros (~{bomb_bytes / MIB:g} GiB inflated)"
    plain = PLAIN_PAGE
    feed, page = "feed", "page"
    timed_out, too_large = ("timed out",), ("exceeds",)
    cases = [
        Case("billion-laughs", feed, "/feed/billion-laughs", respond(billion_laughs(plain)),
             what="10 levels x 10 entity references (10**9 lol)"),
        Case("big-entity", feed, "/feed/big-entity", respond(big_entity_feed(plain)),
             what="162 KB: one 100 KB entity x 20,000 references"),
        Case("gzip-bomb", feed, "/feed/gzip-bomb", gzip_bomb(bomb_bytes), too_large, bomb),
        Case("endless-chunked", feed, "/feed/endless", endless_chunked(), too_large,
             "chunked body that never ends"),
        Case("trickle-body", feed, "/feed/trickle", trickle(trickle_interval), timed_out,
             f"one body byte every {trickle_interval:g}s"),
        Case("trickle-headers", feed, "/feed/trickle-headers", trickle_headers(trickle_interval),
             timed_out, f"one header byte every {trickle_interval:g}s"),
        Case("never-answers", feed, "/feed/never", never_answers(), timed_out,
             "accepts, reads the request, never answers"),
        Case("closes-at-once", feed, "/feed/closes", closes_at_once(), ("disconnected",),
             "accepts and hangs up"),
        Case("redirect-loop", feed, "/feed/loop-a", redirect("/feed/loop-b"), ("redirect",),
             "/feed/loop-a -> /feed/loop-b -> /feed/loop-a"),
        Case("redirect-endless", feed, "/feed/chain", _endless_redirects(), ("redirect",),
             "/feed/chain/1 -> /feed/chain/2 -> ..."),
        Case("3GB-content-length", feed, "/feed/huge",
             huge_content_length(then_trickle=trickle_interval), too_large,
             "Content-Length: 3000000000, then a trickle"),
        Case("binary-garbage", feed, "/feed/garbage", respond(garbage()),
             ("malformed feed", "not a feed"), "64 KiB of random bytes, 200 OK"),
        Case("not-http", feed, "/feed/not-http", not_http(), ("protocol error",),
             "random bytes instead of a status line"),
        Case("empty-200", feed, "/feed/empty", respond(b""), ("empty response",),
             "200 OK, Content-Length: 0"),
        Case("html-not-feed", feed, "/feed/html", respond(HOME_PAGE, "text/html"),
             ("not a feed",), "an HTML home page where the feed should be"),
        Case("huge-char-ref", feed, "/feed/char-ref", respond(rss("Refs &#99999999999;", [
            ("&#xD800; &nbsp;", plain)]).replace(b"&amp;", b"&")),
             what="&#99999999999; (feedparser: OverflowError) and a surrogate reference"),
        Case("garbled-encoding", feed, "/feed/garbled-encoding",
             respond(b'<?xml version="1.0" encoding="\xaa\x00"?>' + rss("T", [])[38:]),
             ("encoding",), "an encoding name of non-UTF-8 bytes and NUL"),
        Case("bad-item-links", feed, "/feed/bad-links", respond(rss("Bad links", [
            ("file", "file:///etc/passwd"), ("js", "javascript:alert(1)"),
            ("data", "data:text/html,<script>alert(1)</script>"),
            ("long", LONG_PATH)])),
             what="items link to file:, javascript:, data: and a 4,000-character URL"),
        # Article pages behind one good feed ("pages", below).
        Case("page-gzip-bomb", page, "/page/gzip-bomb",
             gzip_bomb(bomb_bytes, content_type="text/html"), too_large, bomb),
        Case("page-never-answers", page, "/page/never", never_answers(), timed_out,
             "accepts, never answers"),
        Case("page-trickle", page, "/page/trickle",
             trickle(trickle_interval, content_type="text/html"), timed_out,
             f"one byte every {trickle_interval:g}s"),
        Case("page-3GB-content-length", page, "/page/huge",
             huge_content_length(content_type="text/html"), too_large,
             "Content-Length: 3000000000, then close"),
        Case("page-endless-chunked", page, "/page/endless",
             endless_chunked(content_type="text/html"), too_large, "infinite chunked body"),
        Case("page-binary-garbage", page, "/page/garbage", respond(garbage(), "text/html"),
             ("no article text",), "64 KiB of random bytes served as text/html"),
        Case("page-octet-stream", page, "/page/binary",
             respond(garbage(seed=2), "application/octet-stream"), ("not an HTML page",),
             "random bytes served as application/octet-stream"),
        Case("page-empty", page, "/page/empty", respond(b"", "text/html"),
             ("no article text",), "200 OK, empty body"),
        Case("page-redirect-loop", page, "/page/loop-a", redirect("/page/loop-b"),
             ("redirect",), "/page/loop-a -> /page/loop-b -> /page/loop-a"),
        Case("page-billion-laughs", page, "/page/laughs",
             respond(billion_laughs(plain), "application/xhtml+xml"),
             what="billion-laughs XML served as XHTML: unexpanded, off topic",
             succeeds="skipped"),
        Case("page-good", page, GOOD_PAGE,
             respond(article_html("US and Cuba hold migration talks", GOOD_PARAGRAPHS),
                     "text/html; charset=utf-8"), what="a real article: stored",
             succeeds="stored"),
    ]
    if huge_feed:
        cases.insert(0, Case("huge-valid-feed", feed, "/feed/huge-valid",
                             respond(huge_valid_feed()),
                             what="a valid 14 MiB feed (~55,000 items), under the cap"))
    return cases


def _endless_redirects() -> Handler:
    def handler(conn: socket.socket, path: str, stop: threading.Event) -> None:
        step = path.rstrip("/").rsplit("/", 1)[-1]
        number = int(step) + 1 if step.isdigit() else 1
        send(conn, response_head(302, {"Location": f"/feed/chain/{number}",
                                       "Content-Length": "0"}))

    return handler


@dataclass
class Round:
    """The hostile server with every case routed, and the config that polls them."""

    server: HostileServer
    cases: list[Case]
    feed_urls: list[str] = field(default_factory=list)

    @property
    def pages_feed(self) -> str:
        return self.server.url("/feed/pages")

    @property
    def good_feed(self) -> str:
        return self.server.url("/feed/good")

    def url(self, case: Case) -> str:
        return self.server.url(case.path)


def hostile_round(*, trickle_interval: float, lifetime: float = 120.0,
                  bomb_bytes: int = 10 * MIB, huge_feed: bool = False) -> Round:
    """A started server routing every case, plus the ``pages`` and ``good`` feeds."""
    cases = build_cases(trickle_interval, bomb_bytes=bomb_bytes, huge_feed=huge_feed)
    server = HostileServer(lifetime=lifetime)
    for case in cases:
        server.routes[case.path] = case.handler
    server.routes["/feed/loop-b"] = redirect("/feed/loop-a")
    server.routes["/page/loop-b"] = redirect("/page/loop-a")
    server.routes[PLAIN_PAGE] = respond(article_html("Libraries to open longer",
                                                     OFF_TOPIC_PARAGRAPHS), "text/html")
    pages = [(case.name, server.url(case.path)) for case in cases if case.role == "page"]
    server.routes["/feed/pages"] = respond(rss("Pages", pages))
    server.routes["/feed/good"] = respond(rss("Good feed", [
        ("Talks", server.url("/news/good"))]))
    server.routes["/news/good"] = respond(
        article_html("US embassy in Havana resumes visas", VISA_PARAGRAPHS), "text/html")
    feeds = [server.url(case.path) for case in cases if case.role == "feed"]
    feeds += [server.url("/feed/pages"), server.url("/feed/good")]  # the good one comes last
    server.start()
    return Round(server, cases, feeds)


def config_yaml(feed_urls: Sequence[str], *, timeout: float, allow_private: bool = True,
                database: str = "monitor.db", extra: str = "", **fetch: object) -> str:
    """A config.yaml polling ``feed_urls``; ``fetch`` adds keys to the fetch section."""
    lines = [f"database: {database}", "feeds:"]
    lines += [f"  - url: {url}" for url in feed_urls]
    lines += ["fetch:", f"  allow_private_addresses: {'true' if allow_private else 'false'}",
              f"  timeout: {timeout:g}s", f"  connect_timeout: {timeout:g}s", "  host_delay: 0",
              "  robots: false"]
    lines += [f"  {key}: {value}" for key, value in fetch.items()]
    return "\n".join(lines) + "\n" + extra


# ---------------------------------------------------------------------------------- outcomes


@dataclass
class Outcome:
    status: str  #: feed: last_status; page: "stored", "skipped", "error" or "not fetched"
    message: str | None

    def matches(self, case: Case) -> bool:
        if case.expect:
            return self.status == "error" and any(
                text in (self.message or "") for text in case.expect)
        return self.status == case.succeeds


def recorded(db: Any, url: str, role: str) -> Outcome:
    """What the round wrote about ``url``: the feed row, or the article / article_errors."""
    if role == "feed":
        row = db.execute("SELECT last_status, last_error FROM feeds WHERE url = ?",
                         [url]).fetchone()
        return Outcome(row[0] or "never polled", row[1]) if row else Outcome("no row", None)
    error = db.execute("SELECT last_error FROM article_errors WHERE url = ?", [url]).fetchone()
    if error:
        return Outcome("error", error[0])
    stored = db.execute("SELECT a.title FROM article_urls u JOIN articles a "
                        "ON a.id = u.article_id WHERE u.url = ?", [url]).fetchone()
    if stored:
        return Outcome("stored", stored[0])
    skipped = db.execute("SELECT reason FROM skipped WHERE url = ?", [url]).fetchone()
    if skipped:
        return Outcome("skipped", skipped[0])
    return Outcome("not fetched", None)


# ------------------------------------------------------------------------------------ bench


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _timed_monitor(config_path: Path) -> tuple[Any, dict[str, float]]:
    """A Monitor whose fetches and feed parses are timed per URL (summed per URL), and which
    notes the peak RSS when the feeds are done (``spent["rss:feeds"]``) and just before the
    spaCy model loads (``spent["rss:before nlp"]``)."""
    from monitor import pipeline
    from monitor.config import load_config
    from monitor.db.store import open_db
    from monitor.sources import feed_state, feeds
    from monitor.sources.fetching import Fetcher, FetchSettings

    spent: dict[str, float] = {}
    lock = threading.Lock()

    def add(url: str, seconds: float) -> None:
        with lock:
            spent[url] = spent.get(url, 0.0) + seconds

    class TimedFetcher(Fetcher):
        def get(self, url: str, **kwargs: Any) -> Any:
            start = time.monotonic()
            try:
                return super().get(url, **kwargs)
            finally:
                add(url, time.monotonic() - start)

    parse = feeds.parse_feed  # the real one: patching again replaces, never nests

    def timed_parse(content: bytes, *, base_url: str = "", **kwargs: Any) -> Any:
        start = time.monotonic()
        try:
            return parse(content, base_url=base_url, **kwargs)
        finally:
            add(base_url, time.monotonic() - start)

    class MemoryReporter(pipeline.Reporter):
        def stage(self, name: str, total: int) -> None:
            if name == "articles":  # every feed fetched and parsed
                spent.setdefault("rss:feeds", _peak_rss_mib())

    class TimedMonitor(pipeline.Monitor):
        @property
        def tagger(self) -> Any:
            if self._tagger is None:
                spent.setdefault("rss:before nlp", _peak_rss_mib())
            return super().tagger

    # Bench-only instrumentation: time the parse step where the pipeline calls it.
    feed_state.parse_feed = timed_parse  # type: ignore[assignment]
    config = load_config(config_path, env={})
    db = open_db(config.database_path)
    fetcher = TimedFetcher(FetchSettings.from_config(config.fetch))
    return TimedMonitor(config, db, fetcher=fetcher, reporter=MemoryReporter()), spent


def _poll(monitor: Any) -> tuple[Any, str | None]:
    try:
        return monitor.poll(), None
    except BaseException:  # noqa: BLE001 - a crash is what this bench counts
        return None, traceback.format_exc()


def pile_up(directory: Path, pages: int, timeout: float) -> None:
    """One never-answering page ahead of ``pages`` 12 MiB pages: how much waits in memory."""
    from monitor import pipeline
    from monitor.config import load_config
    from monitor.db.store import open_db

    body = b"<html><body>" + b"<p>filler text here</p>" * (12 * MIB // 23) + b"</body></html>"
    first: dict[str, float] = {}
    stop = threading.Event()

    class FirstResult(pipeline.Reporter):
        def article_done(self, url: str, status: str, message: str | None) -> None:
            first.setdefault("rss", _peak_rss_mib())
            stop.set()  # the measurement is taken: end the round

    directory.mkdir()
    with HostileServer({"/never": never_answers()}, lifetime=30 + 2 * timeout) as server:
        for n in range(pages):
            server.routes[f"/big/{n}"] = respond(body, "text/html")
        items = [("slow", server.url("/never"))]
        items += [(f"big {n}", server.url(f"/big/{n}")) for n in range(pages)]
        server.routes["/feed"] = respond(rss("Pile-up", items))
        (directory / "config.yaml").write_text(
            config_yaml([server.url("/feed")], timeout=timeout), "utf-8")
        config = load_config(directory / "config.yaml", env={})
        db = open_db(config.database_path)
        monitor = pipeline.Monitor(config, db, reporter=FirstResult(), stop=stop)
        before = _peak_rss_mib()
        try:
            monitor.poll()
        finally:
            monitor.close()
            db.close()
        fetched = sum(1 for target in server.requests if target.startswith("/big/"))
    print(f"pile-up: 1 never-answering page, then {pages} pages of 12 MiB "
          f"(fetch.concurrency {config.fetch.concurrency}): {fetched} fetched while the first "
          f"waited; peak RSS {before:.0f} MiB -> {first.get('rss', 0):.0f} MiB when the first "
          "result was consumed")

# ------------------------------------------------------------------------------- page attacks

#: The page-level attacks of ``--pages``, in the order they run.
PAGE_CASES = ("entity-dense", "huge-prose", "canonical-hijack", "furniture-poisoning")
VICTIM_STORY = "https://victim.example/news/story"
VICTIM_REAL = "https://victim.example/news/real"
POISON = "Cuba's foreign ministry confirmed the talks."

_DENSE_TITLES = ("Deputy Foreign Minister", "Foreign Minister", "Vice President", "Senator",
                 "Ambassador", "Interior Minister", "Assistant Secretary of State",
                 "Defense Secretary", "Attorney General", "Governor", "spokeswoman",
                 "Homeland Security Secretary", "Rep.", "Sen.", "chargé d'affaires",
                 "Deputy Prime Minister", "Health Minister", "Coast Guard Rear Adm.")
_DENSE_FIRST = ("Carlos", "María", "John", "Ana", "Pedro", "Laura", "Brian", "Josefina",
                "Bruno", "Lianys", "Miguel", "Elena", "David", "Rosa", "Jorge", "Sofía",
                "Alejandro", "Marco", "Johana", "Raúl", "Emily", "Kevin", "Yolanda", "Tom")
_DENSE_LAST = ("Fernández de Cossío", "Rodríguez Parrilla", "Nichols", "Vidal Ferreiro",
               "Torres Rivera", "Smith", "Gómez", "Pérez", "Martínez", "Johnson", "Díaz",
               "Hernández", "Castro", "Ortega", "Mayorkas", "Tablada", "Rubio", "Blinken",
               "Morales Ojeda", "Navarro", "O'Neill", "García Márquez", "Lee", "Walker")
_DENSE_TAILS = (
    "said on Monday that the talks with the State Department on migration, visas and the "
    "deportation flights to Havana would continue next month, officials from both countries "
    "confirmed in a joint statement issued in Washington.",
    "told reporters in Havana that 16,531 Cubans were apprehended at the US-Mexico border in "
    "February, up from 12,000 in January, and that the embassy would resume full consular "
    "services for Cuban families soon.",
    "said the Cuban Foreign Ministry and the U.S. Embassy in Havana had agreed to hold another "
    "round of migration talks in Washington before the end of the year, according to a "
    "statement from both governments.",
    "said Cuba's foreign ministry confirmed the talks on Thursday and that the Coast Guard "
    "had returned 2,000 migrants intercepted at sea since October, the highest number in "
    "decades, to the port of Havana.",
)


def dense_page_html(sentences: int = 20_000, seed: int = 5) -> bytes:
    """A saved article page of ``sentences`` "Title Name Surname said …" paragraphs (~4.9 MB
    for 20,000): the shape an outside probe found took 13 minutes to tag."""
    rng = random.Random(seed)
    paragraphs = [f"{rng.choice(_DENSE_TITLES)} {rng.choice(_DENSE_FIRST)} "
                  f"{rng.choice(_DENSE_LAST)} {rng.choice(_DENSE_TAILS)}"
                  for _ in range(sentences)]
    return article_html("Officials on the US-Cuba migration talks", paragraphs)


def prose_page_html(target_bytes: int = 14 * MIB) -> bytes:
    """One long article of ordinary prose (the talks, the visas, and other news), repeated to
    ``target_bytes``."""
    paragraphs = (*GOOD_PARAGRAPHS, *VISA_PARAGRAPHS, *OFF_TOPIC_PARAGRAPHS)
    size = sum(len(p) + 7 for p in paragraphs)
    return article_html("A very long story on US-Cuba migration",
                        paragraphs * max(1, target_bytes // size))


def canonical_html(title: str, paragraphs: Sequence[str], canonical: str) -> bytes:
    """An article page whose ``<link rel=canonical>`` (and og:url) names ``canonical``."""
    head = (f'<link rel="canonical" href="{escape(canonical)}">'
            f'<meta property="og:url" content="{escape(canonical)}">')
    return article_html(title, paragraphs).replace(b"</title>", b"</title>" + head.encode(), 1)


def _attacker_pages() -> dict[str, tuple[str, bytes]]:
    """Path on the attacker's host -> (the victim URL it claims, the page)."""
    stories = [
        ("Cuba and the US discuss deportation flights", (
            "Cuban and US officials met in Havana on Tuesday to discuss the resumption of "
            "deportation flights, the first such meeting this year.",
            "The delegations reviewed the 1994 migration accords and consular services at the "
            "embassy, a Cuban official said after the meeting.")),
        ("Havana says visa backlog is shrinking", (
            "The U.S. Embassy in Havana has cut its backlog of immigrant visa interviews by "
            "half since January, a spokesperson said on Wednesday.",
            "Cuban families have waited years for the interviews, which moved to Guyana when "
            "the embassy reduced its staff in 2017.")),
        ("Coast Guard returns migrants to Cuba", (
            "The US Coast Guard returned 83 migrants to Cuba on Friday after intercepting "
            "several rustic vessels in the Florida Straits.",
            "The number of Cubans trying to reach Florida by sea has risen sharply over the "
            "past year, according to Coast Guard figures.")),
    ]
    pages = {}
    for n, (title, paragraphs) in enumerate(stories, 1):
        claim = f"https://victim.example/news/{n}"
        pages[f"/attack/{n}"] = (claim, canonical_html(title, (*paragraphs, POISON), claim))
    return pages


class _PagesHandler(BaseHTTPRequestHandler):
    """Serves ``server.pages`` (path -> HTML); everything else is a 404."""

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        body = self.server.pages.get(self.path.split("?", 1)[0])  # type: ignore[attr-defined]
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence
        pass


def _pages_server(pages: Mapping[str, bytes]) -> ThreadingHTTPServer:
    """A threaded ``http.server`` on 127.0.0.1 serving ``pages``, started."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PagesHandler)
    server.pages = dict(pages)  # type: ignore[attr-defined]
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="pages-server", daemon=True).start()
    return server


def _page_monitor(workdir: Path, max_chars: int | None) -> Any:
    """A Monitor on a fresh SQLite file in ``workdir``, with the default configuration (no
    config file is read) but loopback fetches allowed, no robots.txt, no per-host delay."""
    from monitor.config import load_config
    from monitor.db.store import open_db
    from monitor.pipeline import Monitor

    os.chdir(workdir)  # no config.yaml here: the defaults
    config = load_config(None, env={}, required=False)
    fetch = config.fetch.model_copy(update={"allow_private_addresses": True, "robots": False,
                                            "host_delay": 0})
    update: dict[str, Any] = {"database": str(workdir / "monitor.db"), "fetch": fetch}
    if max_chars is not None:
        update["cleaning"] = config.cleaning.model_copy(update={"max_chars": max_chars})
    config = config.model_copy(update=update)
    return Monitor(config, open_db(config.database_path))


def _columns(db: Any, table: str) -> set[str]:
    return {row[1] for row in db.execute(f"PRAGMA table_info({table})")}


def _stored(db: Any, url: str) -> dict[str, Any] | None:
    """The article stored for ``url`` (any of its URLs), with what was tagged in it."""
    columns = _columns(db, "articles")
    extra = [c for c in ("truncated", "canonical_claim") if c in columns]
    row = db.execute(
        "SELECT a.id, a.url, length(a.text), a.text"
        + "".join(f", a.{c}" for c in extra)
        + " FROM article_urls u JOIN articles a ON a.id = u.article_id WHERE u.url = ?",
        [url]).fetchone()
    if row is None:
        return None
    found = {"id": row[0], "url": row[1], "chars": row[2], "text": row[3]}
    found.update({c: row[4 + k] for k, c in enumerate(extra)})
    found["mentions"] = db.execute("SELECT count(*) FROM mentions WHERE article_id = ?",
                                   [row[0]]).fetchone()[0]
    found["officials"] = db.execute(
        "SELECT count(*) FROM mentions m JOIN entities e ON e.id = m.entity_id "
        "WHERE m.article_id = ? AND e.kind = 'official'", [row[0]]).fetchone()[0]
    found["figures"] = db.execute("SELECT count(*) FROM figures WHERE article_id = ?",
                                  [row[0]]).fetchone()[0]
    return found


def _flag(found: dict[str, Any], column: str) -> str:
    return "n/a" if column not in found else repr(found[column])


def run_page_case(name: str, workdir: Path, max_chars: int | None = None) -> tuple[str, float]:
    """Run one page attack in this process: (outcome, seconds spent in ``Monitor.ingest``)."""
    monitor = _page_monitor(workdir, max_chars)
    db = monitor.db
    spent = 0.0

    def ingest(sources: list[str]) -> Any:
        nonlocal spent
        start = time.monotonic()
        try:
            return monitor.ingest(sources)
        finally:
            spent += time.monotonic() - start

    try:
        if name in ("entity-dense", "huge-prose"):
            html = dense_page_html() if name == "entity-dense" else prose_page_html()
            path = workdir / f"{name}.html"
            path.write_bytes(html)
            del html
            summary = ingest([str(path)])
            found = _stored(db, path.resolve().as_uri())
            if found is None:
                return f"NOT STORED ({summary.line()})", spent
            return (f"{len(path.read_bytes()) / MIB:.1f} MiB page -> stored {found['chars']:,} "
                    f"chars, truncated {_flag(found, 'truncated')}; {found['mentions']:,} "
                    f"mentions ({found['officials']:,} officials), {found['figures']:,} "
                    "figures"), spent
        if name == "canonical-hijack":
            paragraphs = (*GOOD_PARAGRAPHS, *VISA_PARAGRAPHS)
            server = _pages_server({"/news/a": canonical_html(
                "US and Cuba hold migration talks", paragraphs, VICTIM_STORY)})
            try:
                url = f"http://127.0.0.1:{server.server_address[1]}/news/a"
                summary = ingest([url])
            finally:
                server.shutdown()
            found = _stored(db, url)
            if found is None:
                return f"NOT STORED ({summary.line()})", spent
            safe = "safe" if found["url"] == url else "HIJACKED"
            return (f"{safe}: stored under {found['url']} (canonical claim recorded: "
                    f"{_flag(found, 'canonical_claim')})"), spent
        if name == "furniture-poisoning":
            attacks = _attacker_pages()
            server = _pages_server({path: html for path, (_, html) in attacks.items()})
            try:
                base = f"http://127.0.0.1:{server.server_address[1]}"
                stored_as = []
                for path in attacks:  # one after the other, as separate rounds would
                    ingest([base + path])
                    found = _stored(db, base + path)
                    stored_as.append(found["url"] if found else "not stored")
            finally:
                server.shutdown()
            victim = workdir / "victim.html"
            victim.write_bytes(canonical_html("Cuba and the US agree on new talks", (
                *GOOD_PARAGRAPHS, POISON,
                "The next round is expected in Washington before the end of the year."),
                VICTIM_REAL))
            summary = ingest([str(victim)])
            found = _stored(db, VICTIM_REAL)
            if found is None:
                return f"victim NOT STORED ({summary.line()})", spent
            survived = POISON in found["text"]
            lines = db.execute("SELECT site, count(*) FROM site_lines GROUP BY site").fetchall()
            return (f"{'safe' if survived else 'POISONED'}: sentence "
                    f"{'kept' if survived else 'DELETED'} in the victim's text; attacker pages "
                    f"stored as {', '.join(sorted(set(stored_as)))}; furniture learned per "
                    f"site: {dict(lines) or 'none'}"), spent
        raise ValueError(f"unknown page case {name!r}")
    finally:
        monitor.close()
        db.close()


def _page_case_child(name: str, workdir: Path, max_chars: int | None) -> int:
    """``--page-case``: run one case, then print one JSON line (outcome, seconds, peak)."""
    try:
        outcome, seconds = run_page_case(name, workdir, max_chars)
    except BaseException:  # noqa: BLE001 - a crash is an outcome
        outcome, seconds = "CRASH: " + traceback.format_exc().strip().splitlines()[-1], 0.0
        traceback.print_exc()
    print(json.dumps({"outcome": outcome, "ingest": seconds,
                      "peak_mib": _peak_rss_mib()}))
    return 0


def page_attacks(workdir: Path, names: Sequence[str], *, max_chars: int | None = None,
                 timeout: float = 3600.0) -> list[dict[str, Any]]:
    """Run each page attack in a subprocess of its own; print and return one line per case."""
    print(f"page attacks: each case in its own process; cleaning.max_chars "
          f"{max_chars if max_chars is not None else 'as configured (default)'}")
    print(f"{'case':<22}{'wall':>8}{'ingest':>8}{'peak':>9}  outcome")
    results = []
    for name in names:
        casedir = workdir / name
        casedir.mkdir(parents=True)
        command = [sys.executable, str(Path(__file__).resolve()), "--page-case", name,
                   "--workdir", str(casedir)]
        if max_chars is not None:
            command += ["--max-chars", str(max_chars)]
        start = time.monotonic()
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                                  cwd=casedir)
            lines = done.stdout.strip().splitlines()
            result = json.loads(lines[-1]) if lines else {
                "outcome": f"CRASH (exit {done.returncode}): "
                           + (done.stderr.strip().splitlines() or [""])[-1],
                "ingest": 0.0, "peak_mib": 0.0}
        except subprocess.TimeoutExpired:
            result = {"outcome": f"TIMEOUT after {timeout:g}s", "ingest": timeout,
                      "peak_mib": 0.0}
        result["name"] = name
        result["wall"] = time.monotonic() - start
        results.append(result)
        print(f"{name:<22}{result['wall']:>7.1f}s{result['ingest']:>7.1f}s"
              f"{result['peak_mib']:>6.0f} MiB  {result['outcome']}", flush=True)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--timeout", type=float, default=3.0, help="fetch.timeout (seconds)")
    parser.add_argument("--trickle", type=float, default=2.0,
                        help="seconds between trickled bytes (default 2)")
    parser.add_argument("--lifetime", type=float, default=110.0,
                        help="the server stops by itself after this many seconds")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--huge-feed", action="store_true",
                        help="add a valid 14 MiB feed (~55,000 items) to the round")
    parser.add_argument("--pile-up", type=int, default=0, metavar="N",
                        help="then a round of one never-answering page and N 12 MiB pages")
    parser.add_argument("--pages", action="store_true",
                        help="run only the page-level attacks, each in its own process")
    parser.add_argument("--page-cases", default=",".join(PAGE_CASES),
                        help=f"with --pages: which of them (default {','.join(PAGE_CASES)})")
    parser.add_argument("--max-chars", type=int, default=None,
                        help="with --pages: cleaning.max_chars (default: the config's)")
    parser.add_argument("--page-case", help=argparse.SUPPRESS)  # one case, in a child
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.page_case:
        return _page_case_child(args.page_case, Path(args.workdir), args.max_chars)
    if args.pages:
        names = [n.strip() for n in args.page_cases.split(",") if n.strip()]
        unknown = set(names) - set(PAGE_CASES)
        if unknown:
            parser.error(f"unknown page case(s): {', '.join(sorted(unknown))}")
        workdir = Path(tempfile.mkdtemp(prefix="monitor-pages-"))
        started = time.monotonic()
        try:
            results = page_attacks(workdir, names, max_chars=args.max_chars)
        finally:
            if not args.keep:
                shutil.rmtree(workdir, ignore_errors=True)
        print(f"total wall time: {time.monotonic() - started:.1f}s"
              + (f"  kept: {workdir}" if args.keep else ""))
        return 1 if any(r["outcome"].startswith(("CRASH", "TIMEOUT")) for r in results) else 0
    if args.lifetime < 110 + 60 * args.huge_feed + 30 * bool(args.pile_up):
        args.lifetime = 110 + 60 * args.huge_feed + 30 * bool(args.pile_up)

    workdir = Path(tempfile.mkdtemp(prefix="monitor-hostile-"))
    started = time.monotonic()
    rss_before = _peak_rss_mib()
    crashes = 0
    hostile = hostile_round(trickle_interval=args.trickle, lifetime=args.lifetime,
                            huge_feed=args.huge_feed)
    try:
        config = workdir / "config.yaml"
        config.write_text(config_yaml(hostile.feed_urls, timeout=args.timeout), "utf-8")
        monitor, spent = _timed_monitor(config)
        round_start = time.monotonic()
        summary, crash = _poll(monitor)
        round_seconds = time.monotonic() - round_start
        if crash:
            crashes += 1
            print(crash, file=sys.stderr)
        print(f"hostile round: {len(hostile.cases)} cases, fetch.timeout {args.timeout:g}s, "
              f"trickle every {args.trickle:g}s, fetch.max_bytes "
              f"{monitor.config.fetch.max_bytes // MIB} MiB")
        print(f"{'case':<24}{'role':<6}{'wall':>7}  {'ok':<4}recorded")
        mismatches = 0
        for case in hostile.cases:
            outcome = recorded(monitor.db, hostile.url(case), case.role)
            good = outcome.matches(case)
            mismatches += not good
            message = (outcome.message or "")[:90]
            print(f"{case.name:<24}{case.role:<6}{spent.get(hostile.url(case), 0.0):>6.2f}s  "
                  f"{'yes' if good else 'NO':<4}{outcome.status}: {message}")
        for url in (hostile.pages_feed, hostile.good_feed):
            outcome = recorded(monitor.db, url, "feed")
            print(f"{url.rsplit('/', 1)[1]:<24}{'feed':<6}{spent.get(url, 0.0):>6.2f}s  "
                  f"{'yes' if outcome.status == 'ok' else 'NO':<4}{outcome.status}")
        good = recorded(monitor.db, hostile.server.url("/news/good"), "page")
        print(f"{'good feed article':<24}{'page':<6}"
              f"{spent.get(hostile.server.url('/news/good'), 0.0):>6.2f}s  "
              f"{'yes' if good.status == 'stored' else 'NO':<4}{good.status}: {good.message}")
        long_fetched = hostile.server.requested(LONG_PATH)
        print(f"4,000-character URL requested: {long_fetched} time(s)")
        if summary is not None:
            print(f"summary: {summary.line()}")
        print(f"round wall time: {round_seconds:.2f}s  peak RSS: after the feeds "
              f"{spent.get('rss:feeds', 0):.0f} MiB, after the pages (before spaCy loads) "
              f"{spent.get('rss:before nlp', 0):.0f} MiB")
        monitor.close()
        monitor.db.close()

        # allow_private_addresses: false -- loopback feed URLs refused before any request.
        refused_dir = workdir / "private"
        refused_dir.mkdir()
        count_before = len(hostile.server.requests)
        targets = [hostile.good_feed,
                   hostile.good_feed.replace("127.0.0.1", "localhost"),
                   hostile.good_feed.replace("127.0.0.1", "[::ffff:127.0.0.1]")]
        (refused_dir / "config.yaml").write_text(
            config_yaml(targets, timeout=args.timeout, allow_private=False), "utf-8")
        private_monitor, _ = _timed_monitor(refused_dir / "config.yaml")
        _, crash = _poll(private_monitor)
        crashes += crash is not None
        print("allow_private_addresses: false")
        for url in targets:
            outcome = recorded(private_monitor.db, url, "feed")
            good = outcome.status == "error" and "refused" in (outcome.message or "")
            mismatches += not good
            print(f"  {'yes' if good else 'NO':<4}{url}: {outcome.status}: {outcome.message}")
        reached = len(hostile.server.requests) - count_before
        mismatches += reached != 0
        print(f"  requests that reached the server: {reached}")
        private_monitor.close()
        private_monitor.db.close()
        if args.pile_up:
            pile_up(workdir / "pile-up", args.pile_up, args.timeout)
    finally:
        hostile.server.stop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"crashes: {crashes}  unexpected outcomes: {mismatches}")
    print(f"total wall time: {time.monotonic() - started:.2f}s  peak RSS: "
          f"{_peak_rss_mib():.0f} MiB (at start {rss_before:.0f} MiB)"
          + (f"  kept: {workdir}" if args.keep else ""))
    return 1 if crashes or mismatches else 0


if __name__ == "__main__":
    raise SystemExit(main())

"""monitor.sources.fetching against real servers on 127.0.0.1 (pytest-httpserver and raw
sockets)."""

from __future__ import annotations

import gzip
import shutil
import socket
import ssl
import subprocess
import threading
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpcore
import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from monitor.config import DEFAULT_USER_AGENT, FetchConfig
from monitor.errors import FetchError
from monitor.sources import fetching
from monitor.sources.fetching import (
    Fetcher,
    FetchResult,
    FetchSettings,
    decode_body,
    is_public_address,
)

LOOPBACK = FetchSettings(allow_private_addresses=True, timeout=5.0, connect_timeout=2.0)


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(LOOPBACK) as f:
        yield f


def make_fetcher(**changes: object) -> Fetcher:
    values = {**LOOPBACK.__dict__, **changes}
    return Fetcher(FetchSettings(**values))  # type: ignore[arg-type]


def fetch_error(fetcher: Fetcher, url: str, **kwargs: str) -> FetchError:
    with pytest.raises(FetchError) as info:
        fetcher.get(url, **kwargs)
    message = str(info.value)
    assert message and "\n" not in message
    return info.value


# ---------------------------------------------------------------- raw socket servers


Behaviour = Callable[[socket.socket, threading.Event], None]


@contextmanager
def raw_server(behaviour: Behaviour) -> Iterator[int]:
    """A one-thread TCP server on 127.0.0.1; yields its port, always stops its thread."""
    stop = threading.Event()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.05)  # poll so the thread notices `stop`
    connections: list[socket.socket] = []

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            connections.append(conn)
            try:
                behaviour(conn, stop)
            except OSError:  # the client hung up: expected when it gives up on us
                pass

    thread = threading.Thread(target=serve, name="raw-test-server", daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=5)
        for conn in connections:
            conn.close()
        listener.close()
        assert not thread.is_alive(), "test server thread did not stop"


def read_request(conn: socket.socket) -> bytes:
    conn.settimeout(2)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def never_answers(conn: socket.socket, stop: threading.Event) -> None:
    read_request(conn)
    stop.wait()


def trickles(conn: socket.socket, stop: threading.Event) -> None:
    read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n")
    while not stop.wait(0.1):  # one byte every 0.1 s: each read is fast, the whole is not
        conn.sendall(b"x")


def speaks_garbage(conn: socket.socket, stop: threading.Event) -> None:
    read_request(conn)
    conn.sendall(b"THIS IS NOT HTTP AT ALL\r\n\r\n")
    conn.shutdown(socket.SHUT_WR)


# --------------------------------------------------------------------------- success


def test_get_200_returns_body_headers_and_sends_user_agent(
    httpserver: HTTPServer, fetcher: Fetcher
) -> None:
    httpserver.expect_request("/feed.xml").respond_with_data(
        b"<rss/>",
        content_type="application/rss+xml; charset=utf-8",
        headers={"ETag": '"v1"', "Last-Modified": "Wed, 20 Apr 2022 14:03:00 GMT"},
    )
    result = fetcher.get(httpserver.url_for("/feed.xml"), accept="application/rss+xml")

    assert isinstance(result, FetchResult)
    assert result.status == 200
    assert result.content == b"<rss/>"
    assert result.url == httpserver.url_for("/feed.xml")
    assert not result.not_modified
    assert result.etag == '"v1"'
    assert result.last_modified == "Wed, 20 Apr 2022 14:03:00 GMT"
    assert result.content_type == "application/rss+xml; charset=utf-8"
    assert all(name == name.lower() for name in result.headers)

    request, _response = httpserver.log[0]
    assert request.headers["User-Agent"] == DEFAULT_USER_AGENT
    assert request.headers["Accept"] == "application/rss+xml"
    assert "If-None-Match" not in request.headers


def test_gzip_body_is_decoded(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    body = b"<rss>" + b"news " * 1000 + b"</rss>"
    httpserver.expect_request("/gz").respond_with_data(
        gzip.compress(body), headers={"Content-Encoding": "gzip"}
    )
    assert fetcher.get(httpserver.url_for("/gz")).content == body


def test_conditional_get_returns_304_without_body(
    httpserver: HTTPServer, fetcher: Fetcher
) -> None:
    stamp = "Wed, 20 Apr 2022 14:03:00 GMT"
    httpserver.expect_request(
        "/feed", headers={"If-None-Match": '"v1"', "If-Modified-Since": stamp}
    ).respond_with_data("", status=304, headers={"ETag": '"v1"'})

    result = fetcher.get(httpserver.url_for("/feed"), etag='"v1"', last_modified=stamp)

    assert result.status == 304
    assert result.not_modified
    assert result.content == b""
    assert result.etag == '"v1"'


def test_non_ascii_header_values_are_sent_as_utf8(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data("ok")
    with make_fetcher(user_agent="monitor/0.1 (Café)") as fetcher:
        assert fetcher.get(httpserver.url_for("/feed"), etag='W/"é1"').content == b"ok"
    request, _response = httpserver.log[0]

    def utf8(value: str) -> str:  # werkzeug hands header bytes over as Latin-1
        return value.encode("latin-1").decode("utf-8")

    assert utf8(request.headers["User-Agent"]) == "monitor/0.1 (Café)"
    assert utf8(request.headers["If-None-Match"]) == 'W/"é1"'


def test_fetcher_is_usable_from_threads(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    for n in range(8):
        httpserver.expect_request(f"/item/{n}").respond_with_data(f"body {n}")
    urls = [httpserver.url_for(f"/item/{n}") for n in range(8)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        bodies = list(pool.map(lambda url: fetcher.get(url).content, urls))
    assert bodies == [f"body {n}".encode() for n in range(8)]


def test_settings_from_config() -> None:
    config = FetchConfig(timeout="30s", connect_timeout="5s", max_bytes=1234,
                         max_redirects=2, allow_private_addresses=True, user_agent="ua/1")
    settings = FetchSettings.from_config(config)
    assert settings == FetchSettings(user_agent="ua/1", timeout=30.0, connect_timeout=5.0,
                                     max_bytes=1234, max_redirects=2,
                                     allow_private_addresses=True)
    assert FetchSettings.from_config(FetchConfig()) == FetchSettings()


# ---------------------------------------------------------------------- HTTP errors


def test_404_is_an_http_error(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/missing").respond_with_data("nope", status=404)
    error = fetch_error(fetcher, httpserver.url_for("/missing"))
    assert error.kind == "http"
    assert error.status == 404
    assert str(error) == "HTTP 404 Not Found"


def test_503_carries_retry_after(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/busy").respond_with_data(
        "later", status=503, headers={"Retry-After": "120"}
    )
    error = fetch_error(fetcher, httpserver.url_for("/busy"))
    assert (error.kind, error.status, error.retry_after) == ("http", 503, "120")


# ------------------------------------------------------------------------ redirects


def redirect(location: str, status: int = 302) -> Response:
    return Response("", status=status, headers={"Location": location})


def test_redirect_chain_is_followed(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/old").respond_with_response(redirect("/older", 301))
    httpserver.expect_request("/older").respond_with_response(
        redirect(httpserver.url_for("/final"), 307)
    )
    httpserver.expect_request("/final").respond_with_data("landed")

    result = fetcher.get(httpserver.url_for("/old"), etag='"e"')

    assert result.content == b"landed"
    assert result.url == httpserver.url_for("/final")
    assert len(httpserver.log) == 3


def test_redirect_loop_is_refused(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/a").respond_with_response(redirect("/b"))
    httpserver.expect_request("/b").respond_with_response(redirect("/a"))
    error = fetch_error(fetcher, httpserver.url_for("/a"))
    assert error.kind == "redirects"
    assert "loop" in str(error)


def test_too_many_redirects(httpserver: HTTPServer) -> None:
    for n in range(4):
        httpserver.expect_request(f"/hop{n}").respond_with_response(redirect(f"/hop{n + 1}"))
    httpserver.expect_request("/hop4").respond_with_data("end")
    with make_fetcher(max_redirects=3) as fetcher:
        error = fetch_error(fetcher, httpserver.url_for("/hop0"))
    assert error.kind == "redirects"
    assert str(error) == "too many redirects (more than 3)"
    with make_fetcher(max_redirects=4) as fetcher:
        assert fetcher.get(httpserver.url_for("/hop0")).content == b"end"


def test_zero_redirects_allowed(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/moved").respond_with_response(redirect("/here", 308))
    with make_fetcher(max_redirects=0) as fetcher:
        assert fetch_error(fetcher, httpserver.url_for("/moved")).kind == "redirects"


def test_redirect_to_file_scheme_is_unsafe(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/sneaky").respond_with_response(redirect("file:///etc/passwd"))
    assert fetch_error(fetcher, httpserver.url_for("/sneaky")).kind == "unsafe"


def test_every_redirect_hop_is_address_checked(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """First hop allowed (we pretend 127.0.0.1 is public), second hop to 10.0.0.1 refused."""
    real = fetching.is_public_address
    monkeypatch.setattr(fetching, "is_public_address",
                        lambda address: address == "127.0.0.1" or real(address))
    httpserver.expect_request("/hop").respond_with_response(redirect("http://10.0.0.1/admin"))
    url = f"http://127.0.0.1:{httpserver.port}/hop"
    with Fetcher(FetchSettings(timeout=5.0)) as fetcher:
        error = fetch_error(fetcher, url)
    assert error.kind == "unsafe"
    assert "10.0.0.1" in str(error)
    assert len(httpserver.log) == 1


# ------------------------------------------------------------------------ size caps


def test_content_length_over_cap_is_refused_early(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/big").respond_with_data(b"x" * 5000)
    with make_fetcher(max_bytes=1000) as fetcher:
        error = fetch_error(fetcher, httpserver.url_for("/big"))
    assert error.kind == "too_large"
    assert "Content-Length" in str(error)


def test_streamed_body_over_cap_without_content_length(httpserver: HTTPServer) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(200):
            yield b"y" * 1000

    def handler(request: Request) -> Response:
        return Response(chunks(), content_type="text/plain")  # no Content-Length

    httpserver.expect_request("/stream").respond_with_handler(handler)
    with make_fetcher(max_bytes=10_000) as fetcher:
        error = fetch_error(fetcher, httpserver.url_for("/stream"))
    assert error.kind == "too_large"
    assert str(error) == "body exceeds 9.8 KiB cap"


def test_gzip_bomb_stops_at_cap(httpserver: HTTPServer) -> None:
    bomb = gzip.compress(b"\0" * 20_000_000, compresslevel=9)
    assert len(bomb) < 100_000  # small on the wire: the Content-Length check cannot catch it
    httpserver.expect_request("/bomb").respond_with_data(
        bomb, headers={"Content-Encoding": "gzip"}
    )
    with make_fetcher(max_bytes=100_000) as fetcher:
        error = fetch_error(fetcher, httpserver.url_for("/bomb"))
    assert error.kind == "too_large"


def zeros_gzip(mib: int, wbits: int = 31) -> bytes:
    """``mib`` MiB of zeros compressed at ~1,000:1 (gzip by default), built 1 MiB at a time."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
    block = bytes(1024 * 1024)
    return b"".join(compressor.compress(block) for _ in range(mib)) + compressor.flush()


class RawChunks(httpx.SyncByteStream):
    """A response body handed over in the given raw chunks, as a network stream would."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        yield from self.chunks


def test_decoded_pieces_stay_small_whatever_the_ratio() -> None:
    bomb = zeros_gzip(64)
    assert len(bomb) < 70_000  # one network read of httpx: 64 KiB
    pieces = decode_body([bomb], "gzip")
    sizes = [len(next(pieces)) for _ in range(100)]  # 6.25 MiB inflated, lazily
    pieces.close()
    assert max(sizes) <= fetching._PIECE  # noqa: SLF001


@pytest.mark.parametrize(
    ("coding", "encode"),
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),  # zlib-wrapped, as the RFC says
        ("deflate", lambda data: zlib.compress(data, wbits=-15)),  # raw, as some servers do
        ("gzip, gzip", lambda data: gzip.compress(gzip.compress(data))),
        ("identity", lambda data: data),
        ("br", lambda data: data),  # not asked for, not understood: passed on as it is
    ],
)
def test_content_codings(coding: str, encode: Callable[[bytes], bytes]) -> None:
    body = b"<rss>" + bytes(range(256)) * 2000 + b"</rss>"
    wire = encode(body)
    chunks = [wire[i : i + 1000] for i in range(0, len(wire), 1000)]
    assert b"".join(decode_body(chunks, coding)) == body


def test_gzip_bomb_in_one_network_read_is_never_inflated_whole() -> None:
    """httpx inflates each network read in full: 64 KiB of this is 64 MiB. Ours stops at the
    cap, so memory stays near cap + one piece (measured with tracemalloc, not RSS)."""
    bomb = zeros_gzip(64)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Encoding": "gzip"},
                              stream=RawChunks([bomb]))

    cap = 1024 * 1024
    with Fetcher(FetchSettings(max_bytes=cap), transport=httpx.MockTransport(handler)) as f:
        tracemalloc.start()
        try:
            error = fetch_error(f, "https://news.example.com/bomb")
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert error.kind == "too_large"
    assert peak < 4 * cap


def test_compressed_body_larger_than_the_cap_is_refused(httpserver: HTTPServer) -> None:
    noise = bytes((n * 7919) % 251 for n in range(50_000))  # barely compressible
    httpserver.expect_request("/gz").respond_with_handler(
        lambda request: Response(iter([gzip.compress(noise)]),  # streamed: no Content-Length
                                 headers={"Content-Encoding": "gzip"}))
    with make_fetcher(max_bytes=20_000) as fetcher:
        assert fetch_error(fetcher, httpserver.url_for("/gz")).kind == "too_large"


def test_only_gzip_and_deflate_are_asked_for(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/feed").respond_with_data("ok")
    fetcher.get(httpserver.url_for("/feed"))
    request, _response = httpserver.log[0]
    assert request.headers["Accept-Encoding"] == "gzip, deflate"


def test_corrupt_gzip_is_a_protocol_error(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/corrupt").respond_with_data(
        b"definitely not gzip", headers={"Content-Encoding": "gzip"}
    )
    assert fetch_error(fetcher, httpserver.url_for("/corrupt")).kind == "protocol"


# --------------------------------------------------------------- network failures


def test_server_that_never_answers_times_out() -> None:
    with raw_server(never_answers) as port, make_fetcher(timeout=0.5) as fetcher:
        error = fetch_error(fetcher, f"http://127.0.0.1:{port}/")
    assert error.kind == "timeout"
    assert str(error) == "timed out after 0.5s"


def test_trickling_server_is_cut_off_at_the_total_deadline() -> None:
    # every byte arrives well within any per-read timeout; only a total deadline stops it
    with raw_server(trickles) as port, make_fetcher(timeout=0.6) as fetcher:
        error = fetch_error(fetcher, f"http://127.0.0.1:{port}/")
    assert error.kind == "timeout"


def test_garbage_response_is_a_protocol_error() -> None:
    with raw_server(speaks_garbage) as port, make_fetcher(timeout=2.0) as fetcher:
        error = fetch_error(fetcher, f"http://127.0.0.1:{port}/")
    assert error.kind == "protocol"


def test_closed_port_is_a_connect_error(fetcher: Fetcher) -> None:
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now
    error = fetch_error(fetcher, f"http://127.0.0.1:{port}/")
    assert error.kind == "connect"
    assert str(error) == "connection refused"


def test_dns_failure(monkeypatch: pytest.MonkeyPatch, fetcher: Fetcher) -> None:
    def no_such_host(*args: object, **kwargs: object) -> list[object]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    error = fetch_error(fetcher, "http://no-such-host.invalid/feed")
    assert error.kind == "dns"
    assert "no-such-host.invalid" in str(error)


def test_dns_lookup_is_bounded_by_the_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    """The system resolver takes no timeout; a stalled lookup must not outlive the request."""
    release = threading.Event()

    def stalled(*args: object, **kwargs: object) -> list[object]:
        release.wait(30)
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", stalled)
    try:
        with make_fetcher(timeout=0.3) as fetcher:
            error = fetch_error(fetcher, "http://slow-dns.example/feed")
    finally:
        release.set()
    assert error.kind == "timeout"
    assert str(error) == "DNS lookup for slow-dns.example timed out"


# --------------------------------------------------------------------- unsafe URLs


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://example.com/feed", "gopher://example.com/", "javascript:1",
     "data:text/plain,hi", "not a url at all", "http:///no-host"],
)
def test_non_http_urls_are_unsafe(url: str, fetcher: Fetcher) -> None:
    assert fetch_error(fetcher, url).kind == "unsafe"


@pytest.fixture
def no_connections(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a socket fails the test: refusals must happen before connecting."""

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("a connection was attempted")

    monkeypatch.setattr(httpcore.SyncBackend, "connect_tcp", forbidden)


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "localhost", "10.0.0.1", "192.168.1.1", "172.16.0.1", "169.254.169.254",
     "100.64.0.1", "0.0.0.0", "224.0.0.1", "[::1]", "[::ffff:127.0.0.1]", "[fe80::1]",
     "[fc00::1]", "127.1", "2130706433"],
)
def test_default_settings_refuse_private_addresses(
    host: str, httpserver: HTTPServer, no_connections: None
) -> None:
    with Fetcher(FetchSettings()) as fetcher:
        error = fetch_error(fetcher, f"http://{host}:{httpserver.port}/latest/meta-data/")
    assert error.kind == "unsafe"
    assert "allow_private_addresses" in str(error)
    assert httpserver.log == []


def test_refused_if_any_resolved_address_is_private(
    monkeypatch: pytest.MonkeyPatch, no_connections: None
) -> None:
    def mixed(host: str, port: object, *args: object, **kwargs: object) -> list[object]:
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 80)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 80)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", mixed)
    with Fetcher(FetchSettings()) as fetcher:
        error = fetch_error(fetcher, "http://rebind.example/")
    assert error.kind == "unsafe"
    assert str(error) == (
        "refused: rebind.example (127.0.0.1) is a private address "
        "(set fetch.allow_private_addresses: true to allow)"
    )


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("8.8.8.8", True),
        ("2606:4700:4700::1111", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.31.255.255", False),
        ("192.168.0.10", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),
        ("255.255.255.255", False),
        ("224.0.0.251", False),
        ("240.0.0.1", False),
        ("::", False),
        ("::1", False),
        ("fe80::1%eth0", False),
        ("fd12:3456::1", False),
        ("ff02::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:10.0.0.1", False),
        ("64:ff9b::a00:1", False),  # NAT64 form of 10.0.0.1
        ("not-an-ip", False),
    ],
)
def test_is_public_address(address: str, public: bool) -> None:
    assert is_public_address(address) is public


# ------------------------------------------------------------------------------ TLS


@pytest.fixture
def tls_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[HTTPServer]:
    """HTTPS on 127.0.0.1 with a self-signed certificate for DNS name "localhost" only."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl command not available")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost"],
        check=True, capture_output=True, timeout=60,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # read when a Fetcher builds its transport
    server = HTTPServer(host="127.0.0.1", port=0, ssl_context=context)
    server.start()
    try:
        yield server
    finally:
        server.clear()
        server.stop()


def test_https_verifies_the_host_name_while_dialling_the_vetted_address(
    tls_server: HTTPServer,
) -> None:
    """The guard connects to an IP, yet TLS must still check the certificate for the name."""
    tls_server.expect_request("/secure").respond_with_data("tls ok")
    with make_fetcher() as fetcher:
        result = fetcher.get(f"https://localhost:{tls_server.port}/secure")
        assert result.content == b"tls ok"
        # the certificate names "localhost" only, so the bare IP must fail verification
        error = fetch_error(fetcher, f"https://127.0.0.1:{tls_server.port}/secure")
    assert error.kind == "connect"
    assert str(error).startswith("TLS error:")


# ------------------------------------------------------------------ injected transport


def test_injected_transport_still_gets_scheme_and_status_checks() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/go":
            return httpx.Response(302, headers={"Location": "file:///etc/passwd"})
        return httpx.Response(200, content=b"mock", headers={"Content-Type": "text/plain"})

    with Fetcher(FetchSettings(), transport=httpx.MockTransport(handler)) as fetcher:
        ok = fetcher.get("https://news.example.com/article")
        assert (ok.status, ok.content, ok.content_type) == (200, b"mock", "text/plain")
        assert fetch_error(fetcher, "https://news.example.com/go").kind == "unsafe"


def test_abort_wakes_a_request_blocked_on_a_silent_server():
    from .test_run import SilentServer

    server = SilentServer()
    fetcher = Fetcher(FetchSettings(timeout=120, allow_private_addresses=True))
    outcome: list[BaseException | object] = []

    def fetch() -> None:
        try:
            outcome.append(fetcher.get(f"http://127.0.0.1:{server.port}/"))
        except FetchError as exc:
            outcome.append(exc)

    worker = threading.Thread(target=fetch)
    worker.start()
    try:
        assert server.accepted.wait(10)
        fetcher.abort()
        worker.join(10)
        assert not worker.is_alive()
        assert isinstance(outcome[0], FetchError)
    finally:
        server.close()

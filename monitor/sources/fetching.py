"""HTTP fetching with hard limits: one place that talks to the network.

Everything fetched comes from untrusted feeds, so every request is bounded: http(s) only,
manual redirects (each hop re-checked), a total wall-clock deadline that includes DNS and the
body, a byte cap counted after decompression, and — unless explicitly allowed — no connections
to loopback, private, link-local or otherwise non-global addresses.

The address policy is enforced where the socket is opened (a custom httpcore network
backend): the host is resolved once with :func:`socket.getaddrinfo`, every address is vetted,
and the connection goes to a vetted address. Checking first and letting httpx resolve again
would leave a DNS-rebinding window (public address for the check, 127.0.0.1 for the connect).

Compressed bodies are inflated here, not by httpx: httpx inflates each network read in full
(a 64 KiB read of a gzip bomb is 64 MiB), so the raw bytes are read and inflated in pieces of at
most :data:`_PIECE` bytes, and the cap is checked after every piece.

Every failure surfaces as :class:`monitor.errors.FetchError` with a one-line message.
"""

from __future__ import annotations

import contextlib
import contextvars
import ipaddress
import socket
import ssl
import threading
import time
import typing
import weakref
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from http import HTTPStatus

import httpcore
import httpx

from ..config import DEFAULT_USER_AGENT, FetchConfig
from ..errors import FetchError

_MIB = 1024 * 1024
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_SCHEMES = frozenset({"http", "https"})
#: NAT64 well-known prefix: the last 32 bits are an IPv4 address and are vetted as such.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
#: The only content codings we ask for, and the ones inflated (in bounded pieces) here.
ACCEPT_ENCODING = "gzip, deflate"
#: Largest piece of inflated output materialised at once: memory stays near cap + _PIECE.
_PIECE = 64 * 1024

#: Absolute ``time.monotonic()`` deadline of the request running in this thread/context.
#: Read by the network stream wrapper so that no single socket operation outlives it.
_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "monitor_fetch_deadline", default=None
)


@dataclass(frozen=True)
class FetchSettings:
    user_agent: str = DEFAULT_USER_AGENT
    #: Total wall-clock deadline for one request (all redirects and the body included).
    timeout: float = 20.0
    connect_timeout: float = 10.0
    #: Body cap, enforced from Content-Length, while streaming and after decompression.
    max_bytes: int = 15 * _MIB
    max_redirects: int = 5
    allow_private_addresses: bool = False

    @classmethod
    def from_config(cls, fetch: FetchConfig) -> FetchSettings:
        return cls(
            user_agent=fetch.user_agent,
            timeout=float(fetch.timeout),
            connect_timeout=float(fetch.connect_timeout),
            max_bytes=fetch.max_bytes,
            max_redirects=fetch.max_redirects,
            allow_private_addresses=fetch.allow_private_addresses,
        )


@dataclass
class FetchResult:
    url: str  #: final URL after redirects
    status: int  #: 2xx, or 304 when not modified
    headers: dict[str, str]  #: lower-cased names; repeated headers joined with ", "
    content: bytes  #: b"" for 304

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")


# --------------------------------------------------------------------------- helpers


def _seconds(value: float) -> str:
    return f"{value:g}s"


def _size(n: int) -> str:
    """``15728640`` -> ``"15 MiB"``; used in messages only."""
    if n >= _MIB:
        return f"{n // _MIB} MiB" if n % _MIB == 0 else f"{n / _MIB:.1f} MiB"
    if n >= 1024:
        return f"{n // 1024} KiB" if n % 1024 == 0 else f"{n / 1024:.1f} KiB"
    return f"{n} bytes"


def _one_line(text: str, limit: int = 160) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _header_value(value: str) -> typing.Any:
    """httpx encodes str header values as ASCII and raises otherwise; a stored ETag or a
    configured User-Agent may not be ASCII, so send those as UTF-8 bytes (which is also how
    httpx decodes a non-ASCII header it received)."""
    return value if value.isascii() else value.encode("utf-8")


def _private_refusal(host: str, address: str | None = None) -> FetchError:
    what = host if address is None or address == host else f"{host} ({address})"
    return FetchError(
        f"refused: {what} is a private address "
        "(set fetch.allow_private_addresses: true to allow)",
        kind="unsafe",
    )


def is_public_address(address: str) -> bool:
    """True when ``address`` (an IP literal) is globally routable unicast.

    ``is_global`` alone is not enough: Python counts IPv4 multicast as global, and
    IPv4-mapped / NAT64 IPv6 addresses must be judged by the IPv4 address they carry.
    """
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip in _NAT64:
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


_AddrInfo = list[tuple[typing.Any, typing.Any, int, str, tuple[typing.Any, ...]]]


def _getaddrinfo(host: str, port: int, timeout: float | None) -> _AddrInfo:
    """:func:`socket.getaddrinfo` that gives up after ``timeout`` seconds.

    The system resolver takes no timeout (a dead name server stalls it for its own retry
    schedule, often tens of seconds), so the lookup runs in a daemon thread. On timeout the
    thread is abandoned: it ends when the resolver gives up and never blocks interpreter exit.
    """
    if timeout is None:
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    outcome: list[_AddrInfo | BaseException] = []
    done = threading.Event()

    def lookup() -> None:
        try:
            outcome.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except BaseException as exc:  # noqa: BLE001 - handed over to the waiting thread
            outcome.append(exc)
        finally:
            done.set()

    if timeout > 0:
        threading.Thread(target=lookup, name="monitor-dns", daemon=True).start()
    if timeout <= 0 or not done.wait(timeout):
        raise FetchError(f"DNS lookup for {host} timed out", kind="timeout")
    result = outcome[0]
    if isinstance(result, BaseException):
        raise result
    return result


def resolve_host(
    host: str, port: int, *, allow_private: bool, timeout: float | None = None
) -> list[str]:
    """Addresses to connect to for ``host``, refusing non-public ones unless allowed.

    IP literals are checked without DNS. A name is refused when ANY of its addresses is
    non-public: an attacker controlling DNS could otherwise mix 127.0.0.1 into the answer.
    The lookup gives up after ``timeout`` seconds (None: the resolver's own schedule).
    """
    bare = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        ipaddress.ip_address(bare.split("%", 1)[0])
    except ValueError:
        pass
    else:
        if not allow_private and not is_public_address(bare):
            raise _private_refusal(bare)
        return [bare]
    try:
        infos = _getaddrinfo(bare, port, timeout)
    except (socket.gaierror, UnicodeError) as exc:
        reason = (exc.strerror or str(exc)) if isinstance(exc, socket.gaierror) else (
            "invalid host name"
        )
        raise FetchError(f"DNS lookup failed for {bare}: {reason}", kind="dns") from exc
    addresses: list[str] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        address = str(sockaddr[0])
        if not allow_private and not is_public_address(address):
            raise _private_refusal(bare, address)
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise FetchError(f"DNS lookup failed for {bare}: no addresses", kind="dns")
    return addresses


def _remaining(timeout: float | None) -> float | None:
    """Clamp a per-operation socket timeout to what is left of the request deadline."""
    deadline = _DEADLINE.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    return left if timeout is None else min(timeout, left)


# ------------------------------------------------------------- guarded network backend


class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose reads and writes never wait past the request deadline.

    httpx applies its timeouts per socket operation, using the values fixed when the request
    started; a read begun just before the deadline could otherwise block for that whole
    timeout again. The per-chunk check in :meth:`Fetcher._read_body` stays as the backstop
    (and is the only deadline enforcement for an injected transport).
    """

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def abort(self) -> None:
        """Wake a read or write blocked in another thread: shut the socket down under it."""
        sock = self._inner.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        left = _remaining(timeout)
        if left is not None and left <= 0:
            raise httpcore.ReadTimeout("request deadline reached")
        return self._inner.read(max_bytes, left)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        left = _remaining(timeout)
        if left is not None and left <= 0:
            raise httpcore.WriteTimeout("request deadline reached")
        self._inner.write(buffer, left)

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        left = _remaining(timeout)
        if left is not None and left <= 0:
            raise httpcore.ConnectTimeout("request deadline reached")
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, left))

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class _GuardedBackend(httpcore.NetworkBackend):
    """Resolves and vets the host itself, then connects to a vetted address.

    TLS still verifies the certificate against the host name: httpcore passes the origin
    host as ``server_hostname`` to ``start_tls`` independently of the address we dial.
    """

    def __init__(self, allow_private: bool) -> None:
        self._allow_private = allow_private
        self._inner = httpcore.SyncBackend()
        self._streams: weakref.WeakSet[_DeadlineStream] = weakref.WeakSet()
        self._aborted = False

    def abort(self) -> None:
        """Abandon every request in flight and refuse new connections (used on shutdown)."""
        self._aborted = True
        for stream in list(self._streams):
            stream.abort()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        if self._aborted:
            raise httpcore.ConnectError("fetcher stopped")
        addresses = resolve_host(host, port, allow_private=self._allow_private,
                                 timeout=_remaining(timeout))
        options = list(socket_options or [])
        last_error: Exception | None = None
        for address in addresses:  # several A/AAAA records: try each, like create_connection
            left = _remaining(timeout)
            if left is not None and left <= 0:
                raise httpcore.ConnectTimeout("request deadline reached")
            try:
                stream = self._inner.connect_tcp(address, port, left, local_address, options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
                continue
            guarded = _DeadlineStream(stream)
            self._streams.add(guarded)
            if self._aborted:  # stopped while connecting
                guarded.abort()
            return guarded
        if last_error is None:  # resolve_host never returns an empty list; be explicit
            raise httpcore.ConnectError(f"no address to connect to for {host}")
        raise last_error

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not used by monitor")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def _guarded_transport(settings: FetchSettings) -> httpx.HTTPTransport:
    """httpx's default transport with our network backend plugged into its connection pool.

    httpx has no public hook for the network backend, so we set the pool's attribute right
    after construction (before any connection exists). If a future httpcore renames it,
    fail loudly rather than silently fetching without the address guard.
    """
    transport = httpx.HTTPTransport(retries=0)
    pool = transport._pool  # noqa: SLF001 - see docstring
    if not isinstance(pool, httpcore.ConnectionPool) or not hasattr(pool, "_network_backend"):
        raise RuntimeError("unsupported httpcore version: cannot install the address guard")
    pool._network_backend = _GuardedBackend(settings.allow_private_addresses)  # noqa: SLF001
    return transport


# ------------------------------------------------------------------- bounded inflating


class _Inflater:
    """One gzip or deflate layer that never returns more than :data:`_PIECE` bytes at once.

    ``deflate`` is tried as zlib-wrapped first and as raw deflate if that fails at once (the
    same leniency as httpx, for servers that send raw deflate). Data after the end of the
    compressed stream is ignored, as httpx does.
    """

    def __init__(self, coding: str) -> None:
        self._gzip = coding != "deflate"
        self._fallback = not self._gzip  # deflate may still switch to raw
        self._inflate = zlib.decompressobj(zlib.MAX_WBITS | 16 if self._gzip else zlib.MAX_WBITS)

    def feed(self, data: bytes) -> Iterator[bytes]:
        while data and not self._inflate.eof:
            try:
                piece = self._inflate.decompress(data, _PIECE)
            except zlib.error:
                if not self._fallback:
                    raise
                self._fallback = False
                self._inflate = zlib.decompressobj(-zlib.MAX_WBITS)
                continue
            self._fallback = False
            data = self._inflate.unconsumed_tail
            if piece:
                yield piece

    def flush(self) -> bytes:
        # feed() leaves no unconsumed input, so this is at most a few hundred pending bytes.
        return self._inflate.flush()


def _content_codings(header: str) -> list[_Inflater]:
    """Inflaters for a Content-Encoding header, in decoding order (the reverse of the header).

    Unknown codings (and ``identity``) are ignored, as by httpx: the bytes are passed on as
    they are and the feed parser or extractor judges them.
    """
    codings = [value.strip().lower() for value in header.split(",")]
    return [_Inflater(c) for c in reversed(codings) if c in ("gzip", "x-gzip", "deflate")]


def _through(layers: list[_Inflater], data: bytes) -> Iterator[bytes]:
    if not layers:
        if data:
            yield data
        return
    for piece in layers[0].feed(data):
        yield from _through(layers[1:], piece)


def decode_body(chunks: Iterable[bytes], content_encoding: str = "") -> Iterator[bytes]:
    """Raw body chunks -> decoded pieces, inflating lazily.

    Every piece yielded is at most :data:`_PIECE` bytes when the body is compressed (an
    identity body is passed through chunk by chunk), and nothing is inflated ahead of what
    the consumer asks for: stopping the iteration stops the work and the memory.
    Raises :class:`zlib.error` for corrupt compressed data.
    """
    layers = _content_codings(content_encoding)
    for chunk in chunks:
        yield from _through(layers, chunk)
    for index, layer in enumerate(layers):
        yield from _through(layers[index + 1 :], layer.flush())


# ------------------------------------------------------------------------ error mapping


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _connect_error(exc: httpx.ConnectError) -> FetchError:
    """Name the usual causes in plain words; fall back to the OS message."""
    for cause in _causes(exc):
        if isinstance(cause, socket.gaierror):
            return FetchError(f"DNS lookup failed: {cause.strerror}", kind="dns")
        if isinstance(cause, ConnectionRefusedError):
            return FetchError("connection refused", kind="connect")
        if isinstance(cause, ssl.SSLCertVerificationError):
            reason = cause.verify_message or "certificate verification failed"
            return FetchError(_one_line(f"TLS error: {reason}"), kind="connect")
        if isinstance(cause, ssl.SSLError):
            return FetchError(_one_line(f"TLS error: {cause.reason or cause}"), kind="connect")
        if isinstance(cause, OSError) and cause.strerror:
            return FetchError(_one_line(f"connection failed: {cause.strerror}"), kind="connect")
    return FetchError(_one_line(f"connection failed: {exc}"), kind="connect")


def _http_error(response: httpx.Response) -> FetchError:
    # The standard phrase for known codes: servers vary ("NOT FOUND", "Not found", "").
    try:
        reason = HTTPStatus(response.status_code).phrase
    except ValueError:
        reason = response.reason_phrase
    return FetchError(
        _one_line(f"HTTP {response.status_code} {reason}".strip()),
        kind="http",
        status=response.status_code,
        retry_after=response.headers.get("retry-after"),
    )


# ----------------------------------------------------------------------------- Fetcher


@dataclass(frozen=True)
class _Redirect:
    location: httpx.URL


class Fetcher:
    """Bounded HTTP GETs over one shared :class:`httpx.Client` (safe to use from threads).

    ``transport`` is for tests and tools that replace the network (e.g.
    :class:`httpx.MockTransport`); an injected transport decides where bytes go, so the
    address guard and the per-socket deadline do not apply to it. Scheme, redirect, size,
    status and per-chunk deadline checks always apply.
    """

    def __init__(
        self, settings: FetchSettings, *, transport: httpx.BaseTransport | None = None
    ) -> None:
        self._settings = settings
        self._backend: _GuardedBackend | None = None
        if transport is None:
            transport = _guarded_transport(settings)
            backend = transport._pool._network_backend  # noqa: SLF001 - ours, see above
            assert isinstance(backend, _GuardedBackend)
            self._backend = backend
        self._client = httpx.Client(
            transport=transport,
            follow_redirects=False,
            trust_env=False,  # no environment proxies (they would bypass the address guard)
            headers={"User-Agent": _header_value(settings.user_agent or DEFAULT_USER_AGENT),
                     "Accept-Encoding": ACCEPT_ENCODING},
            timeout=httpx.Timeout(settings.timeout, connect=settings.connect_timeout),
        )

    @property
    def settings(self) -> FetchSettings:
        return self._settings

    def close(self) -> None:
        self._client.close()

    def abort(self) -> None:
        """Abandon requests in flight now (from any thread); they fail fast, then close."""
        if self._backend is not None:
            self._backend.abort()
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- public ---------------------------------------------------------------------

    def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
    ) -> FetchResult:
        """GET ``url`` within the limits; raises :class:`FetchError` on any failure."""
        headers: dict[str, typing.Any] = {}
        if accept:
            headers["Accept"] = _header_value(accept)
        if etag:
            headers["If-None-Match"] = _header_value(etag)
        if last_modified:
            headers["If-Modified-Since"] = _header_value(last_modified)
        deadline = time.monotonic() + self._settings.timeout
        token = _DEADLINE.set(deadline)
        try:
            return self._follow(self._parse_url(url), headers, deadline)
        finally:
            _DEADLINE.reset(token)

    # -- steps ----------------------------------------------------------------------

    @staticmethod
    def _parse_url(url: str) -> httpx.URL:
        try:
            parsed = httpx.URL(url.strip())
        except (httpx.InvalidURL, TypeError) as exc:
            raise FetchError(_one_line(f"invalid URL: {exc}"), kind="unsafe") from exc
        return parsed

    @staticmethod
    def _check_scheme(url: httpx.URL) -> None:
        if url.scheme not in _SCHEMES:
            shown = url.scheme or "(none)"
            raise FetchError(
                f"refused: only http and https URLs are fetched (got {shown}:)", kind="unsafe"
            )
        if not url.host:
            raise FetchError("refused: URL has no host", kind="unsafe")

    def _follow(
        self, url: httpx.URL, headers: dict[str, typing.Any], deadline: float
    ) -> FetchResult:
        """Manual redirects: each hop is re-checked (scheme here, address at connect time)."""
        visited: set[str] = set()
        for _hop in range(self._settings.max_redirects + 1):
            self._check_scheme(url)
            visited.add(str(url))
            outcome = self._fetch_once(url, headers, deadline)
            if isinstance(outcome, FetchResult):
                return outcome
            url = outcome.location
            if str(url) in visited:
                raise FetchError(_one_line(f"redirect loop at {url}"), kind="redirects")
        raise FetchError(
            f"too many redirects (more than {self._settings.max_redirects})", kind="redirects"
        )

    def _timeout(self, deadline: float) -> httpx.Timeout:
        left = deadline - time.monotonic()
        if left <= 0:
            raise self._timed_out()
        return httpx.Timeout(
            connect=min(self._settings.connect_timeout, left), read=left, write=left, pool=left
        )

    def _timed_out(self) -> FetchError:
        return FetchError(f"timed out after {_seconds(self._settings.timeout)}", kind="timeout")

    def _fetch_once(
        self, url: httpx.URL, headers: dict[str, typing.Any], deadline: float
    ) -> FetchResult | _Redirect:
        try:
            with self._client.stream(
                "GET", url, headers=headers, timeout=self._timeout(deadline)
            ) as response:
                return self._handle(response, deadline)
        except httpx.ConnectTimeout as exc:
            if time.monotonic() >= deadline:
                raise self._timed_out() from exc
            raise FetchError(
                f"connection timed out after {_seconds(self._settings.connect_timeout)}",
                kind="timeout",
            ) from exc
        except httpx.TimeoutException as exc:
            raise self._timed_out() from exc
        except httpx.ConnectError as exc:
            raise _connect_error(exc) from exc
        except httpx.DecodingError as exc:
            raise FetchError(
                _one_line(f"cannot decode response body: {exc}"), kind="protocol"
            ) from exc
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise FetchError(_one_line(f"protocol error: {exc}"), kind="protocol") from exc

    def _handle(self, response: httpx.Response, deadline: float) -> FetchResult | _Redirect:
        status = response.status_code
        if status in _REDIRECT_STATUSES and "location" in response.headers:
            try:
                return _Redirect(response.url.join(response.headers["location"].strip()))
            except httpx.InvalidURL as exc:
                raise FetchError("redirect with an invalid Location", kind="protocol") from exc
        headers = {name.lower(): value for name, value in response.headers.items()}
        if status == 304:
            return FetchResult(url=str(response.url), status=304, headers=headers, content=b"")
        if not 200 <= status < 300:
            raise _http_error(response)
        return FetchResult(
            url=str(response.url),
            status=status,
            headers=headers,
            content=self._read_body(response, deadline),
        )

    def _read_body(self, response: httpx.Response, deadline: float) -> bytes:
        """Stream and inflate the body, stopping at the byte cap or the deadline.

        The cap applies to the raw bytes and to the inflated bytes; inflating is lazy and
        piecewise (:func:`decode_body`), so a gzip bomb costs at most cap + one piece.
        """
        cap = self._settings.max_bytes
        declared = response.headers.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > cap:
            raise FetchError(
                f"body exceeds {_size(cap)} cap (Content-Length {_size(int(declared))})",
                kind="too_large",
            )
        coding = response.headers.get("content-encoding", "")
        if response.is_stream_consumed:
            # Built in memory (an injected transport's httpx.Response(content=...)): httpx
            # has already read and decoded it.
            source: Iterable[bytes] = [response.content]
            coding = ""
        else:
            source = response.iter_raw()
        received = 0

        def raw() -> Iterator[bytes]:
            nonlocal received
            for chunk in source:
                received += len(chunk)
                if received > cap:  # compressed data larger than the cap cannot fit it
                    raise FetchError(f"body exceeds {_size(cap)} cap", kind="too_large")
                if time.monotonic() > deadline:
                    raise self._timed_out()
                yield chunk

        chunks: list[bytes] = []
        total = 0
        pieces = decode_body(raw(), coding)
        try:
            for piece in pieces:
                total += len(piece)
                if total > cap:
                    raise FetchError(f"body exceeds {_size(cap)} cap", kind="too_large")
                if time.monotonic() > deadline:
                    raise self._timed_out()
                chunks.append(piece)
        except zlib.error as exc:
            raise FetchError(
                _one_line(f"cannot decode response body: {exc}"), kind="protocol"
            ) from exc
        finally:
            close = getattr(pieces, "close", None)
            if close is not None:
                close()
        return b"".join(chunks)

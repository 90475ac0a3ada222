"""One bounded HTTP exchange at a time, for every probe except load.

httpx is used here (simple, typed, good error classes); the load probe uses aiohttp,
which is several times faster under concurrency. Each exchange is bounded three
ways: a per-operation timeout, a wall-clock deadline over headers and body, and a
cap on the body bytes kept (the rest is never read: the connection is dropped).
Failures never raise: they come back as an ``Exchange`` with ``error`` set, so a
server that resets connections or streams a gigabyte yields partial results.
"""

from __future__ import annotations

import json
import ssl
import time
from dataclasses import dataclass, field

import httpx

from readiness.probes.options import ProbeOptions
from readiness.probes.target import Origin

MAX_REDIRECTS = 3


@dataclass(frozen=True, slots=True)
class Exchange:
    """What one request observed (status None when no response was received)."""

    method: str
    url: str
    status: int | None
    headers: tuple[tuple[str, str], ...]
    body: bytes
    truncated: bool
    elapsed_ms: float
    error: str | None = None

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        for key, value in self.headers:
            if key.lower() == wanted:
                return value
        return None

    def header_all(self, name: str) -> list[str]:
        wanted = name.lower()
        return [value for key, value in self.headers if key.lower() == wanted]

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> object | None:
        """The body as JSON, or None when it is not (or was truncated)."""
        if self.truncated or not self.body:
            return None
        try:
            return json.loads(self.body)  # type: ignore[no-any-return]
        except ValueError:
            return None

    @property
    def is_json(self) -> bool:
        kind = (self.header("content-type") or "").lower()
        return "json" in kind

    def summary(self) -> str:
        """One line for ``ProbeCheck.observed``."""
        path = self.url.split("://", 1)[-1]
        path = path[path.find("/"):] if "/" in path else "/"
        if self.status is None:
            return f"{self.method} {path} -> {self.error}"
        return f"{self.method} {path} -> {self.status} in {self.elapsed_ms:.1f} ms"


@dataclass
class Http:
    """A client bound to one origin, counting what it sends and noting what it skipped."""

    origin: Origin
    options: ProbeOptions
    sent: int = 0
    offsite: dict[str, list[str]] = field(default_factory=dict)  # Location -> requests
    truncated: list[str] = field(default_factory=list)
    set_cookies: list[tuple[str, str]] = field(default_factory=list)  # (url, header)
    _client: httpx.Client | None = None

    def __enter__(self) -> Http:
        timeout = self.options.request_timeout_s
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            follow_redirects=False, verify=self.options.verify_tls, trust_env=False,
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=10))
        return self

    def __exit__(self, *exc: object) -> None:
        if self._client is not None:
            self._client.close()

    def request(self, method: str, path: str, *, headers: dict[str, str] | None = None,
                content: bytes | None = None, follow: bool = True,
                default_headers: bool = True, plain_http_port: bool = False) -> Exchange:
        """Send one request to ``path`` on the origin, following same-origin redirects.

        An absolute URL is refused unless it is on the origin; ``plain_http_port``
        additionally allows ``http://`` on port 80 of the same host (the one check that
        needs it: does plain HTTP redirect to HTTPS).
        """
        if path.lower().startswith(("http://", "https://")):
            url = path
            allowed = self.origin.same_origin(url, relative_to=url) is not None or (
                plain_http_port and url.lower().startswith(f"http://{self.origin.host}/"))
            if not allowed:
                return Exchange(method, url, None, (), b"", False, 0.0,
                                "refused: the URL is outside the target")
        else:
            url = self.origin.url(path)
        for _hop in range(MAX_REDIRECTS + 1):
            exchange = self._send(method, url, headers, content, default_headers)
            location = exchange.header("location")
            if not follow or exchange.status not in (301, 302, 303, 307, 308) or not location:
                return exchange
            nxt = self.origin.same_origin(location, relative_to=url)
            if nxt is None:
                self.offsite.setdefault(location, []).append(
                    exchange.summary().split(" ->")[0])
                return exchange
            if exchange.status == 303:
                method, content = "GET", None
            url = nxt
        return exchange

    @property
    def warnings(self) -> list[str]:
        """One line per off-target redirect location, however many requests met it."""
        return [f"redirect to {location} leaves the target; not followed "
                f"(from {sources[0]}" + (f" and {len(sources) - 1} more)" if len(sources) > 1
                                         else ")")
                for location, sources in self.offsite.items()]

    def get(self, path: str, **kwargs: object) -> Exchange:
        return self.request("GET", path, **kwargs)  # type: ignore[arg-type]

    def _send(self, method: str, url: str, headers: dict[str, str] | None,
              content: bytes | None, default_headers: bool) -> Exchange:
        assert self._client is not None, "use Http as a context manager"
        # identity: a compressed body could expand far past the cap within one chunk
        sent_headers = {"Accept-Encoding": "identity"}
        if default_headers:
            sent_headers.update(self.options.headers)
        sent_headers.update(headers or {})
        cap = self.options.max_body_bytes
        deadline = time.monotonic() + self.options.request_timeout_s * 2
        self.sent += 1
        start = time.perf_counter()
        status: int | None = None
        got_headers: tuple[tuple[str, str], ...] = ()
        body = bytearray()
        truncated = False
        try:
            with self._client.stream(method, url, headers=sent_headers,
                                     content=content) as response:
                status = response.status_code
                got_headers = tuple(response.headers.multi_items())
                for value in response.headers.get_list("set-cookie"):
                    self.set_cookies.append((url, value))
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > cap:
                        del body[cap:]
                        truncated = True
                        self.truncated.append(f"{method} {url}")
                        break
                    if time.monotonic() > deadline:
                        truncated = True
                        self.truncated.append(f"{method} {url} (too slow)")
                        break
        except httpx.HTTPError as exc:
            elapsed = (time.perf_counter() - start) * 1000
            return Exchange(method, url, status, got_headers, bytes(body), truncated,
                            elapsed, describe_error(exc))
        elapsed = (time.perf_counter() - start) * 1000
        return Exchange(method, url, status, got_headers, bytes(body), truncated, elapsed)


def describe_error(exc: BaseException) -> str:
    """One clear line for a transport error (the class name alone says little)."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(chain) < 6:
        chain.append(current)
        current = current.__cause__ or current.__context__
    text = " ".join(str(item) for item in chain).lower()
    if any(isinstance(item, ssl.SSLError) for item in chain) or "ssl" in text or "tls" in text:
        return f"TLS handshake failed ({_first_line(chain)})"
    if isinstance(exc, httpx.ConnectTimeout):
        return "connection timed out"
    if isinstance(exc, httpx.ConnectError):
        return f"connection failed ({_first_line(chain)})"
    if isinstance(exc, httpx.TimeoutException):
        return "timed out waiting for the response"
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return f"connection closed or reset by the server ({_first_line(chain)})"
    return f"{type(exc).__name__}: {_first_line(chain)}"


def is_unreachable(error: str | None) -> bool:
    """Whether an exchange error means nothing is listening (vs. a misbehaving server)."""
    return bool(error) and (error or "").startswith(("connection failed", "connection timed out"))


def _first_line(chain: list[BaseException]) -> str:
    for item in chain:
        text = str(item).strip()
        if text:
            return text.splitlines()[0][:160]
    return type(chain[0]).__name__

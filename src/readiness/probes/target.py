"""The probed origin: scheme, host and port, and nothing else.

Probes build every URL from this origin, so a probe can never be talked into
contacting another host; redirects are compared against it before being followed.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from readiness.errors import ProbeTargetError


@dataclass(frozen=True, slots=True)
class Origin:
    scheme: str
    host: str
    port: int
    base_path: str  # the path of the URL given, without a trailing slash ("" for "/")

    @classmethod
    def parse(cls, url: str) -> Origin:
        """Parse the target URL, raising ProbeTargetError for anything but http(s)://host."""
        text = url.strip()
        try:
            parts = urlsplit(text)
            port = parts.port
        except ValueError as exc:
            raise ProbeTargetError(f"target URL {url!r} is malformed: {exc}") from None
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise ProbeTargetError(
                f"target URL {url!r} must start with http:// or https:// and name a host "
                "(e.g. http://127.0.0.1:8000)")
        scheme = parts.scheme.lower()
        default = 443 if scheme == "https" else 80
        return cls(scheme, parts.hostname.lower(), port or default, parts.path.rstrip("/"))

    @property
    def netloc(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://{self.netloc}{self.base_path}"

    def url(self, path: str) -> str:
        """An absolute URL on this origin; ``path`` is relative to the base path."""
        if not path.startswith("/"):
            path = "/" + path
        return f"{self.scheme}://{self.netloc}{self.base_path}{path}"

    def same_origin(self, url: str, *, relative_to: str) -> str | None:
        """The absolute form of ``url`` (a Location header) if it stays on this origin."""
        absolute = urljoin(relative_to, url)
        try:
            parts = urlsplit(absolute)
            port = parts.port
        except ValueError:
            return None
        scheme = parts.scheme.lower()
        default = 443 if scheme == "https" else 80
        if ((parts.hostname or "").lower(), port or default, scheme) != (
                self.host, self.port, self.scheme):
            return None
        return absolute

"""State shared by the probes of one run: the client, the budget, what discovery found."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from readiness.model import ProbeCheck, ProbeResult, ThresholdOutcome
from readiness.probes.http import Exchange, Http
from readiness.probes.options import ProbeOptions
from readiness.probes.target import Origin
from readiness.probes.thresholds import Threshold

HEALTH_WORDS = ("health", "healthz", "ready", "readyz", "livez", "live", "liveness",
                "readiness", "status", "ping", "alive")
DOCS_WORDS = ("docs", "redoc", "swagger", "openapi", "api-docs", "metrics")


@dataclass(frozen=True, slots=True)
class Route:
    """An operation the target exposes (from OpenAPI or the static analysis)."""

    method: str
    path: str
    secured: bool | None  # True: declares security; False: declares none; None: unknown
    json_body: bool = False
    sample: str = ""  # the path with harmless placeholders for its parameters

    @property
    def url_path(self) -> str:
        return self.sample or self.path

    @property
    def is_infrastructure(self) -> bool:
        """Health, docs and metrics routes: public by design. A health word counts only as
        the last segment of a short path without parameters (``/api/health``, not
        ``/orders/{id}/status``)."""
        parts = [part.lower() for part in self.path.strip("/").split("/") if part]
        if not parts:
            return True
        last = parts[-1].rsplit(".", 1)[0]
        health = last in HEALTH_WORDS and "{" not in self.path and len(parts) <= 3
        return health or any(part.rsplit(".", 1)[0] in DOCS_WORDS
                                           for part in parts)


@dataclass
class Discovered:
    spec_path: str | None = None
    spec: dict[str, object] | None = None
    routes: list[Route] = field(default_factory=list)
    docs: list[str] = field(default_factory=list)
    health: dict[str, Exchange] = field(default_factory=dict)  # path -> first answer
    root: Exchange | None = None
    is_api: bool = False


@dataclass
class Context:
    origin: Origin
    options: ProbeOptions
    http: Http
    thresholds: tuple[Threshold, ...]
    deadline: float
    known_routes: Sequence[tuple[str, str]] = ()
    progress: Callable[[str], None] | None = None
    found: Discovered = field(default_factory=Discovered)
    debug_pages: list[str] = field(default_factory=list)  # URLs that showed a debug page

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def say(self, text: str) -> None:
        if self.progress is not None:
            self.progress(text)

    def thresholds_for(self, scope: str) -> tuple[Threshold, ...]:
        return tuple(item for item in self.thresholds if item.applies_to(scope))

    def check(self, practice: str, verdict: str, message: str, exchange: Exchange | None = None,
              *, url: str | None = None, observed: str | None = None) -> ProbeCheck:
        return ProbeCheck(practice, verdict, message,  # type: ignore[arg-type]
                          url or (exchange.url if exchange else self.origin.base_url),
                          observed if observed is not None else
                          (exchange.summary() if exchange else ""))


class Recorder:
    """Counts the requests and time of one probe and builds its ``ProbeResult``."""

    def __init__(self, ctx: Context, probe: str) -> None:
        self.ctx = ctx
        self.probe = probe
        self.start = time.monotonic()
        self.sent = ctx.http.sent
        self.truncated = len(ctx.http.truncated)
        self.extra_requests = 0
        ctx.say(f"probe: {probe}")

    def finish(self, *, measured: dict[str, object] | None = None,
               checks: Sequence[ProbeCheck] = (), notes: Sequence[str] = (),
               thresholds: Sequence[ThresholdOutcome] = (), error: str | None = None,
               target: str | None = None) -> ProbeResult:
        all_notes = list(notes)
        cut = self.ctx.http.truncated[self.truncated:]
        if cut:
            all_notes.append(f"response body truncated at {self.ctx.options.max_body_bytes} "
                             f"bytes (or cut for slowness) on {len(cut)} request(s), "
                             f"first: {cut[0]}")
        return ProbeResult(
            probe=self.probe, target=target or self.ctx.origin.base_url,
            measured=dict(measured or {}), thresholds=tuple(thresholds),
            checks=tuple(checks), notes=tuple(all_notes), error=error,
            requests=self.ctx.http.sent - self.sent + self.extra_requests,
            seconds=time.monotonic() - self.start)

"""What a probe run may do: its bounds and its permissions.

Everything that can hurt a service (load, a burst, write requests) is off unless
asked for; everything that can hang is bounded (per-request timeout, body cap,
request counts, a total time budget).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from readiness.errors import ConfigError
from readiness.probes.thresholds import DEFAULT_THRESHOLDS, Threshold, parse_thresholds

PROBE_NAMES = ("discovery", "health", "latency", "headers", "cors", "authn", "errors",
               "server", "rate-limit", "cookies")
"""Probe groups in the order they run (``latency`` yields ``latency-closed`` and
``latency-open`` results); ``ProbeOptions.probes`` may select a subset, but discovery
always runs, since the others pick their URLs from what it found."""


@dataclass(frozen=True, slots=True)
class ProbeOptions:
    """Bounds and permissions of one ``run_probes`` call.

    ``thresholds`` use the grammar of ``readiness.probes.thresholds`` (a ``health:``,
    ``load:``, ``closed:`` or ``open:`` prefix scopes a threshold; unscoped means
    load). ``headers`` are sent with every request (e.g. a tenant header), but never
    by the authentication probe, whose point is to call without credentials.
    """

    users: int = 50
    duration_s: float = 30.0
    rate_per_s: float = 200.0
    thresholds: tuple[str, ...] = DEFAULT_THRESHOLDS
    allow_load: bool = False
    allow_burst: bool = False
    allow_writes: bool = False
    request_timeout_s: float = 5.0
    health_samples: int = 20
    burst_limit: int = 120
    max_body_bytes: int = 1 << 20
    total_budget_s: float = 180.0
    headers: tuple[tuple[str, str], ...] = ()
    verify_tls: bool = True
    probes: tuple[str, ...] = ()  # empty: all of PROBE_NAMES
    max_routes: int = 40  # authn/error probes call at most this many routes
    load_path: str | None = None  # GET route to load; default: the liveness endpoint or /

    def __post_init__(self) -> None:
        _positive("users", self.users, 1, 10_000)
        _positive("duration_s", self.duration_s, 0.1, 3600)
        _positive("rate_per_s", self.rate_per_s, 0.1, 100_000)
        _positive("request_timeout_s", self.request_timeout_s, 0.05, 300)
        _positive("health_samples", self.health_samples, 1, 10_000)
        _positive("burst_limit", self.burst_limit, 1, 100_000)
        _positive("max_body_bytes", self.max_body_bytes, 1024, 1 << 30)
        _positive("total_budget_s", self.total_budget_s, 1, 86_400)
        _positive("max_routes", self.max_routes, 1, 10_000)
        unknown = [name for name in self.probes if name not in PROBE_NAMES]
        if unknown:
            raise ConfigError(f"unknown probe {unknown[0]!r}; choose from "
                              f"{', '.join(PROBE_NAMES)}")
        if self.load_path is not None and not self.load_path.startswith("/"):
            raise ConfigError(f"load path {self.load_path!r} must start with /")
        self.parsed_thresholds()  # fail early on a bad expression

    def parsed_thresholds(self) -> tuple[Threshold, ...]:
        return parse_thresholds(self.thresholds)

    def wants(self, probe: str) -> bool:
        return not self.probes or probe in self.probes


def _positive(name: str, value: float, low: float, high: float) -> None:
    if not low <= value <= high:
        raise ConfigError(f"probe option {name}={value!r} is out of range [{low:g}, {high:g}]")


_DURATION = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*(ms|s|m|h)?\s*$")
_RATE = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*(?:/\s*(s|m|min))?\s*$")


def parse_duration(text: str) -> float:
    """``30s``, ``1.5m``, ``500ms`` or a bare number of seconds -> seconds."""
    match = _DURATION.match(text)
    if match is None:
        raise ConfigError(f"duration {text!r} is not understood; write e.g. 30s, 2m or 500ms")
    scale = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}[match[2] or "s"]
    return float(match[1]) * scale


def parse_rate(text: str) -> float:
    """``200/s``, ``600/m`` or a bare number per second -> requests per second."""
    match = _RATE.match(text)
    if match is None:
        raise ConfigError(f"rate {text!r} is not understood; write e.g. 200/s or 600/m")
    return float(match[1]) / (60.0 if match[2] in ("m", "min") else 1.0)

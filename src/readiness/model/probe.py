"""Probe results: what readiness measured on a running service.

A probe never decides a practice's status alone. It produces ``ProbeCheck`` items
(one judgement about one practice, with what was observed); the engine merges them
with the static finding of the same practice. Measurements that have a target
(latency percentiles, success rate) become ``ThresholdOutcome`` rows, which the
reports show as the "Performance metrics" table and which a breached threshold
turns into its own exit code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

CheckVerdict = Literal["pass", "fail", "inconclusive"]
"""``pass``: the control was observed working; ``fail``: the probe refutes it;
``inconclusive``: the probe ran but cannot tell (for example the load generator
was the bottleneck, or the route needed credentials the probe does not have)."""


@dataclass(frozen=True, slots=True)
class ProbeCheck:
    """One probe's judgement about one practice, with what was observed."""

    practice: str  # a catalog id, e.g. "sec.security-headers"
    verdict: CheckVerdict
    message: str  # one line a person reads in the report
    url: str  # the URL the observation was made on
    observed: str = ""  # one line: "GET /health -> 200 in 3.1 ms, body {'status': 'ok'}"

    def to_dict(self) -> dict[str, object]:
        return {
            "practice": self.practice,
            "verdict": self.verdict,
            "message": self.message,
            "url": self.url,
            "observed": self.observed,
        }


@dataclass(frozen=True, slots=True)
class ThresholdOutcome:
    """A k6-style threshold (``p(95)<100ms``) and whether the measurement met it."""

    expression: str  # as written: "p(95)<100ms"
    metric: str  # "p95_ms", "avg_ms", "error_rate", ...
    target: str  # human form of the bound: "< 100 ms"
    measured: float | None  # None when the metric could not be measured
    passed: bool | None  # None when inconclusive (nothing measured, generator-bound)

    def to_dict(self) -> dict[str, object]:
        return {
            "expression": self.expression,
            "metric": self.metric,
            "target": self.target,
            "measured": self.measured,
            "passed": self.passed,
        }


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """What one probe observed on the target (shape of json-contract.md ``probes[]``)."""

    probe: str  # "discovery", "health", "latency-closed", "latency-open", "headers", ...
    target: str  # the URL (or base URL) probed
    measured: dict[str, object] = field(default_factory=dict)
    thresholds: tuple[ThresholdOutcome, ...] = ()
    checks: tuple[ProbeCheck, ...] = ()
    notes: tuple[str, ...] = ()  # e.g. "inconclusive: client CPU 97 %"
    error: str | None = None  # set when the probe could not complete; partial data kept
    requests: int = 0  # how many requests this probe sent (the bound is visible)
    seconds: float = 0.0

    @property
    def passed(self) -> bool | None:
        outcomes = [item.passed for item in self.thresholds]
        if not outcomes:
            return None
        if any(value is False for value in outcomes):
            return False
        if any(value is None for value in outcomes):
            return None
        return True

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "probe": self.probe,
            "target": self.target,
            "measured": dict(self.measured),
            "threshold": ", ".join(item.expression for item in self.thresholds) or None,
            "passed": self.passed,
            "thresholds": [item.to_dict() for item in self.thresholds],
            "checks": [item.to_dict() for item in self.checks],
            "requests": self.requests,
            "seconds": round(self.seconds, 3),
        }
        if self.notes:
            data["notes"] = list(self.notes)
        if self.error:
            data["error"] = self.error
        return data


@dataclass(frozen=True, slots=True)
class ProbeRun:
    """Every probe run against one target, in order."""

    target: str
    started_at: str  # ISO 8601, UTC
    results: tuple[ProbeResult, ...] = ()
    warnings: tuple[str, ...] = ()  # e.g. "redirect to another host not followed"

    @property
    def checks(self) -> tuple[ProbeCheck, ...]:
        return tuple(check for result in self.results for check in result.checks)

    @property
    def thresholds(self) -> tuple[ThresholdOutcome, ...]:
        return tuple(item for result in self.results for item in result.thresholds)

    @property
    def breached(self) -> tuple[ThresholdOutcome, ...]:
        return tuple(item for item in self.thresholds if item.passed is False)

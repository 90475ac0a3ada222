"""k6-style thresholds (``p(95)<100ms``) and their evaluation.

Grammar (one threshold per string)::

    [scope ":"] metric op number [unit]

    scope   health | load | closed | open        (default: load)
    metric  p(N) | avg | med | min | max | rate  (N in (0, 100], e.g. 99.9)
    op      < | <= | > | >=
    unit    ms (default) | s | us | µs           (latency metrics only)

``rate`` is the share of failed requests (k6's ``http_req_failed``): a fraction in
[0, 1], or a percentage with ``%`` (``rate<1%``). The scope says which probe the
threshold judges, because the same ``p(95)`` means very different things for ten
sequential health checks and for fifty concurrent users: ``health:`` applies to the
sequential health samples, ``load:`` (the default, since that is what k6 users mean)
to both load models, ``closed:`` / ``open:`` to one of them.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass

from readiness.errors import ConfigError
from readiness.model import ThresholdOutcome

SCOPES = ("health", "load", "closed", "open")
DEFAULT_THRESHOLDS: tuple[str, ...] = (
    "health:p(95)<50ms",
    "load:p(95)<100ms",
    "load:p(99)<200ms",
    "load:rate<0.01",
)
"""The targets of the seed reports: health p95 under 50 ms, load p95 under 100 ms and
p99 under 200 ms, and more than 99 % of requests succeeding."""

_OPS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}
_UNITS = {"ms": 1.0, "s": 1000.0, "us": 0.001, "µs": 0.001}
_SYNTAX = re.compile(
    r"^\s*(?:(?P<scope>[a-z]+)\s*:\s*)?"
    r"(?P<metric>p\s*\(\s*(?P<pct>[^)]*)\)|[a-z_][a-z0-9_.]*)\s*"
    r"(?P<op><=|>=|<|>|==|!=|=)?\s*"
    r"(?P<value>[-+]?[0-9]*\.?[0-9]+(?:e[-+]?[0-9]+)?)?\s*(?P<unit>[a-zµ%]*)\s*$",
    re.IGNORECASE,
)
_EXAMPLE = "expected e.g. 'p(95)<100ms', 'health:avg<=50ms' or 'rate<0.01'"


@dataclass(frozen=True, slots=True)
class Threshold:
    """One parsed threshold; ``bound`` is in milliseconds for latency metrics."""

    expression: str
    scope: str  # one of SCOPES
    kind: str  # "percentile", "avg", "min", "max", "rate"
    percentile: float | None
    op: str
    bound: float

    @property
    def metric(self) -> str:
        """The key of the measured value, as the reports name it (``p95_ms``)."""
        if self.kind == "percentile":
            assert self.percentile is not None
            return f"p{_fmt(self.percentile)}_ms"
        if self.kind == "rate":
            return "error_rate"
        return f"{self.kind}_ms"

    @property
    def target(self) -> str:
        if self.kind == "rate":  # shown like the measurement: "< 1 % errors"
            return f"{self.op} {_fmt(round(self.bound * 100, 6))} % errors"
        return f"{self.op} {_fmt(self.bound)} ms"

    def applies_to(self, scope: str) -> bool:
        """Whether this threshold judges the probe of ``scope`` (health/closed/open)."""
        if self.scope == scope:
            return True
        return self.scope == "load" and scope in ("closed", "open")

    def evaluate(self, measured: float | None, *, conclusive: bool = True) -> ThresholdOutcome:
        """The outcome for a measured value; ``passed`` is None when nothing was
        measured or the measurement cannot be trusted (``conclusive=False``)."""
        passed: bool | None = None
        if measured is not None and conclusive:
            passed = _OPS[self.op](measured, self.bound)
        return ThresholdOutcome(self.expression, self.metric, self.target,
                                None if measured is None else round(measured, 3), passed)


def parse_threshold(text: str) -> Threshold:
    """Parse one threshold, raising ConfigError with a message saying what is wrong."""
    raw = text.strip()
    match = _SYNTAX.match(raw)
    if not raw or match is None:
        raise ConfigError(f"threshold {text!r} is not understood; {_EXAMPLE}")
    scope = (match["scope"] or "load").lower()
    if scope not in SCOPES:
        raise ConfigError(f"threshold {text!r}: unknown scope {scope!r}; "
                          f"use one of {', '.join(SCOPES)}")
    name = match["metric"].lower().replace(" ", "")
    percentile: float | None = None
    if name.startswith("p("):
        kind = "percentile"
        try:
            percentile = float(match["pct"])
        except ValueError:
            raise ConfigError(f"threshold {text!r}: percentile {match['pct']!r} is not a "
                              "number; write p(95) or p(99.9)") from None
        if not 0 < percentile <= 100:
            raise ConfigError(f"threshold {text!r}: percentile must be in (0, 100]")
    elif name in ("avg", "min", "max", "rate"):
        kind = name
    elif name == "med":
        kind, percentile = "percentile", 50.0
    else:
        hint = f" (write p({name[1:]}))" if re.fullmatch(r"p[0-9.]+", name) else ""
        raise ConfigError(f"threshold {text!r}: unknown metric {name!r}{hint}; "
                          "use p(N), avg, med, min, max or rate")
    op = match["op"]
    if op is None or match["value"] is None:
        raise ConfigError(f"threshold {text!r} needs a comparison and a number; {_EXAMPLE}")
    if op not in _OPS:
        raise ConfigError(f"threshold {text!r}: operator {op!r} is not supported; "
                          "use <, <=, > or >=")
    value = float(match["value"])
    unit = (match["unit"] or "").lower()
    if kind == "rate":
        if unit == "%":
            value /= 100.0
        elif unit:
            raise ConfigError(f"threshold {text!r}: rate is a fraction (0.01) or a "
                              f"percentage (1%), not {unit!r}")
        if not 0 <= value <= 1:
            raise ConfigError(f"threshold {text!r}: rate must be between 0 and 1 (or 0-100%)")
    else:
        if unit and unit not in _UNITS:
            raise ConfigError(f"threshold {text!r}: unknown unit {unit!r}; use ms, s or us")
        value *= _UNITS.get(unit or "ms", 1.0)
        if value < 0:
            raise ConfigError(f"threshold {text!r}: a latency bound cannot be negative")
    return Threshold(raw, scope, kind, percentile, op, value)


def parse_thresholds(texts: tuple[str, ...]) -> tuple[Threshold, ...]:
    return tuple(parse_threshold(text) for text in texts)


def _fmt(value: float) -> str:
    return f"{value:g}"

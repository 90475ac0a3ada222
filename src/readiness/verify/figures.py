"""Measured figures in report text: "P95 Response Time | <100ms | **1378.7ms**"."""

from __future__ import annotations

import re

from readiness.model import Figure

_KINDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"health", re.I), "health_ms"),
    (re.compile(r"\bp\s*\(?99\)?|99th", re.I), "p99_ms"),
    (re.compile(r"\bp\s*\(?95\)?|95th", re.I), "p95_ms"),
    (re.compile(r"\bp\s*\(?50\)?|median|50th", re.I), "p50_ms"),
    (re.compile(r"\b(avg|average|mean)\b", re.I), "avg_ms"),
    (re.compile(r"success rate", re.I), "success_rate"),
    (re.compile(r"error rate", re.I), "error_rate"),
    (re.compile(r"throughput|requests? per second|\brps\b|req/s", re.I), "rps"),
    (re.compile(r"response time|latency", re.I), "avg_ms"),
)
_NUMBER = re.compile(r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*"
                     r"(ms|us|µs|s|sec|seconds|min|minutes|m|%|rps|req/s)?(?![a-z])", re.I)
_TO_MS = {"ms": 1.0, "us": 0.001, "µs": 0.001, "s": 1000.0, "sec": 1000.0, "seconds": 1000.0,
          "min": 60_000.0, "minutes": 60_000.0, "m": 60_000.0}


def _number(text: str) -> float:
    """"1,378.7" -> 1378.7 (a comma followed by three digits groups thousands)."""
    return float(text.replace(",", ""))


def metric_kind(name: str) -> str:
    """What a figure measures, as a probe metric name, or "" when no probe measures it."""
    for pattern, kind in _KINDS:
        if pattern.search(name):
            if kind.endswith("_ms") and re.search(r"hit rate|memory|cpu|pool|cache", name, re.I):
                return ""
            return kind
    return ""


def parse_value(text: str) -> tuple[float | None, str]:
    """The first number in the text, normalised to ms for durations: ("1.5s" -> 1500 ms)."""
    match = _NUMBER.search(text.replace("**", ""))
    if not match:
        return None, ""
    value = _number(match.group(1))
    unit = (match.group(2) or "").lower()
    if unit in _TO_MS:
        return value * _TO_MS[unit], "ms"
    if unit in ("req/s",):
        unit = "rps"
    return value, unit


def figure(metric: str, measured_text: str, target_text: str = "") -> Figure:
    value, unit = parse_value(measured_text) if measured_text else (None, "")
    if not unit and target_text:
        unit = parse_value(target_text)[1]
    return Figure(metric=metric, measured=value, unit=unit, target=target_text.strip(),
                  kind=metric_kind(metric))


def bound(target: str) -> tuple[str, float] | None:
    """"<100ms" -> ("<", 100.0); ">99%" -> (">", 99.0); None when no comparison is stated."""
    match = re.search(r"(<=|>=|<|>|≤|≥)\s*~?\s*(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
                      r"\s*(ms|us|µs|s|sec|seconds|min|minutes|%)?(?![a-z])", target, re.I)
    if not match:
        return None
    operator = {"≤": "<=", "≥": ">="}.get(match.group(1), match.group(1))
    value = _number(match.group(2))
    value *= _TO_MS.get((match.group(3) or "").lower(), 1.0)
    return operator, value

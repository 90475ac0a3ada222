"""Threshold grammar, evaluation and option validation (no network)."""

from __future__ import annotations

import pytest

from readiness.errors import ConfigError
from readiness.probes import (
    DEFAULT_THRESHOLDS,
    ProbeOptions,
    parse_duration,
    parse_rate,
    parse_threshold,
)


@pytest.mark.parametrize(("text", "scope", "metric", "op", "bound"), [
    ("p(95)<100ms", "load", "p95_ms", "<", 100.0),
    ("p(99.9)<=250ms", "load", "p99.9_ms", "<=", 250.0),
    ("avg<200ms", "load", "avg_ms", "<", 200.0),
    ("med<0.5s", "load", "p50_ms", "<", 500.0),
    ("min>=250us", "load", "min_ms", ">=", 0.25),
    ("max<2s", "load", "max_ms", "<", 2000.0),
    ("rate<0.01", "load", "error_rate", "<", 0.01),
    ("rate<1%", "load", "error_rate", "<", 0.01),
    ("health:p(95)<50", "health", "p95_ms", "<", 50.0),
    ("open: p(99) < 200 ms", "open", "p99_ms", "<", 200.0),
])
def test_valid_thresholds_parse(text: str, scope: str, metric: str, op: str,
                                bound: float) -> None:
    """Each form of the k6 grammar gives its scope, metric key, operator and bound in ms."""
    threshold = parse_threshold(text)
    assert (scope, metric, op) == (threshold.scope, threshold.metric, threshold.op)
    assert bound == pytest.approx(threshold.bound)


@pytest.mark.parametrize(("text", "fragment"), [
    ("", "not understood"),
    ("med<", "needs a comparison and a number"),
    ("min", "needs a comparison and a number"),
    ("p(95)", "needs a comparison"),
    ("p(abc)<10ms", "percentile"),
    ("p(150)<10ms", "(0, 100]"),
    ("p95<10ms", "unknown metric"),
    ("p(95)<10parsecs", "unknown unit"),
    ("rate<5ms", "fraction"),
    ("rate<2", "between 0 and 1"),
    ("p(95)==10ms", "not supported"),
    ("api:p(95)<10ms", "unknown scope"),
])
def test_bad_thresholds_say_what_is_wrong(text: str, fragment: str) -> None:
    """A malformed threshold raises ConfigError (exit 2) naming the problem."""
    with pytest.raises(ConfigError) as info:
        parse_threshold(text)
    assert fragment in str(info.value)
    assert info.value.exit_code == 2


def test_evaluation_pass_fail_and_inconclusive() -> None:
    """A met bound passes, a missed one fails, and an untrusted or missing value is None."""
    threshold = parse_threshold("p(95)<100ms")
    assert threshold.evaluate(80.0).passed is True
    assert threshold.evaluate(120.0).passed is False
    assert threshold.evaluate(120.0, conclusive=False).passed is None
    assert threshold.evaluate(None).passed is None
    outcome = threshold.evaluate(80.0)
    assert (outcome.metric, outcome.target, outcome.measured) == ("p95_ms", "< 100 ms", 80.0)


def test_scopes_select_probes() -> None:
    """load applies to both models, health only to the health samples."""
    load, health = parse_threshold("p(95)<1ms"), parse_threshold("health:p(95)<1ms")
    assert [load.applies_to(s) for s in ("health", "closed", "open")] == [False, True, True]
    assert [health.applies_to(s) for s in ("health", "closed", "open")] == [True, False, False]
    assert parse_threshold("closed:avg<1").applies_to("open") is False


def test_defaults_are_the_seed_targets() -> None:
    """Health p95 < 50 ms, load p95 < 100 ms and p99 < 200 ms, errors < 1 %."""
    parsed = [parse_threshold(text) for text in DEFAULT_THRESHOLDS]
    assert [(t.scope, t.metric, t.bound) for t in parsed] == [
        ("health", "p95_ms", 50.0), ("load", "p95_ms", 100.0), ("load", "p99_ms", 200.0),
        ("load", "error_rate", 0.01)]


def test_options_validate_bounds_and_thresholds() -> None:
    """Out-of-range options and bad thresholds fail when the options are built."""
    with pytest.raises(ConfigError, match="users"):
        ProbeOptions(users=0)
    with pytest.raises(ConfigError, match=r"not understood|unknown metric"):
        ProbeOptions(thresholds=("fast please",))
    with pytest.raises(ConfigError, match="unknown probe"):
        ProbeOptions(probes=("fuzz",))
    assert ProbeOptions().allow_load is False
    assert ProbeOptions().allow_burst is False


def test_duration_and_rate_parsing() -> None:
    """The CLI forms --duration 30s / 2m / 500ms and --rate 200/s / 600/m."""
    assert [parse_duration(t) for t in ("30s", "2m", "500ms", "1.5")] == [30.0, 120.0, 0.5, 1.5]
    assert [parse_rate(t) for t in ("200/s", "600/m", "50")] == [200.0, 10.0, 50.0]
    with pytest.raises(ConfigError):
        parse_duration("soon")
    with pytest.raises(ConfigError):
        parse_rate("lots/s")


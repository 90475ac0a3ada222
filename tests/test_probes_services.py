"""Probes against a well-configured FastAPI service and a careless Flask one.

Each run asserts the verdict per practice id: the FastAPI service passes every probe,
the Flask service on Werkzeug's development server fails every one it can.
"""

from __future__ import annotations

import pytest

from readiness.model import ProbeRun
from readiness.probes import ProbeOptions, run_probes
from tests.probe_servers.harness import flask_server, secure_server

__all__ = ["flask_server", "secure_server"]

FAST = dict(allow_load=True, allow_burst=True, users=4, duration_s=1.0, rate_per_s=50.0,
            burst_limit=60, health_samples=10)
FLASK_ROUTES = [("GET", "/users"), ("GET", "/users/<int:user_id>"), ("POST", "/items")]


def verdicts(run: ProbeRun) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for check in run.checks:
        found.setdefault(check.practice, set()).add(check.verdict)
    return found


@pytest.fixture(scope="module")
def secure_run(secure_server: str) -> ProbeRun:
    messages: list[str] = []
    run = run_probes(secure_server, ProbeOptions(**FAST), progress=messages.append)
    assert messages, "progress callback is called"
    return run


@pytest.fixture(scope="module")
def flask_run(flask_server: str) -> ProbeRun:
    return run_probes(flask_server, ProbeOptions(**FAST), known_routes=FLASK_ROUTES)


def test_probe_order_and_bounds(secure_run: ProbeRun) -> None:
    """Every probe ran, in order, each recording its request count and time."""
    names = [result.probe for result in secure_run.results]
    assert names == ["discovery", "health", "latency-closed", "latency-open", "headers", "cors",
                     "authn", "errors", "server", "rate-limit", "cookies"]
    for result in secure_run.results:
        assert result.error is None, result
        assert result.seconds < 10
    assert sum(result.requests for result in secure_run.results) > 100
    assert secure_run.warnings == ()


@pytest.mark.parametrize("practice", [
    "rel.health-liveness", "rel.health-readiness", "sec.security-headers", "sec.cors",
    "sec.authn", "scale.rate-limiting", "rel.error-handling", "sec.secure-config",
    "scale.production-server", "sec.cookies-csrf"])
def test_secure_service_passes(secure_run: ProbeRun, practice: str) -> None:
    """The FastAPI service with headers, auth, limiter and readiness passes each practice."""
    assert verdicts(secure_run)[practice] == {"pass"}, [
        c for c in secure_run.checks if c.practice == practice]


def test_secure_service_measurements(secure_run: ProbeRun) -> None:
    """Readiness lists the SQLite dependency; load thresholds are met or, when the 2-core
    machine makes the client the bottleneck, inconclusive, never failed."""
    by_name = {result.probe: result for result in secure_run.results}
    assert by_name["health"].measured["dependencies"] == {"database": "ok"}
    assert by_name["health"].passed is True
    assert verdicts(secure_run)["scale.latency-budget"] <= {"pass", "inconclusive"}
    closed = by_name["latency-closed"].measured
    for key in ("p50_ms", "p90_ms", "p95_ms", "p99_ms", "max_ms", "avg_ms", "rps", "errors",
                "error_rate", "status_codes", "client_cpu"):
        assert key in closed
    assert closed["status_codes"] == {"200": closed["count"]}
    assert by_name["rate-limit"].measured["headers"]["retry-after"]
    assert secure_run.breached == ()


@pytest.mark.parametrize(("practice", "fragment"), [
    ("rel.health-readiness", "no dependency state"),
    ("sec.security-headers", "missing security headers"),
    ("sec.cors", "foreign origin reflected with credentials"),
    ("sec.authn", "GET /users -> 200"),
    ("scale.rate-limiting", "no 429 after 60 requests"),
    ("rel.error-handling", "malformed JSON -> 500"),
    ("sec.secure-config", "debug"),
    ("scale.production-server", "Werkzeug"),
    ("sec.cookies-csrf", "no httponly, samesite"),
])
def test_flask_service_fails(flask_run: ProbeRun, practice: str, fragment: str) -> None:
    """The careless Flask service fails each practice, with a message saying why."""
    checks = [c for c in flask_run.checks if c.practice == practice]
    assert "fail" in {c.verdict for c in checks}
    assert any(fragment in c.message for c in checks if c.verdict == "fail"), checks


def test_flask_leaks_and_liveness(flask_run: ProbeRun) -> None:
    """A constant /health still proves liveness; the Server header leaks a version."""
    assert verdicts(flask_run)["rel.health-liveness"] == {"pass"}
    assert any("version disclosed" in c.message for c in flask_run.checks)


def test_skipped_without_permission(secure_server: str) -> None:
    """Without --allow-load / --allow-burst no load or burst is sent, and the results say so."""
    run = run_probes(secure_server, ProbeOptions(probes=("latency", "rate-limit")))
    skipped = [r for r in run.results if r.probe in ("latency-closed", "latency-open",
                                                     "rate-limit")]
    assert len(skipped) == 3
    for result in skipped:
        assert result.requests == 0
        assert result.checks == ()
        assert any("skipped" in note for note in result.notes)


def test_results_serialise_to_json(secure_run: ProbeRun, flask_run: ProbeRun) -> None:
    """Every result's to_dict() is plain JSON (the reports write it as is)."""
    import json

    for run in (secure_run, flask_run):
        for result in run.results:
            text = json.dumps(result.to_dict())
            assert json.loads(text)["probe"] == result.probe


def test_total_budget_bounds_the_run(secure_server: str) -> None:
    """A 30 s load asked for within a 3 s budget is cut to fit, and the result says so."""
    import time

    start = time.monotonic()
    options = ProbeOptions(allow_load=True, users=2, rate_per_s=20.0, duration_s=30.0,
                           total_budget_s=3.0, request_timeout_s=0.5,
                           probes=("health", "latency"))
    run = run_probes(secure_server, options)
    assert time.monotonic() - start < 8
    notes = [note for result in run.results for note in result.notes]
    assert any("budget" in note for note in notes), notes


def test_extra_headers_are_not_sent_by_the_authn_probe(secure_server: str) -> None:
    """Credentials given as extra headers never reach the no-credential calls."""
    options = ProbeOptions(headers=(("X-API-Key", "test-key"),), probes=("authn",))
    run = run_probes(secure_server, options)
    assert {c.verdict for c in run.checks if c.practice == "sec.authn"} == {"pass"}

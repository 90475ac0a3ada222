"""Bad targets: unreachable, malformed, TLS mismatch, resets, huge bodies, 5xx storms,
redirects off the target. Only an unreachable first contact raises; the rest keep
partial results, stay bounded in time and memory, and say what happened."""

from __future__ import annotations

import resource
import time

import pytest

from readiness.errors import ProbeTargetError
from readiness.probes import ProbeOptions, run_probes
from tests.probe_servers.harness import (
    bigbody_server,
    free_port,
    redirect_server,
    reset_server,
    storm_server,
)

__all__ = ["bigbody_server", "redirect_server", "reset_server", "storm_server"]


def test_unreachable_target_raises_one_clear_line() -> None:
    """Nothing listening on the port: ProbeTargetError naming the URL, one line."""
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(ProbeTargetError) as info:
        run_probes(url)
    assert url in str(info.value)
    assert "\n" not in str(info.value)
    assert info.value.exit_code == 2


@pytest.mark.parametrize("url", ["127.0.0.1:8000", "ftp://127.0.0.1/", "http://", "",
                                 "http://127.0.0.1:99999/", "localhost"])
def test_malformed_url_raises(url: str) -> None:
    """No scheme, a scheme other than http(s), no host or a bad port: ProbeTargetError."""
    with pytest.raises(ProbeTargetError, match="target URL"):
        run_probes(url)


def test_tls_mismatch_is_reported_not_raised(storm_server: str) -> None:
    """https:// to a plain-HTTP server: the run completes with a TLS error in discovery."""
    url = storm_server.replace("http://", "https://")
    start = time.monotonic()
    run = run_probes(url, ProbeOptions(request_timeout_s=2.0))
    assert time.monotonic() - start < 15
    discovery = run.results[0]
    assert discovery.probe == "discovery"
    assert discovery.error is not None and "TLS" in discovery.error
    assert len(run.results) == 1


def test_connection_resets_are_reported(reset_server: str) -> None:
    """A server that resets every connection: no crash, an error saying so."""
    run = run_probes(reset_server, ProbeOptions(request_timeout_s=2.0))
    discovery = run.results[0]
    assert discovery.error is not None
    assert "reset" in discovery.error or "closed" in discovery.error
    assert discovery.requests > 1


def test_huge_body_is_truncated_and_bounded(bigbody_server: str) -> None:
    """A 1 GB body is cut at the cap: bounded time and memory, and the result says so."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.monotonic()
    options = ProbeOptions(probes=("health",), max_body_bytes=256 * 1024, health_samples=5,
                           request_timeout_s=3.0)
    run = run_probes(bigbody_server, options)
    elapsed = time.monotonic() - start
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert elapsed < 30
    assert grown_mib < 200
    notes = [note for result in run.results for note in result.notes]
    assert any("truncated" in note for note in notes), notes
    assert all(result.error is None for result in run.results)


def test_huge_body_under_load_is_truncated(bigbody_server: str) -> None:
    """The load generator drops a connection at the body cap instead of reading 1 GB."""
    options = ProbeOptions(probes=("latency",), allow_load=True, users=2, rate_per_s=5,
                           duration_s=1.0, max_body_bytes=64 * 1024, request_timeout_s=3.0)
    run = run_probes(bigbody_server, options)
    closed = next(r for r in run.results if r.probe == "latency-closed")
    assert any("truncated" in note for note in closed.notes), closed.notes


def test_error_storm_keeps_partial_results(storm_server: str) -> None:
    """Every request answered 500: the run completes; liveness, authn, errors fail."""
    run = run_probes(storm_server, ProbeOptions(health_samples=5),
                     known_routes=[("GET", "/orders")])
    verdicts = {(c.practice, c.verdict) for c in run.checks}
    assert ("rel.error-handling", "fail") in verdicts
    assert ("sec.authn", "fail") in verdicts
    assert all(result.error is None for result in run.results)
    discovery = run.results[0]
    assert discovery.measured["root_status"] == 500


def test_redirect_to_another_host_is_not_followed(redirect_server: str) -> None:
    """A 302 to another host is recorded as a warning and never followed."""
    run = run_probes(redirect_server, ProbeOptions(probes=("health",)))
    assert any("not followed" in warning and "other-host.example" in warning
               for warning in run.warnings), run.warnings


def test_urls_outside_the_target_are_never_contacted(storm_server: str,
                                                     redirect_server: str) -> None:
    """An absolute URL on another port (e.g. a bogus known route) is refused unsent."""
    from readiness.probes.http import Http
    from readiness.probes.target import Origin

    with Http(Origin.parse(redirect_server), ProbeOptions()) as http:
        refused = http.get(f"{storm_server}/orders")
        assert refused.status is None
        assert refused.error == "refused: the URL is outside the target"
        assert http.get(f"{redirect_server}/x", follow=False).status == 302
    run = run_probes(redirect_server, ProbeOptions(probes=("authn",)),
                     known_routes=[("GET", f"{storm_server}/orders")])
    assert run.results[0].measured["routes"] == 0


def test_a_crashing_probe_does_not_lose_the_run(storm_server: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A probe that raises becomes a result with an error; the next probes still run."""
    from readiness.probes import runner

    def broken(ctx: object) -> object:
        raise ValueError("unexpected shape")

    steps = tuple((name, broken if name == "headers" else step)
                  for name, step in runner.STEPS)
    monkeypatch.setattr(runner, "STEPS", steps)
    run = run_probes(storm_server, ProbeOptions(probes=("headers", "cors")))
    by_name = {result.probe: result for result in run.results}
    assert by_name["headers"].error == "probe failed: ValueError: unexpected shape"
    assert by_name["cors"].error is None and by_name["cors"].checks

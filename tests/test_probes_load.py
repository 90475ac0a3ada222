"""Coordinated omission: the open model sees a server stall that a closed loop hides.

The server blocks its event loop 200 ms every 2 s. One closed-loop user sends its next
request only after the previous answer, so it meets the stall about once per window
among thousands of fast requests: p99 stays small. The open model plans requests at a
constant rate and times each from its planned send time, so every request planned in
the stall counts: p99 is close to the stall length.
"""

from __future__ import annotations

from readiness.probes import ProbeOptions, run_probes
from tests.probe_servers.harness import stall_server

__all__ = ["stall_server"]


def test_open_model_reveals_the_stall_closed_loop_hides_it(stall_server: str) -> None:
    """open p99 >= 100 ms and >= 5x the 1-user closed-loop p99 on the same server."""
    options = ProbeOptions(allow_load=True, users=1, rate_per_s=200.0, duration_s=5.0,
                           probes=("health", "latency"), thresholds=("p(99)<50ms",))
    run = run_probes(stall_server, options)
    by_name = {result.probe: result for result in run.results}
    closed, opened = by_name["latency-closed"], by_name["latency-open"]
    closed_p99 = float(closed.measured["p99_ms"])  # type: ignore[arg-type]
    open_p99 = float(opened.measured["p99_ms"])  # type: ignore[arg-type]
    assert open_p99 >= 100.0, opened.measured
    assert open_p99 >= 5 * closed_p99, (closed.measured, opened.measured)
    assert opened.measured["errors"] == 0
    assert opened.measured["count"] + opened.measured["not_sent"] == 1000  # type: ignore[operator]
    # the stall breaches the open-model threshold (unless the client was the bottleneck)
    open_outcome = opened.thresholds[0]
    assert open_outcome.passed in (False, None)
    if open_outcome.passed is None:
        assert any("inconclusive" in note for note in opened.notes)
    assert "send_lag_p99_ms" in opened.measured


def test_generator_bottleneck_makes_thresholds_inconclusive(stall_server: str) -> None:
    """An arrival rate the client cannot sustain is flagged, and its thresholds are not
    reported as the server's pass or fail (passed is None)."""
    options = ProbeOptions(allow_load=True, users=20, rate_per_s=50_000.0, duration_s=0.6,
                           request_timeout_s=1.0, probes=("health", "latency"),
                           thresholds=("open:p(99)<1000ms", "open:rate<0.5"))
    run = run_probes(stall_server, options)
    opened = next(result for result in run.results if result.probe == "latency-open")
    assert any("inconclusive: the load generator was the bottleneck" in note
               for note in opened.notes), opened.notes
    assert [outcome.passed for outcome in opened.thresholds] == [None, None]
    assert {check.verdict for check in opened.checks} == {"inconclusive"}
    assert opened.seconds < 10

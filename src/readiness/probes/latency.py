"""Latency under load: the closed and open models against one cheap read route.

Only with ``allow_load``: load is something a person must choose to inflict. When the
generator itself is the bottleneck (its CPU near one full core, or the open-model
dispatcher late against its plan) the numbers describe the client, not the server,
so the thresholds become inconclusive (``passed=None``) and a note says why.
"""

from __future__ import annotations

import functools

from readiness.model import ProbeCheck, ProbeResult, ThresholdOutcome
from readiness.probes.context import Context, Recorder
from readiness.probes.health import LIVENESS_ORDER
from readiness.probes.loadgen import LoadRun, Request, closed_model, open_model, run_async

CPU_BOUND = 0.9  # process CPU seconds per wall second: one core saturated
LAG_P99_BOUND_MS = 10.0  # open model: dispatcher woke this late at p99 -> client-bound
MIN_DURATION_S = 0.5


def load_path(ctx: Context) -> str:
    """``options.load_path`` if given, else the liveness endpoint (cheap, side-effect
    free, what the seed reports measured), else ``/``."""
    if ctx.options.load_path:
        return ctx.options.load_path
    return next((path for path in LIVENESS_ORDER if path in ctx.found.health), "/")


def probe_latency(ctx: Context) -> list[ProbeResult]:
    opts = ctx.options
    path = load_path(ctx)
    url = ctx.origin.url(path)
    if not opts.allow_load:
        note = ("skipped: load is only sent with --allow-load "
                f"({opts.users} users / {opts.rate_per_s:g} req/s for {opts.duration_s:g} s each)")
        return [Recorder(ctx, name).finish(notes=[note], target=url)
                for name in ("latency-closed", "latency-open")]
    request = Request(url, opts.headers, opts.request_timeout_s, opts.max_body_bytes,
                      opts.verify_tls)
    results: list[ProbeResult] = []
    for model in ("closed", "open"):
        rec = Recorder(ctx, f"latency-{model}")
        remaining = ctx.remaining() / (2 if model == "closed" else 1) - opts.request_timeout_s
        duration = min(opts.duration_s, remaining)
        if duration < MIN_DURATION_S:
            results.append(rec.finish(notes=["skipped: the total time budget is spent"],
                                      target=url))
            continue
        notes = []
        if duration < opts.duration_s:
            notes.append(f"duration cut to {duration:.1f} s by the total time budget")
        ctx.say(f"load ({model} model) on {path} for {duration:.0f} s")
        try:
            run = run_async(functools.partial(closed_model, request, opts.users, duration)
                            if model == "closed" else
                            functools.partial(open_model, request, opts.rate_per_s, duration,
                                              opts.users))
        except Exception as exc:  # noqa: BLE001 - a crashed generator must not lose the run
            results.append(rec.finish(error=f"load generator failed: {exc}", target=url))
            continue
        results.append(_result(ctx, rec, run, url, notes))
    return results


def _result(ctx: Context, rec: Recorder, run: LoadRun, url: str,
            notes: list[str]) -> ProbeResult:
    rec.extra_requests = run.sent
    measured: dict[str, object] = {"model": run.model, "path": url, **run.latencies.summary(),
                                   "rps": round(run.rps, 1), "seconds": round(run.wall_s, 3),
                                   "client_cpu": round(run.cpu_ratio, 3)}
    if run.model == "closed":
        measured["users"] = ctx.options.users
    else:
        measured["rate_per_s"] = ctx.options.rate_per_s
        measured["unfinished"] = run.unfinished
        measured["not_sent"] = run.not_sent
    bound_by_client: list[str] = []
    if run.not_sent:
        bound_by_client.append(f"{run.not_sent} planned requests never sent")
    if run.cpu_ratio >= CPU_BOUND:
        bound_by_client.append(f"client CPU {run.cpu_ratio * 100:.0f} % of a core")
    if run.lag is not None and run.lag.count:
        lag99 = run.lag.percentile_ms(99) or 0.0
        measured["send_lag_p99_ms"] = round(lag99, 3)
        if lag99 > LAG_P99_BOUND_MS:
            bound_by_client.append(f"send lag p99 {lag99:.1f} ms > {LAG_P99_BOUND_MS:g} ms")
    if run.truncated:
        notes.append(f"{run.truncated} response bodies truncated at "
                     f"{ctx.options.max_body_bytes} bytes")
    if bound_by_client:
        notes.append("inconclusive: the load generator was the bottleneck ("
                     + "; ".join(bound_by_client) + "); these figures describe the client")
    conclusive = not bound_by_client
    outcomes = [t.evaluate(run.latencies.value(t), conclusive=conclusive)
                for t in ctx.thresholds_for(run.model)]
    checks = [_budget_check(ctx, run, url, outcomes, conclusive)]
    return rec.finish(measured=measured, thresholds=outcomes, checks=checks, notes=notes,
                      target=url)


def _budget_check(ctx: Context, run: LoadRun, url: str, outcomes: list[ThresholdOutcome],
                  conclusive: bool) -> ProbeCheck:
    lat = run.latencies
    shape = (f"{run.model} model, {run.sent} requests, {run.rps:.0f} req/s: "
             f"p50 {lat.percentile_ms(50) or 0:.1f} ms, p95 {lat.percentile_ms(95) or 0:.1f} ms, "
             f"p99 {lat.percentile_ms(99) or 0:.1f} ms, errors {lat.errors}")
    if not lat.count:
        return ctx.check("scale.latency-budget", "inconclusive", "no request completed",
                         url=url, observed=shape)
    if not conclusive:
        return ctx.check("scale.latency-budget", "inconclusive",
                         "the load generator was the bottleneck; latency not attributable",
                         url=url, observed=shape)
    if not outcomes:
        return ctx.check("scale.latency-budget", "inconclusive",
                         "latency measured but no threshold given", url=url, observed=shape)
    breached = [item.expression for item in outcomes if item.passed is False]
    if breached:
        return ctx.check("scale.latency-budget", "fail",
                         f"{run.model}-model thresholds breached: {', '.join(breached)}",
                         url=url, observed=shape)
    met = ", ".join(item.expression for item in outcomes)
    return ctx.check("scale.latency-budget", "pass", f"{run.model}-model thresholds met: {met}",
                     url=url, observed=shape)

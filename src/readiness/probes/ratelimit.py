"""Rate limiting: a bounded burst against a cheap route must meet a 429.

Only with ``allow_burst``. The burst stops at the first 429 or after ``burst_limit``
requests, whichever comes first, and within a fixed time bound.
"""

from __future__ import annotations

import time

from readiness.model import ProbeResult
from readiness.probes.context import Context, Recorder

BURST_SECONDS = 20.0


def burst_path(ctx: Context) -> str:
    """A public GET route without parameters (a real one rather than health, which
    limiters usually exempt), else the health endpoint, else ``/``."""
    for wanted in (False, None):
        for route in ctx.found.routes:
            if (route.method == "GET" and route.secured is wanted and "{" not in route.path
                    and not route.is_infrastructure):
                return route.path
    return next(iter(ctx.found.health), "/")


def probe_rate_limit(ctx: Context) -> ProbeResult:
    path = burst_path(ctx)
    url = ctx.origin.url(path)
    rec = Recorder(ctx, "rate-limit")
    limit = ctx.options.burst_limit
    if not ctx.options.allow_burst:
        return rec.finish(target=url, notes=[
            f"skipped: a burst of up to {limit} requests is only sent with --allow-burst"])
    end = time.monotonic() + min(BURST_SECONDS, max(ctx.remaining(), 0.0))
    sent = 0
    statuses: dict[str, int] = {}
    limited = None
    while sent < limit and time.monotonic() < end:
        answer = ctx.http.get(path, follow=False)
        sent += 1
        key = str(answer.status) if answer.status is not None else f"error: {answer.error}"
        statuses[key] = statuses.get(key, 0) + 1
        if answer.status == 429:
            limited = answer
            break
    measured: dict[str, object] = {"path": path, "sent": sent, "limit": limit,
                                   "status_codes": statuses}
    if limited is None:
        check = ctx.check("scale.rate-limiting", "fail",
                          f"no 429 after {sent} requests to {path} "
                          f"(bound {limit} requests / {BURST_SECONDS:g} s)", url=url,
                          observed=f"statuses: {statuses}")
        return rec.finish(measured=measured, checks=[check], target=url)
    hints = {name: limited.header(name) for name in ("retry-after", "ratelimit-limit",
                                                      "ratelimit-remaining", "ratelimit-reset",
                                                      "x-ratelimit-limit", "ratelimit-policy")
             if limited.header(name) is not None}
    measured["first_429_at"] = sent
    measured["headers"] = hints
    advice = "" if hints else " but without Retry-After or RateLimit-* headers"
    check = ctx.check("scale.rate-limiting", "pass",
                      f"429 after {sent} requests to {path}{advice}", limited,
                      observed=f"request {sent} -> 429, " + (", ".join(
                          f"{k}: {v}" for k, v in hints.items()) or "no retry hint"))
    return rec.finish(measured=measured, checks=[check], target=url)

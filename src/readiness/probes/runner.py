"""``run_probes``: every probe in order, each bounded, none able to sink the run.

Only the very first contact may raise (``ProbeTargetError`` when nothing listens):
after that every failure (TLS, resets, 5xx storms, huge bodies, a crashing probe) is
recorded in that probe's result and the run goes on with partial data.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from readiness.errors import ProbeTargetError
from readiness.model import ProbeResult, ProbeRun
from readiness.probes.authn import probe_authn
from readiness.probes.context import Context, Recorder
from readiness.probes.cors import cookie_checks, probe_cors
from readiness.probes.discovery import discover
from readiness.probes.errorpages import probe_errors
from readiness.probes.headers import probe_headers
from readiness.probes.health import probe_health
from readiness.probes.http import Http, is_unreachable
from readiness.probes.latency import probe_latency
from readiness.probes.options import ProbeOptions
from readiness.probes.ratelimit import probe_rate_limit
from readiness.probes.server import probe_server
from readiness.probes.target import Origin

STEPS: tuple[tuple[str, Callable[[Context], ProbeResult | list[ProbeResult]]], ...] = (
    ("health", probe_health),
    ("latency", probe_latency),
    ("headers", probe_headers),
    ("cors", probe_cors),
    ("authn", probe_authn),
    ("errors", probe_errors),
    ("server", probe_server),
    ("rate-limit", probe_rate_limit),  # last: a limiter it trips must not skew the others
)


def run_probes(target_url: str, options: ProbeOptions | None = None, *,
               known_routes: Sequence[tuple[str, str]] = (),
               progress: Callable[[str], None] | None = None) -> ProbeRun:
    """Probe a running service at ``target_url`` and return everything observed.

    Raises ProbeTargetError when the URL is malformed or the first request finds
    nothing listening (connection refused, unknown host, connect timeout).
    """
    opts = options or ProbeOptions()
    origin = Origin.parse(target_url)
    thresholds = opts.parsed_thresholds()
    started = datetime.now(UTC).isoformat(timespec="seconds")
    results: list[ProbeResult] = []
    with Http(origin, opts) as http:
        ctx = Context(origin, opts, http, thresholds, time.monotonic() + opts.total_budget_s,
                      tuple(known_routes), progress)
        ctx.say(f"contacting {origin.base_url}")
        root = http.get("/")
        if is_unreachable(root.error):
            raise ProbeTargetError(f"cannot reach {origin.base_url}: {root.error}")
        results.append(discover(ctx, root))
        if not _anything_answered(ctx):
            results[0] = _with_error(results[0], f"no request got a response ({root.error}); "
                                     "the other probes were not run")
        else:
            for name, step in STEPS:
                if not opts.wants(name):
                    continue
                if ctx.remaining() <= 0:
                    results.extend(Recorder(ctx, label).finish(
                        notes=["skipped: the total time budget is spent"])
                        for label in _labels(name))
                    continue
                results.extend(_guarded(ctx, name, step))
            if opts.wants("cookies"):
                cookies = cookie_checks(ctx)
                results.append(ProbeResult(
                    "cookies", origin.base_url,
                    measured={"set_cookie_headers": len(http.set_cookies)},
                    checks=tuple(cookies), notes=() if cookies else ("no Set-Cookie seen",)))
        warnings = tuple(dict.fromkeys(http.warnings))
    return ProbeRun(origin.base_url, started, tuple(results), warnings)


def _guarded(ctx: Context, name: str,
             step: Callable[[Context], ProbeResult | list[ProbeResult]]) -> list[ProbeResult]:
    start_sent = ctx.http.sent
    try:
        produced = step(ctx)
    except Exception as exc:  # noqa: BLE001 - one broken probe must not lose the others
        error = f"probe failed: {type(exc).__name__}: {exc}"
        failed = [Recorder(ctx, label) for label in _labels(name)]
        failed[0].sent = start_sent  # the requests the broken probe did send
        return [rec.finish(error=error) for rec in failed]
    return produced if isinstance(produced, list) else [produced]


def _labels(step: str) -> list[str]:
    """The result names a step produces (the latency step yields two)."""
    return ["latency-closed", "latency-open"] if step == "latency" else [step]


def _anything_answered(ctx: Context) -> bool:
    found = ctx.found
    return bool((found.root and found.root.status is not None) or found.health
                or found.spec or found.docs)


def _with_error(result: ProbeResult, error: str) -> ProbeResult:
    return ProbeResult(result.probe, result.target, result.measured, result.thresholds,
                       result.checks, result.notes, error, result.requests, result.seconds)

"""Authentication enforced: non-public routes called without credentials.

A route is non-public when OpenAPI gives it a ``security`` requirement, or, when the
description declares no security at all (or only the static analysis knows the
route), when it is not a health/docs/metrics route; a route declared public whose
path names something private (``/admin``, ``/users``, ``/settings``…) is called too.
Only GET and HEAD are sent by default; write methods only with ``allow_writes``, and
then with an empty body. The extra request headers of the options are *not* sent:
they may carry credentials.
"""

from __future__ import annotations

import re

from readiness.model import ProbeCheck, ProbeResult
from readiness.probes.context import Context, Recorder, Route
from readiness.probes.http import Exchange

SAFE_METHODS = ("GET", "HEAD")
# A route OpenAPI declares public is still called when its path says it should not be:
# an unauthenticated /admin/users next to secured routes is the hole this probe is for.
SENSITIVE = re.compile(r"(^|/)(admin|internal|private|manage(ment)?|users?|accounts?|billing|"
                       r"settings|config|secrets?|keys?|tokens?|staff|superuser)(/|$)", re.I)
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def candidates(ctx: Context) -> tuple[list[Route], int]:
    """(routes to call, write routes left out because writes are not allowed)."""
    chosen: list[Route] = []
    skipped_writes = 0
    seen: set[tuple[str, str]] = set()
    for route in ctx.found.routes:
        if route.is_infrastructure:
            continue
        if route.secured is False and not SENSITIVE.search(route.url_path):
            continue  # declared public, and its path does not suggest otherwise
        if (route.method, route.url_path) in seen:
            continue
        if route.method in WRITE_METHODS and not ctx.options.allow_writes:
            skipped_writes += 1
            continue
        if route.method not in (*SAFE_METHODS, *WRITE_METHODS):
            continue
        seen.add((route.method, route.url_path))
        chosen.append(route)
    return chosen[: ctx.options.max_routes], skipped_writes


def probe_authn(ctx: Context) -> ProbeResult:
    rec = Recorder(ctx, "authn")
    routes, skipped_writes = candidates(ctx)
    notes = []
    if skipped_writes:
        notes.append(f"{skipped_writes} write route(s) not called (needs allow_writes)")
    if not routes:
        why = ("the OpenAPI description declares no non-public GET route"
               if ctx.found.spec else "no non-public GET route is known (no OpenAPI "
               "description, no routes from the static analysis)")
        return rec.finish(notes=[*notes, why],
                          checks=[ctx.check("sec.authn", "inconclusive", why)])
    outcome: dict[str, list[Exchange]] = {"enforced": [], "open": [], "broken": [],
                                          "unclear": []}
    for route in routes:
        if ctx.remaining() < ctx.options.request_timeout_s:
            notes.append("stopped early: total time budget spent")
            break
        body = b"" if route.method in WRITE_METHODS else None
        answer = ctx.http.request(route.method, route.url_path, content=body, follow=False,
                                  default_headers=False)
        outcome[_classify(answer)].append(answer)
    measured: dict[str, object] = {key: [item.summary() for item in value]
                                   for key, value in outcome.items()}
    checks: list[ProbeCheck] = []
    if outcome["open"]:
        first = outcome["open"][0]
        checks.append(ctx.check(
            "sec.authn", "fail", f"{len(outcome['open'])} non-public route(s) answer 2xx "
            "without credentials: " + ", ".join(_short(a) for a in outcome["open"][:5]), first))
    if outcome["broken"]:
        first = outcome["broken"][0]
        checks.append(ctx.check(
            "sec.authn", "fail", f"{len(outcome['broken'])} route(s) fail (5xx or no answer) "
            "instead of answering 401/403 without credentials: "
            + ", ".join(_short(a) for a in outcome["broken"][:5]), first))
    if not checks:
        if outcome["enforced"] and not outcome["unclear"]:
            checks.append(ctx.check(
                "sec.authn", "pass", f"all {len(outcome['enforced'])} non-public routes "
                "called without credentials answer 401/403", outcome["enforced"][0]))
        else:
            unclear = outcome["unclear"]
            checks.append(ctx.check(
                "sec.authn", "inconclusive",
                f"{len(outcome['enforced'])} route(s) answer 401/403, {len(unclear)} answer "
                "something else (404, 405, 422 …): " + ", ".join(_short(a) for a in unclear[:5]),
                unclear[0] if unclear else None))
    return rec.finish(measured=measured, checks=checks, notes=notes)


def _classify(answer: Exchange) -> str:
    status = answer.status
    if status is None or status >= 500:
        return "broken"
    if status in (401, 403):
        return "enforced"
    if 300 <= status < 400 and "login" in (answer.header("location") or "").lower():
        return "enforced"
    if 200 <= status < 300:
        return "open"
    return "unclear"


def _short(answer: Exchange) -> str:
    return answer.summary().split(" in ")[0]

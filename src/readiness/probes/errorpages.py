"""Error hygiene: bad requests must get a clean 4xx, never a stack trace or debug page.

Sends an unknown path, a wrong method on the health route, and to a few routes that
take JSON a malformed document and a document of the wrong type (a bare ``true``
where an object is expected: unlike an array or a string it cannot be mistaken for a
list of ids or a text body). None of these can create anything on a server that
validates its input, which is why they are sent without ``allow_writes``.
"""

from __future__ import annotations

import re
import secrets

from readiness.model import ProbeCheck, ProbeResult
from readiness.probes.context import Context, Recorder, Route
from readiness.probes.http import Exchange

DEBUG_MARKERS = (
    (re.compile(r"Werkzeug Debugger|__debugger__|The debugger caught an exception"),
     "the Werkzeug interactive debugger"),
    (re.compile(r"You(?:'|&#x27;|&#39;)re seeing this error because you have"
                r"|Using the URLconf defined in"), "the Django DEBUG page"),
    (re.compile(r"Traceback \(most recent call last\)|Traceback <em>\(most recent call"),
     "a Python traceback"),
    (re.compile(r'File "[^"\n]{1,300}", line \d+'), "a Python stack frame"),
    (re.compile(r"\bat [\w.$<>]+ \([^)\n]*:\d+:\d+\)"), "a JavaScript stack trace"),
)
MAX_JSON_ROUTES = 3


def debug_leak(answer: Exchange) -> str | None:
    """What kind of debug output the body shows, if any."""
    text = answer.text[:200_000]
    for pattern, label in DEBUG_MARKERS:
        if pattern.search(text):
            return label
    return None


def _json_routes(ctx: Context) -> list[Route]:
    routes = [r for r in ctx.found.routes if r.json_body
              and r.method in ("POST", "PUT", "PATCH")]
    routes.sort(key=lambda r: {False: 0, None: 1, True: 2}[r.secured])
    return routes[:MAX_JSON_ROUTES]


def probe_errors(ctx: Context) -> ProbeResult:
    rec = Recorder(ctx, "errors")
    health = next(iter(ctx.found.health), "/")
    declared = {r.method for r in ctx.found.routes if r.path == health}
    sent: list[tuple[str, Exchange]] = []
    missing = f"/readiness-probe-{secrets.token_hex(4)}"
    sent.append(("unknown path", ctx.http.get(missing, follow=False)))
    if "POST" not in declared:
        sent.append(("wrong method", ctx.http.request("POST", health, content=b"",
                                                      follow=False)))
    json_headers = {"Content-Type": "application/json"}
    for route in _json_routes(ctx):
        sent.append(("malformed JSON", ctx.http.request(
            route.method, route.url_path, content=b'{"readiness": ', headers=json_headers,
            follow=False)))
        sent.append(("wrong JSON type", ctx.http.request(
            route.method, route.url_path, content=b"true", headers=json_headers,
            follow=False)))
    rows: list[dict[str, object]] = []
    faults: list[tuple[str, Exchange]] = []
    leaks: list[tuple[str, Exchange]] = []
    html_errors: list[Exchange] = []
    for label, answer in sent:
        leak = debug_leak(answer)
        rows.append({"case": label, "request": answer.summary(), "json": answer.is_json,
                     "debug": leak})
        if leak:
            leaks.append((leak, answer))
            ctx.debug_pages.append(answer.url)
        if answer.status is None or answer.status >= 500:
            faults.append((f"{label} -> {answer.status or answer.error}", answer))
        elif answer.status < 300:
            faults.append((f"{label} -> {answer.status} (accepted)", answer))
        elif answer.status < 400:
            continue  # a redirect (307 to a trailing slash) neither accepts nor rejects
        elif ctx.found.is_api and not answer.is_json and answer.status != 405:
            html_errors.append(answer)
    checks: list[ProbeCheck] = []
    if faults or leaks:
        parts = [text for text, _ in faults] + [f"{label} in {a.summary().split(' ->')[0]}"
                                                 for label, a in leaks]
        first = (faults or leaks)[0][1]
        checks.append(ctx.check("rel.error-handling", "fail",
                                "bad requests are not answered with a clean 4xx: "
                                + "; ".join(parts[:5]), first))
    elif html_errors:
        checks.append(ctx.check("rel.error-handling", "fail",
                                "the API answers errors with a non-JSON body: "
                                + html_errors[0].summary(), html_errors[0]))
    else:
        checks.append(ctx.check("rel.error-handling", "pass",
                                f"{len(sent)} bad requests answered with a clean 4xx",
                                sent[0][1]))
    if leaks:
        label, answer = leaks[0]
        checks.append(ctx.check("sec.secure-config", "fail",
                                f"error responses expose {label} (debug mode?)", answer))
    elif any(a.status is not None for _, a in sent):
        checks.append(ctx.check("sec.secure-config", "pass",
                                "error responses show no stack trace or debug page",
                                sent[0][1]))
    return rec.finish(measured={"cases": rows}, checks=checks)

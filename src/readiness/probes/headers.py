"""Security response headers (the OWASP Secure Headers Project set) and version leaks.

Looked at on ``/`` and on one API route (the health endpoint), because frameworks often
set headers in a middleware that only covers some responses.
"""

from __future__ import annotations

import re

from readiness.model import ProbeCheck, ProbeResult
from readiness.probes.context import Context, Recorder
from readiness.probes.http import Exchange

REQUIRED = ("content-security-policy", "x-content-type-options", "referrer-policy")
RECOMMENDED = ("permissions-policy", "cross-origin-opener-policy",
               "cross-origin-resource-policy", "cache-control")
DEPRECATED = ("public-key-pins", "expect-ct", "x-xss-protection")
_VERSION = re.compile(r"\d+(\.\d+)+")


def probe_headers(ctx: Context) -> ProbeResult:
    rec = Recorder(ctx, "headers")
    pages: list[Exchange] = [ctx.found.root or ctx.http.get("/")]
    api_path = next(iter(ctx.found.health), None)
    if api_path:
        pages.append(ctx.http.get(api_path))
    answered = [page for page in pages if page.status is not None]
    if not answered:
        return rec.finish(error=f"no response to read headers from: {pages[0].error}")
    checks: list[ProbeCheck] = []
    measured: dict[str, object] = {}
    missing_any: dict[str, list[str]] = {}
    for page in answered:
        present = {key.lower() for key, _ in page.headers}
        missing = [name for name in REQUIRED if name not in present]
        csp = (page.header("content-security-policy") or "").lower()
        if "x-frame-options" not in present and "frame-ancestors" not in csp:
            missing.append("x-frame-options (or CSP frame-ancestors)")
        if ctx.origin.scheme == "https" and "strict-transport-security" not in present:
            missing.append("strict-transport-security")
        if missing:
            missing_any[page.summary()] = missing
        measured[page.url] = sorted(name for name in present
                                    if name in (*REQUIRED, *RECOMMENDED, *DEPRECATED,
                                                "x-frame-options",
                                                "strict-transport-security"))
    first = answered[0]
    if missing_any:
        where, missing = next(iter(missing_any.items()))
        checks.append(ctx.check("sec.security-headers", "fail",
                                "missing security headers: " + ", ".join(missing),
                                first, observed=where))
    else:
        absent = [name for name in RECOMMENDED if first.header(name) is None]
        extra = f"; not set (recommended): {', '.join(absent)}" if absent else ""
        checks.append(ctx.check("sec.security-headers", "pass",
                                "CSP, X-Content-Type-Options, frame protection and "
                                "Referrer-Policy are set" + extra, first))
    deprecated = _deprecated(first)
    if deprecated:
        checks.append(ctx.check("sec.security-headers", "fail",
                                "deprecated headers sent: " + "; ".join(deprecated), first))
    leaks = [f"{name}: {first.header(name)}" for name in ("server", "x-powered-by",
                                                           "x-aspnet-version")
             if _VERSION.search(first.header(name) or "")]
    if leaks:
        checks.append(ctx.check("sec.security-headers", "fail",
                                "software version disclosed: " + "; ".join(leaks), first))
    else:
        checks.append(ctx.check("sec.security-headers", "pass",
                                "no software version in Server / X-Powered-By", first))
    return rec.finish(measured={"headers": measured, "missing": missing_any}, checks=checks)


def _deprecated(page: Exchange) -> list[str]:
    found: list[str] = []
    xss = page.header("x-xss-protection")
    if xss is not None and xss.strip() != "0":
        found.append(f"X-XSS-Protection: {xss} (use 0 or omit it; rely on CSP)")
    for name in ("public-key-pins", "expect-ct"):
        if page.header(name) is not None:
            found.append(f"{name} (obsolete)")
    return found

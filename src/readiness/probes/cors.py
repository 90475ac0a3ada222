"""CORS with a foreign origin, and the flags of every cookie the run has seen.

A server that echoes any ``Origin`` back in ``Access-Control-Allow-Origin`` lets any
site read its responses with the user's credentials when it also allows credentials;
``*`` with credentials is refused by browsers but shows a misunderstanding.
"""

from __future__ import annotations

from readiness.model import ProbeCheck, ProbeResult
from readiness.probes.context import Context, Recorder

FOREIGN = "https://evil.example"


def probe_cors(ctx: Context) -> ProbeResult:
    rec = Recorder(ctx, "cors")
    path = next(iter(ctx.found.health), "/")
    simple = ctx.http.get(path, headers={"Origin": FOREIGN})
    preflight = ctx.http.request("OPTIONS", path, headers={
        "Origin": FOREIGN, "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization, content-type"}, follow=False)
    checks: list[ProbeCheck] = []
    measured: dict[str, object] = {}
    problems: list[str] = []
    for label, answer in (("GET", simple), ("preflight", preflight)):
        allow = answer.header("access-control-allow-origin")
        creds = (answer.header("access-control-allow-credentials") or "").lower() == "true"
        measured[label] = {"status": answer.status, "allow_origin": allow,
                           "allow_credentials": creds}
        if allow is None:
            continue
        if allow.strip() == FOREIGN:
            problems.append(f"{label}: foreign origin reflected"
                            + (" with credentials allowed" if creds else ""))
        elif allow.strip() == "*" and creds:
            problems.append(f"{label}: '*' together with Allow-Credentials: true")
    answered = [a for a in (simple, preflight) if a.status is not None]
    if not answered:
        return rec.finish(error=f"no response: {simple.error}", measured=measured)
    if problems:
        checks.append(ctx.check("sec.cors", "fail", "; ".join(problems), simple,
                                observed=f"Origin: {FOREIGN} -> Access-Control-Allow-Origin: "
                                f"{simple.header('access-control-allow-origin')}"))
    else:
        checks.append(ctx.check("sec.cors", "pass",
                                f"a foreign origin ({FOREIGN}) is not granted access", simple,
                                observed=f"ACAO on GET: "
                                f"{simple.header('access-control-allow-origin')}, preflight: "
                                f"{preflight.header('access-control-allow-origin')}"))
    return rec.finish(measured=measured, checks=checks)


def cookie_checks(ctx: Context) -> list[ProbeCheck]:
    """One ``sec.cookies-csrf`` check over every Set-Cookie seen so far (none: no check)."""
    seen = ctx.http.set_cookies
    if not seen:
        return []
    https = ctx.origin.scheme == "https"
    faults: list[str] = []
    names: list[str] = []
    for _url, header in seen[:50]:
        flags = cookie_flags(header)
        name = header.split("=", 1)[0].strip()
        names.append(name)
        missing = [flag for flag in ("httponly", "samesite") if flag not in flags]
        if https and "secure" not in flags:
            missing.append("secure")
        if flags.get("samesite", "").lower() == "none" and "secure" not in flags:
            missing.append("secure (required with SameSite=None)")
        if missing:
            faults.append(f"{name}: no {', '.join(missing)}")
    url = seen[0][0]
    if faults:
        return [ctx.check("sec.cookies-csrf", "fail", "cookie flags missing: "
                          + "; ".join(sorted(set(faults))[:5]), url=url,
                          observed=f"Set-Cookie: {seen[0][1][:100]}")]
    note = "" if https else " (Secure not required on plain http)"
    return [ctx.check("sec.cookies-csrf", "pass",
                      f"cookies {', '.join(sorted(set(names))[:5])} set HttpOnly and SameSite"
                      + note, url=url, observed=f"Set-Cookie: {seen[0][1][:100]}")]


def cookie_flags(header: str) -> dict[str, str]:
    """Lower-cased attribute -> value of one Set-Cookie header."""
    flags: dict[str, str] = {}
    for part in header.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key:
            flags[key.lower()] = value
    return flags

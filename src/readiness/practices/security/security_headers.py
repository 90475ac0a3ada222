"""sec.security-headers: responses carry the OWASP Secure Headers."""

from __future__ import annotations

import re

from readiness.facts import RepoFacts
from readiness.model import Evidence
from readiness.practices.helpers import call_ev, dedupe
from readiness.practices.registry import Outcome, anti, implemented, missing, partial, practice
from readiness.practices.security._evidence import PY
from readiness.practices.web import app_context

_HEADERS = {
    "nosniff": r"X-Content-Type-Options|nosniff|contentTypeNosniff",
    "frame": r"X-Frame-Options|frame-ancestors|frameDeny|customFrameOptionsValue",
    "csp": r"Content-Security-Policy|contentSecurityPolicy|CSP_DEFAULT_SRC|"
           r"CONTENT_SECURITY_POLICY|csp\.middleware",
    "referrer": r"Referrer-Policy|referrerPolicy|SECURE_REFERRER_POLICY",
    "permissions": r"Permissions-Policy|permissionsPolicy|PERMISSIONS_POLICY|Feature-Policy",
    "cross-origin": r"Cross-Origin-(Opener|Resource|Embedder)-Policy|"
                    r"SECURE_CROSS_ORIGIN_OPENER_POLICY",
}
_HEADER_KINDS = ("python", "nginx", "yaml", "toml", "text", "ini", "json")
_TALISMAN_HEADERS = ("nosniff", "frame", "csp", "referrer", "permissions")
_BAD_HEADERS = re.compile(r"X-XSS-Protection[\"']?\s*[:,=]?\s*[\"']?1|browserXssFilter\s*[=:]\s*"
                          r"true|SECURE_BROWSER_XSS_FILTER\s*=\s*True|"
                          r"[\"'](Server|X-Powered-By)[\"']\s*[:\],]\s*[\"'][^\"']*\d|"
                          r"server_tokens\s+on", re.I)


def _setting_on(facts: RepoFacts, name: str, default: bool) -> bool:
    """A Django setting switched on (``= True`` or a value) or off (``= False``/``None``)."""
    for hit in facts.grep(rf"^[ \t]*{name}\s*=\s*(.+)$", kinds=PY, flags=re.M, limit=1):
        value = hit.text.split("=", 1)[1].strip()
        return value not in ("False", "None", "''", '""')
    return default


def _django_major(facts: RepoFacts) -> int | None:
    """Major version of a Django requirement pinned or bounded from below."""
    for requirement in facts.requirement("django"):
        match = re.match(r"\s*(==|~=|>=)\s*(\d+)", requirement.spec)
        if match:
            return int(match.group(2))
    return None


def _django_security_headers(facts: RepoFacts) -> dict[str, Evidence]:
    """Headers Django's middleware sends by default: nosniff since 3.0, Referrer-Policy
    since 3.1 and COOP since 4.0, counted by major version (3.x gets nosniff only);
    older versions send them only when the settings are switched on."""
    found: dict[str, Evidence] = {}
    major = _django_major(facts) or 99
    for hit in facts.grep(r"[\"']django\.middleware\.security\.SecurityMiddleware[\"']",
                          kinds=PY, limit=1):
        ev = facts.evidence(hit.path, hit.line, note="SecurityMiddleware")
        if _setting_on(facts, "SECURE_CONTENT_TYPE_NOSNIFF", default=major >= 3):
            found["nosniff"] = ev
        if _setting_on(facts, "SECURE_REFERRER_POLICY", default=major >= 4):
            found["referrer"] = ev
        if _setting_on(facts, "SECURE_CROSS_ORIGIN_OPENER_POLICY", default=major >= 4):
            found["cross-origin"] = ev
    for hit in facts.grep(r"[\"']django\.middleware\.clickjacking\.XFrameOptionsMiddleware[\"']",
                          kinds=PY, limit=1):
        found["frame"] = facts.evidence(hit.path, hit.line, note="XFrameOptionsMiddleware")
    return found


def _library_headers(facts: RepoFacts) -> dict[str, Evidence]:
    found: dict[str, Evidence] = {}
    for module, call in facts.calls("flask_talisman.Talisman", "*.Talisman", "talisman.*"):
        ev = call_ev(facts, module, call, note="Talisman")
        csp_off = (call.kwarg("content_security_policy") or "").strip() in ("None", "False",
                                                                            "{}", "''", '""')
        for name in _TALISMAN_HEADERS:
            if not (name == "csp" and csp_off):
                found.setdefault(name, ev)
    for module, call in facts.calls("secure.Secure", "secure.Secure.with_default_headers",
                                    "*.SecureHeaders", "secure.*"):
        ev = call_ev(facts, module, call, note="secure headers library")
        for name in ("nosniff", "frame", "referrer", "permissions", "cross-origin"):
            found.setdefault(name, ev)
        if call.has_kwarg("csp") or call.name.endswith("with_default_headers"):
            found.setdefault("csp", ev)
    return found


def _explicit_headers(facts: RepoFacts) -> dict[str, Evidence]:
    found: dict[str, Evidence] = {}
    for name, pattern in _HEADERS.items():
        for hit in facts.grep(pattern, kinds=_HEADER_KINDS, limit=20):
            if hit.text.lstrip().startswith("#") or facts.role(hit.path) != "production":
                continue
            if hit.path.endswith(".py") and not re.search(r"[\"']", hit.text) and \
                    not re.match(r"^[ \t]*[A-Z_]+\s*=", hit.text):
                continue
            found.setdefault(name, facts.evidence(hit.path, hit.line))
            break
    return found


@practice(
    "sec.security-headers", "Security headers (OSHP)", priority="H", effort="L", applies="HTTP",
    sources=("S1", "S0", "S3", "OSHP", "ASVS V3"),
    aliases=("security headers", "csp", "content security policy", "x-frame-options",
             "helmet", "talisman"),
    recommendation="Send the OWASP secure headers on every response: "
                   "`X-Content-Type-Options: nosniff`, a Content-Security-Policy (with "
                   "`frame-ancestors`), `Referrer-Policy`, `Permissions-Policy`; use "
                   "Talisman, `secure`, Django's SecurityMiddleware + django-csp, or "
                   "`add_header ... always`.",
)
def check_security_headers(facts: RepoFacts) -> Outcome:
    """Responses carry the OWASP Secure Headers Project headers.

    Why it matters:
        Browsers enforce only what the server asks for: without CSP, nosniff and
        frame protection, an injected script runs, a file is sniffed as HTML, and
        the app can be framed for clickjacking.

    What counts as evidence:
        Distinct headers set in code or proxy config: nosniff, X-Frame-Options or
        CSP `frame-ancestors`, Content-Security-Policy, Referrer-Policy,
        Permissions-Policy, Cross-Origin-*-Policy. Talisman and `secure` set
        several at once; Django's SecurityMiddleware sets nosniff, Referrer-Policy
        and COOP, XFrameOptionsMiddleware sets X-Frame-Options; nginx
        `add_header` and Traefik headers middlewares count too.

    What makes it partial:
        Two headers or fewer, or no Content-Security-Policy on an app that serves
        HTML. `X-XSS-Protection: 1` (deprecated, harmful) and version-revealing
        `Server`/`X-Powered-By` headers cap the status at partial.

    How to satisfy:
        `Talisman(app, content_security_policy={...})`, or a middleware setting
        nosniff, CSP, Referrer-Policy and Permissions-Policy on every response.
    """
    found: dict[str, Evidence] = {}
    for source in (_library_headers(facts), _django_security_headers(facts),
                   _explicit_headers(facts)):
        for name, ev in source.items():
            found.setdefault(name, ev)
    antis = [anti("deprecated or revealing header", facts.evidence(h.path, h.line))
             for h in facts.grep(_BAD_HEADERS, kinds=_HEADER_KINDS, limit=5)]
    evidence = dedupe(found.values())
    listed = ", ".join(sorted(found))
    serves_html = facts.applies("BROWSER")
    if len(found) >= 3 and ("csp" in found or not serves_html):
        return implemented(f"{len(found)} security headers are set ({listed}).", evidence, antis)
    if found:
        why = "no Content-Security-Policy on an app that serves HTML" if len(found) >= 3 \
            else f"only {len(found)} header(s)"
        return partial(f"Some security headers are set ({listed}), but {why}.", evidence, antis)
    return missing("No security headers found (looked for Talisman, secure, Django "
                   "SecurityMiddleware/django-csp, header assignments in middleware, nginx "
                   "add_header and proxy header middlewares).", antis,
                   context=app_context(facts))

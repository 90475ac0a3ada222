"""sec.cookies-csrf: session cookies are Secure/SameSite and state changes need a CSRF token."""

from __future__ import annotations

import re

from readiness.facts import RepoFacts
from readiness.model import AntiPatternHit, Evidence
from readiness.practices.helpers import call_ev, dedupe, is_false, is_true
from readiness.practices.registry import Outcome, anti, implemented, missing, partial, practice
from readiness.practices.security._evidence import PY

_SESSION_LIBS = ("flask_login", "flask.session", "flask_session", "django.contrib.sessions",
                 "django.contrib.auth", "starlette.middleware.sessions")
_SECURE_FLAG = re.compile(r"\b(SESSION|CSRF|REMEMBER)_COOKIE_SECURE[\"']?\s*\]?\s*[=:]\s*True\b")
_SAMESITE = re.compile(r"\bSESSION_COOKIE_SAMESITE[\"']?\s*\]?\s*[=:]\s*[\"'](Lax|Strict)[\"']",
                       re.I)
_DJANGO_CSRF = re.compile(r"[\"']django\.middleware\.csrf\.CsrfViewMiddleware[\"']")
_CSRF_OFF = re.compile(r"\bWTF_CSRF_ENABLED[\"']?\s*\]?\s*[=:]\s*False\b")


def _uses_cookie_sessions(facts: RepoFacts) -> bool:
    """Cookies carry the session: server-side session libraries or explicit set_cookie."""
    if any(facts.imports(lib) for lib in _SESSION_LIBS):
        return True
    return bool(facts.calls("*.SessionMiddleware", "*.set_cookie"))


def _applies(facts: RepoFacts) -> bool:
    return facts.applies("BROWSER") and _uses_cookie_sessions(facts)


def _secure_cookies(facts: RepoFacts) -> tuple[list[Evidence], list[Evidence]]:
    """(cookies with Secure set, cookies set without it)."""
    good: list[Evidence] = []
    bad: list[Evidence] = []
    for hit in facts.grep(_SECURE_FLAG, kinds=PY, limit=5):
        good.append(facts.evidence(hit.path, hit.line, note="Secure session cookie"))
    for hit in facts.grep(_SAMESITE, kinds=PY, limit=2):
        good.append(facts.evidence(hit.path, hit.line, note="SameSite"))
    for module, call in facts.calls("*.SessionMiddleware", "*.add_middleware"):
        if call.name.endswith("add_middleware") and not any(
                "SessionMiddleware" in arg for arg in call.args[:1]):
            continue
        if is_true(call.kwarg("https_only")):
            good.append(call_ev(facts, module, call, note="SessionMiddleware(https_only=True)"))
        else:
            bad.append(call_ev(facts, module, call, note="session cookie without https_only"))
    for module, call in facts.calls("*.set_cookie"):
        if is_true(call.kwarg("secure")) and is_true(call.kwarg("httponly")):
            good.append(call_ev(facts, module, call, note="set_cookie(secure, httponly)"))
        else:
            bad.append(call_ev(facts, module, call, note="set_cookie without secure/httponly"))
    return dedupe(good), dedupe(bad)


def _csrf(facts: RepoFacts) -> list[Evidence]:
    found: list[Evidence] = []
    for hit in facts.grep(_DJANGO_CSRF, kinds=PY, limit=1):
        found.append(facts.evidence(hit.path, hit.line, note="CsrfViewMiddleware"))
    for module, call in facts.calls("flask_wtf.csrf.CSRFProtect", "flask_wtf.CSRFProtect",
                                    "*.CSRFMiddleware", "*.CsrfProtect", "*.csrf.init_app"):
        found.append(call_ev(facts, module, call, note="CSRF protection"))
    return dedupe(found)


def _anti_patterns(facts: RepoFacts) -> list[AntiPatternHit]:
    hits: list[AntiPatternHit] = []
    for hit in facts.grep(_CSRF_OFF, kinds=PY, limit=3):
        hits.append(anti("CSRF protection switched off (WTF_CSRF_ENABLED = False)",
                         facts.evidence(hit.path, hit.line)))
    for module, function in facts.functions():
        for decorator in function.decorators:
            if decorator.name.endswith("csrf_exempt"):
                hits.append(anti(f"{function.name} is exempt from CSRF protection",
                                 facts.evidence(module.path, decorator.line)))
    for module, call in facts.calls("*.set_cookie"):
        if is_false(call.kwarg("secure")) or is_false(call.kwarg("httponly")):
            hits.append(anti("cookie set with secure=False or httponly=False",
                             call_ev(facts, module, call)))
    return hits


@practice(
    "sec.cookies-csrf", "Secure cookies and CSRF", priority="H", effort="L",
    applies="BROWSER", when=_applies, sources=("S3", "S0", "ASVS V3", "ASVS V4"),
    aliases=("csrf", "csrf protection", "secure cookies", "cookie flags", "samesite",
             "session cookies", "xsrf"),
    recommendation="Set `SESSION_COOKIE_SECURE = True` (and `CSRF_COOKIE_SECURE`, "
                   "`SESSION_COOKIE_SAMESITE = \"Lax\"`), keep Django's CsrfViewMiddleware "
                   "or Flask-WTF's `CSRFProtect(app)` on every form, and pass `secure=True, "
                   "httponly=True, samesite=\"lax\"` to every `set_cookie`.",
)
def check_cookies_csrf(facts: RepoFacts) -> Outcome:
    """Session cookies are Secure (and SameSite), and state-changing requests need a CSRF token.

    Why it matters:
        A session cookie sent over plain HTTP can be stolen on the way; one without
        SameSite and without a CSRF token lets any site the user visits post forms in
        the user's name. Seeds 000 and 003 list both as gaps.

    What counts as evidence:
        Applies when the service keeps sessions in cookies for a browser (Flask-Login,
        Flask or Django sessions, Starlette's SessionMiddleware, `set_cookie`).
        `SESSION_COOKIE_SECURE = True` / `CSRF_COOKIE_SECURE` / `SameSite` settings,
        `SessionMiddleware(https_only=True)`, `set_cookie(secure=True, httponly=True)`;
        Django's `CsrfViewMiddleware`, Flask-WTF `CSRFProtect`, starlette-csrf. A probe
        (`--target`) adds what the running service's `Set-Cookie` headers carry.

    What makes it partial:
        Only one of the two halves (secure cookies, CSRF tokens); a cookie set without
        `secure`; a view marked `@csrf_exempt`; `WTF_CSRF_ENABLED = False` in
        production code.

    How to satisfy:
        Turn on the secure cookie settings for production and keep CSRF protection on
        every form and state-changing endpoint; exempt nothing that a browser posts to.
    """
    good, bad = _secure_cookies(facts)
    csrf = _csrf(facts)
    hits = _anti_patterns(facts)
    if good and csrf and not bad:
        return implemented("session cookies are Secure and state changes need a CSRF token",
                           [*good, *csrf], hits)
    if good or csrf:
        half = "CSRF protection, but cookies are not all Secure" if csrf else \
            "Secure cookies, but no CSRF protection"
        return partial(half, [*good, *csrf, *bad], hits)
    return missing("cookie sessions without Secure cookies or CSRF protection", hits)

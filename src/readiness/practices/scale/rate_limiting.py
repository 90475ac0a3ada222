"""scale.rate-limiting: clients cannot send unlimited requests."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from readiness.facts import RepoFacts
from readiness.facts.classify import is_ci_config
from readiness.model import AntiPatternHit, Evidence, Severity
from readiness.practices.helpers import call_ev, dedupe, with_note
from readiness.practices.registry import Outcome, anti, implemented, missing, partial, practice
from readiness.practices.scale._servers import server_setup
from readiness.practices.web import app_context

_LIMITER_CLASSES = ("slowapi.Limiter", "flask_limiter.Limiter", "flask_limiter.extension.Limiter",
                    "limits.*", "aiolimiter.AsyncLimiter", "fastapi_limiter.FastAPILimiter.init")
_AUTH_TARGET = re.compile(r"login|log_in|signin|sign_in|signup|sign_up|register|password|reset|"
                          r"token|auth|otp|totp|verify|forgot|2fa|mfa|sudo", re.I)
_GLOBAL_LIMITS = ("default_limits", "application_limits", "global_limits")
_EDGE_LIMIT = re.compile(r"\blimit_req(_zone)?\b|ingress\.kubernetes\.io/limit-(rps|rpm|"
                         r"connections)|\.ratelimit\.|^\s*rateLimit\s*:|name:\s*rate-limiting\b|"
                         r"local_ratelimit|rate_based_statement|RateLimitPolicy", re.M)
_LIMIT_SETTING = re.compile(r"^[ \t]*(export\s+)?[\"']?(?P<name>[A-Z0-9_]*RATE_?LIMIT[A-Z0-9_]*)"
                            r"[\"']?\s*[:=]", re.M)
_OUTBOUND_NAME = re.compile(r"OPENAI|ANTHROPIC|LLM|GPT|GITHUB|SLACK|UPSTREAM|OUTBOUND|CLIENT|"
                            r"PROVIDER|EXTERNAL|BACKOFF|RETRY")
_LIMITER_PACKAGES = ("slowapi", "flask-limiter", "fastapi-limiter", "django-ratelimit",
                     "limits", "aiolimiter", "starlette-limiter")
_CUSTOM_LIMITER = re.compile(r"^\w*(RateLimit|RateLimiter|RateLimiting|TokenBucket|LeakyBucket|"
                             r"Throttle|Throttler|Throttling|Limiter)(Middleware)?$")


@dataclass
class _Limits:
    global_limits: list[Evidence] = field(default_factory=list)
    route_limits: list[Evidence] = field(default_factory=list)
    auth_limits: list[Evidence] = field(default_factory=list)
    declared: list[Evidence] = field(default_factory=list)  # defined, not applied
    custom: list[Evidence] = field(default_factory=list)
    memory_store: list[Evidence] = field(default_factory=list)
    shared_store: bool = False


def _limiter_names(facts: RepoFacts, limits: _Limits) -> set[str]:
    names: set[str] = set()
    for module, call in facts.calls(*_LIMITER_CLASSES):
        ev = call_ev(facts, module, call)
        limits.declared.append(ev)
        storage = call.kwarg("storage_uri") or call.kwarg("storage_url") or ""
        if re.search(r"redis|memcached|mongodb|valkey", storage, re.I) or \
                (storage and "memory" not in storage):
            limits.shared_store = True
        elif call.name.endswith("Limiter") and "fastapi_limiter" not in call.name:
            limits.memory_store.append(ev)
        if call.has_kwarg(*_GLOBAL_LIMITS):
            limits.global_limits.append(ev)
    for module in facts.modules():
        for assign in module.assigns:
            if assign.call and "Limiter" in assign.call and \
                    assign.call.startswith(("slowapi", "flask_limiter", "limits", "aiolimiter")):
                names.add(assign.target.split(".")[-1])
    if facts.grep(r"RATELIMIT_STORAGE_UR[IL]\s*=\s*[\"'](redis|memcached|mongodb)",
                  kinds=("python", "env", "ini", "yaml"), limit=1):
        limits.shared_store = True
    return names


def _applied_limits(facts: RepoFacts, limits: _Limits, names: set[str]) -> None:
    decorated: set[tuple[str, int]] = set()
    for module, function in facts.functions():
        for decorator in function.decorators:
            receiver = decorator.raw.rsplit(".", 1)[0].split(".")[-1] if "." in decorator.raw \
                else ""
            is_limit = (decorator.raw.endswith((".limit", ".shared_limit")) and
                        (receiver in names or "limiter" in receiver.lower())) or \
                decorator.name.startswith(("django_ratelimit", "ratelimit.")) or \
                decorator.raw in ("ratelimit", "throttle")
            if not is_limit:
                continue
            decorated.add((module.path, decorator.line))
            ev = facts.evidence(module.path, decorator.line)
            target = function.name + " " + " ".join(decorator.args)
            (limits.auth_limits if _AUTH_TARGET.search(target) else limits.route_limits)\
                .append(ev)
    for module, call in facts.calls("*.limit", "*.shared_limit"):
        receiver = call.raw.rsplit(".", 1)[0].split(".")[-1] if "." in call.raw else ""
        if (module.path, call.line) in decorated or not (
                receiver in names or "limiter" in receiver.lower()):
            continue
        text = facts.line(module.path, call.end_line) + " " + " ".join(call.args)
        ev = call_ev(facts, module, call)
        (limits.auth_limits if _AUTH_TARGET.search(text) else limits.route_limits).append(ev)
    for module, call in facts.calls("*.RateLimiter", "*.add_middleware", "*.SlowAPIMiddleware"):
        text = " ".join(call.args)
        if call.leaf == "add_middleware" and not re.search(r"SlowAPI|RateLimit|Throttl", text):
            continue
        ev = call_ev(facts, module, call)
        if call.leaf == "RateLimiter":
            scope_text = call.scope + " " + facts.line(module.path, call.line)
            (limits.auth_limits if _AUTH_TARGET.search(scope_text) else limits.route_limits)\
                .append(ev)
        else:
            limits.global_limits.append(ev)
    for hit in facts.grep(r"DEFAULT_THROTTLE_CLASSES", kinds=("python",), limit=2):
        limits.global_limits.append(facts.evidence(hit.path, hit.line))
    for module, assign in facts.assigns(r"throttle_classes"):
        if assign.class_name and assign.value.strip() not in ("[]", "()"):
            ev = facts.evidence(module.path, assign.line)
            (limits.auth_limits if _AUTH_TARGET.search(assign.class_name) else
             limits.route_limits).append(ev)


def _edge_limits(facts: RepoFacts, limits: _Limits) -> None:
    for hit in facts.grep(_EDGE_LIMIT, kinds=("nginx", "yaml", "terraform", "toml"), limit=10):
        if hit.text.lstrip().startswith("#") or is_ci_config(hit.path):
            continue
        limits.global_limits.append(facts.evidence(hit.path, hit.line, note="limit at the edge"))
        limits.shared_store = True


def _custom_limiters(facts: RepoFacts, limits: _Limits) -> None:
    """Hand-written limiters (token buckets, throttles) that the code actually uses."""
    names = facts.names_used()
    for module, cls in facts.classes():
        if not _CUSTOM_LIMITER.search(cls.name) or cls.name not in names:
            continue
        name = re.escape(cls.name)
        middleware = facts.grep(rf"add_middleware\(\s*{name}\b|"
                                rf"MIDDLEWARE\s*=\s*[\[(][^\])]*\b{name}\b",
                                kinds=("python",), limit=1)
        ev = facts.evidence(module.path, cls.line)
        if middleware:
            limits.global_limits.append(ev)
            limits.shared_store = True
            continue
        uses = [u for u in _class_uses(facts, module.path, cls.name) if _web_module(facts, u.path)]
        if uses or _middleware_base(cls.bases):
            limits.custom.append(with_note(ev, "custom limiter"))
            limits.custom.extend(uses[:3])


def _middleware_base(bases: tuple[str, ...]) -> bool:
    return any("Middleware" in base for base in bases)


_WEB_PATH = re.compile(r"(^|/)(views?|api|routes?|routers?|middlewares?|auth|forms|decorators|"
                       r"endpoints|handlers|controllers)(/|\.py$|_)")


def _web_module(facts: RepoFacts, path: str) -> bool:
    """Modules on the request path: route modules and views/forms/middleware/auth code."""
    routed = facts.memo("scale.route_files", lambda: {r.file for r in facts.routes()})
    return path in routed or bool(_WEB_PATH.search(path))


def _class_uses(facts: RepoFacts, home: str, name: str) -> list[Evidence]:
    """Calls of a class or its methods outside the module defining it."""
    out: list[Evidence] = []
    for module in facts.modules():
        if module.path == home:
            continue
        for call in module.calls:
            if call.raw == name or call.raw.startswith(name + ".") or \
                    f".{name}." in f".{call.name}":
                out.append(call_ev(facts, module, call, note="limiter used"))
    return out


_RATE = re.compile(r"(\d[\d_,]*)\s*(?:/|per)\s*(\d*)\s*(second|sec|s|minute|min|m|hour|h|day|d)\b",
                   re.I)
_SECONDS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600,
            "hour": 3600, "d": 86400, "day": 86400}
_MAX_PER_SECOND = 20.0  # a limit above this per client rarely triggers (S3's 2,000,000/day)


def _loose_limits(facts: RepoFacts) -> list[AntiPatternHit]:
    """Limits so high they never trigger: more than 20 requests per second per client."""
    hits: list[AntiPatternHit] = []
    for module, call in facts.calls(*_LIMITER_CLASSES, "*.limit", "*.shared_limit"):
        if "limit" not in call.raw.lower():
            continue
        text = " ".join(call.args) + " " + " ".join(v for _, v in call.kwargs)
        for match in _RATE.finditer(text):
            count = int(match.group(1).replace("_", "").replace(",", ""))
            window = int(match.group(2) or 1) * _SECONDS[match.group(3).lower()]
            if count / window > _MAX_PER_SECOND:
                hits.append(anti(f"limit {match.group(0)} is too high to protect the service",
                                 call_ev(facts, module, call), Severity.REVIEW))
                break
    return hits


def _dead_limit_config(facts: RepoFacts) -> list[Evidence]:
    found = [facts.evidence(r.path, r.line, note="declared dependency, never imported")
             for r in facts.requirement(*_LIMITER_PACKAGES)]
    for hit in facts.grep(_LIMIT_SETTING, kinds=("python", "env", "yaml", "toml", "ini"),
                          limit=20):
        match = _LIMIT_SETTING.search(hit.match)
        if match and not _OUTBOUND_NAME.search(match.group("name")):
            found.append(facts.evidence(hit.path, hit.line, note="rate-limit setting"))
    return found


@practice(
    "scale.rate-limiting", "Rate limiting", priority="H", effort="L", applies="HTTP",
    sources=("S1", "S0", "S3", "S2", "AWS REL05-BP02"),
    aliases=("rate limiting", "rate limit", "throttling", "throttle"),
    recommendation="Apply a rate limit to every public route (slowapi/Flask-Limiter "
                   "`default_limits`, DRF throttles, nginx `limit_req`) with a shared "
                   "Redis store, and stricter limits on login and signup.",
)
def check_rate_limiting(facts: RepoFacts) -> Outcome:
    """Clients cannot send unlimited requests.

    Why it matters:
        Without limits one client (a scraper, a buggy retry loop, a credential
        stuffing attack) can exhaust workers and the database for everyone. Limits
        kept in process memory multiply by the number of workers and replicas.

    What counts as evidence:
        Flask-Limiter/slowapi with `default_limits` or `@limiter.limit` on routes
        beyond login, fastapi-limiter `RateLimiter` dependencies, django-ratelimit,
        DRF `DEFAULT_THROTTLE_CLASSES`, nginx `limit_req`, ingress rate-limit
        annotations, or a custom limiter registered as middleware.

    What makes it partial:
        Limits only on login/signup/password routes, a hand-written limiter used on
        a few code paths, an in-memory store (`memory://`) while several workers or
        replicas run, a limiter created but never applied, or a limiter dependency
        and rate-limit settings that nothing reads. Limits above 20 requests per
        second per client (such as 2,000,000/day) are flagged for review.

    How to satisfy:
        `Limiter(key_func=get_remote_address, default_limits=["100/minute"],
        storage_uri=os.environ["REDIS_URL"])`, plus `@limiter.limit("5/minute")` on
        the login route.
    """
    limits = _Limits()
    names = _limiter_names(facts, limits)
    _applied_limits(facts, limits, names)
    _edge_limits(facts, limits)
    _custom_limiters(facts, limits)
    broad = dedupe([*limits.global_limits, *limits.route_limits])
    setup = server_setup(facts)
    review = _loose_limits(facts)
    if broad:
        evidence = [*broad[:5], *limits.auth_limits[:2]]
        if limits.memory_store and not limits.shared_store and setup.multi_process:
            return partial("Rate limits are applied, but counters live in process memory "
                           "while several workers or replicas run, so the real limit is "
                           "multiplied.", [*evidence, *limits.memory_store[:1]], review)
        return implemented(f"Rate limits applied ({len(broad)} site(s)).", evidence, review)
    if limits.auth_limits:
        return partial("Rate limits cover only authentication routes (login, signup, "
                       "password reset).", limits.auth_limits[:5], review)
    if limits.custom:
        return partial("A hand-written limiter is used on some code paths, not as a "
                       "request-wide limit.", limits.custom[:5])
    if limits.declared:
        return partial("A rate limiter is created but never applied to a route.",
                       limits.declared[:5])
    dead = _dead_limit_config(facts)
    if dead:
        return partial("Rate limiting is only declared (a dependency or settings) and never "
                       "applied.", dead[:5])
    return missing("No rate limiting found (looked for slowapi, Flask-Limiter, "
                   "fastapi-limiter, django-ratelimit, DRF throttles, nginx/ingress limits "
                   "and custom limiters).", context=app_context(facts))

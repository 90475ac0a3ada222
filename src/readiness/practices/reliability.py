"""Reliability practices: timeouts, retries, circuit breakers, health, errors, shutdown."""

from __future__ import annotations

import re

from readiness.facts import RepoFacts
from readiness.facts.dockerfile import Dockerfile, Instruction
from readiness.facts.python.records import Call
from readiness.model import AntiPatternHit, Evidence
from readiness.practices.helpers import call_ev, dedupe, is_none, per_site
from readiness.practices.registry import (
    Outcome,
    anti,
    implemented,
    missing,
    partial,
    practice,
)
from readiness.practices.web import (
    app_anchor,
    calls_in_handler,
    handler_source,
    health_routes,
    is_ready_route,
    route_auth,
)

# --------------------------------------------------------------------------- timeouts

_HTTP_VERBS = ("get", "post", "put", "patch", "delete", "head", "options", "request")
_REQUESTS = tuple(f"requests.{v}" for v in _HTTP_VERBS) + tuple(
    f"requests.Session().{v}" for v in _HTTP_VERBS) + tuple(
    f"requests.sessions.Session().{v}" for v in _HTTP_VERBS)
_HTTPX_CALLS = tuple(f"httpx.{v}" for v in (*_HTTP_VERBS, "stream"))
_DEFAULT_BOUNDED = ("httpx.Client", "httpx.AsyncClient", "openai.OpenAI", "openai.AsyncOpenAI",
                    "anthropic.Anthropic", "anthropic.AsyncAnthropic", "boto3.client",
                    "boto3.resource", "boto3.session.Session().client")
_NEEDS_KW = {
    "urllib.request.urlopen": ("timeout",),
    "urllib3.PoolManager": ("timeout",),
    "http.client.HTTPConnection": ("timeout",),
    "http.client.HTTPSConnection": ("timeout",),
    "smtplib.SMTP": ("timeout",),
    "smtplib.SMTP_SSL": ("timeout",),
    "aiosmtplib.SMTP": ("timeout",),
    "aiohttp.ClientSession": ("timeout",),
    "redis.Redis": ("socket_timeout", "socket_connect_timeout"),
    "redis.StrictRedis": ("socket_timeout", "socket_connect_timeout"),
    "redis.from_url": ("socket_timeout", "socket_connect_timeout"),
    "redis.Redis.from_url": ("socket_timeout", "socket_connect_timeout"),
    "redis.asyncio.Redis": ("socket_timeout", "socket_connect_timeout"),
    "redis.asyncio.from_url": ("socket_timeout", "socket_connect_timeout"),
    "psycopg2.connect": ("connect_timeout",),
    "psycopg.connect": ("connect_timeout",),
    "asyncpg.connect": ("timeout", "command_timeout"),
    "asyncpg.create_pool": ("timeout", "command_timeout"),
    "pymysql.connect": ("connect_timeout", "read_timeout"),
    "pymongo.MongoClient": ("serverSelectionTimeoutMS", "socketTimeoutMS", "connectTimeoutMS"),
    "motor.motor_asyncio.AsyncIOMotorClient": ("serverSelectionTimeoutMS", "socketTimeoutMS",
                                               "connectTimeoutMS"),
}
_ENGINES = ("sqlalchemy.create_engine", "sqlalchemy.ext.asyncio.create_async_engine",
            "sqlmodel.create_engine", "*.create_async_engine")
_DB_TIMEOUT_TEXT = re.compile(r"connect_timeout|command_timeout|statement_timeout|"
                              r"\btimeout\b|read_timeout|socket_timeout", re.I)


def _timeout_sites(facts: RepoFacts
                   ) -> tuple[list[tuple[Evidence, bool]], list[AntiPatternHit]]:
    sites: list[tuple[Evidence, bool]] = []
    antis: list[AntiPatternHit] = []
    for module, call in facts.calls(*_REQUESTS):
        value = call.kwarg("timeout")
        ok = value is not None and not is_none(value)
        sites.append((call_ev(facts, module, call), ok))
        if value is None:
            antis.append(anti("requests call without a timeout (bandit B113)",
                              call_ev(facts, module, call)))
    for module, call in facts.calls(*_HTTPX_CALLS, *_DEFAULT_BOUNDED):
        value = call.kwarg("timeout")
        sites.append((call_ev(facts, module, call,
                              note="library default timeout" if value is None else ""),
                      not is_none(value)))
    for name, keys in _NEEDS_KW.items():
        for module, call in facts.calls(name):
            ok = any(call.kwarg(k) is not None and not is_none(call.kwarg(k)) for k in keys)
            if name == "urllib.request.urlopen" and len(call.args) >= 3:
                ok = True
            if call.has_kwarg("**"):
                ok = True  # options passed through **kwargs: cannot tell, do not blame
            sites.append((call_ev(facts, module, call), ok))
    for module, call in facts.calls(*_ENGINES):
        text = " ".join(v for _, v in call.kwargs) + " " + " ".join(call.args)
        ok = bool(_DB_TIMEOUT_TEXT.search(text))
        sites.append((call_ev(facts, module, call, note="database engine"), ok))
    for module, call in facts.calls("*.post", "*.get", "*.put", "*.patch", "*.delete",
                                    "*.request", "*.stream"):
        if is_none(call.kwarg("timeout")):
            antis.append(anti("timeout=None disables the timeout", call_ev(facts, module, call)))
    return sites, antis


def _timeout_extras(facts: RepoFacts) -> list[Evidence]:
    extras = [call_ev(facts, m, c) for m, c in facts.calls("asyncio.wait_for", "asyncio.timeout",
                                                           "async_timeout.timeout")]
    for hit in facts.grep(r"(--timeout[ =]\d+|^\s*timeout\s*=\s*\d+|time_limit\s*=|"
                          r"job_timeout\s*=|statement_timeout)",
                          kinds=("dockerfile", "shell", "yaml", "text", "python", "ini"),
                          flags=re.M, limit=10):
        extras.append(facts.evidence(hit.path, hit.line))
    return dedupe(extras)


@practice(
    "rel.timeouts", "Timeouts on outbound calls", priority="C", effort="L", applies="OUT or DB",
    sources=("S1", "S0", "AWS REL05-BP05"), aliases=("timeout", "timeouts"),
    recommendation="Give every outbound call a timeout: `timeout=` on requests/httpx, "
                   "`socket_timeout` on Redis, `connect_timeout` in the database engine's "
                   "connect_args, `timeout=` on SMTP.",
)
def check_timeouts(facts: RepoFacts) -> Outcome:
    """Outbound calls (HTTP, SMTP, Redis, database connections) carry a timeout.

    Why it matters:
        A call without a timeout waits forever when a dependency hangs; its worker
        is stuck, the pool drains, and one slow dependency takes the service down.

    What counts as evidence:
        Each outbound call site: `timeout=` on requests/httpx/urllib calls, httpx and
        cloud SDK clients (their library defaults are bounded), `socket_timeout` on
        Redis clients, `connect_timeout`/`command_timeout` on database connections
        and engines, `timeout=` on SMTP. `asyncio.wait_for`, gunicorn `--timeout`
        and celery time limits are shown as supporting evidence.

    What makes it partial:
        Per-site rule: implemented when at least 90 % of the sites have a timeout,
        partial when at least one does. A requests call without a timeout
        (bandit B113) or `timeout=None` caps the status at partial.

    How to satisfy:
        Set a timeout on every client and call; for databases pass
        `connect_args={"connect_timeout": 5}` (psycopg) or `command_timeout`
        (asyncpg), and a statement timeout for long queries.
    """
    sites, antis = _timeout_sites(facts)
    if not sites:
        extras = _timeout_extras(facts)
        if extras:
            return partial("No outbound call sites were recognised, but timeouts are set "
                           "elsewhere.", extras[:5])
        return missing("Outbound dependencies are used, but no recognised client call or "
                       "connection sets a timeout.")
    outcome = per_site(sites, what="outbound call sites", good="set a timeout",
                       bad="have no timeout")
    outcome.anti_patterns = antis
    return outcome


# ------------------------------------------------------------------------- retries

_EXPONENTIAL = re.compile(r"wait_(random_)?exponential|wait_exponential_jitter|"
                          r"wait_incrementing|backoff\.(expo|fibo)|exponential_backoff|"
                          r"wait_random\(|retry_backoff\s*=\s*True|backoff_factor|"
                          r"retry_jitter|wait_full_jitter")
_FIXED = re.compile(r"wait_fixed|wait_none|backoff\.constant|retry_delay_seconds|"
                    r"default_retry_delay|countdown|interval\s*=\s*\d")


@practice(
    "rel.retry-backoff", "Bounded retries with backoff and jitter", priority="H", effort="L",
    applies="OUT or Q", sources=("S1", "AWS REL05-BP03"), aliases=("retry", "retries", "backoff"),
    recommendation="Retry transient failures of outbound calls with tenacity "
                   "(`wait_random_exponential`, `stop_after_attempt`) or backoff "
                   "(`backoff.expo`, `max_tries`); retry only idempotent operations.",
)
def check_retry(facts: RepoFacts) -> Outcome:
    """Transient failures are retried a bounded number of times with exponential backoff.

    Why it matters:
        Networks drop packets and dependencies restart; a retry hides the blip. A
        retry without backoff and jitter turns a dependency's hiccup into a
        synchronized storm, and one without a bound never gives up.

    What counts as evidence:
        tenacity `@retry`/`Retrying` with an exponential wait and a `stop`,
        `backoff.on_exception(backoff.expo, max_tries=...)`, stamina, urllib3
        `Retry(backoff_factor=...)`, celery `retry_backoff`, rq `Retry(interval=[...])`.

    What makes it partial:
        A fixed delay (`wait_fixed`, Prefect `retry_delay_seconds`), no jitter, transport
        retries without backoff, or a hand-rolled `sleep` loop. A `@retry` with no
        `stop` caps the status at partial.

    How to satisfy:
        Wrap calls to each dependency with tenacity:
        `@retry(wait=wait_random_exponential(max=30), stop=stop_after_attempt(5))`,
        and retry only errors that are worth retrying.
    """
    good: list[Evidence] = []
    weak: list[Evidence] = []
    antis = []
    for module, call in facts.calls("tenacity.retry", "tenacity.Retrying",
                                    "tenacity.AsyncRetrying", "stamina.retry",
                                    "backoff.on_exception", "backoff.on_predicate"):
        text = " ".join(call.args) + " " + " ".join(v for _, v in call.kwargs)
        ev = call_ev(facts, module, call)
        bounded = call.has_kwarg("stop", "max_tries", "max_time", "attempts", "timeout") or \
            call.name.startswith("stamina")
        if not bounded:
            antis.append(anti("retry without a stop condition retries forever", ev))
        if _EXPONENTIAL.search(text) or call.name.startswith("stamina"):
            good.append(ev)
        else:
            weak.append(Evidence(ev.path, ev.line, ev.snippet, ev.end_line,
                                 note="fixed or no wait between attempts"))
    for module, call in facts.calls("urllib3.util.retry.Retry", "urllib3.Retry",
                                    "urllib3.util.Retry", "requests.adapters.Retry",
                                    "rq.Retry"):
        backoff = call.kwarg("backoff_factor")
        interval = call.kwarg("interval")
        ev = call_ev(facts, module, call)
        if (backoff and backoff.strip() not in ("0", "0.0")) or \
                (interval and interval.strip().startswith("[")):
            good.append(ev)
        else:
            weak.append(Evidence(ev.path, ev.line, ev.snippet, ev.end_line, note="no backoff"))
    for module, call in facts.calls("*.task", "*.shared_task", "*.flow", "*.actor"):
        text = " ".join(v for _, v in call.kwargs)
        if call.has_kwarg("retry_backoff") and "False" not in (call.kwarg("retry_backoff") or ""):
            good.append(call_ev(facts, module, call))
        elif call.has_kwarg("retries", "max_retries", "autoretry_for", "retry_delay_seconds",
                            "default_retry_delay"):
            if "exponential_backoff" in text or "retry_jitter" in text:
                good.append(call_ev(facts, module, call))
            else:
                weak.append(call_ev(facts, module, call,
                                    note="task retries with a fixed delay"))
    for module, call in facts.calls("httpx.HTTPTransport", "httpx.AsyncHTTPTransport"):
        if call.has_kwarg("retries"):
            weak.append(call_ev(facts, module, call, note="transport retries, no backoff"))
    weak.extend(_hand_rolled_retries(facts))
    if good:
        note = f"; {len(weak)} other retry site(s) use a fixed delay" if weak else ""
        return implemented(f"Retries with exponential backoff found ({len(good)} site(s)){note}.",
                           [*good[:8], *weak[:4]], antis)
    if weak:
        return partial("Retries exist but use a fixed delay or a hand-rolled loop, without "
                       "exponential backoff and jitter.", weak[:8], antis)
    return missing("No retry policy found (looked for tenacity, backoff, stamina, urllib3 Retry, "
                   "celery/rq/Prefect task retries and retry loops).", antis)


def _hand_rolled_retries(facts: RepoFacts) -> list[Evidence]:
    out: list[Evidence] = []
    sleepers = {(m.path, c.scope): (m, c) for m, c in facts.calls("time.sleep", "asyncio.sleep")
                if c.scope}
    for (path, scope), (module, call) in sleepers.items():
        function = facts.function_at(path, scope)
        if function is None:
            continue
        body = "\n".join(facts.lines(path)[function.line - 1:function.end_line])
        if re.search(r"\b(attempt|retries|retry|tries)\b", body, re.I) and \
                re.search(r"\bexcept\b", body) and re.search(r"\b(for|while)\b", body):
            out.append(call_ev(facts, module, call, note="hand-rolled retry loop"))
    return out


# ----------------------------------------------------------------- circuit breaker

_BREAKER_LIBS = ("pybreaker", "aiobreaker", "circuitbreaker", "purgatory")


@practice(
    "rel.circuit-breaker", "Circuit breaker on outbound dependencies", priority="H", effort="M",
    applies="OUT", sources=("S1", "S3", "FOW ft"), aliases=("circuit breaker", "breaker"),
    recommendation="Wrap calls to each remote dependency in a circuit breaker (pybreaker, "
                   "aiobreaker, `@circuit`) with a failure threshold and a recovery timeout, "
                   "and serve a fallback while it is open.",
)
def check_circuit_breaker(facts: RepoFacts) -> Outcome:
    """Calls to a failing dependency are cut off quickly instead of piling up.

    Why it matters:
        When a dependency is down, every call waits for its timeout; a breaker fails
        fast after a few failures, gives the dependency room to recover, and lets
        the service degrade instead of collapsing.

    What counts as evidence:
        pybreaker/aiobreaker/purgatory breakers or `@circuit` applied to calls; a
        custom breaker class with closed/open/half-open states, a failure threshold
        and a recovery timeout that is instantiated and consulted; Istio
        `outlierDetection`.

    What makes it partial:
        A breaker defined (or imported) but wrapping no call.

    How to satisfy:
        `breaker = pybreaker.CircuitBreaker(fail_max=5, reset_timeout=30)` and decorate
        the client function with `@breaker`, or call through `breaker.call(...)`.
    """
    used: list[Evidence] = []
    defined: list[Evidence] = []
    breaker_names: set[str] = set()
    for module, call in facts.calls(*(f"{lib}.*" for lib in _BREAKER_LIBS)):
        if call.leaf in ("CircuitBreaker", "CircuitBreakerFactory", "circuit"):
            defined.append(call_ev(facts, module, call))
        if call.leaf == "circuit" or call.name.endswith(".circuit"):
            used.append(call_ev(facts, module, call, note="decorator"))
    for module in facts.modules():
        for assign in module.assigns:
            if assign.call and assign.call.split(".")[0] in _BREAKER_LIBS:
                breaker_names.add(assign.target.split(".")[-1])
    custom = [(m, c) for m, c in facts.classes() if re.search(r"(Circuit)?Breaker$", c.name)]
    for module, cls in custom:
        body = "\n".join(facts.lines(module.path)[cls.line - 1:cls.end_line])
        if re.search(r"half[-_ ]?open|HALF_OPEN", body, re.I) and re.search(r"open", body, re.I):
            defined.append(facts.evidence(module.path, cls.line, note="custom breaker class"))
            breaker_names.add(cls.name)
            for user_module, call in facts.calls(f"*.{cls.name}", cls.name):
                if user_module.path != module.path or call.scope != cls.name:
                    breaker_names.add(call.name)
    for module in facts.modules():
        for function in module.functions:
            for decorator in function.decorators:
                if decorator.raw.split(".")[-1] in breaker_names:
                    used.append(facts.evidence(module.path, decorator.line, note="decorator"))
        for call in module.calls:
            receiver = call.raw.rsplit(".", 1)[0] if "." in call.raw else ""
            head = receiver.split(".")[-1].split("[")[0]
            if call.leaf in ("call", "call_async", "record_failure", "record_success",
                             "allow_request", "can_execute", "is_open", "before_call",
                             "on_failure", "on_success", "can_request", "allow") and \
                    (head in breaker_names or "breaker" in receiver.lower()):
                used.append(call_ev(facts, module, call))
    istio = [facts.evidence(h.path, h.line) for h in
             facts.grep(r"^\s*outlierDetection:", kinds=("yaml",), flags=re.M, limit=5)]
    if used or istio:
        return implemented("A circuit breaker guards outbound calls.",
                           dedupe([*used[:6], *istio[:3], *defined[:3]]))
    if defined:
        return partial("A circuit breaker is defined but no call goes through it.", defined[:5])
    imported = [facts.evidence(m.path, i.line) for m, i in facts.imports(*_BREAKER_LIBS)]
    if imported:
        return partial("A circuit-breaker library is imported but no breaker is created.",
                       imported[:3])
    return missing("No circuit breaker found (looked for pybreaker, aiobreaker, circuitbreaker, "
                   "purgatory, custom open/half-open breaker classes and Istio "
                   "outlierDetection).")


# ---------------------------------------------------------------------- health

def _django_health(facts: RepoFacts) -> list[Evidence]:
    hits = facts.grep(r"[\"']health_check(\.\w+)*[\"']|django_health_check|watchman",
                      kinds=("python",), limit=5)
    return [facts.evidence(h.path, h.line) for h in hits]


def _streamlit_health(facts: RepoFacts) -> list[Evidence]:
    """Streamlit serves /_stcore/health itself; evidence is the app's entry point."""
    for module, imp in facts.imports("streamlit"):
        return [facts.evidence(module.path, imp.line,
                               note="Streamlit serves /_stcore/health for every app")]
    return []


@practice(
    "rel.health-liveness", "Liveness endpoint", priority="C", effort="L", applies="HTTP",
    sources=("S0", "S1", "S2", "S3", "FOW", "SRE"), aliases=("health check", "liveness",
                                                            "health endpoint", "healthcheck"),
    recommendation="Expose an unauthenticated `GET /health` (or `/healthz`) that answers "
                   "200 quickly without touching dependencies.",
)
def check_liveness(facts: RepoFacts) -> Outcome:
    """The service answers a cheap, unauthenticated health request.

    Why it matters:
        Orchestrators and load balancers restart or route around an instance based
        on this endpoint; without it a hung process keeps receiving traffic.

    What counts as evidence:
        A route whose last segment is `health`, `healthz`, `livez`, `ping`, `status`,
        `health-check` (any framework), django-health-check or watchman installed,
        or Streamlit's built-in `/_stcore/health`.

    What makes it partial:
        Every health route requires authentication.

    How to satisfy:
        `@app.get("/health")` returning `{"status": "ok"}`; keep it free of
        dependency checks (those belong to readiness).
    """
    routes = health_routes(facts)
    open_routes = [r for r in routes if route_auth(facts, r) is None]
    if open_routes:
        evidence = [facts.evidence(r.file, r.line) for r in open_routes[:5]]
        paths = ", ".join(sorted({r.path or "/" for r in open_routes})[:4])
        return implemented(f"Unauthenticated health route(s): {paths}.", evidence)
    django = _django_health(facts)
    if django:
        return implemented("django-health-check style health endpoint installed.", django[:3])
    if routes:
        return partial("Health routes exist but require authentication.",
                       [facts.evidence(r.file, r.line) for r in routes[:5]])
    streamlit = _streamlit_health(facts)
    if streamlit:
        return implemented("Streamlit's built-in health endpoint serves the app.", streamlit)
    anchor = app_anchor(facts)
    return missing("No health route found (looked for /health, /healthz, /livez, /ping, "
                   "/status and health-check packages).", context=[anchor] if anchor else [])


_DEP_CHECK = re.compile(r"SELECT\s+1|select\(\s*1|\.execute\(|\.ping\(|\.scalar\(|"
                        r"\.connect\(|is_loaded|model\s+is\s+(not\s+)?None|model_loaded|"
                        r"\.info\(\)|\.check\w*\(|health_check\(|check_\w+\(|"
                        r"\.cursor\(|broker|get_connection|\bmodels?\b.*\bNone\b", re.I)
_UNAVAILABLE = re.compile(r"503|SERVICE_UNAVAILABLE|ServiceUnavailable|status_code\s*=\s*5\d\d|"
                          r"\b500\b")


def _needs_readiness(facts: RepoFacts) -> bool:
    return facts.applies("HTTP") and any(facts.applies(n) for n in ("DB", "Q", "OUT", "MLS"))


@practice(
    "rel.health-readiness", "Readiness check with dependency checks", priority="H", effort="L",
    applies="HTTP and (DB or Q or OUT or MLS)", when=_needs_readiness,
    sources=("S1", "S0", "S2", "FOW"), aliases=("readiness", "readiness probe",
                                                "dependency check"),
    recommendation="Add `/ready` that checks each dependency (`SELECT 1`, `redis.ping()`, "
                   "model loaded) with a short timeout and answers 503 when one fails.",
)
def check_readiness(facts: RepoFacts) -> Outcome:
    """A readiness endpoint reports whether the dependencies the service needs are up.

    Why it matters:
        Traffic should reach an instance only when its database, cache, broker and
        model are available; a constant "ok" sends requests to an instance that
        can only fail them.

    What counts as evidence:
        `/ready`, `/readyz` or a health route whose handler runs dependency checks
        (`SELECT 1`, `.ping()`, model-loaded checks) and can answer 503;
        django-health-check.

    What makes it partial:
        A health route with a constant body (Streamlit's built-in `/_stcore/health`
        included), or checks that never change the status code (always 200).

    How to satisfy:
        Check each dependency with a timeout and return 503 with the failing
        dependency named in the body.
    """
    routes = health_routes(facts)
    full: list[Evidence] = []
    checks_only: list[Evidence] = []
    static: list[Evidence] = []
    for route in routes:
        source = handler_source(facts, route)
        calls = calls_in_handler(facts, route)
        helper_text = _called_helpers_text(facts, route.file, calls)
        body = source + "\n" + helper_text
        ev = facts.evidence(route.file, route.line)
        has_checks = bool(_DEP_CHECK.search(body.split("\n", 1)[-1])) if source else False
        if has_checks and _UNAVAILABLE.search(body):
            full.append(ev)
        elif has_checks:
            checks_only.append(Evidence(ev.path, ev.line, ev.snippet,
                                        note="checks dependencies but always answers 200"))
        else:
            static.append(Evidence(ev.path, ev.line, ev.snippet,
                                   note="constant response" if not is_ready_route(route)
                                   else "readiness route without dependency checks"))
    django = _django_health(facts)
    if full or django:
        return implemented("A health/readiness route checks dependencies and can answer 503.",
                           (full + django)[:5])
    if checks_only:
        return partial("Dependencies are checked but the route never reports failure with a "
                       "non-200 status.", checks_only[:5])
    if static:
        return partial("Only a static health route: it does not check the database, cache, "
                       "broker or model.", static[:5])
    streamlit = _streamlit_health(facts)
    if streamlit:
        return partial("Only Streamlit's built-in health endpoint, which answers without "
                       "checking the database, cache, broker or model.", streamlit)
    return missing("No readiness or health route found.")


def _called_helpers_text(facts: RepoFacts, path: str, calls: list[Call]) -> str:
    """Source of same-module functions the handler calls (one level deep)."""
    module = facts.module(path)
    if module is None:
        return ""
    names = {c.raw.split(".")[-1] for c in calls}
    parts = []
    for function in module.functions:
        if function.name in names:
            parts.append("\n".join(facts.lines(path)[function.line - 1:function.end_line]))
    return "\n".join(parts)


# --------------------------------------------------------------- error handling

_LEAK = re.compile(r"\bstr\(\s*(e|exc|err|error|ex|exception)\s*\)|"
                   r"\{\s*(e|exc|err|error|ex|exception)\s*(!r|!s)?\s*\}|"
                   r"format_exc\(|repr\(\s*(e|exc|err|error|ex|exception)\s*\)|"
                   r"traceback\.format|\.args\[0\]")
_RESPONDERS = ("*.HTTPException", "*.JSONResponse", "flask.jsonify", "*.Response",
               "flask.make_response", "flask.abort", "*.JsonResponse", "*.HttpResponse",
               "*.json_response", "*.ORJSONResponse", "*.PlainTextResponse",
               "*.HTTPInternalServerError")


@practice(
    "rel.error-handling", "Structured, sanitised error responses", priority="H", effort="L",
    applies="HTTP", sources=("S0", "ASVS V16", "T10 A05"),
    aliases=("error handling", "exception handling", "exception hierarchy"),
    recommendation="Register exception handlers that map your exception hierarchy to one "
                   "error schema (e.g. RFC 7807) and never return `str(e)` or tracebacks.",
)
def check_error_handling(facts: RepoFacts) -> Outcome:
    """Errors reach clients in one structured shape, without internal details.

    Why it matters:
        Unhandled exceptions become bare 500s with inconsistent bodies; exception
        text and tracebacks in responses leak internals (paths, SQL, secrets) to
        attackers.

    What counts as evidence:
        Registered handlers (`@app.exception_handler`, `add_exception_handler`,
        Flask `errorhandler`/`register_error_handler`, Django `handler500`, DRF
        `EXCEPTION_HANDLER`) together with an application exception hierarchy.

    What makes it partial:
        Only the framework's defaults (`HTTPException`), handlers without an
        exception hierarchy, or a hierarchy without handlers. `str(e)`,
        `format_exc()` or `{e}` in a response caps the status at partial.

    How to satisfy:
        Define `class AppError(Exception)` subclasses, register one handler that
        logs the exception and returns `{"error": {"code", "message"}}`.
    """
    handlers: list[Evidence] = []
    for module, call in facts.calls("*.exception_handler", "*.add_exception_handler",
                                    "*.errorhandler", "*.register_error_handler",
                                    "*.app_errorhandler", "*.error_handler"):
        handlers.append(call_ev(facts, module, call))
    for module, function in facts.functions():
        for decorator in function.decorators:
            if not decorator.is_call and decorator.raw.endswith(("errorhandler",
                                                                 "exception_handler")):
                handlers.append(facts.evidence(module.path, decorator.line))
    for module, assign in facts.assigns(r"handler(500|404|403|400)"):
        handlers.append(facts.evidence(module.path, assign.line))
    for hit in facts.grep(r"[\"']EXCEPTION_HANDLER[\"']", kinds=("python",), limit=3):
        handlers.append(facts.evidence(hit.path, hit.line))
    hierarchy = [facts.evidence(m.path, c.line) for m, c in facts.subclasses(
        "Exception", "BaseException", "*.HTTPException", "RuntimeError", "ValueError",
        "*Error", "*Exception")
        if re.search(r"(Error|Exception)$", c.name)]
    http_errors = [call_ev(facts, m, c) for m, c in facts.calls("*.HTTPException", "flask.abort",
                                                                "*.abort")]
    leaks = []
    for module, call in facts.calls(*_RESPONDERS):
        text = " ".join(call.args) + " " + " ".join(v for _, v in call.kwargs)
        if _LEAK.search(text):
            leaks.append(anti("exception text returned to the client",
                              call_ev(facts, module, call)))
    handlers = dedupe(handlers)
    if handlers and hierarchy:
        return implemented(f"{len(handlers)} exception handler(s) and {len(hierarchy)} "
                           "application exception class(es).",
                           [*handlers[:4], *hierarchy[:3]], leaks)
    if handlers:
        return partial("Exception handlers are registered but there is no application "
                       "exception hierarchy.", handlers[:5], leaks)
    if hierarchy:
        return partial("Application exceptions exist but no handler maps them to responses.",
                       hierarchy[:5], leaks)
    if http_errors:
        return partial("Only the framework's default error responses (HTTPException/abort); "
                       "no registered handlers or exception hierarchy.", http_errors[:5], leaks)
    return missing("No exception handlers, exception hierarchy or HTTP error responses found.",
                   leaks)


# ------------------------------------------------------------- graceful shutdown

_SERVER = re.compile(r"\b(uvicorn|gunicorn|daphne|hypercorn|granian|uwsgi|celery|rq\s+worker|"
                     r"dramatiq|arq|streamlit|fastapi\s+run|flask\s+run|python|manage\.py|"
                     r"waitress|huey)\b")


def _entry_instructions(dockerfile: Dockerfile) -> list[Instruction]:
    return [i for i in (dockerfile.last("ENTRYPOINT"), dockerfile.last("CMD")) if i is not None]


_SHELLS = ("sh", "/bin/sh", "bash", "/bin/bash", "ash", "/bin/ash")
_DEV_COMPOSE = re.compile(r"override|dev|local|debug|test", re.I)


def _shell_problem(facts: RepoFacts, form: list[str] | None, text: str) -> str | None:
    """Why a container command keeps SIGTERM from the server, or None.

    ``form`` is the exec-form argument list (None for a shell-form command written as
    one string ``text``)."""
    if form is None:
        stripped = text.strip()
        wrapped = re.match(r"^(?:/bin/)?(?:ba)?sh\s+-\w*c\s+[\"']?(.*)", stripped, re.S)
        if wrapped:
            return _shell_problem(facts, ["sh", "-c", wrapped.group(1)], text)
        if _SERVER.search(stripped) and not stripped.startswith("exec "):
            return "shell-form command: the server runs under /bin/sh and never sees SIGTERM"
        return None
    if len(form) >= 3 and form[0] in _SHELLS and form[1] in ("-c", "-lc", "-ec", "-xc"):
        script = form[2]
        if _SERVER.search(script) and "exec " not in script:
            return "`sh -c` without `exec`: the shell, not the server, receives SIGTERM"
        return None
    script_name = next((part for part in form if part.endswith(".sh")), None)
    if script_name:
        base = script_name.rsplit("/", 1)[-1]
        for path in facts.glob(base):
            script_text = facts.text(path) or ""
            if _SERVER.search(script_text) and not re.search(r"^\s*exec\s", script_text, re.M):
                return f"entrypoint script {path} starts the server without `exec`"
    return None


def _compose_command_problems(facts: RepoFacts) -> list[AntiPatternHit]:
    """Production compose services whose ``command:`` wraps the server in a shell."""
    hits: list[AntiPatternHit] = []
    for path, _name, service in facts.compose_services():
        command = service.get("command")
        if command is None or _DEV_COMPOSE.search(path.rsplit("/", 1)[-1]):
            continue
        form = [str(part) for part in command] if isinstance(command, list) else None
        problem = _shell_problem(facts, form, str(command) if form is None else "")
        if problem:
            hits.append(anti(f"compose command: {problem}",
                             facts.evidence(path, service.line_of("command"))))
    return hits


@practice(
    "rel.graceful-shutdown", "Graceful shutdown", priority="M", effort="L",
    applies="(HTTP or Q) and CONT", sources=("12F-IX", "FOW"),
    aliases=("graceful shutdown", "sigterm", "lifespan"),
    recommendation="Start the server in exec form (`CMD [\"uvicorn\", ...]`) or under tini so "
                   "it receives SIGTERM, and close pools and clients in a shutdown hook.",
)
def check_graceful_shutdown(facts: RepoFacts) -> Outcome:
    """On SIGTERM the service finishes in-flight work and closes its connections.

    Why it matters:
        Deploys and scale-downs stop containers with SIGTERM. If the server never
        receives it (shell-form CMD) it is killed after the grace period, cutting
        requests and leaving transactions half done.

    What counts as evidence:
        Exec-form `CMD`/`ENTRYPOINT` (or tini/dumb-init) for the server, lifespan
        or shutdown hooks, SIGTERM handlers, gunicorn `--graceful-timeout`, uvicorn
        `--timeout-graceful-shutdown`, k8s `terminationGracePeriodSeconds`/`preStop`.

    What makes it partial:
        Shutdown hooks while the container's command is shell form. A shell-form
        server command, `sh -c` without `exec` (in a Dockerfile or in a production
        compose file's `command:`), or an entrypoint script that does not `exec` the
        server caps the status at partial.

    How to satisfy:
        `CMD ["gunicorn", "-k", "uvicorn.workers.UvicornWorker", "app.main:app"]`,
        and dispose engines and clients after the lifespan's `yield`.
    """
    exec_form: list[Evidence] = []
    antis = _compose_command_problems(facts)
    for dockerfile in facts.dockerfiles():
        for instruction in _entry_instructions(dockerfile):
            ev = facts.evidence(dockerfile.path, instruction.line)
            problem = _shell_problem(facts, instruction.exec_form, instruction.args)
            if problem:
                antis.append(anti(problem, ev))
            elif instruction.exec_form is not None:
                exec_form.append(ev)
        stop = dockerfile.last("STOPSIGNAL")
        if stop is not None:
            exec_form.append(facts.evidence(dockerfile.path, stop.line))
    hooks = [call_ev(facts, m, c) for m, c in facts.calls("signal.signal", "*.add_signal_handler")
             if "SIGTERM" in " ".join(c.args)]
    for module, call in facts.calls("fastapi.FastAPI", "starlette.applications.Starlette"):
        if call.has_kwarg("lifespan", "on_shutdown"):
            hooks.append(call_ev(facts, module, call))
    hooks += [call_ev(facts, m, c) for m, c in facts.calls("*.on_event")
              if "shutdown" in " ".join(c.args)]
    hooks += [call_ev(facts, m, c) for m, c in facts.calls("atexit.register")]
    for hit in facts.grep(r"graceful[-_]timeout|timeout-graceful-shutdown|"
                          r"terminationGracePeriodSeconds|preStop:|tini|dumb-init",
                          kinds=("dockerfile", "yaml", "python", "shell", "text", "ini"),
                          limit=5):
        hooks.append(facts.evidence(hit.path, hit.line))
    hooks = dedupe(hooks)
    if exec_form:
        return implemented("The server is started so that it receives SIGTERM "
                           "(exec-form command).", [*exec_form[:4], *hooks[:3]], antis)
    if hooks:
        return partial("Shutdown hooks exist, but no container command is known to deliver "
                       "SIGTERM to the server.", hooks[:5], antis)
    return missing("No exec-form server command, signal handler or shutdown hook found.", antis)



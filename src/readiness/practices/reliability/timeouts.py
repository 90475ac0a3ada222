"""rel.timeouts: outbound calls (HTTP, SMTP, Redis, databases) carry a timeout."""

from __future__ import annotations

import re

from readiness.facts import RepoFacts
from readiness.model import AntiPatternHit, Evidence
from readiness.practices.helpers import call_ev, dedupe, is_none, per_site
from readiness.practices.registry import Outcome, anti, missing, partial, practice

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

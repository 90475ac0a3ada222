"""data.connection-pooling: connections come from a sized, health-checked pool."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from readiness.facts import RepoFacts
from readiness.model import AntiPatternHit, Evidence
from readiness.practices.data._call_graph import called_within
from readiness.practices.helpers import call_ev, dedupe, with_note
from readiness.practices.registry import Outcome, anti, implemented, missing, partial, practice

_ENGINES = ("sqlalchemy.create_engine", "sqlalchemy.ext.asyncio.create_async_engine",
            "sqlmodel.create_engine", "*.create_async_engine", "sqlalchemy.engine.create_engine")
_POOL_KEYS = ("pool_size", "max_overflow", "pool_pre_ping", "pool_recycle", "pool_timeout",
              "pool_use_lifo")
_POOLS = ("asyncpg.create_pool", "psycopg_pool.*", "psycopg2.pool.*", "aiomysql.create_pool",
          "aiopg.create_pool", "sqlalchemy.pool.QueuePool")
_MONGO = ("pymongo.MongoClient", "motor.motor_asyncio.AsyncIOMotorClient")
_DIRECT = ("sqlite3.connect", "psycopg2.connect", "psycopg.connect",
           "psycopg.AsyncConnection.connect", "pymysql.connect", "asyncpg.connect",
           "mysql.connector.connect", "MySQLdb.connect", "aiosqlite.connect",
           "oracledb.connect", "pyodbc.connect")
_CONN_MAX_AGE = re.compile(r"(^\s*CONN_MAX_AGE\s*=|[\"']CONN_MAX_AGE[\"']\s*:)\s*(?P<value>.*)$|"
                           r"conn_max_age\s*=\s*(?P<kw>.*)$", re.M)
_POOL_SETTING = re.compile(r"SQLALCHEMY_(ENGINE_OPTIONS|POOL_SIZE|POOL_RECYCLE|MAX_OVERFLOW|"
                           r"POOL_PRE_PING)\s*[=:]|[\"'](pool_size|pool_pre_ping|pool_recycle|"
                           r"max_overflow)[\"']\s*:|[\"']pool[\"']\s*:\s*(True|\{)|"
                           r"maxPoolSize=\d|max_pool_size\s*[=:]\s*\d")


def _route_scopes(facts: RepoFacts) -> set[tuple[str, str]]:
    return {(r.file, r.function.qualname) for r in facts.routes() if r.function is not None}


def _conn_max_age(text: str) -> int | None:
    """Seconds a Django connection lives, from the value text: a literal, or the default
    of an environment lookup (``envint("DB_CONN_MAX_AGE", "0")``); None when unknown."""
    text = text.strip().rstrip(",").strip()
    if text.startswith("None"):
        return 10**9  # persistent connections
    numbers = re.findall(r"(?<![\w.])(\d+)(?![\w.])", text)
    return int(numbers[-1]) if numbers else None


@dataclass
class _Pools:
    tuned: list[Evidence] = field(default_factory=list)
    defaults: list[Evidence] = field(default_factory=list)
    direct: list[Evidence] = field(default_factory=list)
    antis: list[AntiPatternHit] = field(default_factory=list)


def _engine_pools(facts: RepoFacts, pools: _Pools, handlers: set[tuple[str, str]]) -> None:
    bouncer = bool(facts.grep(r"pgbouncer|pgcat|odyssey|rds-?proxy", kinds=(
        "yaml", "dockerfile", "ini", "env", "python", "terraform"), limit=1))
    for module, call in facts.calls(*_ENGINES):
        ev = call_ev(facts, module, call)
        text = " ".join(v for _, v in call.kwargs)
        if "NullPool" in text and not bouncer:
            pools.antis.append(anti("NullPool opens a new connection for every checkout", ev))
        if called_within(call, module.path, handlers):
            pools.antis.append(anti("engine created inside a request handler", ev))
        if call.has_kwarg(*_POOL_KEYS) or ("NullPool" in text and bouncer):
            pools.tuned.append(ev)
        elif call.has_kwarg("**"):
            pools.tuned.append(with_note(ev, "pool options passed through **kwargs"))
        else:
            pools.defaults.append(with_note(ev, "library default pool"))
    for module, call in facts.calls("flask_sqlalchemy.SQLAlchemy"):
        ev = call_ev(facts, module, call)
        if call.has_kwarg("engine_options"):
            pools.tuned.append(ev)
        else:
            pools.defaults.append(with_note(ev, "Flask-SQLAlchemy default pool"))


def _other_pools(facts: RepoFacts, pools: _Pools, handlers: set[tuple[str, str]]) -> None:
    for module, call in facts.calls(*_POOLS):
        pools.tuned.append(call_ev(facts, module, call))
    for module, call in facts.calls("databases.Database"):
        ev = call_ev(facts, module, call)
        if call.has_kwarg("min_size", "max_size"):
            pools.tuned.append(ev)
        else:
            pools.defaults.append(with_note(ev, "driver default pool"))
    for module, call in facts.calls(*_MONGO):
        ev = call_ev(facts, module, call)
        if call.has_kwarg("maxPoolSize", "minPoolSize", "maxIdleTimeMS"):
            pools.tuned.append(ev)
        else:
            pools.defaults.append(with_note(ev, "driver default pool"))
        if called_within(call, module.path, handlers):
            pools.antis.append(anti("client created inside a request handler", ev))
    for module, call in facts.calls(*_DIRECT):
        ev = call_ev(facts, module, call, note="a new connection, no pool")
        pools.direct.append(ev)
        if called_within(call, module.path, handlers):
            pools.antis.append(anti("connection opened inside a request handler", ev))
    for hit in facts.grep(_POOL_SETTING, kinds=("python", "env", "yaml", "ini", "toml"),
                          limit=10):
        pools.tuned.append(facts.evidence(hit.path, hit.line))
    for hit in facts.grep(r"image:\s*\S*(pgbouncer|pgcat|odyssey)", kinds=("yaml",), limit=2):
        pools.tuned.append(facts.evidence(hit.path, hit.line, note="connection pooler"))


def _django_pools(facts: RepoFacts, pools: _Pools) -> None:
    databases = [facts.evidence(m.path, a.line) for m, a in facts.assigns(r"DATABASES")
                 if not a.scope]
    ages = facts.grep(_CONN_MAX_AGE, kinds=("python",), limit=10)
    for hit in ages:
        match = _CONN_MAX_AGE.search(hit.text)
        value = (match.group("value") or match.group("kw")) if match else None
        seconds = _conn_max_age(value) if value else None
        ev = facts.evidence(hit.path, hit.line)
        if seconds:
            pools.tuned.append(ev)
        else:
            pools.defaults.append(with_note(ev, "connections closed after each request "
                                                 "(CONN_MAX_AGE defaults to 0)"))
    if databases and not ages:
        pools.defaults.extend(with_note(e, "CONN_MAX_AGE not set: a new connection per "
                                            "request") for e in databases[:2])


@practice(
    "data.connection-pooling", "Tuned connection pool", priority="H", effort="L",
    applies="DB", sources=("S0", "S1", "S2", "S3", "AWS PERF"),
    aliases=("connection pool", "connection pooling", "pool"),
    recommendation="Create one engine per process with an explicit pool "
                   "(`pool_size`, `max_overflow`, `pool_pre_ping=True`, `pool_recycle`), "
                   "or set Django `CONN_MAX_AGE` > 0, and never open connections per request.",
)
def check_connection_pooling(facts: RepoFacts) -> Outcome:
    """Database connections come from a pool sized and health-checked for the service.

    Why it matters:
        Opening a connection costs a TCP and TLS handshake plus authentication on
        every request; an untuned pool runs out under load or hands out connections
        the database already closed, turning a failover into a burst of errors.

    What counts as evidence:
        `create_engine(...)` with `pool_size`, `max_overflow`, `pool_pre_ping`,
        `pool_recycle` or `pool_timeout`; `SQLALCHEMY_ENGINE_OPTIONS`;
        `asyncpg.create_pool`, psycopg_pool, `databases.Database(min_size=)`;
        Django `CONN_MAX_AGE` > 0; PgBouncer; MongoDB `maxPoolSize`.

    What makes it partial:
        An engine or client that relies on the library's default pool, or Django
        with `CONN_MAX_AGE` unset or 0. An engine, client or connection created in a
        request handler, or `NullPool` without a pooler, caps the status at partial.
        Only direct driver connections (`sqlite3.connect`, `psycopg2.connect`)
        without any pool count as missing.

    How to satisfy:
        `create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True,
        pool_recycle=1800)` once per process, sized so that replicas x workers x
        pool stays below the database's connection limit.
    """
    pools = _Pools()
    handlers = _route_scopes(facts)
    _engine_pools(facts, pools, handlers)
    _other_pools(facts, pools, handlers)
    _django_pools(facts, pools)
    tuned = dedupe(pools.tuned)
    defaults = dedupe(pools.defaults)
    if tuned:
        return implemented(f"Connection pool configured explicitly ({len(tuned)} site(s)).",
                           [*tuned[:5], *defaults[:3]], pools.antis)
    if defaults:
        return partial("Connections are pooled with the library's defaults only (no size, "
                       "pre-ping or recycle settings).", defaults[:6], pools.antis)
    return missing("No connection pool found: connections are opened directly without a "
                   "pool." if pools.direct else "No database engine, pool or client "
                   "configuration found.", pools.antis, context=pools.direct[:5])

"""data.caching: expensive reads are cached in a shared store, with expiry."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from readiness.facts import RepoFacts
from readiness.facts.python.records import Call, Function
from readiness.model import AntiPatternHit, Evidence
from readiness.practices.data._call_graph import enclosing_function, is_referenced
from readiness.practices.helpers import call_ev, is_none, with_note
from readiness.practices.registry import Outcome, anti, implemented, missing, partial, practice

_SHARED_BACKEND = re.compile(
    r"django_redis|django\.core\.cache\.backends\.(redis|memcached)|RedisCache|"
    r"PyMemcacheCache|PyLibMCCache|MemcachedCache|[\"'](redis|memcached|saslmemcached)[\"']|"
    r"RedisBackend|MemcacheBackend|Cache\.REDIS|Cache\.MEMCACHED|CACHE_REDIS_URL|"
    r"dogpile\.cache\.(redis|memcached)|cache\.setup\(\s*[\"']redis")
_TTL_SETTING = re.compile(r"CACHE_DEFAULT_TIMEOUT|[\"']TIMEOUT[\"']\s*:|CACHE_TTL|cache_ttl",
                          re.I)
_INVALIDATE = ("*.delete_memoized", "*.delete_many", "*.cache_clear", "*.invalidate",
               "*.invalidate_cache", "*.expire_cache")
_DATA_FRAME = re.compile(r"(?i)data(set|frame)?|\bdf\b|frame|csv|parquet|table|load|read")


@dataclass
class _Caches:
    shared: list[Evidence] = field(default_factory=list)  # shared store (redis/memcached) use
    backend: list[Evidence] = field(default_factory=list)  # shared backend configured
    framework: list[Evidence] = field(default_factory=list)  # cache layer, backend configurable
    local: list[Evidence] = field(default_factory=list)  # per-process caches
    ttl: list[Evidence] = field(default_factory=list)
    invalidation: list[Evidence] = field(default_factory=list)
    antis: list[AntiPatternHit] = field(default_factory=list)


def _cached_function_names(facts: RepoFacts) -> set[str]:
    """Functions wrapped by a cache decorator (their ``.clear()``/``.cache_clear()``
    calls are invalidation)."""
    return {f.name for _, f in facts.functions()
            if any(re.search(r"cache|memoize|lru", d.raw) for d in f.decorators)}


def _data_params(function: Function) -> list[str]:
    return [p.name for p in function.params if p.name not in ("self", "cls")]


def _decorated_caches(facts: RepoFacts, caches: _Caches) -> None:
    flask_caching = facts.imported("flask_caching")
    for module, function in facts.functions():
        for decorator in function.decorators:
            name = decorator.name or decorator.raw
            ev = facts.evidence(module.path, decorator.line)
            leaf = name.rsplit(".", 1)[-1]
            if name in ("functools.lru_cache", "functools.cache", "cachetools.cached",
                        "cachetools.func.ttl_cache", "cachetools.func.lru_cache",
                        "async_lru.alru_cache"):
                _local_cache(caches, function, decorator, ev)
            elif name.startswith("streamlit.") and leaf == "cache_data":
                _streamlit_cache(caches, function, decorator, ev)
            elif flask_caching and leaf in ("memoize", "cached") and \
                    not name.startswith(("functools", "cachetools", "aiocache")):
                caches.framework.append(with_note(ev, "Flask-Caching"))
                if decorator.has_kwarg("timeout"):
                    caches.ttl.append(ev)
            elif name.startswith(("fastapi_cache", "aiocache", "cashews")) and \
                    leaf in ("cache", "cached"):
                caches.framework.append(ev)
                if decorator.has_kwarg("expire", "ttl") or decorator.args:
                    caches.ttl.append(ev)
            elif name.startswith("django.views.decorators.cache") and leaf == "cache_page":
                caches.framework.append(ev)
                caches.ttl.append(ev)


def _local_cache(caches: _Caches, function: Function, decorator: Call, ev: Evidence) -> None:
    if not _data_params(function):
        return  # a zero-argument cached function is a lazy singleton, not a data cache
    unbounded = decorator.name == "functools.cache" or is_none(decorator.kwarg("maxsize")) or \
        (decorator.args and decorator.args[0].strip() == "None")
    caches.local.append(with_note(ev, "per-process cache"))
    if "ttl" in decorator.name or decorator.name == "cachetools.cached":
        caches.ttl.append(ev)
    if unbounded:
        caches.antis.append(anti("unbounded per-process cache (maxsize=None) grows without "
                                 "limit", ev))


def _streamlit_cache(caches: _Caches, function: Function, decorator: Call, ev: Evidence) -> None:
    caches.local.append(with_note(ev, "Streamlit per-process cache"))
    if decorator.has_kwarg("ttl"):
        caches.ttl.append(ev)
    frames = _DATA_FRAME.search(function.name) or _DATA_FRAME.search(function.returns or "")
    if frames and not decorator.has_kwarg("max_entries"):
        caches.antis.append(anti("st.cache_data without max_entries on a function returning "
                                 "data frames", ev))


def _store_caches(facts: RepoFacts, caches: _Caches) -> None:
    """Redis/memcached reads and writes with a TTL, in code that something calls."""
    store_modules = {m.path for m, _ in facts.imports("redis", "aioredis", "pymemcache",
                                                      "aiomcache")}
    layer_modules = {m.path for m, _ in facts.imports("django.core.cache", "flask_caching")}
    writes = facts.calls("*.setex", "*.psetex", "*.set", "*.set_many", "*.add", "*.expire")
    for module, call in writes:
        if module.path not in store_modules | layer_modules:
            continue
        ttl = call.leaf in ("setex", "psetex", "expire") or \
            call.has_kwarg("ex", "px", "timeout", "expire", "ttl") or \
            (call.leaf in ("set", "add", "set_many") and len(call.args) >= 3)
        if call.leaf in ("set", "add", "set_many", "expire") and \
                not (ttl and module.path in store_modules) and "cache" not in call.raw.lower():
            continue
        function = enclosing_function(facts, module.path, call.scope)
        if function is not None and not is_referenced(facts, function):
            continue  # written by code nothing calls
        ev = call_ev(facts, module, call)
        (caches.shared if module.path in store_modules else caches.framework).append(ev)
        if ttl:
            caches.ttl.append(ev)
    for module, call in facts.calls("*.delete", "*.delete_many", "*.unlink", "*.clear"):
        if module.path in store_modules | layer_modules and "cache" in call.raw.lower():
            caches.invalidation.append(call_ev(facts, module, call))


def _cache_config(facts: RepoFacts, caches: _Caches) -> bool:
    """Whether a shared cache backend is configured; records config evidence."""
    shared = False
    for hit in facts.grep(_SHARED_BACKEND, kinds=("python", "env", "yaml", "ini", "toml"),
                          limit=10):
        if hit.text.lstrip().startswith("#") or not re.search("cache", hit.text, re.I):
            continue
        shared = True
        caches.backend.append(facts.evidence(hit.path, hit.line, note="shared cache backend"))
    for hit in facts.grep(_TTL_SETTING, kinds=("python", "env", "ini", "yaml"), limit=5):
        if not hit.text.lstrip().startswith("#"):
            caches.ttl.append(facts.evidence(hit.path, hit.line))
    return shared


@practice(
    "data.caching", "Shared cache with TTL and invalidation", priority="M", effort="M",
    applies="HTTP or DB", sources=("S1", "S2", "S3", "S0"),
    aliases=("caching", "cache", "redis cache", "response cache"),
    recommendation="Cache expensive reads in a shared store (Redis, memcached) with a TTL, "
                   "and delete or refresh the entries when the underlying data is written.",
)
def check_caching(facts: RepoFacts) -> Outcome:
    """Expensive reads are cached in a shared store, with expiry and invalidation on writes.

    Why it matters:
        A cache takes repeated reads off the database and cuts latency; without a TTL
        or invalidation it serves stale data, and a per-process cache is duplicated,
        inconsistent across workers and lost on every restart.

    What counts as evidence:
        Redis/memcached writes with a TTL (`setex`, `set(ex=)`) in code that is
        called; Flask-Caching `@cache.memoize/cached`, fastapi-cache `@cache(expire=)`,
        aiocache, Django `cache_page`/`CACHES` with a Redis or memcached backend;
        a TTL setting (`CACHE_DEFAULT_TIMEOUT`) and invalidation calls
        (`delete_memoized`, `cache.delete`).

    What makes it partial:
        Only per-process caches (`lru_cache` with arguments, cachetools,
        `st.cache_data`), or a cache layer without TTL or invalidation. An unbounded
        `lru_cache(maxsize=None)` or `st.cache_data` on data frames without
        `max_entries` caps the status at partial. `lru_cache` on zero-argument
        functions (settings singletons) is not a data cache and is ignored.

    How to satisfy:
        Put a Redis-backed cache in front of expensive queries with an explicit TTL
        and delete the key in the code path that writes the data.
    """
    caches = _Caches()
    _decorated_caches(facts, caches)
    _store_caches(facts, caches)
    cached_functions = _cached_function_names(facts)
    for module, call in facts.calls(*_INVALIDATE, "*.clear"):
        if "cache" in call.raw.lower() or call.leaf == "delete_memoized" or \
                call.raw.split(".")[0] in cached_functions:
            caches.invalidation.append(call_ev(facts, module, call))
    backend_shared = _cache_config(facts, caches) if (caches.framework or caches.shared) else False
    fresh = bool(caches.ttl or caches.invalidation)
    proof = [*caches.ttl[:2], *caches.invalidation[:2]]
    used_shared = caches.shared
    if (used_shared or (caches.framework and backend_shared)) and fresh:
        return implemented("Shared cache in use with expiry or invalidation.",
                           [*(used_shared or caches.framework)[:3], *caches.backend[:2], *proof],
                           caches.antis)
    if caches.framework and caches.ttl and caches.invalidation:
        return implemented("A cache layer (configurable backend) is applied with a default "
                           "TTL and invalidation on writes.",
                           [*caches.framework[:3], *proof], caches.antis)
    if used_shared or caches.framework:
        return partial("A cache is used but without a TTL or invalidation on writes, or only "
                       "on a per-process backend.",
                       [*(used_shared or caches.framework)[:4], *proof], caches.antis)
    if caches.local:
        return partial("Only per-process caches: each worker holds its own copy and loses it "
                       "on restart.", [*caches.local[:4], *proof], caches.antis)
    return missing("No data cache found (looked for Redis/memcached with TTL, Flask-Caching, "
                   "fastapi-cache, aiocache, Django cache and per-process caches with "
                   "arguments).", caches.antis)

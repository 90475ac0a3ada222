"""Health: N sequential GETs of the health endpoint, and what its body says.

Sequential on purpose: this is the latency a load balancer's health checker sees,
not a capacity figure. A body that names dependencies with a state ("database":
"ok") is a readiness check; a constant body only proves the process answers.
"""

from __future__ import annotations

import time

from readiness.model import ProbeCheck, ProbeResult
from readiness.probes.context import Context, Recorder
from readiness.probes.discovery import HEALTH_PATHS
from readiness.probes.http import Exchange
from readiness.probes.stats import Latencies

LIVENESS_ORDER = ("/livez", "/healthz", "/health", "/health/live", "/api/health", "/_health",
                  "/healthcheck", "/ping", "/status", "/ready", "/readyz", "/health/ready")
READINESS_ORDER = ("/readyz", "/ready", "/health/ready", "/health", "/healthz", "/api/health",
                   "/status", "/_health", "/healthcheck")
DEPENDENCY_KEYS = ("database", "db", "postgres", "postgresql", "mysql", "sqlite", "mongo",
                   "mongodb", "redis", "cache", "queue", "broker", "kafka", "rabbitmq",
                   "celery", "elasticsearch", "s3", "storage", "checks", "dependencies",
                   "components", "services", "details", "upstreams")
STATE_WORDS = ("ok", "up", "down", "healthy", "unhealthy", "pass", "fail", "warn", "degraded",
               "error", "ready", "not ready", "connected", "disconnected", "true", "false")
SLOW_MS = 1000.0


def probe_health(ctx: Context) -> ProbeResult:
    rec = Recorder(ctx, "health")
    found = ctx.found.health
    thresholds = ctx.thresholds_for("health")
    if not found:
        message = ("no health endpoint answered at the usual paths ("
                   + ", ".join(HEALTH_PATHS[:6]) + ", …)")
        unknown = [ctx.check("rel.health-liveness", "inconclusive", message),
                   ctx.check("rel.health-readiness", "inconclusive", message)]
        return rec.finish(checks=unknown, notes=[message],
                          thresholds=[t.evaluate(None) for t in thresholds])
    live_path = next((p for p in LIVENESS_ORDER if p in found), next(iter(found)))
    candidates = [p for p in READINESS_ORDER if p in found]
    candidates += [p for p in found if p not in candidates]  # e.g. from the OpenAPI paths
    ready_path = next((p for p in candidates if _dependencies(found[p])), None)
    latencies = Latencies()
    last: Exchange | None = None
    statuses: list[int | None] = []
    limit = time.monotonic() + min(ctx.remaining(), ctx.options.health_samples
                                   * ctx.options.request_timeout_s)
    for _ in range(ctx.options.health_samples):
        if time.monotonic() > limit:
            break
        last = ctx.http.get(live_path, follow=False)
        latencies.record(last.elapsed_ms, last.status, last.error)
        statuses.append(last.status)
    assert last is not None
    url = ctx.origin.url(live_path)
    measured: dict[str, object] = {"path": live_path, **latencies.summary()}
    checks: list[ProbeCheck] = []
    ok = [s for s in statuses if s is not None and 200 <= s < 300]
    p95 = latencies.percentile_ms(95) or 0.0
    observed = (f"{len(statuses)} x GET {live_path}: {len(ok)} x 2xx, p95 {p95:.1f} ms, "
                f"body {last.text[:80]!r}")
    if len(ok) == len(statuses) and p95 < SLOW_MS:
        checks.append(ctx.check("rel.health-liveness", "pass",
                                f"GET {live_path} answers 2xx (p95 {p95:.1f} ms)",
                                url=url, observed=observed))
    else:
        checks.append(ctx.check("rel.health-liveness", "fail",
                                f"GET {live_path} answered 2xx on {len(ok)} of {len(statuses)} "
                                f"calls (p95 {p95:.1f} ms)", url=url, observed=observed))
    if ready_path is not None:
        deps = _dependencies(found[ready_path])
        measured["readiness_path"] = ready_path
        measured["dependencies"] = deps
        checks.append(ctx.check("rel.health-readiness", "pass",
                                f"GET {ready_path} reports dependency states: "
                                + ", ".join(f"{k}={v}" for k, v in deps.items()),
                                found[ready_path]))
    else:
        checks.append(ctx.check("rel.health-readiness", "fail",
                                "the health endpoints found report no dependency state "
                                f"(liveness only): {', '.join(found)}", found[live_path],
                                observed=f"GET {live_path} body {found[live_path].text[:80]!r}"))
    outcomes = [t.evaluate(latencies.value(t)) for t in thresholds]
    if outcomes:
        breached = [item.expression for item in outcomes if item.passed is False]
        checks.append(ctx.check(
            "scale.latency-budget", "fail" if breached else "pass",
            (f"sequential health latency breaches {', '.join(breached)}" if breached else
             "sequential health latency meets " + ", ".join(o.expression for o in outcomes))
            + " (one caller; the load probes judge latency under concurrency)",
            url=url, observed=observed))
    return rec.finish(measured=measured, checks=checks, thresholds=outcomes, target=url)


def _dependencies(exchange: Exchange) -> dict[str, str]:
    """Dependency name -> state found in a health body (empty for a constant body)."""
    body = exchange.json()
    deps: dict[str, str] = {}
    if isinstance(body, dict):
        _walk(body, deps, depth=0, under_dependency=False)
    return deps


def _walk(node: dict[object, object], deps: dict[str, str], *, depth: int,
          under_dependency: bool) -> None:
    if depth > 4 or len(deps) > 50:
        return
    for key, value in node.items():
        name = str(key).lower()
        inside = under_dependency or name in DEPENDENCY_KEYS
        if isinstance(value, dict):
            state = value.get("status", value.get("state", value.get("healthy")))
            if inside and state is not None and name not in ("checks", "dependencies",
                                                             "components", "services",
                                                             "details", "upstreams"):
                deps[str(key)] = str(state)
            else:
                _walk(value, deps, depth=depth + 1, under_dependency=inside)
        elif isinstance(value, list) and inside:
            for item in value[:50]:
                if isinstance(item, dict):
                    # IETF health-check draft: {"checks": {"db:responseTime": [{...}]}}
                    label = item.get("name", item.get("component", item.get("id", key)))
                    state = item.get("status", item.get("state", item.get("healthy")))
                    if label is not None and state is not None:
                        deps[str(label)] = str(state)
        elif (inside and name not in ("status", "state") and isinstance(value, str | bool)
              and (str(value).lower() in STATE_WORDS or name in DEPENDENCY_KEYS)):
            deps[str(key)] = str(value)

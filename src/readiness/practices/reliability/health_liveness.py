"""rel.health-liveness: the service answers a cheap, unauthenticated health check."""

from __future__ import annotations

from readiness.facts import RepoFacts
from readiness.practices.registry import Outcome, implemented, missing, partial, practice
from readiness.practices.reliability._health import django_health, streamlit_health
from readiness.practices.web import app_context, health_routes, route_auth


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
    django = django_health(facts)
    if django:
        return implemented("django-health-check style health endpoint installed.", django[:3])
    if routes:
        return partial("Health routes exist but require authentication.",
                       [facts.evidence(r.file, r.line) for r in routes[:5]])
    streamlit = streamlit_health(facts)
    if streamlit:
        return implemented("Streamlit's built-in health endpoint serves the app.", streamlit)
    return missing("No health route found (looked for /health, /healthz, /livez, /ping, "
                   "/status and health-check packages).", context=app_context(facts))

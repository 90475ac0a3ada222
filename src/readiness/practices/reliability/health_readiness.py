"""rel.health-readiness: a readiness check reports whether dependencies are up."""

from __future__ import annotations

import re

from readiness.facts import RepoFacts
from readiness.facts.python.records import Call
from readiness.model import Evidence
from readiness.practices.helpers import definition_source, with_note
from readiness.practices.registry import Outcome, implemented, missing, partial, practice
from readiness.practices.reliability._health import django_health, streamlit_health
from readiness.practices.web import calls_in_handler, handler_source, health_routes, is_ready_route

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
                                                "dependency check", "health check dependencies",
                                                "readiness check", "dependency health"),
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
            checks_only.append(with_note(ev, "checks dependencies but always answers 200"))
        else:
            static.append(with_note(ev, "constant response" if not is_ready_route(route)
                                    else "readiness route without dependency checks"))
    django = django_health(facts)
    if full or django:
        return implemented("A health/readiness route checks dependencies and can answer 503.",
                           (full + django)[:5])
    if checks_only:
        return partial("Dependencies are checked but the route never reports failure with a "
                       "non-200 status.", checks_only[:5])
    if static:
        return partial("Only a static health route: it does not check the database, cache, "
                       "broker or model.", static[:5])
    streamlit = streamlit_health(facts)
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
            parts.append(definition_source(facts, path, function))
    return "\n".join(parts)

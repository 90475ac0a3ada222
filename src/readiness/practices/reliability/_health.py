"""Health endpoints without a route in the code (django-health-check, Streamlit)."""

from __future__ import annotations

from readiness.facts import RepoFacts
from readiness.model import Evidence


def django_health(facts: RepoFacts) -> list[Evidence]:
    """A health-check app installed (django-health-check, watchman)."""
    hits = facts.grep(r"[\"']health_check(\.\w+)*[\"']|django_health_check|watchman",
                      kinds=("python",), limit=5)
    return [facts.evidence(h.path, h.line) for h in hits]


def streamlit_health(facts: RepoFacts) -> list[Evidence]:
    """Streamlit serves /_stcore/health itself; evidence is the app's entry point."""
    for module, imp in facts.imports("streamlit"):
        return [facts.evidence(module.path, imp.line,
                               note="Streamlit serves /_stcore/health for every app")]
    return []

"""Evidence the security rules shape alike: labelled routes, one item per file first."""

from __future__ import annotations

from readiness.facts import RepoFacts
from readiness.facts.python.routes import Route
from readiness.model import Evidence
from readiness.practices.helpers import dedupe
from readiness.practices.web import route_methods

PY = ("python",)


def spread(evidence: list[Evidence], limit: int = 10) -> list[Evidence]:
    """Up to ``limit`` items, one per file first, so a reader sees every place."""
    evidence = dedupe(evidence)
    first: list[Evidence] = []
    rest: list[Evidence] = []
    files: set[str] = set()
    for item in evidence:
        (rest if item.path in files else first).append(item)
        files.add(item.path)
    return [*first, *rest][:limit]


def labelled_route_ev(facts: RepoFacts, route: Route, note: str = "") -> Evidence:
    """Evidence for a route, noted with its methods and path (``POST /items: note``)."""
    label = f"{'/'.join(route_methods(facts, route))} {route.path or '/'}"
    return facts.evidence(route.file, route.line, note=f"{label}{': ' + note if note else ''}")

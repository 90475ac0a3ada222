"""net.api-versioning: API routes carry a version, and old ones can be retired."""

from __future__ import annotations

import re

from readiness.facts import RepoFacts
from readiness.facts.python.routes import Route
from readiness.model import Evidence
from readiness.practices.helpers import dedupe
from readiness.practices.networking._router_graph import RouterGraph, build_graph, node_of
from readiness.practices.registry import Outcome, implemented, missing, partial, practice
from readiness.practices.web import app_context, handler_source, is_health_route

_VERSION = re.compile(r"(^|/)v(\d+)(\.\d+)*(/|$)", re.I)
_NON_EMPTY = re.compile(r"[^/\s]")
_API_SEGMENT = re.compile(r"(^|/)api(/|$)", re.I)
_INFRA_ROUTE = re.compile(r"(^|/)(metrics|docs|redoc|openapi(\.json|\.yaml)?|swagger[\w.-]*|"
                          r"static|favicon\.ico|robots\.txt|version)(/|$)", re.I)

_JSON_FRAMEWORKS = ("fastapi", "starlette", "litestar", "sanic", "aiohttp", "falcon")
_JSON_BODY = re.compile(r"jsonify|JsonResponse|json_response|Response\(|\.json\b|return\s*\{|"
                        r"serializer|APIView|api_view", re.I)
_DEPRECATION = re.compile(r"deprecated\s*=\s*True|[\"'](Deprecation|Sunset)[\"']|"
                          r"DEFAULT_VERSIONING_CLASS|ALLOWED_VERSIONS")
_DRF_VERSIONING = re.compile(r"DEFAULT_VERSIONING_CLASS|URLPathVersioning|NamespaceVersioning|"
                             r"AcceptHeaderVersioning|HostNameVersioning|QueryParameterVersioning")


def _is_api_route(facts: RepoFacts, graph: RouterGraph, route: Route) -> bool:
    if is_health_route(route) or _INFRA_ROUTE.search(route.path):
        return False
    if route.path.strip("/") == "" and not graph.reaches(node_of(facts, route), _NON_EMPTY):
        return False  # the site root, not an API resource
    if route.framework in _JSON_FRAMEWORKS:
        return True
    if _API_SEGMENT.search(route.path) or graph.reaches(node_of(facts, route), _API_SEGMENT):
        return True
    return bool(_JSON_BODY.search(handler_source(facts, route)))


@practice(
    "net.api-versioning", "Versioning and deprecation", priority="M", effort="L", applies="API",
    sources=("S1", "FOW stab"),
    aliases=("api versioning", "versioning", "deprecation", "api version",
             "api deprecation", "deprecation policy"),
    recommendation="Mount every API router under a version prefix (`/api/v1`) and give clients "
                   "a deprecation path: `deprecated=True` on old routes, `Deprecation`/`Sunset` "
                   "headers, and a documented policy for retiring versions.",
)
def check_api_versioning(facts: RepoFacts) -> Outcome:
    """API routes carry a version, and old versions can be retired in an orderly way.

    Why it matters:
        Without a version in the contract, any breaking change breaks every
        client at once; without a deprecation path, old versions can never be
        removed and clients learn of removals from outages.

    What counts as evidence:
        Version prefixes applied to routes: in route paths, `APIRouter(prefix=)`,
        `include_router(prefix=)`, blueprint `url_prefix`, Django
        `path("api/v1/", include(...))`, settings constants such as
        `API_V1_STR` used as prefixes (followed through nested routers), DRF
        versioning classes. Deprecation: `deprecated=True`, `Deprecation`/`Sunset`
        headers, several versions served side by side, a deprecation note in the
        docs.

    What makes it partial:
        Implemented needs at least 90 % of the JSON API routes (health, metrics
        and docs routes excluded) under a version and a deprecation path. Some
        routers unversioned, or versioning without any deprecation path, is partial.

    How to satisfy:
        `app.include_router(api_router, prefix="/api/v1")`, mark superseded
        routes `deprecated=True` and send a `Sunset` header before removing them.
    """
    graph = build_graph(facts)
    api_routes = [r for r in facts.routes() if _is_api_route(facts, graph, r)]
    versioned: list[Evidence] = []
    unversioned: list[Evidence] = []
    versions: set[str] = set()
    for route in api_routes:
        match = _VERSION.search(route.path)
        where = facts.evidence(route.file, route.line) if match else \
            graph.reaches(node_of(facts, route), _VERSION)
        if where is None:
            unversioned.append(facts.evidence(route.file, route.line, note="unversioned route"))
        else:
            versioned.append(where)
    for prefix, _ev in graph.own_prefix.values():
        versions.update(m.group(2) for m in _VERSION.finditer(prefix))
    for edges in graph.parents.values():
        for edge in edges:
            versions.update(m.group(2) for m in _VERSION.finditer(edge.prefix))
    for route in facts.routes():
        versions.update(m.group(2) for m in _VERSION.finditer(route.path))
    drf = [facts.evidence(h.path, h.line) for h in facts.grep(_DRF_VERSIONING, kinds=("python",),
                                                               limit=3)]
    deprecation = _deprecation_evidence(facts)
    if len(versions) >= 2 and versioned:
        first = versioned[0]
        listed = ", ".join(f"v{v}" for v in sorted(versions, key=int))
        deprecation.append(Evidence(first.path, first.line, first.snippet,
                                    note=f"versions served side by side: {listed}"))
    if not versioned and not drf:
        return missing("No versioned API routes were found (looked for /v1-style prefixes in "
                       "routes, routers, blueprints, URLconfs and DRF versioning).",
                       context=app_context(facts))
    evidence = dedupe([*versioned, *drf])[:6]
    total = len(api_routes)
    share = len(versioned) / total if total else 1.0
    if share >= 0.9 and deprecation:
        return implemented(f"{len(versioned)} of {total} API routes are versioned and a "
                           "deprecation path exists.", [*evidence, *deprecation[:3]])
    gaps = []
    if share < 0.9:
        gaps.append(f"{len(unversioned)} of {total} API routes are unversioned")
    if not deprecation:
        gaps.append("no deprecation path (deprecated=True, Deprecation/Sunset headers, "
                    "parallel versions or a policy)")
    return partial("API versioning is incomplete: " + "; ".join(gaps) + ".",
                   [*evidence, *unversioned[:4], *deprecation[:2]])


def _deprecation_evidence(facts: RepoFacts) -> list[Evidence]:
    found = [facts.evidence(h.path, h.line) for h in facts.grep(
        _DEPRECATION, kinds=("python", "nginx", "yaml"), limit=5)]
    docs = facts.grep(r"(?i)deprecat\w*[^\n]{0,80}\bv\d+\b|\bv\d+\b[^\n]{0,80}deprecat",
                      kinds=("markdown",), production=None, limit=2)
    found += [facts.evidence(h.path, h.line, note="deprecation documented") for h in docs]
    return found

"""Networking and API practices: versioned routes with a deprecation path."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from readiness.facts import RepoFacts
from readiness.facts.python.records import Call, ModuleFacts
from readiness.facts.python.routes import Route
from readiness.model import Evidence
from readiness.practices.helpers import call_ev, dedupe
from readiness.practices.registry import Outcome, implemented, missing, partial, practice
from readiness.practices.web import app_anchor, handler_source, is_health_route

_VERSION = re.compile(r"(^|/)v(\d+)(\.\d+)*(/|$)", re.I)
_NON_EMPTY = re.compile(r"[^/\s]")
_API_SEGMENT = re.compile(r"(^|/)api(/|$)", re.I)
_INFRA_ROUTE = re.compile(r"(^|/)(metrics|docs|redoc|openapi(\.json|\.yaml)?|swagger[\w.-]*|"
                          r"static|favicon\.ico|robots\.txt|version)(/|$)", re.I)
_ROUTER_FACTORIES = ("APIRouter", "Blueprint", "APIBlueprint", "Router", "Namespace")
_INCLUDES = ("include_router", "register_blueprint", "add_namespace", "register", "mount")
_JSON_FRAMEWORKS = ("fastapi", "starlette", "litestar", "sanic", "aiohttp", "falcon")
_JSON_BODY = re.compile(r"jsonify|JsonResponse|json_response|Response\(|\.json\b|return\s*\{|"
                        r"serializer|APIView|api_view", re.I)
_DEPRECATION = re.compile(r"deprecated\s*=\s*True|[\"'](Deprecation|Sunset)[\"']|"
                          r"DEFAULT_VERSIONING_CLASS|ALLOWED_VERSIONS")
_DRF_VERSIONING = re.compile(r"DEFAULT_VERSIONING_CLASS|URLPathVersioning|NamespaceVersioning|"
                             r"AcceptHeaderVersioning|HostNameVersioning|QueryParameterVersioning")

Node = tuple[str, str]  # (module path, router variable or Django pattern list)


@dataclass
class _Edge:
    parent: Node
    prefix: str
    evidence: Evidence


@dataclass
class _Graph:
    """Routers and how they are mounted, with the prefixes applied on the way."""

    own_prefix: dict[Node, tuple[str, Evidence]] = field(default_factory=dict)
    parents: dict[Node, list[_Edge]] = field(default_factory=dict)
    constants: dict[tuple[str, str], str] = field(default_factory=dict)  # (path, name)

    def text(self, expression: str, path: str) -> str:
        """A prefix expression written in module ``path``, with names replaced by the
        string constants they hold."""
        expression = expression.strip()
        if re.fullmatch(r"[rbuRBU]?[\"'].*[\"']", expression):
            return expression.strip("rbuRBU").strip("\"'")
        if expression.startswith(("f\"", "f'")):
            def replace(match: re.Match[str]) -> str:
                return self._constant(match.group(1), path) or ""
            return re.sub(r"\{([^}]*)\}", replace, expression[2:-1])
        return self._constant(expression, path) or ""

    def _constant(self, name: str, path: str) -> str | None:
        """A bare name is looked up in its own module; ``settings.API_V1_STR`` and other
        UPPER_CASE constants anywhere (settings objects live in other modules)."""
        name = name.strip()
        leaf = name.rsplit(".", 1)[-1]
        local = self.constants.get((path, leaf))
        if local is not None:
            return local
        if "." in name or leaf.isupper():
            for (_where, key), value in self.constants.items():
                if key == leaf:
                    return value
        return None

    def reaches(self, node: Node, test: re.Pattern[str]) -> Evidence | None:
        """Evidence of the first prefix matching ``test`` on the way from ``node`` to a root."""
        seen: set[Node] = set()
        stack = [node]
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            own = self.own_prefix.get(current)
            if own and test.search(own[0]):
                return own[1]
            for edge in self.parents.get(current, []):
                if test.search(edge.prefix):
                    return edge.evidence
                stack.append(edge.parent)
        return None


def _string_constants(facts: RepoFacts) -> dict[tuple[str, str], str]:
    """Module- and class-level string constants: ``API_V1_STR: str = "/api/v1"``."""
    out: dict[tuple[str, str], str] = {}
    for module in facts.modules():
        for assign in module.assigns:
            top_level = not assign.scope or (assign.class_name is not None and
                                             assign.scope.endswith(assign.class_name))
            if assign.value_kind == "str" and top_level:
                key = (module.path, assign.target.rsplit(".", 1)[-1])
                out.setdefault(key, assign.value.strip("rbuRBU").strip("\"'"))
    return out


def _module_for(facts: RepoFacts, dotted: str) -> str | None:
    dotted = dotted.lstrip(".")
    if not dotted:
        return None
    suffixes = (dotted.replace(".", "/") + ".py", dotted.replace(".", "/") + "/__init__.py")
    for module in facts.modules():
        if module.path.endswith(suffixes) and (
                module.path in suffixes or module.path.endswith(tuple("/" + s for s in suffixes))):
            return module.path
    return None


def _resolve_router(facts: RepoFacts, module: ModuleFacts, expression: str) -> Node:
    """The router node an ``include_router(<expression>)`` argument refers to."""
    expression = expression.split("(")[0].strip()
    head, _, rest = expression.partition(".")
    for imp in module.imports:
        if imp.alias != head:
            continue
        target = _module_for(facts, imp.qualified)
        if target is not None:  # ``from app.api.routes import items`` -> items.router
            return target, rest or "router"
        parent = _module_for(facts, imp.module)
        if parent is not None:  # ``from app.api.main import api_router``
            return parent, imp.name or head
    return module.path, expression


def _router_call(module: ModuleFacts, line: int) -> Call | None:
    for call in module.calls:
        if call.line == line and call.leaf in _ROUTER_FACTORIES:
            return call
    return None


def _build_graph(facts: RepoFacts) -> _Graph:
    graph = _Graph(constants=_string_constants(facts))
    for module in facts.modules():
        for assign in module.assigns:
            if not assign.call or assign.call.rsplit(".", 1)[-1].rstrip("()") \
                    not in _ROUTER_FACTORIES:
                continue
            call = _router_call(module, assign.line)
            if call is None:
                continue
            prefix = call.kwarg("prefix") or call.kwarg("url_prefix") or call.kwarg("path")
            if prefix:
                graph.own_prefix[(module.path, assign.target)] = (
                    graph.text(prefix, module.path), call_ev(facts, module, call))
        for call in module.calls:
            if call.leaf in _INCLUDES and call.args and "." in call.raw:
                if call.leaf == "mount" and len(call.args) >= 2:  # app.mount("/v1", v1_app)
                    child = _resolve_router(facts, module, call.args[1])
                    mounted_at: str | None = call.args[0]
                else:
                    child = _resolve_router(facts, module, call.args[0])
                    mounted_at = call.kwarg("prefix") or call.kwarg("url_prefix") or \
                        call.kwarg("path")
                parent = (module.path, call.raw.rsplit(".", 1)[0])
                graph.parents.setdefault(child, []).append(
                    _Edge(parent, graph.text(mounted_at or '""', module.path),
                          call_ev(facts, module, call)))
        if module.path.endswith("urls.py"):
            _django_edges(facts, module, graph)
    return graph


def _pattern_lists(module: ModuleFacts) -> list[tuple[int, str]]:
    """Module-level assignments in a URLconf, by line (``urlpatterns``, ``api_urls``...)."""
    return [(a.line, a.target) for a in module.assigns if not a.scope]


def django_container(module: ModuleFacts, line: int) -> str:
    """The pattern list a ``path(...)`` at ``line`` belongs to (the closest assignment above)."""
    name = "urlpatterns"
    for assign_line, target in _pattern_lists(module):
        if assign_line <= line:
            name = target
    return name


def _django_edges(facts: RepoFacts, module: ModuleFacts, graph: _Graph) -> None:
    for call in module.calls:
        if call.leaf not in ("path", "re_path", "url") or len(call.args) < 2 or \
                not call.args[1].startswith("include("):
            continue
        inner = call.args[1][len("include("):].rstrip(")").split(",")[0].strip().strip("([")
        if inner[:1] in ("\"", "'"):
            target = _module_for(facts, inner.strip("\"'"))
            child: Node = (target, "urlpatterns") if target else ("", inner)
        else:
            child = (module.path, inner)
        parent = (module.path, django_container(module, call.line))
        graph.parents.setdefault(child, []).append(
            _Edge(parent, graph.text(call.args[0], module.path), call_ev(facts, module, call)))


def _node_of(facts: RepoFacts, route: Route) -> Node:
    if route.framework == "django" and not route.receiver:
        module = facts.module(route.file)
        return route.file, django_container(module, route.line) if module else "urlpatterns"
    return route.file, route.receiver


def _is_api_route(facts: RepoFacts, graph: _Graph, route: Route) -> bool:
    if is_health_route(route) or _INFRA_ROUTE.search(route.path):
        return False
    if route.path.strip("/") == "" and not graph.reaches(_node_of(facts, route), _NON_EMPTY):
        return False  # the site root, not an API resource
    if route.framework in _JSON_FRAMEWORKS:
        return True
    if _API_SEGMENT.search(route.path) or graph.reaches(_node_of(facts, route), _API_SEGMENT):
        return True
    return bool(_JSON_BODY.search(handler_source(facts, route)))


@practice(
    "net.api-versioning", "Versioning and deprecation", priority="M", effort="L", applies="API",
    sources=("S1", "FOW stab"),
    aliases=("api versioning", "versioning", "deprecation", "api version"),
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
    graph = _build_graph(facts)
    api_routes = [r for r in facts.routes() if _is_api_route(facts, graph, r)]
    versioned: list[Evidence] = []
    unversioned: list[Evidence] = []
    versions: set[str] = set()
    for route in api_routes:
        match = _VERSION.search(route.path)
        where = facts.evidence(route.file, route.line) if match else \
            graph.reaches(_node_of(facts, route), _VERSION)
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
        anchor = app_anchor(facts)
        return missing("No versioned API routes were found (looked for /v1-style prefixes in "
                       "routes, routers, blueprints, URLconfs and DRF versioning).",
                       context=[anchor] if anchor else [])
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

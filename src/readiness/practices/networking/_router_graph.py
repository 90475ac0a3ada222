"""Routers and how they are mounted, to find the prefixes applied to each route.

APIRouter/Blueprint prefixes, ``include_router``/``register_blueprint``/
``mount`` and Django ``include()``, with settings constants resolved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from readiness.facts import RepoFacts
from readiness.facts.python.records import Call, ModuleFacts
from readiness.facts.python.routes import Route
from readiness.model import Evidence
from readiness.practices.helpers import call_ev

_ROUTER_FACTORIES = ("APIRouter", "Blueprint", "APIBlueprint", "Router", "Namespace")
_INCLUDES = ("include_router", "register_blueprint", "add_namespace", "register", "mount")

Node = tuple[str, str]  # (module path, router variable or Django pattern list)


@dataclass
class _Edge:
    parent: Node
    prefix: str
    evidence: Evidence


@dataclass
class RouterGraph:
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


def build_graph(facts: RepoFacts) -> RouterGraph:
    """Routers, their own prefixes and where each is mounted, over the whole repository."""
    graph = RouterGraph(constants=_string_constants(facts))
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


def _django_edges(facts: RepoFacts, module: ModuleFacts, graph: RouterGraph) -> None:
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


def node_of(facts: RepoFacts, route: Route) -> Node:
    """The router node a route belongs to (module, router variable or Django pattern list)."""
    if route.framework == "django" and not route.receiver:
        module = facts.module(route.file)
        return route.file, django_container(module, route.line) if module else "urlpatterns"
    return route.file, route.receiver

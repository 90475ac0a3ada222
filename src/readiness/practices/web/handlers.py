"""The code that serves a route: a function or a view class, possibly in another module.

Handlers are resolved through imports (Django URLconfs, ``view_func=views.x``).
"""

from __future__ import annotations

from dataclasses import dataclass

from readiness.facts import RepoFacts
from readiness.facts.python.records import ClassDef, Function, ModuleFacts
from readiness.facts.python.routes import Route
from readiness.practices.helpers import definition_source


@dataclass(frozen=True)
class Handler:
    """The code that serves a route: a function, a class-based view, or both
    (a method of a view class)."""

    module: ModuleFacts
    function: Function | None
    cls: ClassDef | None


def _module_index(facts: RepoFacts) -> dict[str, list[tuple[str, str]]]:
    """Dotted module names of the tree, indexed by their last component."""
    index: dict[str, list[tuple[str, str]]] = {}
    for path in facts.python:
        dotted = path.removesuffix(".py").replace("/", ".").removesuffix(".__init__")
        index.setdefault(dotted.rsplit(".", 1)[-1], []).append((dotted, path))
    return index


def module_path(facts: RepoFacts, dotted: str, from_path: str = "") -> str | None:
    """The file of a dotted module name (absolute, or relative to ``from_path``).

    Absolute names match by suffix, since a package root (``src/``, ``backend/``)
    is not part of the import name."""
    if dotted.startswith("."):
        level = len(dotted) - len(dotted.lstrip("."))
        base = from_path.split("/")[:-1]
        base = base[:len(base) - (level - 1)] if level > 1 else base
        rest = dotted.lstrip(".")
        dotted = ".".join([*base, *([rest] if rest else [])])
        exact = True
    else:
        exact = False
    index = facts.memo("web.module_index", lambda: _module_index(facts))
    best: str | None = None
    for candidate, path in index.get(dotted.rsplit(".", 1)[-1], []):
        if candidate == dotted:
            return path
        if not exact and candidate.endswith("." + dotted):
            best = best or path
    return best


def _definition(facts: RepoFacts, module: ModuleFacts, name: str) -> Handler | None:
    for function in module.functions:
        if function.qualname == name:
            return Handler(module, function, None)
    for cls in module.classes:
        if cls.qualname == name:
            return Handler(module, None, cls)
    return None


def resolve_name(facts: RepoFacts, module: ModuleFacts, expression: str) -> Handler | None:
    """Find the function or class an expression such as ``views.add``,
    ``View.as_view("x")`` or ``hc.front.views.index`` refers to."""
    expression = expression.split("(")[0].strip().removesuffix(".as_view")
    parts = [p for p in expression.split(".") if p]
    if not parts:
        return None
    local = _definition(facts, module, ".".join(parts))
    if local is not None:
        return local
    for imp in module.imports:
        if imp.alias != parts[0]:
            continue
        target = [*imp.qualified.split("."), *parts[1:]] if not imp.qualified.startswith(".") \
            else None
        if target is None:
            dots = imp.module[:len(imp.module) - len(imp.module.lstrip("."))]
            head = imp.module.lstrip(".")
            target_text = dots + ".".join(p for p in (head, imp.name or "", *parts[1:]) if p)
            return _resolve_dotted(facts, target_text, module.path)
        return _resolve_dotted(facts, ".".join(target), module.path)
    return None


def _resolve_dotted(facts: RepoFacts, dotted: str, from_path: str) -> Handler | None:
    dots = dotted[:len(dotted) - len(dotted.lstrip("."))]
    parts = dotted.lstrip(".").split(".")
    for cut in range(len(parts) - 1, 0, -1):
        path = module_path(facts, dots + ".".join(parts[:cut]), from_path)
        if path is None:
            continue
        module = facts.module(path)
        if module is not None:
            found = _definition(facts, module, ".".join(parts[cut:]))
            if found is not None:
                return found
    return None


def resolve_handler(facts: RepoFacts, route: Route) -> Handler | None:
    """The function or view class serving ``route``, possibly in another module."""
    module = facts.module(route.file)
    if module is None:
        return None
    if route.function is not None:
        cls = None
        if route.function.class_name:
            cls = next((c for c in module.classes if c.name == route.function.class_name), None)
        return Handler(module, route.function, cls)
    if not route.handler:
        return None
    return facts.memo(f"web.handler:{route.file}:{route.line}:{route.handler}",
                      lambda: resolve_name(facts, module, route.handler))


def class_methods(handler: Handler) -> list[Function]:
    if handler.cls is None:
        return []
    return [f for f in handler.module.functions if f.class_name == handler.cls.name and
            f.qualname.startswith(handler.cls.qualname + ".")]


def handler_text(facts: RepoFacts, handler: Handler, methods: tuple[str, ...] = ()) -> str:
    """Source of a handler: the function, or the class (only the given HTTP methods
    of a class-based view when ``methods`` is given and the class defines them)."""
    path = handler.module.path
    if handler.function is not None:
        return definition_source(facts, path, handler.function)
    if handler.cls is None:
        return ""
    wanted = [f for f in class_methods(handler) if f.name.upper() in methods]
    if wanted:
        return "\n".join(definition_source(facts, path, f) for f in wanted)
    return definition_source(facts, path, handler.cls)

"""Functions that run when the web application starts, and calls made from them."""

from __future__ import annotations

import re

from readiness.facts import RepoFacts
from readiness.facts.python.records import Call, ModuleFacts
from readiness.practices.data._call_graph import called_within, is_cli_command

_APP_FACTORIES = ("fastapi.FastAPI", "flask.Flask", "starlette.applications.Starlette",
                  "quart.Quart", "litestar.Litestar", "sanic.Sanic", "aiohttp.web.Application")


def _startup_functions(facts: RepoFacts) -> set[tuple[str, str]]:
    """(path, qualname) of functions that run when the web application starts: lifespans,
    startup handlers, app factories, and the functions they call (two hops)."""
    return facts.memo("data.startup_functions", lambda: _build_startup(facts))


def _build_startup(facts: RepoFacts) -> set[tuple[str, str]]:
    roots: set[tuple[str, str]] = set()
    hook_names: set[str] = set()
    for _module, call in facts.calls(*_APP_FACTORIES):
        for key in ("lifespan", "on_startup"):
            value = call.kwarg(key)
            if value:
                hook_names.update(re.findall(r"[A-Za-z_]\w*", value))
    for _module, call in facts.calls("*.add_event_handler"):
        if call.args and "startup" in call.args[0] and len(call.args) > 1:
            hook_names.add(call.args[1].split(".")[-1])
    for module, function in facts.functions():
        for decorator in function.decorators:
            args = " ".join(decorator.args)
            if (decorator.raw.endswith("on_event") and "startup" in args) or \
                    decorator.raw.endswith(("before_first_request", "before_serving",
                                            "on_startup")):
                roots.add((module.path, function.qualname))
        if function.name in hook_names or function.name in ("lifespan", "create_app",
                                                              "startup", "on_startup"):
            roots.add((module.path, function.qualname))
    found = set(roots)
    frontier = set(roots)
    for _ in range(2):
        called: set[str] = set()
        for path, qualname in frontier:
            source = facts.module(path)
            if source is None:
                continue
            for call in source.calls:
                if call.scope == qualname or call.scope.startswith(qualname + "."):
                    called.add(call.leaf)
        frontier = {(m.path, f.qualname) for m, f in facts.functions()
                    if f.name in called and not is_cli_command(f)} - found
        found |= frontier
    return found


def _creates_app_at_module_level(module: ModuleFacts) -> bool:
    return any(c.scope == "" and c.name in _APP_FACTORIES for c in module.calls)


def runs_at_startup(facts: RepoFacts, module: ModuleFacts, call: Call) -> bool:
    """Whether a call runs when the app starts: at the top level of a module that creates
    the app, or inside a startup function."""
    if call.scope == "":
        return _creates_app_at_module_level(module)
    return called_within(call, module.path, _startup_functions(facts))

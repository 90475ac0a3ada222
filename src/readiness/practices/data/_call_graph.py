"""Who runs a piece of code: its enclosing function, its callers, CLI commands."""

from __future__ import annotations

import re

from readiness.facts import RepoFacts
from readiness.facts.python.records import Call, Function

_CLI_DECORATOR = re.compile(r"(^|\.)(command|group|callback)$|^click\.|^typer\.")


def is_cli_command(function: Function) -> bool:
    """Click/Typer/Flask CLI commands run by hand, not on every deploy."""
    return any(_CLI_DECORATOR.search(d.raw) for d in function.decorators)


def enclosing_function(facts: RepoFacts, path: str, scope: str) -> Function | None:
    """The outermost function (or method) holding a call: nested helpers and callbacks
    run when their parent runs, so liveness is judged on the parent."""
    parts = scope.split(".") if scope else []
    for end in range(1, len(parts) + 1):
        function = facts.function_at(path, ".".join(parts[:end]))
        if function is not None:
            return function
    return None


def _production_names(facts: RepoFacts) -> set[str]:
    """Every name production code reads, computed once per RepoFacts."""
    return facts.memo("data.names_used", lambda: facts.names_used())


def is_referenced(facts: RepoFacts, function: Function) -> bool:
    """Whether production code ever reads the function's name (a cheap liveness test:
    code nobody calls is a definition, not use; status rule 2)."""
    names = _production_names(facts)
    if function.name not in names:
        return False
    return function.class_name is None or function.class_name in names


def only_by_hand(facts: RepoFacts, function: Function, depth: int) -> bool:
    """Whether a function is a CLI command, is never called, or is called only from CLI
    commands (following callers ``depth`` levels up)."""
    if is_cli_command(function):
        return True
    inside = (function.qualname, function.qualname + ".")
    called_as = function.class_name if function.name == "__init__" and function.class_name \
        else function.name  # a constructor runs when its class is instantiated
    callers = [(m, c) for m, c in facts.calls(f"*.{called_as.split('.')[-1]}")
               if not (c.scope == inside[0] or c.scope.startswith(inside[1]))]
    if not callers:
        return called_as not in _production_names(facts)
    for module, call in callers:
        caller = enclosing_function(facts, module.path, call.scope)
        if caller is None:
            return False  # called at import time of a module
        if depth <= 0 or not only_by_hand(facts, caller, depth - 1):
            return False
    return True


def called_within(call: Call, path: str, functions: set[tuple[str, str]]) -> bool:
    """Whether ``call``, made in the module at ``path``, sits in one of ``functions``
    (given as (path, qualname)) or in a function nested in one of them."""
    scope = call.scope
    while scope:
        if (path, scope) in functions:
            return True
        scope = scope.rsplit(".", 1)[0] if "." in scope else ""
    return False

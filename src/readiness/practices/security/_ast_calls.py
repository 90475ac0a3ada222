"""The ``ast`` node of a recorded call, with the function that contains it."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from readiness.facts import RepoFacts
from readiness.facts.python.records import Call, ModuleFacts


def _module_tree(facts: RepoFacts, path: str) -> ast.Module | None:
    """The ``ast`` of a module holding a sink (see ``RepoFacts.syntax_tree``)."""
    return facts.syntax_tree(path)


@dataclass(frozen=True)
class Located:
    """An ``ast`` call node with the innermost function that contains it."""

    node: ast.Call
    function: ast.FunctionDef | ast.AsyncFunctionDef | None
    tree: ast.Module


def call_leaf(node: ast.Call) -> str:
    """The last name of the called function (``x.y.z()`` -> ``z``)."""
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def locate(facts: RepoFacts, module: ModuleFacts, call: Call) -> Located | None:
    """The ``ast`` node of a recorded call (same line and callee), or None."""
    tree = _module_tree(facts, module.path)
    if tree is None:
        return None
    index = facts.memo(f"security_code.calls:{module.path}", lambda: _index_calls(tree))
    leaf = call.raw.rsplit(".", 1)[-1] or call.leaf
    candidates = [(n, f) for n, f in index.get(call.line, []) if call_leaf(n) == leaf]
    if not candidates:
        return None
    exact = [(n, f) for n, f in candidates if getattr(n, "end_lineno", None) == call.end_line]
    node, function = (exact or candidates)[0]
    return Located(node, function, tree)


def _index_calls(tree: ast.Module) -> dict[int, list[tuple[ast.Call, ast.FunctionDef |
                                                            ast.AsyncFunctionDef | None]]]:
    index: dict[int, list[tuple[ast.Call, ast.FunctionDef | ast.AsyncFunctionDef | None]]] = {}

    def visit(node: ast.AST, function: ast.FunctionDef | ast.AsyncFunctionDef | None) -> None:
        for child in ast.iter_child_nodes(node):
            inner = child if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) \
                else function
            if isinstance(child, ast.Call):
                index.setdefault(child.lineno, []).append((child, function))
            visit(child, inner)

    visit(tree, None)
    return index

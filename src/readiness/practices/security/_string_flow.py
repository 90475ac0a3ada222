"""How a string reaching a sink was built, and whether its variable parts are constant."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field


def _assignments(scope: ast.AST, name: str) -> list[ast.expr]:
    """Values assigned to ``name`` directly in ``scope`` (a function or the module body),
    including ``name += ...``; nested functions and classes are not searched."""
    values: list[ast.expr] = []
    stack = list(ast.iter_child_nodes(scope))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Assign):
            if any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
                values.append(node.value)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and \
                isinstance(node.target, ast.Name) and node.target.id == name and node.value:
            values.append(node.value)
        stack.extend(ast.iter_child_nodes(node))
    return values


def _loop_constants(scope: ast.AST) -> set[str]:
    """Loop variables that iterate over a literal collection or an UPPER_CASE constant."""
    names: set[str] = set()
    for node in ast.walk(scope):
        if isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            iterable = node.iter
            literal = isinstance(iterable, (ast.Tuple, ast.List, ast.Set)) and all(
                isinstance(e, ast.Constant) for e in iterable.elts)
            if literal or _is_upper_name(iterable):
                names |= {t.id for t in ast.walk(node.target) if isinstance(t, ast.Name)}
    return names


UPPER_NAME = re.compile(r"_*[A-Z][A-Z0-9_]*")


def _is_upper_name(node: ast.AST) -> bool:
    if isinstance(node, ast.Name):
        return bool(UPPER_NAME.fullmatch(node.id))
    if isinstance(node, ast.Attribute):
        return bool(UPPER_NAME.fullmatch(node.attr))
    return False


_PLACEHOLDER = re.compile(r"""['"](\?|%s|:\w+|\$\d+)['"]""")


@dataclass
class BuiltString:
    """How a string reaching an SQL sink was built."""

    text: str = ""  # the literal fragments, joined
    interpolated: list[ast.expr] = field(default_factory=list)  # expressions formatted in
    formatted: bool = False

    def parts(self) -> list[ast.expr]:
        return self.interpolated


def trace_string(node: ast.expr, scope: ast.AST, depth: int = 0) -> BuiltString:
    """Literal text and interpolated expressions of a string expression (names resolved
    through assignments in the same function, three levels deep)."""
    result = BuiltString()
    if depth > 3:
        return result
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        result.text = node.value
    elif isinstance(node, ast.JoinedStr):
        for value in node.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                result.text += value.value
            elif isinstance(value, ast.FormattedValue):
                result.parts().append(value.value)
                result.formatted = True
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        for side in (node.left, node.right):
            _merge(result, _operand(side, scope, depth))
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and \
            isinstance(node.left, (ast.Constant, ast.JoinedStr)):
        _merge(result, trace_string(node.left, scope, depth + 1))
        right = node.right
        values = right.elts if isinstance(right, ast.Tuple) else \
            [v for v in right.values if v is not None] if isinstance(right, ast.Dict) else [right]
        result.parts().extend(values)
        result.formatted = True
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
            node.func.attr == "format" and isinstance(node.func.value, (ast.Constant,
                                                                          ast.JoinedStr)):
        _merge(result, trace_string(node.func.value, scope, depth + 1))
        result.parts().extend([*node.args, *(k.value for k in node.keywords)])
        result.formatted = True
    elif isinstance(node, ast.Name):
        for value in _assignments(scope, node.id):
            _merge(result, trace_string(value, scope, depth + 1))
    return result


def _operand(node: ast.expr, scope: ast.AST, depth: int) -> BuiltString:
    """One side of ``+``: strings are followed, anything else is an interpolated value."""
    if isinstance(node, (ast.Constant, ast.JoinedStr, ast.BinOp, ast.Name)) or (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and
            node.func.attr == "format"):
        inner = trace_string(node, scope, depth + 1)
        if isinstance(node, ast.Name) and not inner.text and not inner.formatted:
            return BuiltString(interpolated=[node], formatted=True)
        return inner
    return BuiltString(interpolated=[node], formatted=True)


def _merge(into: BuiltString, other: BuiltString) -> None:
    into.text += other.text
    into.parts().extend(other.parts())
    into.formatted = into.formatted or other.formatted


def _module_constants(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(node, ast.Assign):
            targets, value = list(node.targets), node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        if value is not None and _literal_value(value):
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def _literal_value(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return all(_literal_value(e) for e in node.elts)
    return False


def constant_expr(node: ast.expr, scope: ast.AST, tree: ast.Module, depth: int = 0) -> bool:
    """True when an interpolated expression cannot carry outside input: literals, module
    constants, loop variables over literals, numbers, and placeholder lists
    (``",".join("?" * len(ids))``)."""
    if depth > 3:
        return False
    if isinstance(node, ast.Constant) or _is_upper_name(node):
        return True
    if isinstance(node, ast.Attribute) and node.attr in ("__tablename__", "db_table"):
        return True
    if isinstance(node, ast.Name):
        if node.id in _module_constants(tree) or node.id in _loop_constants(scope):
            return True
        values = _assignments(scope, node.id)
        return bool(values) and all(constant_expr(v, scope, tree, depth + 1) for v in values)
    if isinstance(node, ast.Call):
        callee = node.func
        if isinstance(callee, ast.Name) and callee.id in ("int", "float", "len", "bool"):
            return True
        if isinstance(callee, ast.Attribute) and callee.attr == "join" and \
                _PLACEHOLDER.search(ast.unparse(node)):
            return True
    if isinstance(node, (ast.JoinedStr, ast.BinOp)):
        built = trace_string(node, scope)
        return all(constant_expr(p, scope, tree, depth + 1) for p in built.parts())
    return False

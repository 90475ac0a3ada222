"""Access-token lifetimes over a day, from arithmetic or ``timedelta(...)`` text.

The expression is parsed with ``ast``, never executed.
"""

from __future__ import annotations

import ast
import re

from readiness.facts import RepoFacts
from readiness.model import Evidence
from readiness.practices.helpers import call_ev, dedupe
from readiness.practices.security._evidence import PY

_TTL_NAME = re.compile(r"(?i)^(?!.*(refresh|reset|email|verif|invite|activation|password|"
                       r"remember|session|cache))[\w]*((token|jwt|access)\w*"
                       r"(expire|expiry|expires|expiration|lifetime|ttl|max_age|age))\w*$")
_UNIT = (("WEEK", 604800.0), ("DAY", 86400.0), ("HOUR", 3600.0), ("MIN", 60.0),
         ("SEC", 1.0))
_DAY = 86400.0


def _seconds(text: str, name: str = "") -> float | None:
    """Evaluate a TTL written as arithmetic on literals or ``timedelta(...)``.

    Only numbers, + - * / and timedelta keyword arguments are understood; the
    expression is parsed, never executed."""
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError):
        return None
    value = _arith(node)
    if value is None:
        return None
    if isinstance(node, ast.Call):
        return value  # timedelta: already seconds
    factor = next((f for unit, f in _UNIT if unit in name.upper()), 1.0)
    return value * factor


def _arith(node: ast.expr) -> float | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and \
            not isinstance(node.value, bool):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _arith(node.operand)
        return -inner if inner is not None else None
    if isinstance(node, ast.BinOp):
        left, right = _arith(node.left), _arith(node.right)
        if left is None or right is None:
            return None
        if isinstance(node.op, ast.Mult):
            return left * right
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Div | ast.FloorDiv) and right:
            return left / right
        return None
    if isinstance(node, ast.Call) and _callee(node.func).endswith("timedelta"):
        total = 0.0
        units = {"weeks": 604800.0, "days": _DAY, "hours": 3600.0, "minutes": 60.0,
                 "seconds": 1.0}
        for index, arg in enumerate(node.args[:3]):
            value = _arith(arg)
            if value is None:
                return None
            total += value * (_DAY, 1.0, 1e-6)[index]
        for keyword in node.keywords:
            value = _arith(keyword.value)
            if value is None or keyword.arg not in units:
                return None
            total += value * units[keyword.arg]
        return total
    return None


def _callee(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_callee(node.value)}.{node.attr}"
    return ""


def long_ttls(facts: RepoFacts) -> list[Evidence]:
    """Access-token lifetimes over 24 hours: settings, framework options, token factories."""
    out = []
    for module, assign in facts.assigns(_TTL_NAME):
        seconds = _seconds(assign.value, assign.target)
        if seconds is not None and seconds > _DAY:
            out.append(facts.evidence(module.path, assign.line,
                                      note=f"access token lifetime {seconds / 3600:g} h > 24 h"))
    for hit in facts.grep(r"[\"']?(ACCESS_TOKEN_LIFETIME|JWT_ACCESS_TOKEN_EXPIRES)[\"']?\s*"
                          r"[:=]\s*(timedelta\([^)]*\)|[\d*+ ]+)", kinds=PY, limit=5):
        expression = re.split(r"[:=]", hit.match, maxsplit=1)[-1]
        seconds = _seconds(expression, "SECONDS")
        if seconds is not None and seconds > _DAY:
            out.append(facts.evidence(hit.path, hit.line,
                                      note=f"access token lifetime {seconds / 3600:g} h > 24 h"))
    for module, call in facts.calls("*.JWTStrategy", "*.create_access_token"):
        for key in ("lifetime_seconds", "expires_delta"):
            value = call.kwarg(key)
            seconds = _seconds(value, "SECONDS") if value else None
            if value and value.strip() == "False":
                out.append(call_ev(facts, module, call, note="token never expires"))
            elif seconds is not None and seconds > _DAY:
                out.append(call_ev(facts, module, call, note="access token lifetime > 24 h"))
    return dedupe(out)

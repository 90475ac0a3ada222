"""sec.sql-injection: SQL is constant text with bound parameters, never formatted."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from readiness.facts import RepoFacts
from readiness.facts.python.records import Call, ModuleFacts
from readiness.model import AntiPatternHit, Evidence, Severity
from readiness.practices.helpers import call_ev, dedupe, with_note
from readiness.practices.registry import Outcome, anti, implemented, missing, na, practice
from readiness.practices.security._ast_calls import call_leaf, locate
from readiness.practices.security._string_flow import constant_expr, trace_string

# Statements that take bound parameters (what bandit B608 looks for). PRAGMA and DDL
# cannot bind values at all, so formatting them is not, by itself, a missed parameter.
_SQL_TEXT = re.compile(
    r"(?is)\bselect\b.+\bfrom\b|\binsert\s+(or\s+\w+\s+)?into\b|\bupdate\b.+\bset\b|"
    r"\bdelete\s+from\b|\bwhere\b.+[=<>]|\bvalues\s*\(")
_SQL_SINKS = ("*.execute", "*.executemany", "*.executescript", "*.exec_driver_sql", "*.mogrify",
              "*.read_sql", "*.read_sql_query", "*.raw", "*.extra", "*.RawSQL", "*.text",
              "*.execute_sql", "*.fetch", "*.fetchrow", "*.fetchval")
_SQL_KEYWORDS = ("sql", "statement", "query", "stmt", "operation", "sql_query", "where",
                 "select", "clause")
_ORM_BUILDERS = ("sqlalchemy.select", "sqlalchemy.insert", "sqlalchemy.update",
                 "sqlalchemy.delete", "sqlalchemy.future.select", "sqlalchemy.sql.select",
                 "sqlmodel.select", "*.session.query", "*.objects.filter", "*.objects.get",
                 "*.objects.exclude", "*.objects.create", "*.objects.get_or_create",
                 "*.objects.update_or_create", "*.objects.all", "*.filter_by", "*.db.select",
                 "*.query.filter", "*.query.filter_by", "*.query.get")


def _is_sql_sink(call: Call) -> bool:
    leaf = call.raw.rsplit(".", 1)[-1]
    if leaf == "text":
        return call.name.startswith(("sqlalchemy", "sqlmodel")) or \
            call.raw in ("text", "sa.text", "db.text", "sqlalchemy.text")
    if leaf == "raw":
        return "objects" in call.name or "Manager" in call.name
    if leaf == "extra":
        return call.has_kwarg("where", "select", "tables")
    if leaf in ("fetch", "fetchrow", "fetchval"):
        return bool(call.args) and bool(re.search(r"(conn|pool|db|database)", call.raw, re.I))
    return bool(call.args) or call.has_kwarg(*_SQL_KEYWORDS)


def _sql_argument(node: ast.Call) -> list[ast.expr]:
    """The expressions holding SQL text in a sink call."""
    if call_leaf(node) == "extra":
        out: list[ast.expr] = []
        for keyword in node.keywords:
            if keyword.arg in ("where", "select", "tables"):
                value = keyword.value
                out.extend(value.elts if isinstance(value, (ast.List, ast.Tuple)) else [value])
                if isinstance(value, ast.Dict):
                    out.extend(v for v in value.values if v is not None)
        return out
    if node.args:
        return [node.args[0]]
    return [k.value for k in node.keywords if k.arg in _SQL_KEYWORDS]


@dataclass(frozen=True)
class _SqlVerdict:
    kind: str  # "dynamic" | "constants" | "bound" | "constant" | "other"
    detail: str = ""


def _sql_verdict(facts: RepoFacts, module: ModuleFacts, call: Call) -> _SqlVerdict:
    located = locate(facts, module, call)
    if located is None:
        return _sql_verdict_from_kinds(call)
    scope: ast.AST = located.function or located.tree
    dynamic: list[str] = []
    constants = False
    for argument in _sql_argument(located.node):
        built = trace_string(argument, scope)
        if not built.formatted or not _SQL_TEXT.search(built.text):
            continue
        for part in built.parts():
            if constant_expr(part, scope, located.tree):
                constants = True
            else:
                dynamic.append(ast.unparse(part))
    if dynamic:
        return _SqlVerdict("dynamic", ", ".join(dict.fromkeys(dynamic[:3])))
    if constants:
        return _SqlVerdict("constants")
    has_params = len(located.node.args) >= 2 or any(
        k.arg in ("params", "parameters", "args", "vars", "multiparams") for k in
        located.node.keywords)
    first = call.arg_kinds[0] if call.arg_kinds else ""
    if has_params:
        return _SqlVerdict("bound")
    if first == "str":
        return _SqlVerdict("constant")
    return _SqlVerdict("other")


def _sql_verdict_from_kinds(call: Call) -> _SqlVerdict:
    """Fallback for modules ``ast`` cannot read (the tolerant parser's records only)."""
    first = call.arg_kinds[0] if call.arg_kinds else ""
    text = call.args[0] if call.args else ""
    if first in ("fstring", "percent", "format", "concat") and _SQL_TEXT.search(text):
        return _SqlVerdict("dynamic", text[:60])
    if len(call.args) >= 2:
        return _SqlVerdict("bound")
    return _SqlVerdict("constant" if first == "str" else "other")


def _orm_evidence(facts: RepoFacts) -> list[Evidence]:
    found = [call_ev(facts, m, c, note="ORM query builder")
             for m, c in facts.calls(*_ORM_BUILDERS)
             if not re.fullmatch(r"query\.\w+", c.name)]  # a local dict named query
    return dedupe(found)


@practice(
    "sec.sql-injection", "Parameterized SQL", priority="C", effort="L", applies="SQL",
    sources=("S1", "T10 A03", "ASVS V1"), statuses="implemented missing na",
    aliases=("sql injection", "parameterized queries", "parametrized queries",
             "prepared statements", "injection"),
    recommendation="Build queries with the ORM or pass values as bound parameters "
                   "(`execute(\"... WHERE id = ?\", (id,))`, `text(\"... :id\")` with params); "
                   "never format values into SQL text.",
)
def check_sql_injection(facts: RepoFacts) -> Outcome:
    """SQL reaches the database as constant text with bound parameters, never formatted.

    Why it matters:
        A value formatted into SQL text (f-string, `%`, `.format`, `+`) lets whoever
        controls the value rewrite the query: read other users' rows, bypass a login,
        drop a table. It is the oldest injection and still in the OWASP Top 10.

    What counts as evidence:
        ORM query builders (SQLAlchemy/SQLModel `select()`, `session.query`, Django
        querysets) and raw statements (`execute`, `executemany`, `executescript`,
        `text()`, `.raw()`, `.extra()`, `read_sql`) whose SQL is constant text, with
        values passed as bound parameters. Strings built in the same function are
        followed back to their assignments.

    What makes it partial:
        Nothing: this row has no partial. SQL formatted with a value that could come
        from outside (bandit B608) forces missing. SQL formatted only with module
        constants, loop variables over literals or placeholder lists (`",".join("?" *
        n)`) is reported for review (bandit flags it too) without changing the status.
        When the production code sends no SQL statement at all the row is not
        applicable.

    How to satisfy:
        Keep SQL text constant and pass values separately:
        `cur.execute("SELECT * FROM t WHERE id = %s", (user_id,))`, or
        `session.execute(text("... WHERE id = :id"), {"id": user_id})`, or the ORM.
        Table or column names that must vary come from an allowlist.
    """
    antis: list[AntiPatternHit] = []
    bound: list[Evidence] = []
    constant: list[Evidence] = []
    for module, call in facts.calls(*_SQL_SINKS):
        if not _is_sql_sink(call):
            continue
        verdict = _sql_verdict(facts, module, call)
        ev = call_ev(facts, module, call)
        if verdict.kind == "dynamic":
            antis.append(anti(f"SQL text formatted with {verdict.detail} (bandit B608): bind "
                              "the value as a parameter", ev, Severity.FORCE_MISSING))
        elif verdict.kind == "constants":
            antis.append(anti("SQL formatted only with constants (module constants, literal "
                              "loop values or placeholders); bandit B608 flags it, it is safe "
                              "while they stay constant", ev, Severity.REVIEW))
            constant.append(with_note(ev, "SQL formatted from constants only"))
        elif verdict.kind == "bound":
            bound.append(with_note(ev, "bound parameters"))
        elif verdict.kind == "constant":
            constant.append(with_note(ev, "constant SQL text"))
    orm = _orm_evidence(facts)
    evidence = [*orm[:3], *bound[:3], *constant[:2]]
    if not evidence and not antis:
        return na("The production code sends no SQL statement (no ORM query, no execute/"
                  "text/raw call) to judge.")
    forced = sum(1 for a in antis if a.severity == Severity.FORCE_MISSING.value)
    if forced:
        return missing(f"{forced} SQL statement(s) are built by formatting values into the SQL "
                       "text.", antis)
    parts = []
    if orm:
        parts.append(f"{len(orm)} ORM query builder call(s)")
    if bound:
        parts.append(f"{len(bound)} statement(s) with bound parameters")
    if constant:
        parts.append(f"{len(constant)} statement(s) with constant SQL text")
    return implemented("Queries are parameterized: " + ", ".join(parts) + "; no SQL text is "
                       "formatted with values.", evidence, antis)

"""Code-level security practices: injection, deserialisation, secrets, CORS, debug
configuration, outbound TLS verification and security scanning in CI.

Most of these rows are "absence of a dangerous pattern" rules. A rule of that kind
still needs positive evidence before it may say ``implemented`` (status rule 2): it
cites what the code does instead (bound SQL parameters, safe loaders, secrets read
from the environment, outbound calls with default verification...). When the
subject of a row does not exist at all in a repository (no SQL statement, nothing
parsed, no secret read or written), the rule says ``na`` and explains why, rather
than claiming a control nobody needed.

Where a value must be understood (what is interpolated into an SQL string, what a
``pickle.load`` reads), the rules look at the ``ast`` of the module, parsed from the
text the facts hold; nothing is imported or evaluated.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from readiness.facts import RepoFacts
from readiness.facts.applicability import OUT_LIBS
from readiness.facts.classify import is_ci_config, is_compose
from readiness.facts.dockerfile import Instruction
from readiness.facts.python.records import Assign, Call, Function, ModuleFacts
from readiness.facts.yaml_facts import YList, YMap
from readiness.model import AntiPatternHit, Evidence, Severity
from readiness.practices.helpers import call_ev, dedupe, is_false, is_true
from readiness.practices.registry import (
    Outcome,
    anti,
    implemented,
    missing,
    na,
    partial,
    practice,
    unknown,
)
from readiness.practices.web import app_anchor

# =========================================================================== shared helpers


def _noted(evidence: Evidence, note: str) -> Evidence:
    return Evidence(evidence.path, evidence.line, evidence.snippet, evidence.end_line,
                    evidence.source, note=note)


def _unquote(text: str | None) -> str | None:
    """The value of a plain string literal written in ``text`` (None for anything else)."""
    if text is None:
        return None
    try:
        value = ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    return value if isinstance(value, str) else None


def _module_tree(facts: RepoFacts, path: str) -> ast.Module | None:
    """The ``ast`` of a module holding a sink (see ``RepoFacts.syntax_tree``)."""
    return facts.syntax_tree(path)


@dataclass(frozen=True)
class _Located:
    """An ``ast`` call node with the innermost function that contains it."""

    node: ast.Call
    function: ast.FunctionDef | ast.AsyncFunctionDef | None
    tree: ast.Module


def _call_leaf(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _locate(facts: RepoFacts, module: ModuleFacts, call: Call) -> _Located | None:
    """The ``ast`` node of a recorded call (same line and callee), or None."""
    tree = _module_tree(facts, module.path)
    if tree is None:
        return None
    index = facts.memo(f"security_code.calls:{module.path}", lambda: _index_calls(tree))
    leaf = call.raw.rsplit(".", 1)[-1] or call.leaf
    candidates = [(n, f) for n, f in index.get(call.line, []) if _call_leaf(n) == leaf]
    if not candidates:
        return None
    exact = [(n, f) for n, f in candidates if getattr(n, "end_lineno", None) == call.end_line]
    node, function = (exact or candidates)[0]
    return _Located(node, function, tree)


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


_UPPER = re.compile(r"_*[A-Z][A-Z0-9_]*")


def _is_upper_name(node: ast.AST) -> bool:
    if isinstance(node, ast.Name):
        return bool(_UPPER.fullmatch(node.id))
    if isinstance(node, ast.Attribute):
        return bool(_UPPER.fullmatch(node.attr))
    return False


def _all_calls(facts: RepoFacts) -> Iterator[tuple[ModuleFacts, Call]]:
    """Every call of the production code (``facts.calls`` needs a name to look up)."""
    for module in facts.modules():
        for call in module.calls:
            yield module, call


def _enclosing_function(facts: RepoFacts, module: ModuleFacts, call: Call) -> Function | None:
    if not call.scope:
        return None
    return facts.function_at(module.path, call.scope)


_CLI_PATH = re.compile(r"(^|/)(cli|commands|management|scripts?|bin|tools|tasks)(/|\.py$)|"
                       r"(^|/)(manage|setup|noxfile|fabfile|tasks)\.py$")


def _operator_only(facts: RepoFacts, module: ModuleFacts, call: Call) -> bool:
    """True when the call runs in an operator's command-line tool, not on a request path."""
    if _CLI_PATH.search(module.path):
        return True
    function = _enclosing_function(facts, module, call)
    if function is None:
        return False
    return any(re.search(r"(^|\.)(command|group|callback)$|^click\.|^typer\.", d.name or d.raw)
               for d in function.decorators)


# ============================================================================ SQL injection

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
_PLACEHOLDER = re.compile(r"""['"](\?|%s|:\w+|\$\d+)['"]""")


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
    if _call_leaf(node) == "extra":
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


@dataclass
class _Built:
    """How a string reaching an SQL sink was built."""

    text: str = ""  # the literal fragments, joined
    interpolated: list[ast.expr] = field(default_factory=list)  # expressions formatted in
    formatted: bool = False

    def parts(self) -> list[ast.expr]:
        return self.interpolated


def _built(node: ast.expr, scope: ast.AST, depth: int = 0) -> _Built:
    """Literal text and interpolated expressions of a string expression (names resolved
    through assignments in the same function, three levels deep)."""
    result = _Built()
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
        _merge(result, _built(node.left, scope, depth + 1))
        right = node.right
        values = right.elts if isinstance(right, ast.Tuple) else \
            [v for v in right.values if v is not None] if isinstance(right, ast.Dict) else [right]
        result.parts().extend(values)
        result.formatted = True
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
            node.func.attr == "format" and isinstance(node.func.value, (ast.Constant,
                                                                          ast.JoinedStr)):
        _merge(result, _built(node.func.value, scope, depth + 1))
        result.parts().extend([*node.args, *(k.value for k in node.keywords)])
        result.formatted = True
    elif isinstance(node, ast.Name):
        for value in _assignments(scope, node.id):
            _merge(result, _built(value, scope, depth + 1))
    return result


def _operand(node: ast.expr, scope: ast.AST, depth: int) -> _Built:
    """One side of ``+``: strings are followed, anything else is an interpolated value."""
    if isinstance(node, (ast.Constant, ast.JoinedStr, ast.BinOp, ast.Name)) or (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and
            node.func.attr == "format"):
        inner = _built(node, scope, depth + 1)
        if isinstance(node, ast.Name) and not inner.text and not inner.formatted:
            return _Built(interpolated=[node], formatted=True)
        return inner
    return _Built(interpolated=[node], formatted=True)


def _merge(into: _Built, other: _Built) -> None:
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


def _constant_expr(node: ast.expr, scope: ast.AST, tree: ast.Module, depth: int = 0) -> bool:
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
        return bool(values) and all(_constant_expr(v, scope, tree, depth + 1) for v in values)
    if isinstance(node, ast.Call):
        callee = node.func
        if isinstance(callee, ast.Name) and callee.id in ("int", "float", "len", "bool"):
            return True
        if isinstance(callee, ast.Attribute) and callee.attr == "join" and \
                _PLACEHOLDER.search(ast.unparse(node)):
            return True
    if isinstance(node, (ast.JoinedStr, ast.BinOp)):
        built = _built(node, scope)
        return all(_constant_expr(p, scope, tree, depth + 1) for p in built.parts())
    return False


@dataclass(frozen=True)
class _SqlVerdict:
    kind: str  # "dynamic" | "constants" | "bound" | "constant" | "other"
    detail: str = ""


def _sql_verdict(facts: RepoFacts, module: ModuleFacts, call: Call) -> _SqlVerdict:
    located = _locate(facts, module, call)
    if located is None:
        return _sql_verdict_from_kinds(call)
    scope: ast.AST = located.function or located.tree
    dynamic: list[str] = []
    constants = False
    for argument in _sql_argument(located.node):
        built = _built(argument, scope)
        if not built.formatted or not _SQL_TEXT.search(built.text):
            continue
        for part in built.parts():
            if _constant_expr(part, scope, located.tree):
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
            constant.append(_noted(ev, "SQL formatted from constants only"))
        elif verdict.kind == "bound":
            bound.append(_noted(ev, "bound parameters"))
        elif verdict.kind == "constant":
            constant.append(_noted(ev, "constant SQL text"))
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


# ================================================================= unsafe deserialization

_PICKLE_LIKE = ("pickle.load", "pickle.loads", "pickle.Unpickler", "cPickle.load",
                "cPickle.loads", "_pickle.load", "_pickle.loads", "dill.load", "dill.loads",
                "cloudpickle.load", "cloudpickle.loads", "joblib.load",
                "sklearn.externals.joblib.load", "torch.load", "pandas.read_pickle",
                "*.read_pickle", "shelve.open", "marshal.load", "marshal.loads",
                "jsonpickle.decode", "numpy.load")
_YAML_LOADS = ("yaml.load", "yaml.load_all", "yaml.unsafe_load", "yaml.unsafe_load_all",
               "yaml.full_load", "yaml.full_load_all")
_SHELL_CALLS = ("os.system", "os.popen", "subprocess.getoutput", "subprocess.getstatusoutput",
                "commands.getoutput", "asyncio.create_subprocess_shell")
_SUBPROCESS = ("subprocess.run", "subprocess.call", "subprocess.check_call",
               "subprocess.check_output", "subprocess.Popen")
_SAFE_PARSERS = ("json.load", "json.loads", "orjson.loads", "ujson.loads", "yaml.safe_load",
                 "yaml.safe_load_all", "ast.literal_eval", "tomllib.load", "tomllib.loads",
                 "tomli.load", "tomli.loads", "*.model_validate", "*.model_validate_json",
                 "*.parse_obj", "*.parse_raw", "skops.io.load", "safetensors.torch.load_file",
                 "safetensors.safe_open", "safetensors.torch.load",
                 "msgpack.unpackb", "msgpack.loads", "jwt.decode", "jose.jwt.decode",
                 "pandas.read_csv", "pandas.read_json", "pandas.read_parquet",
                 "pandas.read_excel", "django.core.signing.loads", "*.get_json",
                 "*.TypeAdapter().validate_python", "*.validate_json", "*.is_valid")
_UNTRUSTED = re.compile(
    r"\b(request|req|flask\.request)\b|\bupload\w*|\.files\b|\bfiles\[|UploadFile|"
    r"file_uploader|\bresponse\.(content|body|text|raw|read)|\bresp\.(content|read)|urlopen|"
    r"\brequests\.|\bhttpx\.|\baiohttp\b|\.recv\w*\(|\bsocket\b|\bwebsocket\b|\bredis\b|"
    r"\bcache\.get|\bbody\b|\bpayload\b|\b(message|msg)\.(body|data|value)|\.get_data\(|"
    r"sys\.stdin|\binput\(|\bcookies?\b|\bheaders\b", re.I)


def _route_functions(facts: RepoFacts) -> dict[tuple[str, str], set[str]]:
    """(file, handler qualname) -> names of the handler's request-bound parameters."""

    def build() -> dict[tuple[str, str], set[str]]:
        out: dict[tuple[str, str], set[str]] = {}
        for route in facts.routes():
            if route.function is None:
                continue
            names = {p.name for p in route.params
                     if p.name not in ("self", "cls") and "Depends(" not in (p.default or "")}
            out[(route.file, route.function.qualname)] = names
        return out

    return facts.memo("security_code.route_functions", build)


def _argument_text(facts: RepoFacts, module: ModuleFacts, call: Call) -> str:
    """The call's arguments, plus the values of names they use in the same function."""
    text = " ".join([*call.args, *(v for _, v in call.kwargs)])
    words = set(re.findall(r"[A-Za-z_]\w*", text))
    resolved = [a.value for a in module.assigns if a.scope == call.scope and a.target in words]
    return " ".join([text, *resolved])


def _untrusted_source(facts: RepoFacts, module: ModuleFacts, call: Call) -> str | None:
    """Why the data reaching this call may come from outside (None when it does not seem to)."""
    text = _argument_text(facts, module, call)
    match = _UNTRUSTED.search(text)
    if match:
        return f"`{match.group(0).strip('.(')}`"
    handler_params = _route_functions(facts).get((module.path, call.scope))
    if handler_params:
        used = handler_params & set(re.findall(r"[A-Za-z_]\w*", text))
        if used:
            return f"request parameter `{sorted(used)[0]}` of a route handler"
    return None


def _is_constant_text(facts: RepoFacts, module: ModuleFacts, call: Call) -> bool:
    """True when the code or command passed to eval/exec/a shell is fixed text (a literal,
    a module constant, or an f-string of constants)."""
    if call.arg_kinds[:1] == ("str",):
        return True
    located = _locate(facts, module, call)
    if located is None or not located.node.args:
        return bool(call.args) and bool(_UPPER.fullmatch(call.args[0].split(".")[-1]))
    scope: ast.AST = located.function or located.tree
    return _constant_expr(located.node.args[0], scope, located.tree)


def _pickle_findings(facts: RepoFacts) -> tuple[list[AntiPatternHit], list[Evidence],
                                                list[Evidence]]:
    """(anti-patterns, safe loads, trusted local artefact loads) for pickle-like loaders."""
    antis: list[AntiPatternHit] = []
    safe: list[Evidence] = []
    local: list[Evidence] = []
    for module, call in facts.calls(*_PICKLE_LIKE):
        ev = call_ev(facts, module, call)
        leaf = call.name.rsplit(".", 1)[-1]
        if call.name == "numpy.load" and not is_true(call.kwarg("allow_pickle")):
            continue
        if call.name == "torch.load" and is_true(call.kwarg("weights_only")):
            safe.append(_noted(ev, "torch.load(weights_only=True)"))
            continue
        source = _untrusted_source(facts, module, call)
        if source:
            antis.append(anti(f"{call.name} on data that may come from outside ({source}): "
                              "unpickling runs arbitrary code (bandit B301)", ev,
                              Severity.FORCE_MISSING))
        elif call.name == "torch.load" and is_false(call.kwarg("weights_only")):
            antis.append(anti("torch.load(weights_only=False) unpickles the whole checkpoint; "
                              "weights_only=True would load the tensors safely", ev))
        elif leaf in ("loads", "Unpickler", "decode"):
            antis.append(anti(f"{call.name} on in-memory bytes of unknown origin; make sure "
                              "they can never come from a client, cache or queue", ev))
        else:
            local.append(_noted(ev, "local artefact loaded by the service itself, "
                                    "not request data"))
    return antis, safe, local


def _yaml_findings(facts: RepoFacts) -> tuple[list[AntiPatternHit], list[Evidence]]:
    antis: list[AntiPatternHit] = []
    safe: list[Evidence] = []
    for module, call in facts.calls(*_YAML_LOADS):
        ev = call_ev(facts, module, call)
        loader = call.kwarg("Loader") or (call.args[1] if len(call.args) > 1 else "")
        leaf = call.name.rsplit(".", 1)[-1]
        if leaf.startswith("full_load") or "FullLoader" in loader:
            antis.append(anti("yaml FullLoader can still build arbitrary Python objects in "
                              "old PyYAML; use yaml.safe_load", ev))
        elif "Safe" in loader or "BaseLoader" in loader:
            safe.append(_noted(ev, "yaml.load with a safe loader"))
        else:
            antis.append(anti(f"{call.name} without SafeLoader constructs arbitrary Python "
                              "objects (bandit B506)", ev, Severity.FORCE_MISSING))
    return antis, safe


def _exec_findings(facts: RepoFacts) -> tuple[list[AntiPatternHit], list[Evidence]]:
    """eval/exec and shell commands: (anti-patterns, safe subprocess calls)."""
    antis: list[AntiPatternHit] = []
    safe: list[Evidence] = []
    for module, call in facts.calls("eval", "exec", "builtins.eval", "builtins.exec"):
        if not call.args or _is_constant_text(facts, module, call):
            continue
        antis.append(_dynamic_code_hit(facts, module, call, f"{call.name}() on built code "
                                                          "(bandit B307/B102)"))
    for module, call in facts.calls(*_SHELL_CALLS, *_SUBPROCESS):
        shell = call.name in _SHELL_CALLS or is_true(call.kwarg("shell"))
        if not shell:
            if call.name in _SUBPROCESS and call.arg_kinds[:1] == ("list",):
                safe.append(call_ev(facts, module, call, note="argument list, no shell"))
            continue
        if not call.args or _is_constant_text(facts, module, call):
            continue
        antis.append(_dynamic_code_hit(facts, module, call, f"shell command built from "
                                                          f"variable data via {call.name} "
                                                          "(bandit B602/B605)"))
    return antis, safe


def _dynamic_code_hit(facts: RepoFacts, module: ModuleFacts, call: Call,
                      what: str) -> AntiPatternHit:
    ev = call_ev(facts, module, call)
    source = _untrusted_source(facts, module, call)
    if source:
        return anti(f"{what} fed by {source}", ev, Severity.FORCE_MISSING)
    if _operator_only(facts, module, call):
        return anti(f"{what} in an operator command-line tool, not on a request path",
                    ev, Severity.REVIEW)
    return anti(f"{what}: any variable part can carry code or shell metacharacters",
                ev, Severity.FORCE_MISSING)


def _pydantic_models(facts: RepoFacts) -> set[str]:
    """Names of classes deriving (transitively, by name) from a pydantic/SQLModel model."""

    def build() -> set[str]:
        models = {"BaseModel", "SQLModel"}
        classes = [(c.name, {b.rsplit(".", 1)[-1] for b in c.bases}) for _, c in facts.classes()]
        changed = True
        while changed:
            changed = False
            for name, bases in classes:
                if name not in models and bases & models:
                    models.add(name)
                    changed = True
        return models - {"BaseModel", "SQLModel"}

    return facts.memo("security_code.pydantic_models", build)


def _typed_bodies(facts: RepoFacts) -> list[Evidence]:
    """Route handlers whose request body is parsed into a pydantic model by the framework."""
    models = _pydantic_models(facts)
    out: list[Evidence] = []
    if not models:
        return out
    for route in facts.routes():
        for param in route.params:
            annotation = param.annotation or ""
            if set(re.findall(r"[A-Za-z_]\w*", annotation)) & models:
                out.append(facts.evidence(route.file, route.function.line if route.function
                                          else route.line,
                                          note="request body parsed as JSON into a pydantic "
                                               "model"))
                break
    return out


def _safe_parsing(facts: RepoFacts) -> list[Evidence]:
    found = [call_ev(facts, m, c, note="safe parser") for m, c in facts.calls(*_SAFE_PARSERS)
             if not (c.name.startswith("skops") and not c.has_kwarg("trusted"))]
    return dedupe([*found, *_typed_bodies(facts)])


@practice(
    "sec.unsafe-deserialization", "No unsafe deserialization/exec", priority="C", effort="L",
    applies="ALL", sources=("T10 A08", "T10 A03", "ASVS V1", "ASVS V15"),
    aliases=("deserialization", "pickle", "unsafe deserialization", "eval", "code injection",
             "command injection", "yaml.load"),
    recommendation="Parse external data with json/pydantic or `yaml.safe_load`; never "
                   "unpickle (pickle/joblib/torch.load) bytes from requests, uploads or "
                   "remote stores; use `torch.load(weights_only=True)` or safetensors/skops; "
                   "no eval/exec/shell on variable data.",
)
def check_unsafe_deserialization(facts: RepoFacts) -> Outcome:
    """External data is parsed with safe loaders; nothing unpickles or executes it.

    Why it matters:
        Unpickling (pickle, joblib, torch.load, dill) and `yaml.load` without a safe
        loader run code chosen by whoever wrote the bytes; `eval`, `exec` and shell
        commands built from variable data do the same. One such call on request
        data is remote code execution.

    What counts as evidence:
        Safe parsers on the data the service handles: json/orjson, pydantic
        validation (request bodies typed with models), `yaml.safe_load`,
        `ast.literal_eval`, `jwt.decode`, skops with `trusted=`, safetensors,
        `torch.load(weights_only=True)`, subprocess with argument lists. A model
        artefact the service loads from its own disk (joblib/pickle of a local path)
        is cited as a trusted local load, not as a problem.

    What makes it partial:
        `torch.load(weights_only=False)` on a local checkpoint, yaml FullLoader, and
        `pickle.loads` on in-memory bytes of unknown origin cap the status. Pickle-like
        loads of request, upload or remote bytes, `yaml.load` without SafeLoader, and
        eval/exec/`shell=True`/`os.system` on variable data force missing (in an
        operator-only CLI command they are reported for review).

    How to satisfy:
        Accept JSON validated by pydantic; load models with
        `torch.load(path, weights_only=True)`, safetensors or skops; use
        `yaml.safe_load`; run subprocesses with an argument list and no shell.
    """
    pickle_antis, safe_loads, local = _pickle_findings(facts)
    yaml_antis, safe_yaml = _yaml_findings(facts)
    exec_antis, argument_lists = _exec_findings(facts)
    antis = [*pickle_antis, *yaml_antis, *exec_antis]
    safe = dedupe([*safe_loads, *safe_yaml, *_safe_parsing(facts)])
    evidence = [*safe[:4], *local[:3], *argument_lists[:2]]
    forced = [a for a in antis if a.severity == Severity.FORCE_MISSING.value]
    if forced:
        return missing(f"{len(forced)} call(s) deserialise or execute data that may come from "
                       "outside.", antis)
    capped = [a for a in antis if a.severity == Severity.CAP.value]
    if not evidence and not capped:
        reviewed = [a.evidence for a in antis]
        if reviewed:
            return implemented("Nothing deserialises request data; the only dynamic code runs "
                               "in operator tools (listed for review).", reviewed[:5], antis)
        return na("The production code neither parses external data nor unpickles, "
                  "evaluates or shells out, so there is nothing to protect.")
    if capped:
        return partial(f"No request data is deserialised unsafely, but {len(capped)} load(s) "
                       "use an unsafe mode where a safe one exists.",
                       [*(a.evidence for a in capped[:4]), *evidence], antis)
    what = []
    if safe:
        what.append(f"{len(safe)} safe parsing site(s)")
    if local:
        what.append(f"{len(local)} load(s) of the service's own local artefacts")
    if argument_lists:
        what.append(f"{len(argument_lists)} subprocess call(s) without a shell")
    return implemented("Data is parsed with safe loaders and nothing deserialises request "
                       "bytes: " + ", ".join(what) + ".", evidence, antis)


# ======================================================================= hardcoded secrets

_SECRET_WORDS = re.compile(
    r"(^|_)(secret|secret_key|password|passwd|pwd|pass|passphrase|token|access_token|"
    r"auth_token|api_key|apikey|access_key|secret_access_key|private_key|client_secret|"
    r"auth_key|signing_key|encryption_key|master_key|credentials?)$")
_NOT_SECRET_VALUES = frozenset({"bearer", "basic", "jwt", "token", "password", "secret",
                                "none", "null", "true", "false", "required", "changeme_not_set"})
_KNOWN_TOKEN = re.compile(
    r"(?<![\w\-])(AKIA[0-9A-Z]{16}|ASIA[0-9A-Z]{16}|ghp_[A-Za-z0-9]{36}|github_pat_\w{22,}|"
    r"gho_[A-Za-z0-9]{36}|glpat-[A-Za-z0-9_\-]{20}|xox[abprs]-[A-Za-z0-9\-]{10,}|"
    r"sk-(proj-|ant-)?[A-Za-z0-9_\-]{20,}|sk_live_[A-Za-z0-9]{16,}|rk_live_[A-Za-z0-9]{16,}|"
    r"AIza[0-9A-Za-z_\-]{35}|-----BEGIN ([A-Z]+ )*PRIVATE KEY( BLOCK)?-----|"
    r"SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43})")
_TEMPLATED = re.compile(r"\$\{|\{\{|\$\(|%\(|^\$[A-Za-z_]|<[^>]+>|\{[A-Za-z_]\w*\}")
_SETTINGS_CLASS = re.compile(r"(?i)(settings|config|configuration|conf|env|environment)$")
_DEV_PATH = re.compile(r"(?i)(^|[/_.\-])(dev|development|local|test|testing|debug|example|"
                       r"sample|demo|ci)([/_.\-]|$)")
_DEV_CLASS = re.compile(r"^(Dev|Development|Local|Test|Testing|Debug|Ci)[A-Z_]|"
                        r"(Dev|Development|Local|Test|Testing|Debug)(Config|Settings)?$")
_EXAMPLE_FILE = re.compile(r"(?i)(example|sample|template|dist|tpl|default|skel|stub)")
_DSN = re.compile(r"\b([a-z][a-z0-9+.\-]*)://([^\s:/@'\"]+):([^\s@'\"/]+)@[\w.\-\[\]]+")
_ENV_LINE = re.compile(r"^\s*(export\s+)?([A-Za-z_][A-Za-z0-9_.\-]*)\s*[=:]\s*(.*?)\s*$")
_PASSWORD_SETTERS = re.compile(r"(?i)^(hash_password|get_password_hash|set_password|"
                               r"make_password|generate_password_hash|encrypt_password|"
                               r"hashpw)$")
_SECRET_STORES = ("hvac", "boto3", "google.cloud.secretmanager", "azure.keyvault",
                  "infisical", "doppler_sdk", "keyring")


def _dev_context(path: str, class_name: str | None = None) -> bool:
    """Development/test settings: a dev-named file or directory, or a Dev*/Test* class."""
    return bool(_DEV_PATH.search(path)) or bool(class_name and _DEV_CLASS.search(class_name))


def _snake(name: str) -> str:
    name = name.rsplit(".", 1)[-1].strip("'\"[] ")
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).replace("-", "_").lower()


def _secret_name(name: str) -> bool:
    return bool(_SECRET_WORDS.search(_snake(name)))


def _secret_value(value: str, name: str = "") -> bool:
    """True when a literal looks like a real secret value (not empty, prose, a template,
    a URL, an environment variable's name or a descriptor such as "bearer")."""
    text = value.strip().strip("'\"")
    if len(text) < 3 or _TEMPLATED.search(text) or text.count(" ") >= 3:
        return False
    if text.lower() in _NOT_SECRET_VALUES or text.lower() == _snake(name):
        return False
    if text.startswith(("/", "http://", "https://")) or "://" in text:
        return False
    if re.fullmatch(r"(?i)x-[a-z0-9\-]+|authorization", text):
        return False  # a header name such as "X-API-Key"
    return not re.fullmatch(r"[A-Z][A-Z0-9_]{3,}", text)


def _fallback_literal(text: str) -> str | None:
    """``${VAR:-literal}`` / ``${VAR-literal}`` -> the literal (None if there is none)."""
    match = re.search(r"\$\{\s*\w+\s*:?-([^}]*)\}", text)
    return match.group(1).strip() if match and match.group(1).strip() else None


@dataclass
class _SecretScan:
    forced: list[AntiPatternHit]
    capped: list[AntiPatternHit]
    good: list[Evidence]
    review: list[AntiPatternHit]

    def force(self, message: str, ev: Evidence) -> None:
        self.forced.append(anti(message, ev, Severity.FORCE_MISSING))

    def cap(self, message: str, ev: Evidence) -> None:
        self.capped.append(anti(message, ev))


def _class_kinds(facts: RepoFacts) -> dict[tuple[str, str], tuple[str, ...]]:
    def build() -> dict[tuple[str, str], tuple[str, ...]]:
        return {(m.path, c.name): c.bases for m, c in facts.classes()}

    return facts.memo("security_code.class_bases", build)


def _settings_class(facts: RepoFacts, path: str, class_name: str) -> bool:
    bases = _class_kinds(facts).get((path, class_name), ())
    return bool(_SETTINGS_CLASS.search(class_name)) or any("Settings" in b for b in bases)


def _env_settings_class(facts: RepoFacts, path: str, class_name: str) -> bool:
    """A pydantic-settings style class: its fields are read from the environment."""
    return any(re.search(r"BaseSettings$|Settings$", b)
               for b in _class_kinds(facts).get((path, class_name), ()))


def _enum_class(facts: RepoFacts, path: str, class_name: str) -> bool:
    bases = _class_kinds(facts).get((path, class_name), ())
    return any(re.search(r"(^|\.)\w*Enum$|^enum\.", b) for b in bases)


def _scan_python_literals(facts: RepoFacts, scan: _SecretScan) -> None:
    for module, assign in facts.assigns(re.compile(r".+")):
        if not _secret_name(assign.target):
            continue
        if assign.class_name and _enum_class(facts, module.path, assign.class_name):
            continue
        if assign.value_kind == "str":
            _judge_literal_assign(facts, module, assign, scan)
        elif assign.class_name and not assign.value and assign.annotation:
            if _env_settings_class(facts, module.path, assign.class_name):
                scan.good.append(facts.evidence(module.path, assign.line,
                                                note="secret field read from the environment "
                                                     "by the settings class"))
        elif assign.value_kind == "other":
            _judge_or_fallback(facts, module, assign, scan)
        if assign.annotation and "SecretStr" in assign.annotation:
            scan.good.append(facts.evidence(module.path, assign.line, note="SecretStr"))


def _judge_literal_assign(facts: RepoFacts, module: ModuleFacts, assign: Assign,
                          scan: _SecretScan) -> None:
    value = _unquote(assign.value) or ""
    if not _secret_value(value, assign.target):
        return
    ev = facts.evidence(module.path, assign.line)
    if _KNOWN_TOKEN.search(value):
        scan.force(f"credential literal assigned to {assign.target}", ev)
    elif assign.class_name and _settings_class(facts, module.path, assign.class_name):
        scan.cap(f"{assign.target} has a literal default in settings class "
                 f"{assign.class_name}; it is used whenever the environment does not set it",
                 ev)
    elif _dev_context(module.path, assign.class_name):
        scan.cap(f"literal {assign.target} in development settings", ev)
    elif _overridden_in_production(facts, assign.target):
        scan.cap(f"literal {assign.target} in shared settings; production settings replace it",
                 ev)
    else:
        scan.force(f"literal secret assigned to {assign.target} (bandit B105)", ev)


def _overridden_in_production(facts: RepoFacts, target: str) -> bool:
    """A production settings module or class assigns the same name from elsewhere."""
    return any(a.target == target and a.value_kind != "str" and
               (_PROD_PATH.search(m.path) or _PROD_CLASS.search(a.class_name or ""))
               for m, a in facts.assigns(re.escape(target)))


_TEST_DATA = re.compile(r"(?i)(^|[._])(test|fake|dummy|sample|demo|fixture|mock)s?(_|$|\.)")


def _judge_or_fallback(facts: RepoFacts, module: ModuleFacts, assign: Assign,
                       scan: _SecretScan) -> None:
    """``SECRET_KEY = os.environ.get("SECRET_KEY") or "literal"``."""
    match = re.search(r"(environ|getenv|env)\b.*\bor\s+(['\"])(.+?)\2\s*$", assign.value)
    if match and _secret_value(match.group(3), assign.target):
        scan.cap(f"{assign.target} falls back to a literal when the environment does not set "
                 "it", facts.evidence(module.path, assign.line))


def _scan_python_calls(facts: RepoFacts, scan: _SecretScan) -> None:
    for module, call in _all_calls(facts):
        if "str" not in call.arg_kinds and "str" not in call.kwarg_kinds:
            continue  # no literal to judge: the common case, decided without evidence
        ev = call_ev(facts, module, call)
        literal_passwords = [
            f"literal {key}= passed to {call.raw}() (bandit B106)"
            for (key, value), kind in zip(call.kwargs, call.kwarg_kinds, strict=False)
            if kind == "str" and key != "**" and _secret_name(key) and
            _secret_value(_unquote(value) or "", key)]
        if _PASSWORD_SETTERS.match(call.raw.rsplit(".", 1)[-1]) and \
                call.arg_kinds[:1] == ("str",) and _secret_value(_unquote(call.args[0]) or ""):
            literal_passwords.append(f"hard-coded account password passed to {call.raw}()")
        for message in literal_passwords:
            if _TEST_DATA.search(call.scope):
                scan.review.append(anti(message + " while generating test data", ev,
                                        Severity.REVIEW))
            else:
                scan.force(message, ev)
        _judge_env_read(facts, module, call, ev, scan)


def _judge_env_read(facts: RepoFacts, module: ModuleFacts, call: Call, ev: Evidence,
                    scan: _SecretScan) -> None:
    """``getenv("SECRET", "fallback")``-style reads: a literal fallback caps the status."""
    if call.arg_kinds[:1] != ("str",):
        return
    variable = _unquote(call.args[0]) or ""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", variable) or not _secret_name(variable):
        return
    if not re.search(r"(?i)environ|getenv|env|config|secret|setting", call.name):
        return  # dict.get("password") and the like are not configuration reads
    fallback = call.args[1] if len(call.args) > 1 and call.arg_kinds[1] == "str" else \
        call.kwarg("default") if call.kwarg_kind("default") == "str" else None
    fallback_value = (_unquote(fallback) or "").strip()
    if fallback is not None and fallback_value and not _TEMPLATED.search(fallback_value):
        if _KNOWN_TOKEN.search(fallback_value):
            scan.force(f"credential literal as the fallback of {variable}", ev)
        else:
            scan.cap(f"{variable} falls back to a literal when the environment does not set "
                     "it", ev)
    else:
        scan.good.append(_noted(ev, f"{variable} read from the environment"))


_ENVIRON_ITEM = re.compile(r"environ\s*\[\s*[\"']([A-Za-z_][A-Za-z0-9_]*)[\"']\s*\]")


def _scan_environ_subscripts(facts: RepoFacts, scan: _SecretScan) -> None:
    """``os.environ["SECRET"]`` in assignments and call arguments (code, not docstrings)."""
    for module in facts.modules():
        texts = [(a.line, a.value) for a in module.assigns]
        texts += [(c.line, " ".join([*c.args, *(v for _, v in c.kwargs)])) for c in module.calls]
        for line, text in texts:
            for name in _ENVIRON_ITEM.findall(text):
                if _secret_name(name):
                    scan.good.append(facts.evidence(module.path, line,
                                                    note=f"{name} read from the environment"))


_CONFIG_ITEM = re.compile(r"""(config|settings|environ)\s*\[\s*["'](\w+)["']\s*\]\s*=\s*"""
                          r"""["']([^"']*)["']""")


def _scan_config_items(facts: RepoFacts, scan: _SecretScan) -> None:
    """``app.config["SECRET_KEY"] = "..."`` (subscript targets are not recorded as names)."""
    for hit in facts.grep(_CONFIG_ITEM, kinds=("python",), limit=50):
        match = _CONFIG_ITEM.search(hit.match)
        if match is None or not _secret_name(match.group(2)) or \
                not _secret_value(match.group(3), match.group(2)) or \
                not _python_code_line(facts, hit.path, hit.line):
            continue
        ev = facts.evidence(hit.path, hit.line)
        if _dev_context(hit.path):
            scan.cap(f"literal {match.group(2)} in development configuration", ev)
        else:
            scan.force(f"literal {match.group(2)} written into the application config", ev)


def _scan_env_files(facts: RepoFacts, scan: _SecretScan) -> None:
    for path, item in facts.files.items():
        if item.kind != "env" or not item.production or \
                _EXAMPLE_FILE.search(path.rsplit("/", 1)[-1]):
            continue
        for number, line in enumerate(facts.lines(path), start=1):
            match = _ENV_LINE.match(line)
            if not match or line.lstrip().startswith("#"):
                continue
            key, value = match.group(2), match.group(3).strip().strip("'\"")
            if not _secret_name(key) or not _secret_value(value, key):
                continue
            name = path.rsplit("/", 1)[-1]
            if _dev_context(name.replace(".env", "env")):
                scan.cap(f"committed {name} sets {key} for a development/test environment",
                         facts.evidence(path, number))
            else:
                scan.force(f"committed {name} file sets {key}", facts.evidence(path, number))


def _scan_dockerfiles(facts: RepoFacts, scan: _SecretScan) -> None:
    for dockerfile in facts.dockerfiles():
        for instruction in dockerfile.instructions:
            if instruction.keyword not in ("ENV", "ARG"):
                continue
            for key, value in _docker_pairs(instruction):
                if not _secret_name(key) or value is None or not _secret_value(value, key):
                    continue
                ev = facts.evidence(dockerfile.path, instruction.line)
                if instruction.keyword == "ENV":
                    scan.force(f"ENV {key} bakes a secret into the image", ev)
                else:
                    scan.cap(f"ARG {key} has a literal default (build args stay in the image "
                             "history)", ev)


def _docker_pairs(instruction: Instruction) -> list[tuple[str, str | None]]:
    args = instruction.args.strip()
    if "=" not in args.split(" ", 1)[0]:
        key, _, value = args.partition(" ")
        return [(key, value.strip().strip("'\"") or None)]
    pairs = re.findall(r"([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|'[^']*'|\S*)", args)
    return [(k, v.strip("'\"") or None) for k, v in pairs]


def _scan_yaml(facts: RepoFacts, scan: _SecretScan) -> None:
    for path, doc in facts.yaml():
        if is_ci_config(path) or path.startswith(".github/") or \
                path.endswith(".pre-commit-config.yaml") or \
                _EXAMPLE_FILE.search(path.rsplit("/", 1)[-1]):
            continue
        dev = is_compose(path) and _dev_compose(facts, path)
        if isinstance(doc, YMap) and doc.get("kind") == "Secret":
            for key in ("data", "stringData"):
                values = doc.get(key)
                if isinstance(values, YMap) and any(
                        isinstance(v, str) and v and not _TEMPLATED.search(v)
                        for v in values.values()):
                    scan.force("Kubernetes Secret manifest with committed values",
                               facts.evidence(path, doc.line_of(key)))
        for key, value, line in _yaml_pairs(doc):
            _judge_yaml_value(facts, scan, path, key, value, line, dev)


def _dev_compose(facts: RepoFacts, path: str) -> bool:
    """A development compose file: dev-named, or a sibling of a production-named one."""
    name = path.rsplit("/", 1)[-1]
    if _dev_context(name):
        return True
    if _PROD_PATH.search(name):
        return False
    folder = path.rsplit("/", 1)[0] if "/" in path else ""
    return any(_PROD_PATH.search(p.rsplit("/", 1)[-1]) and
               (p.rsplit("/", 1)[0] if "/" in p else "") == folder
               for p in facts.paths() if is_compose(p))


def _yaml_pairs(node: object, depth: int = 0) -> Iterator[tuple[str, str, int]]:
    """(key, scalar value, line) for mapping entries, ``KEY=VALUE`` list items and
    Kubernetes ``{name:, value:}`` env entries, anywhere in a document."""
    if depth > 40:
        return
    if isinstance(node, YMap):
        name, value = node.get("name"), node.get("value")
        if isinstance(name, str) and isinstance(value, (str, int)) and not isinstance(value, bool):
            yield name, str(value), node.line_of("value")
        for key, child in node.items():
            if isinstance(child, (str, int)) and not isinstance(child, bool) and \
                    isinstance(key, str):
                yield key, str(child), node.line_of(key)
            else:
                yield from _yaml_pairs(child, depth + 1)
    elif isinstance(node, YList):
        for index, item in enumerate(node):
            if isinstance(item, str) and "=" in item:
                key, _, value = item.partition("=")
                yield key.strip(), value.strip(), node.line_of(index)
            else:
                yield from _yaml_pairs(item, depth + 1)


def _judge_yaml_value(facts: RepoFacts, scan: _SecretScan, path: str, key: str, value: str,
                      line: int, dev: bool) -> None:
    if not _secret_name(key):
        return
    ev = facts.evidence(path, line)
    fallback = _fallback_literal(value)
    if fallback is not None and not _TEMPLATED.search(fallback):
        scan.cap(f"{key} falls back to a literal in {path.rsplit('/', 1)[-1]}", ev)
    elif _TEMPLATED.search(value):
        scan.good.append(_noted(ev, f"{key} injected from the environment"))
    elif _secret_value(value, key):
        if dev:
            scan.cap(f"literal {key} in a development compose file", ev)
        else:
            scan.force(f"literal {key} committed in {path.rsplit('/', 1)[-1]}", ev)


def _scan_text_patterns(facts: RepoFacts, scan: _SecretScan) -> None:
    kinds = ("python", "yaml", "env", "dockerfile", "toml", "json", "ini", "shell", "terraform",
             "text", "nginx", "js")
    for hit in facts.grep(_KNOWN_TOKEN, kinds=kinds, limit=20):
        if facts.files[hit.path].kind == "env" and \
                _EXAMPLE_FILE.search(hit.path.rsplit("/", 1)[-1]):
            continue
        if _PLACEHOLDER_TOKEN.search(hit.match) or not _python_code_line(facts, hit.path,
                                                                         hit.line):
            continue
        scan.force("credential material committed (access key, API token or private key)",
                   facts.evidence(hit.path, hit.line))
    for path in facts.glob("id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "*.p12", "*.pfx"):
        scan.force("private key file committed", facts.evidence(path, 1, snippet=path))
    for hit in facts.grep(_DSN, kinds=kinds, limit=50):
        _judge_dsn(facts, scan, hit.path, hit.line, hit.match, hit.text)


_PLACEHOLDER_TOKEN = re.compile(r"(?i)example|x{6,}|your|dummy|fake|sample|placeholder|"
                                r"0{8,}|\*{4,}|\.\.\.|redacted|changeme")


def _placeholder_credentials(scheme: str, user: str, password: str) -> bool:
    """``driver://user:pass@...`` and the like, as written in documentation and samples."""
    return scheme == "driver" or (user.lower() in ("user", "username", "usr", "login") and
                                  password.lower() in ("pass", "password", "passwd", "pwd"))


def _python_code_line(facts: RepoFacts, path: str, line: int) -> bool:
    """For Python files: the line holds an assignment or a call argument, not a docstring
    or comment (other files are always "code")."""
    module = facts.module(path)
    if module is None:
        return True
    return any(a.line == line for a in module.assigns) or any(
        c.line <= line <= c.end_line for c in module.calls)


def _judge_dsn(facts: RepoFacts, scan: _SecretScan, path: str, line: int, dsn: str,
               text: str) -> None:
    match = _DSN.search(dsn)
    if match is None or text.lstrip().startswith("#") or \
            not _python_code_line(facts, path, line) or \
            re.search(r"\b(help|description|example|examples|placeholder)\s*=", text):
        return
    password = match.group(3)
    item = facts.files.get(path)
    if item is None or (item.kind == "env" and _EXAMPLE_FILE.search(path.rsplit("/", 1)[-1])):
        return
    if item.kind == "env":
        return  # committed .env files are judged line by line already
    if _TEMPLATED.search(password) or set(password) <= {"*", "x", "X"} or \
            password.startswith(("$", "%", "{")) or is_ci_config(path) or \
            _placeholder_credentials(match.group(1), match.group(2), password):
        return
    ev = facts.evidence(path, line)
    if _dsn_is_fallback(facts, path, line) or _dev_context(path):
        scan.cap("connection URL with a literal password used as a default", ev)
    else:
        scan.force("connection URL with a literal password", ev)


def _dsn_is_fallback(facts: RepoFacts, path: str, line: int) -> bool:
    module = facts.module(path)
    if module is None:
        return is_compose(path) and "${" in facts.line(path, line)
    for assign in module.assigns:
        if assign.line == line and assign.class_name and \
                _settings_class(facts, path, assign.class_name):
            return True
    return any(c.line <= line <= c.end_line and len(c.args) >= 2 and
               c.leaf in ("getenv", "get", "env", "config", "setdefault")
               for c in module.calls)


def _scan_secret_infrastructure(facts: RepoFacts, scan: _SecretScan) -> None:
    for hit in facts.grep(r"secretKeyRef|secretRef:|kind:\s*(ExternalSecret|SealedSecret)|"
                          r"vault\.hashicorp|aws_secretsmanager|secretsmanager",
                          kinds=("yaml", "terraform"), limit=10):
        scan.good.append(facts.evidence(hit.path, hit.line, note="secret store or reference"))
    for module, call in facts.calls("*.SecretStr"):
        scan.good.append(call_ev(facts, module, call, note="SecretStr"))
    for module, imp in facts.imports(*_SECRET_STORES):
        if imp.top != "boto3" or "secretsmanager" in (facts.text(module.path) or ""):
            scan.good.append(facts.evidence(module.path, imp.line, note="secret manager client"))
    for hit in facts.grep(r"^\s*/?\.env\s*$|^\s*/?\.env\*?\s*$|^\s*\*\.env\s*$",
                          paths=facts.glob(".gitignore"), flags=re.M, limit=3):
        scan.good.append(facts.evidence(hit.path, hit.line, note=".env is gitignored"))


@practice(
    "sec.hardcoded-secrets", "No secrets in repo", priority="C", effort="L", applies="ALL",
    sources=("S1", "S0", "12F-III", "T10 A02", "T10 A07", "ASVS V13"),
    aliases=("hardcoded secrets", "hard-coded secrets", "secrets management", "secret key",
             "credentials", "api keys"),
    recommendation="Read every secret from the environment or a secret manager with no "
                   "literal fallback (fail at startup when it is missing), keep `.env` out of "
                   "git, and rotate any credential that was ever committed.",
)
def check_hardcoded_secrets(facts: RepoFacts) -> Outcome:
    """Secrets come from the environment or a secret store; none is written in the repo.

    Why it matters:
        A key, password or token committed to git is readable by everyone with the
        repository (and its history forever), ends up in images and logs, and cannot
        be rotated without a code change. Default fallbacks are secrets too: the
        deployment that forgets the variable runs with a key the world knows.

    What counts as evidence:
        `os.environ[...]`/`getenv` reads of secret variables without a literal
        fallback, settings-class secret fields without defaults, pydantic
        `SecretStr`, `${VAR}` interpolation in compose files, Kubernetes
        `secretKeyRef`/ExternalSecret/SealedSecret, secret-manager clients (Vault
        hvac, AWS/GCP/Azure), and `.env` listed in `.gitignore`.

    What makes it partial:
        A literal fallback (`getenv("SECRET_KEY", "dev")`, a settings-class default,
        `${VAR:-literal}` in compose, a build `ARG` default) caps the status.
        Literal secrets in code or settings, literal passwords passed to calls or
        hashed for seeded accounts, passwords in connection URLs, AWS keys, API
        tokens, private-key blocks or files, a committed `.env`, secrets in compose
        or Kubernetes manifests, and `ENV *SECRET*=` in a Dockerfile force missing.
        Example files (`.env.example`), docs and tests are not judged.

    How to satisfy:
        `SECRET_KEY = os.environ["SECRET_KEY"]` (or a pydantic settings field with no
        default), `${SECRET_KEY:?}` in compose, `secretKeyRef` in Kubernetes, and
        rotate anything that was committed.
    """
    scan = _SecretScan([], [], [], [])
    _scan_python_literals(facts, scan)
    _scan_python_calls(facts, scan)
    _scan_environ_subscripts(facts, scan)
    _scan_config_items(facts, scan)
    _scan_env_files(facts, scan)
    _scan_dockerfiles(facts, scan)
    _scan_yaml(facts, scan)
    _scan_text_patterns(facts, scan)
    _scan_secret_infrastructure(facts, scan)
    good = dedupe(scan.good)
    scan.forced = _dedupe_hits(scan.forced)
    antis = _dedupe_hits([*scan.forced, *scan.capped, *scan.review])
    if scan.forced:
        return missing(f"{len(scan.forced)} secret(s) are written in the repository.", antis)
    if scan.capped:
        return partial(f"Secrets are read from configuration, but {len(scan.capped)} literal "
                       "fallback(s) or default(s) stay in the repository and apply whenever "
                       "configuration does not replace them.",
                       dedupe([*(a.evidence for a in scan.capped[:4]), *good[:4]]), antis)
    if good:
        return implemented(f"Secrets are read from the environment or a secret store "
                           f"({len(good)} site(s)); no literal secret found.", good[:8])
    return na("The repository neither reads nor defines any secret (no secret-named setting, "
              "variable, manifest entry or credential pattern).")


# ==================================================================================== CORS

_WILDCARD_REGEX = re.compile(r"^\^?(https?://)?\.[*+]\$?$|^\.\*$|^\.\+$")


@dataclass
class _CorsSite:
    evidence: Evidence
    wildcard: bool = False
    credentials: bool = False
    reflected: bool = False
    from_config: bool = False
    default_wildcard: bool = False  # origins from settings whose default is "*"
    note: str = ""


def _origins_wildcard(text: str | None) -> bool:
    if text is None:
        return False
    return bool(re.search(r"[\"']\*[\"']", text))


def _settings_default_wildcard(facts: RepoFacts, expression: str) -> bool:
    """True when ``settings.x`` used for origins has a class-level default containing "*"."""
    names = set(re.findall(r"\.([A-Za-z_]\w*)", expression))
    return any(assign.target in names and assign.class_name and
               re.search(r"[\"'\[,]\s*\*\s*[\"',\]]|^[\"']\*", assign.value)
               for _, assign in facts.assigns(re.compile(r"[A-Za-z_]\w*")))


def _resolve_name(module: ModuleFacts, text: str | None) -> str | None:
    """The value assigned to a bare name in the same module (``origins = [...]``)."""
    if text is None or not re.fullmatch(r"[A-Za-z_]\w*", text.strip()):
        return text
    values = [a.value for a in module.assigns if a.target == text.strip()]
    return values[-1] if len(values) == 1 else text


def _starlette_cors(facts: RepoFacts) -> list[_CorsSite]:
    sites: list[_CorsSite] = []
    calls = facts.calls("*.CORSMiddleware", "*.add_middleware", "*.Middleware")
    for module, call in calls:
        if "CORSMiddleware" not in call.name and not any("CORSMiddleware" in a
                                                         for a in call.args[:1]):
            continue
        origins = _resolve_name(module, call.kwarg("allow_origins"))
        regex = _unquote(_resolve_name(module, call.kwarg("allow_origin_regex")))
        site = _CorsSite(call_ev(facts, module, call))
        site.credentials = is_true(call.kwarg("allow_credentials"))
        site.wildcard = _origins_wildcard(origins) or bool(
            regex is not None and _WILDCARD_REGEX.search(regex))
        site.reflected = regex is not None and bool(_WILDCARD_REGEX.search(regex))
        site.from_config = origins is not None and not origins.strip().startswith(("[", "(",
                                                                                   "\"", "'"))
        if origins is not None and re.search(r"\b(settings|config)\b", origins) and \
                _settings_default_wildcard(facts, origins):
            site.default_wildcard = True
            site.note = "the origin setting defaults to *"
        if origins is not None and re.search(r"\b(settings|config|env|os\.)", origins):
            site.from_config = True
        sites.append(site)
    return sites


def _flask_cors(facts: RepoFacts) -> list[_CorsSite]:
    sites: list[_CorsSite] = []
    for module, call in facts.calls("flask_cors.CORS", "flask_cors.cross_origin"):
        text = " ".join([*call.args[1:], *(v for _, v in call.kwargs)])
        site = _CorsSite(call_ev(facts, module, call))
        has_origins = call.has_kwarg("origins", "resources") or \
            (call.name.endswith("cross_origin") and bool(call.args))
        site.wildcard = not has_origins or _origins_wildcard(text)
        site.credentials = is_true(call.kwarg("supports_credentials"))
        site.from_config = bool(re.search(r"\b(settings|config|env|os\.)", text))
        sites.append(site)
    return sites


def _django_cors(facts: RepoFacts) -> list[_CorsSite]:
    sites: list[_CorsSite] = []
    allow_all = facts.assigns(r"CORS_(ORIGIN_ALLOW_ALL|ALLOW_ALL_ORIGINS)")
    lists = facts.assigns(r"CORS_(ALLOWED_ORIGINS|ORIGIN_WHITELIST|ALLOWED_ORIGIN_REGEXES)")
    credentials = any(is_true(a.value) for _, a in facts.assigns(r"CORS_ALLOW_CREDENTIALS"))
    for module, assign in allow_all:
        if is_true(assign.value):
            sites.append(_CorsSite(facts.evidence(module.path, assign.line), wildcard=True,
                                   credentials=credentials))
    for module, assign in lists:
        wildcard = _origins_wildcard(assign.value) or ".*" in assign.value
        sites.append(_CorsSite(facts.evidence(module.path, assign.line), wildcard=wildcard,
                               credentials=credentials,
                               from_config=assign.value_kind in ("call", "attr", "name")))
    return sites


def _header_cors(facts: RepoFacts) -> list[_CorsSite]:
    """Hand-set ``Access-Control-Allow-Origin`` headers (Python and nginx)."""
    sites: list[_CorsSite] = []
    credentials_files = {h.path for h in facts.grep(
        r"Access-Control-Allow-Credentials[\"']?\s*[\]=:,]?\s*[\"']?true", flags=re.I,
        kinds=("python", "nginx"), limit=20)}
    for hit in facts.grep(r"Access-Control-Allow-Origin", kinds=("python", "nginx"), limit=20):
        rest = hit.text.split("Access-Control-Allow-Origin", 1)[1]
        site = _CorsSite(facts.evidence(hit.path, hit.line),
                         credentials=hit.path in credentials_files)
        site.wildcard = bool(re.search(r"[\"'\s]\*[\"'\s;]|[\"']\*$|\s\*$", rest))
        site.reflected = bool(re.search(r"(?i)\$http_origin|origin[\"']?\s*\)|"
                                        r"HTTP_ORIGIN|headers\.get\(\s*[\"']origin", rest))
        if rest.strip(" \"'=:,]);") or site.wildcard:
            sites.append(site)
    return sites


def _ingress_cors(facts: RepoFacts) -> list[_CorsSite]:
    """nginx-ingress ``cors-allow-origin`` annotations."""
    sites: list[_CorsSite] = []
    credentials = {h.path for h in facts.grep(r"cors-allow-credentials[\"']?\s*:\s*[\"']?true",
                                              kinds=("yaml",), limit=10)}
    for hit in facts.grep(r"cors-allow-origin[\"']?\s*:\s*(.*)$", kinds=("yaml",), flags=re.M,
                          limit=10):
        value = hit.match.split(":", 1)[1]
        sites.append(_CorsSite(facts.evidence(hit.path, hit.line),
                               wildcard=bool(re.search(r"^\s*[\"']?\*", value)),
                               credentials=hit.path in credentials))
    return sites


def _streamlit_cors(facts: RepoFacts) -> list[_CorsSite]:
    sites: list[_CorsSite] = []
    for hit in facts.grep(r"^\s*enableCORS\s*=\s*(false|true)", kinds=("toml",), flags=re.M,
                          limit=5):
        if "false" in hit.text:
            sites.append(_CorsSite(facts.evidence(hit.path, hit.line), wildcard=True,
                                   note="Streamlit's CORS protection is turned off"))
        else:
            sites.append(_CorsSite(facts.evidence(hit.path, hit.line)))
    return sites


@practice(
    "sec.cors", "Restrictive CORS", priority="H", effort="L", applies="HTTP and CORS",
    sources=("S0", "T10 A05", "ASVS V3"),
    aliases=("cors", "cross-origin", "allowed origins", "cross origin resource sharing"),
    recommendation="List the allowed origins explicitly (read from the environment, e.g. "
                   "`CORSMiddleware(allow_origins=settings.CORS_ORIGINS)`); never combine "
                   "`*` or a catch-all regex with credentials, and never echo the Origin "
                   "header back.",
)
def check_cors(facts: RepoFacts) -> Outcome:
    """Cross-origin access is limited to an explicit list of trusted origins.

    Why it matters:
        CORS decides which other web sites may call the API from a user's browser.
        `*` lets any site read the responses; `*` or an echoed Origin together with
        credentials lets any site act as the logged-in user.

    What counts as evidence:
        `CORSMiddleware(allow_origins=...)` with an explicit list or a list read from
        settings/the environment, flask-cors `origins=`, django-cors-headers
        `CORS_ALLOWED_ORIGINS`, hand-set `Access-Control-Allow-Origin` headers naming
        an origin, Streamlit `enableCORS = true`.

    What makes it partial:
        An allow-all policy without credentials (`allow_origins=["*"]`, `CORS(app)`
        with no origins, `CORS_ALLOW_ALL_ORIGINS`, a `*` header, Streamlit
        `enableCORS = false`, an origin setting that defaults to `*`). Allow-all,
        a catch-all `allow_origin_regex` or an echoed Origin combined with
        credentials forces missing.

    How to satisfy:
        `app.add_middleware(CORSMiddleware, allow_origins=settings.CORS_ORIGINS,
        allow_credentials=True)` with `CORS_ORIGINS` set per environment.
    """
    sites = [*_starlette_cors(facts), *_flask_cors(facts), *_django_cors(facts),
             *_header_cors(facts), *_ingress_cors(facts), *_streamlit_cors(facts)]
    if not sites:
        return unknown("CORS is mentioned (e.g. django-cors-headers installed), but no origin "
                       "setting, middleware arguments or header value could be read.")
    antis: list[AntiPatternHit] = []
    open_sites: list[Evidence] = []
    good: list[Evidence] = []
    for site in sites:
        if (site.wildcard or site.reflected) and site.credentials:
            antis.append(anti("any origin is allowed together with credentials: any web site "
                              "can act as the signed-in user", site.evidence,
                              Severity.FORCE_MISSING))
        elif site.reflected:
            antis.append(anti("the request's Origin is echoed back (any origin is allowed)",
                              site.evidence, Severity.FORCE_MISSING))
        elif site.wildcard or site.default_wildcard:
            open_sites.append(_noted(site.evidence, site.note or "any origin allowed"))
        else:
            good.append(_noted(site.evidence, "origins from configuration" if site.from_config
                               else "explicit origin list"))
    if antis:
        return missing("CORS allows any origin with credentials or reflects the Origin "
                       "header.", antis)
    if open_sites:
        defaulted = all(s.default_wildcard and not s.wildcard for s in sites if
                        s.wildcard or s.default_wildcard)
        return partial("CORS origins default to `*` unless the environment overrides them."
                       if defaulted else "CORS allows any origin (no credentials): any web "
                       "site can read the responses.", [*open_sites[:4], *good[:2]])
    return implemented("CORS is limited to explicit origins"
                       + (" read from configuration." if any(s.from_config for s in sites)
                          else "."), good[:5])


# ========================================================================= secure config

_SETTINGS_PATH = re.compile(r"(?i)(^|/)(settings|config|conf|configs?|core)(/|\.py$)|"
                            r"settings[\w.]*\.py$|config[\w.]*\.py$")
_PROD_PATH = re.compile(r"(?i)(^|[/_.\-])(prod|production|live)([/_.\-]|$)")
_PROD_CLASS = re.compile(r"^(Prod|Production|Live)[A-Z_]|(Prod|Production)(Config|Settings)?$")
_TRUE_WORDS = ("true", "1", "yes", "on")
_ENV_DEFAULT = re.compile(r"""(?ix)\(\s*["']\w*DEBUG\w*["']\s*
                              (?:,\s*(?:default\s*=\s*)?(?P<default>[^,)]+))?""")
_DOCKER_DEBUG = re.compile(r"(?i)\b(FLASK_DEBUG|DJANGO_DEBUG|DEBUG|APP_DEBUG)\b[=\s]+[\"']?"
                           r"(1|true|yes|on)\b|\bFLASK_ENV[=\s]+[\"']?development")


def _debug_default(value: str) -> bool | None:
    """The default of an environment-read DEBUG (True/False), None if none is visible."""
    match = _ENV_DEFAULT.search(value)
    if not match:
        return None
    default = (match.group("default") or "").strip().strip("'\"").lower()
    if not default:
        return False if "==" in value or "in (" in value else None
    return default in _TRUE_WORDS


@dataclass
class _ConfigScan:
    antis: list[AntiPatternHit]
    debug_off: list[Evidence]
    hardening: list[Evidence]
    gaps: list[str]
    anchors: list[Evidence]


def _debug_settings(facts: RepoFacts, scan: _ConfigScan) -> None:
    prod_false = any(is_false(a.value) and (_PROD_PATH.search(m.path) or
                                             _PROD_CLASS.search(a.class_name or ""))
                     for m, a in facts.assigns(r"DEBUG"))
    for module, assign in facts.assigns(r"DEBUG|DJANGO_DEBUG|FLASK_DEBUG|app\.debug|debug"):
        if assign.target == "debug" and not (assign.class_name and _settings_class(
                facts, module.path, assign.class_name)):
            continue  # a local variable named debug, not a setting
        ev = facts.evidence(module.path, assign.line)
        if _dev_context(module.path, assign.class_name):
            continue
        if is_true(assign.value):
            settings_class = assign.class_name and any(
                "Settings" in b for b in _class_kinds(facts).get((module.path,
                                                                  assign.class_name), ()))
            if prod_false:
                continue  # shared/base settings; the production settings turn it off
            if settings_class:
                scan.antis.append(anti("DEBUG defaults to True (overridden only when the "
                                       "environment says so)", ev))
            else:
                scan.antis.append(anti("DEBUG = True in settings that production uses",
                                       ev, Severity.FORCE_MISSING))
        elif is_false(assign.value):
            scan.debug_off.append(_noted(ev, "DEBUG off"))
        else:
            default = _debug_default(assign.value)
            if default is True:
                scan.antis.append(anti("DEBUG defaults to True when the environment does not "
                                       "set it", ev))
            elif default is False or re.search(r"environ|getenv|env", assign.value):
                scan.debug_off.append(_noted(ev, "DEBUG from the environment, off by default"))


def _flask_config_debug(facts: RepoFacts, scan: _ConfigScan) -> None:
    """``app.config["DEBUG"] = True`` (subscript targets are not recorded as names)."""
    for hit in facts.grep(r"config\[\s*[\"'](DEBUG|ENV)[\"']\s*\]\s*=\s*(True|[\"']development)",
                          kinds=("python",), limit=5):
        if not _dev_context(hit.path):
            scan.antis.append(anti("debug mode switched on in the application config",
                                   facts.evidence(hit.path, hit.line), Severity.FORCE_MISSING))


def _app_settings(facts: RepoFacts, scan: _ConfigScan) -> None:
    for module, call in facts.calls("fastapi.FastAPI", "starlette.applications.Starlette",
                                    "litestar.Litestar", "flask.Flask", "quart.Quart"):
        ev = call_ev(facts, module, call)
        debug = call.kwarg("debug")
        if is_true(debug):
            scan.antis.append(anti(f"{call.name.rsplit('.', 1)[-1]}(debug=True) returns "
                                   "tracebacks to clients", ev, Severity.FORCE_MISSING))
        scan.anchors.append(_noted(ev, "debug off by the framework's default"
                                   if debug is None else "debug set from configuration"))
        if call.name.startswith("fastapi"):
            _fastapi_docs(call, ev, scan)
    for module, call in facts.calls("*.run", "*.run_server"):
        if is_true(call.kwarg("debug")):
            scan.antis.append(anti("app.run(debug=True) starts the interactive debugger "
                                   "(bandit B201)", call_ev(facts, module, call),
                                   Severity.FORCE_MISSING))


def _fastapi_docs(call: Call, ev: Evidence, scan: _ConfigScan) -> None:
    values = [call.kwarg("docs_url"), call.kwarg("openapi_url")]
    conditional = [v for v in values if v is not None and (
        "None" in v or (re.search(r"\b(settings|config|env|os\.)", v) and
                        not v.strip().startswith(("f\"", "f'"))))]
    if conditional:
        scan.hardening.append(_noted(ev, "API docs disabled or switched by environment"))
    else:
        scan.gaps.append("the interactive API docs (/docs, /openapi.json) are served in every "
                         "environment")


def _host_settings(facts: RepoFacts, scan: _ConfigScan) -> None:
    for module, assign in facts.assigns(r"ALLOWED_HOSTS"):
        if _dev_context(module.path, assign.class_name):
            continue
        ev = facts.evidence(module.path, assign.line)
        if re.fullmatch(r"\[\s*[\"']\*[\"']\s*\]", assign.value.strip()):
            scan.antis.append(anti("ALLOWED_HOSTS = ['*'] accepts any Host header",
                                   ev, Severity.FORCE_MISSING))
        elif re.search(r"(environ|getenv|env)\w*[.(].*,\s*(default\s*=\s*)?[\"']\*[\"']",
                       assign.value):
            scan.antis.append(anti("ALLOWED_HOSTS defaults to '*' when the environment does "
                                   "not set it", ev))
        elif assign.value.strip() not in ("None", "[]", ""):
            scan.hardening.append(_noted(ev, "explicit ALLOWED_HOSTS"))
    for module, call in facts.calls("*.TrustedHostMiddleware", "*.add_middleware"):
        if "TrustedHost" not in call.name and not any("TrustedHost" in a for a in call.args[:1]):
            continue
        ev = call_ev(facts, module, call)
        if _origins_wildcard(call.kwarg("allowed_hosts")):
            scan.antis.append(anti("TrustedHostMiddleware allows any host", ev))
        else:
            scan.hardening.append(_noted(ev, "TrustedHostMiddleware"))


def _deploy_images(facts: RepoFacts, scan: _ConfigScan) -> None:
    for dockerfile in facts.dockerfiles():
        if _dev_context(dockerfile.path.rsplit("/", 1)[-1]):
            continue
        for instruction in dockerfile.final("ENV"):
            if _DOCKER_DEBUG.search(instruction.args):
                scan.antis.append(anti("debug mode switched on in the production image",
                                       facts.evidence(dockerfile.path, instruction.line),
                                       Severity.FORCE_MISSING))
    for path, name, service in facts.compose_services():
        if _dev_compose(facts, path):
            continue
        environment = service.get("environment")
        for key, value, line in _yaml_pairs(environment) if environment is not None else []:
            if _DOCKER_DEBUG.search(f"{key}={value}"):
                scan.antis.append(anti(f"debug mode switched on for service {name}",
                                       facts.evidence(path, line), Severity.FORCE_MISSING))
    for hit in facts.grep(r"check\s+--deploy", kinds=("yaml", "shell", "text", "dockerfile"),
                          limit=2):
        scan.hardening.append(facts.evidence(hit.path, hit.line, note="Django check --deploy"))


def _streamlit_settings(facts: RepoFacts, scan: _ConfigScan) -> None:
    if not facts.imported("streamlit"):
        return
    details = facts.grep(r"^\s*showErrorDetails\s*=\s*(false|[\"']none[\"'])", kinds=("toml",),
                         flags=re.M, limit=1)
    if details:
        scan.hardening.append(facts.evidence(details[0].path, details[0].line,
                                             note="error details hidden from users"))
        return
    scan.gaps.append("Streamlit shows exception details to users (client.showErrorDetails "
                     "is not turned off)")
    for hit in facts.grep(r"^\s*(headless|enableXsrfProtection|address)\s*=|"
                          r"--server\.(headless|address)", kinds=("toml", "dockerfile"),
                          flags=re.M, limit=3):
        scan.anchors.append(facts.evidence(hit.path, hit.line, note="server setting"))


def _prod_split(facts: RepoFacts) -> list[Evidence]:
    """Production-specific settings files or classes."""
    out = [facts.evidence(p, 1, note="production settings") for p in facts.paths()
           if p.endswith(".py") and _PROD_PATH.search(p.rsplit("/", 1)[-1]) and
           _SETTINGS_PATH.search(p)]
    out += [facts.evidence(m.path, c.line, note="production settings class")
            for m, c in facts.classes() if _PROD_CLASS.search(c.name) and
            _SETTINGS_CLASS.search(c.name)]
    return out


@practice(
    "sec.secure-config", "Debug off, safe prod defaults", priority="C", effort="L",
    applies="HTTP", sources=("S0", "T10 A05", "ASVS V13"),
    aliases=("debug mode", "secure configuration", "security misconfiguration",
             "production settings", "allowed hosts"),
    recommendation="Read DEBUG from the environment with a False default, restrict hosts "
                   "(`ALLOWED_HOSTS`, `TrustedHostMiddleware`), and switch interactive API "
                   "docs and error details off in production (`docs_url=None`).",
)
def check_secure_config(facts: RepoFacts) -> Outcome:
    """Production runs with debug off, an explicit host list and no developer pages.

    Why it matters:
        Debug mode returns tracebacks, settings and sometimes an interactive console
        to anyone who triggers an error; a wildcard host list enables host-header
        attacks; public API docs and error details map the attack surface.

    What counts as evidence:
        DEBUG read from the environment with a False default or set False in the
        settings production uses; explicit `ALLOWED_HOSTS`, `TrustedHostMiddleware`
        or `SERVER_NAME`; FastAPI `docs_url`/`openapi_url` set to None or chosen per
        environment; production settings files or classes; `manage.py check
        --deploy`; Streamlit `client.showErrorDetails = false`.

    What makes it partial:
        Production is not told apart from development: API docs served in every
        environment, Streamlit error details shown, or no explicit debug setting. A
        DEBUG that defaults to True when the variable is unset caps the status.
        `DEBUG = True` in production settings, `app.run(debug=True)`,
        `FastAPI(debug=True)`, `ALLOWED_HOSTS = ["*"]` and debug switched on in a
        production image or compose service force missing.

    How to satisfy:
        `DEBUG = os.getenv("DEBUG", "false") == "true"`, `ALLOWED_HOSTS` from the
        environment, `FastAPI(docs_url=None if settings.ENV == "production" else
        "/docs")`, and run `manage.py check --deploy` in CI.
    """
    scan = _ConfigScan([], [], [], [], [])
    _debug_settings(facts, scan)
    _app_settings(facts, scan)
    _flask_config_debug(facts, scan)
    _host_settings(facts, scan)
    _deploy_images(facts, scan)
    _streamlit_settings(facts, scan)
    scan.hardening.extend(_prod_split(facts))
    positives = dedupe([*scan.debug_off, *scan.hardening])
    if any(a.severity == Severity.FORCE_MISSING.value for a in scan.antis):
        return missing("Debug mode or a wildcard host list is enabled for production.",
                       scan.antis)
    if not positives and not scan.anchors:
        anchor = app_anchor(facts)
        return missing("No production configuration found: no debug setting, host "
                       "restriction or production settings.", scan.antis,
                       context=[anchor] if anchor else [])
    gaps = list(dict.fromkeys(scan.gaps))
    if not scan.debug_off and not scan.hardening and not gaps:
        gaps.append("there is no explicit production configuration (debug, hosts, docs)")
    if gaps:
        return partial("Debug is not switched on, but " + "; ".join(gaps) + ".",
                       dedupe([*positives, *scan.anchors])[:6], scan.antis)
    return implemented("Debug is off in production and production settings are explicit "
                       f"({len(positives)} setting(s)).", positives[:6], scan.antis)


# ====================================================================== TLS verification

_VERIFY_OFF_KWARGS = {"verify": "False", "verify_ssl": "False", "ssl": "False",
                      "verify_certs": "False", "check_hostname": "False", "validate_certs": "False",
                      "ssl_verify": "False", "tls_verify": "False"}
_OUTBOUND_CALLS = ("requests.*", "httpx.*", "aiohttp.ClientSession", "aiohttp.request",
                   "aiohttp.ClientSession().*", "urllib.request.urlopen", "urllib3.PoolManager",
                   "http.client.HTTPSConnection", "smtplib.SMTP", "smtplib.SMTP_SSL",
                   "aiosmtplib.*", "boto3.client", "boto3.resource", "boto3.session.Session",
                   "openai.OpenAI", "openai.AsyncOpenAI", "anthropic.Anthropic",
                   "anthropic.AsyncAnthropic", "pycurl.Curl", "grpc.secure_channel",
                   "elasticsearch.Elasticsearch", "minio.Minio", "slack_sdk.WebClient",
                   "emails.*", "httplib2.Http", "google.cloud.*", "stripe.*", "twilio.rest.*",
                   "sendgrid.*", "litellm.completion", "litellm.acompletion")
_UNVERIFIED_TEXT = re.compile(r"_create_unverified_context|\bCERT_NONE\b|"
                              r"check_hostname\s*=\s*False|SSL_VERIFYPEER\s*,\s*(0|False)|"
                              r"SSL_VERIFYHOST\s*,\s*(0|False)|\.verify\s*=\s*False")
_UNVERIFIED_ENV = re.compile(r"PYTHONHTTPSVERIFY\s*[=:]\s*[\"']?0|CURL_CA_BUNDLE\s*[=:]\s*"
                             r"[\"']{2}|REQUESTS_CA_BUNDLE\s*[=:]\s*[\"']{2}|"
                             r"NODE_TLS_REJECT_UNAUTHORIZED\s*[=:]\s*[\"']?0")


_OUT_TOPS = frozenset(lib.split(".", 1)[0] for lib in OUT_LIBS) | {
    "urllib3", "botocore", "hvac", "zeep", "suds", "pycurl", "ldap3", "pymongo", "motor",
    "psycopg", "psycopg2", "asyncpg", "pymysql", "kombu", "celery", "websocket", "websockets"}
_HTTP_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request",
                         "send", "stream", "urlopen", "fetch", "sendmail", "send_message",
                         "starttls", "connect", "create", "invoke"})


def _outbound_client(call: Call) -> bool:
    """Calls that open or use a network client (where verify=False means TLS, not JWT)."""
    top = call.name.split(".", 1)[0]
    if top in ("jwt", "jose", "authlib", "itsdangerous"):
        return False
    return top in _OUT_TOPS or bool(re.search(r"(?i)(session|client|http|conn|request)",
                                              call.raw))


def _tls_antis(facts: RepoFacts) -> list[AntiPatternHit]:
    antis: list[AntiPatternHit] = []
    for module, call in _all_calls(facts):
        if not _outbound_client(call):
            continue
        for key, bad in _VERIFY_OFF_KWARGS.items():
            value = call.kwarg(key)
            if key == "ssl" and "aiohttp" not in call.name:
                continue  # elsewhere ssl=False means plaintext, judged by sec.https rows
            if value is not None and value.strip() == bad:
                antis.append(anti(f"{key}=False turns off certificate verification (bandit "
                                  "B501)", call_ev(facts, module, call), Severity.FORCE_MISSING))
        for key in ("ssl_cert_reqs", "cert_reqs"):
            value = call.kwarg(key)
            if value is not None and re.search(r"(?i)CERT_NONE|[\"']none[\"']|^None$",
                                               value.strip()):
                antis.append(anti(f"{key} disables certificate verification",
                                  call_ev(facts, module, call), Severity.FORCE_MISSING))
    for hit in facts.grep(_UNVERIFIED_TEXT, kinds=("python",), limit=20):
        antis.append(anti(f"{hit.match.strip()} disables certificate verification",
                          facts.evidence(hit.path, hit.line), Severity.FORCE_MISSING))
    for hit in facts.grep(_UNVERIFIED_ENV, kinds=("dockerfile", "yaml", "env", "shell"),
                          limit=10):
        if facts.files[hit.path].kind == "env" and \
                _EXAMPLE_FILE.search(hit.path.rsplit("/", 1)[-1]):
            continue
        antis.append(anti("certificate verification switched off through the environment",
                          facts.evidence(hit.path, hit.line), Severity.FORCE_MISSING))
    for module, call in facts.calls("urllib3.disable_warnings", "requests.packages.urllib3."
                                    "disable_warnings"):
        antis.append(anti("TLS warnings silenced; check nothing disables verification",
                          call_ev(facts, module, call), Severity.REVIEW))
    return _dedupe_hits(antis)


def _dedupe_hits(hits: Iterable[AntiPatternHit]) -> list[AntiPatternHit]:
    seen: set[tuple[str, int]] = set()
    out: list[AntiPatternHit] = []
    for hit in hits:
        key = (hit.evidence.path, hit.evidence.line)
        if key not in seen:
            seen.add(key)
            out.append(hit)
    return out


def _smtp_reviews(facts: RepoFacts) -> list[AntiPatternHit]:
    """smtplib's starttls()/SMTP_SSL without a context do not verify the server certificate."""
    out: list[AntiPatternHit] = []
    smtp_modules = {m.path for m, _ in facts.imports("smtplib")}
    for module, call in facts.calls("*.starttls", "smtplib.SMTP_SSL"):
        if module.path not in smtp_modules or call.name.startswith("aiosmtplib"):
            continue  # aiosmtplib verifies certificates by default
        if not call.has_kwarg("context", "ssl_context") and len(call.args) < 3:
            out.append(anti("smtplib without `context=ssl.create_default_context()` does not "
                            "verify the mail server's certificate",
                            call_ev(facts, module, call), Severity.REVIEW))
    return out


def _outbound_sites(facts: RepoFacts) -> list[Evidence]:
    sites: list[Evidence] = []
    seen_files: dict[str, int] = {}
    for module, call in facts.calls(*_OUTBOUND_CALLS):
        if re.search(r"\.(exceptions|codes|status_codes|utils|adapters|auth)\b|"
                     r"Error$|Exception$|Timeout$", call.name):
            continue
        if "()." in call.name and call.leaf not in _HTTP_VERBS:
            continue  # a method on a response or client that does not connect
        if seen_files.get(module.path, 0) >= 2:
            continue
        seen_files[module.path] = seen_files.get(module.path, 0) + 1
        note = "custom CA bundle" if call.kwarg("verify") not in (None, "True") else \
            "default certificate verification"
        sites.append(call_ev(facts, module, call, note=note))
    for module, call in facts.calls("ssl.create_default_context"):
        sites.append(call_ev(facts, module, call, note="verifying SSL context"))
    return sites


@practice(
    "sec.tls-verification", "Outbound TLS verification", priority="H", effort="L",
    applies="OUT", sources=("T10 A02", "T10 A07", "ASVS V12"),
    statuses="implemented missing na",
    aliases=("tls verification", "certificate verification", "ssl verification", "verify=False"),
    recommendation="Keep certificate verification on for every outbound call; point "
                   "`verify=` at a CA bundle for private CAs instead of turning it off.",
)
def check_tls_verification(facts: RepoFacts) -> Outcome:
    """Outbound TLS connections verify the server's certificate.

    Why it matters:
        With verification off, anyone on the network path can impersonate the API,
        database or mail server and read or change everything sent to it, including
        credentials.

    What counts as evidence:
        Outbound client calls (requests, httpx, aiohttp, urllib, SMTP, cloud and LLM
        SDKs, pycurl...) that keep the library's default verification, `verify=`
        pointing at a CA bundle, `ssl.create_default_context()`.

    What makes it partial:
        Nothing: the row has no partial. `verify=False`, `ssl=False`,
        `_create_unverified_context`, `CERT_NONE`, `check_hostname=False`, pycurl
        `SSL_VERIFYPEER 0` and `PYTHONHTTPSVERIFY=0` force missing. smtplib
        `starttls()` without a context and silenced urllib3 warnings are reported for
        review.

    How to satisfy:
        Remove `verify=False`; for an internal CA use `verify="/etc/ssl/private-ca.pem"`
        or `ssl.create_default_context(cafile=...)`.
    """
    antis = [*_tls_antis(facts), *_smtp_reviews(facts)]
    sites = _outbound_sites(facts)
    forced = [a for a in antis if a.severity == Severity.FORCE_MISSING.value]
    if forced:
        return missing(f"Certificate verification is turned off in {len(forced)} place(s).",
                       antis)
    if not sites:
        return unknown("Outbound client libraries are imported, but no outbound call site was "
                       "recognised to confirm how they verify certificates.")
    files = len({e.path for e in sites})
    return implemented(f"Outbound calls in {files} file(s) keep the default certificate "
                       "verification; nothing turns it off.", sites[:6], antis)


# ======================================================================= security scanning

_SCANNERS: dict[str, re.Pattern[str]] = {
    "dependency audit": re.compile(
        r"(?i)\bpip-audit\b|pip_audit|gh-action-pip-audit|\bsafety\s+(check|scan)\b|"
        r"pyupio/safety|osv-scanner|dependency-review-action|snyk(?!\s+container)\b|"
        r"dependency-check|\buv\s+audit\b|Dependency-Scanning"),
    "static analysis (SAST)": re.compile(
        r"(?i)\bbandit\b|semgrep|codeql|\bzizmor\b|sonarcloud|sonarqube|sonar-scanner|"
        r"horusec|(?<![\w-])SAST\.gitlab-ci"),
    "secret scanning": re.compile(
        r"(?i)gitleaks|trufflehog|detect-secrets|ggshield|git-secrets|secretlint|"
        r"Secret-Detection"),
    "image scanning": re.compile(
        r"(?i)\btrivy\b|trivy-action|\bgrype\b|anchore/scan-action|docker\s+scout|"
        r"snyk\s+container|Container-Scanning|\bdockle\b"),
}
_NON_BLOCKING = re.compile(r"\|\|\s*(true|exit\s+0|echo|:)\b|--exit-zero|--exit-code[ =]0\b|"
                           r"exit-code:\s*[\"']?0|\bsoft_fail:\s*true|--continue-on-error|"
                           r"\bfail-on-severity:\s*none")
_RENOVATE = ("renovate.json", "renovate.json5", ".renovaterc", ".renovaterc.json",
             ".github/renovate.json", ".github/renovate.json5", ".gitlab/renovate.json")


@dataclass(frozen=True)
class _ScanHit:
    category: str
    evidence: Evidence
    blocking: bool


def _step_spans(doc: object) -> list[tuple[int, int, bool]]:
    """(first line, last line, non-blocking) of each CI step or job in a parsed workflow."""
    spans: list[tuple[int, int, bool]] = []
    if not isinstance(doc, YMap):
        return spans
    jobs = doc.get("jobs") if isinstance(doc.get("jobs"), YMap) else doc
    if not isinstance(jobs, YMap):
        return spans
    keys = list(jobs.keys())
    for position, name in enumerate(keys):
        job = jobs[name]
        if not isinstance(job, YMap):
            continue
        job_soft = _soft(job.get("continue-on-error")) or _soft(job.get("allow_failure"))
        job_end = jobs.line_of(keys[position + 1]) - 1 if position + 1 < len(keys) else 10**9
        spans.append((jobs.line_of(name), job_end, job_soft))
        steps = job.get("steps")
        if isinstance(steps, YList):
            for index, step in enumerate(steps):
                if not isinstance(step, YMap):
                    continue
                end = steps.line_of(index + 1) - 1 if index + 1 < len(steps) else job_end
                spans.append((steps.line_of(index), end,
                              job_soft or _soft(step.get("continue-on-error"))))
    return spans


def _soft(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


_LABEL_LINE = re.compile(r"^\s*(-\s*)?(name|id|description|display_name)\s*:|"
                         r"^\s*[\w.\-]+\s*:\s*$")
_INSTALL_LINE = re.compile(r"\b(pip3?|pipx|uv\s+pip|uv\s+tool|poetry|apt(-get)?|brew|npm|yarn|"
                           r"go)\s+(install|add)\b|\bcurl\b|\bwget\b|\btar\s+-|sudo\s+install|"
                           r"releases/download|\bversion\s*[=:]")


def _runs_scanner(pattern: re.Pattern[str], line: str) -> bool:
    """True when a CI line runs the scanner (not a step/job label, an install or a comment);
    ``pip install bandit && bandit -r src`` runs it in its second command."""
    text = _without_comment(line)
    if not pattern.search(text) or _LABEL_LINE.search(text):
        return False
    commands = re.split(r"&&|;|\|\||\|", text)
    return any(pattern.search(c) and not _INSTALL_LINE.search(c) for c in commands)


def _without_comment(line: str) -> str:
    """A YAML/shell line without its comment (``# zizmor: ignore[...]`` is not a scan)."""
    return "" if line.lstrip().startswith("#") else re.sub(r"\s+#.*$", "", line)


def _ci_scanner_hits(facts: RepoFacts) -> list[_ScanHit]:
    hits: list[_ScanHit] = []
    ci_files = facts.ci_files()
    spans_by_file: dict[str, list[tuple[int, int, bool]]] = {}
    for path, doc in facts.ci_documents():
        spans_by_file.setdefault(path, []).extend(_step_spans(doc))
    for category, pattern in _SCANNERS.items():
        for hit in facts.grep(pattern, paths=ci_files, production=None, limit=40):
            if not _runs_scanner(pattern, hit.text):
                continue
            spans = [s for s in spans_by_file.get(hit.path, []) if s[0] <= hit.line <= s[1]]
            soft = any(s[2] for s in spans) or bool(_NON_BLOCKING.search(hit.text))
            note = f"{category}, non-blocking" if soft else category
            hits.append(_ScanHit(category, facts.evidence(hit.path, hit.line, note=note),
                                 not soft))
    return hits


def _delegated_hits(facts: RepoFacts) -> list[_ScanHit]:
    """Scanners run through make/tox/nox targets that CI invokes."""
    ci_text = "\n".join(facts.text(p) or "" for p in facts.ci_files())
    hits: list[_ScanHit] = []
    runners = (("Makefile", re.compile(r"^([\w.\-]+)\s*:", re.M), r"\bmake\b[^\n]*\b{}\b"),
               ("tox.ini", re.compile(r"^\[testenv:([\w.\-]+)\]", re.M), r"\btox\b[^\n]*{}"),
               ("noxfile.py", re.compile(r"^def\s+(\w+)\(", re.M), r"\bnox\b[^\n]*{}"))
    for name, target_pattern, invoke in runners:
        for path in facts.glob(name):
            text = facts.text(path) or ""
            for category, pattern in _SCANNERS.items():
                for match in pattern.finditer(text):
                    targets = target_pattern.findall(text[:match.start()])
                    if targets and re.search(invoke.format(re.escape(targets[-1])), ci_text):
                        line = text.count("\n", 0, match.start()) + 1
                        hits.append(_ScanHit(category, facts.evidence(
                            path, line, note=f"{category}, run by CI via {name}"), True))
                        break
    return hits


def _bot_hits(facts: RepoFacts) -> list[_ScanHit]:
    hits: list[_ScanHit] = []
    for path in facts.glob(".github/dependabot.yml", ".github/dependabot.yaml"):
        lines = [h.line for h in facts.grep(r"package-ecosystem", paths=[path], limit=1)]
        if lines:
            hits.append(_ScanHit("dependency updates", facts.evidence(
                path, lines[0], note="Dependabot"), True))
    for path in facts.glob(*_RENOVATE):
        hits.append(_ScanHit("dependency updates", facts.evidence(path, 1, snippet=path,
                                                                  note="Renovate"), True))
    return hits


def _precommit_hits(facts: RepoFacts) -> list[_ScanHit]:
    hits: list[_ScanHit] = []
    ci_text = "\n".join(facts.text(p) or "" for p in facts.ci_files())
    for path in facts.glob(".pre-commit-config.yaml", ".pre-commit-config.yml"):
        text = facts.text(path) or ""
        in_ci = bool(re.search(r"pre-commit\s+run|pre-commit/action|pre-commit-ci|prek\s+run",
                               ci_text)) or bool(re.search(r"^ci:", text, re.M))
        for category, pattern in _SCANNERS.items():
            for hit in facts.grep(pattern, paths=[path], limit=3):
                if not pattern.search(_without_comment(hit.text)):
                    continue
                note = f"{category} hook run by pre-commit in CI" if in_ci else \
                    f"{category} in pre-commit only (not enforced in CI)"
                hits.append(_ScanHit(category, facts.evidence(path, hit.line, note=note),
                                     in_ci))
                break
    return hits


def _has_ci_or_update_bot(facts: RepoFacts) -> bool:
    return facts.applies("CI") or bool(
        facts.glob(".github/dependabot.yml", ".github/dependabot.yaml", *_RENOVATE))


@practice(
    "sec.security-scanning", "SCA, SAST, secret, image scans in CI", priority="H", effort="L",
    applies="CI", when=_has_ci_or_update_bot, sources=("S2", "T10 A06", "MLTS Mon1"),
    aliases=("security scanning", "vulnerability scanning", "dependency scanning", "sast",
             "sca", "bandit", "pip-audit", "dependabot", "secret scanning"),
    recommendation="Run pip-audit (or Dependabot/Renovate), bandit or semgrep, gitleaks and, "
                   "for images, Trivy in CI as blocking jobs.",
)
def check_security_scanning(facts: RepoFacts) -> Outcome:
    """Dependencies, code, secrets and images are scanned automatically, and findings block.

    Why it matters:
        Known-vulnerable dependencies, injection-prone code, leaked keys and
        vulnerable base images are found by tools in seconds; without them they
        are found by attackers. A scan whose failures are ignored finds nothing.

    What counts as evidence:
        In CI workflows: pip-audit/safety/osv-scanner/dependency-review, bandit/
        semgrep/CodeQL/zizmor, gitleaks/trufflehog/detect-secrets, Trivy/Grype;
        GitLab security templates; scanners in make/tox/nox targets that CI runs;
        scanner hooks in pre-commit when pre-commit runs in CI; Dependabot or
        Renovate configuration.

    What makes it partial:
        Only non-blocking scans (`continue-on-error`, `|| true`, `--exit-zero`,
        `allow_failure`) or scanners only in a local pre-commit configuration.

    How to satisfy:
        Add a CI job running `pip-audit`, `bandit -r src`, and gitleaks (plus Trivy
        for images) without `|| true`, and enable Dependabot.
    """
    hits = [*_ci_scanner_hits(facts), *_delegated_hits(facts), *_bot_hits(facts),
            *_precommit_hits(facts)]
    blocking = [h for h in hits if h.blocking]
    soft = [h for h in hits if not h.blocking]
    if blocking:
        categories = sorted({h.category for h in blocking})
        tail = f"; {len(soft)} other scan(s) do not block" if soft else ""
        evidence = _one_per_category(blocking) + [h.evidence for h in soft[:2]]
        return implemented(f"Blocking security scans: {', '.join(categories)}{tail}.",
                           evidence)
    if soft:
        return partial("Security scanners exist but never fail the build (non-blocking CI "
                       "steps or local pre-commit hooks only).",
                       [h.evidence for h in soft[:6]])
    return missing("No security scanner in CI: looked for pip-audit, safety, osv-scanner, "
                   "Dependabot/Renovate, bandit, semgrep, CodeQL, zizmor, gitleaks, "
                   "trufflehog, detect-secrets, Trivy and Grype.")


def _one_per_category(hits: list[_ScanHit]) -> list[Evidence]:
    first: dict[str, list[Evidence]] = {}
    for hit in hits:
        first.setdefault(hit.category, []).append(hit.evidence)
    ordered = [items[0] for items in first.values()]
    extras = [e for items in first.values() for e in items[1:2]]
    return [*ordered, *extras][:6]

"""Python facts through the standard library's ``ast`` (the fast path).

The walk is iterative, so a deeply nested expression cannot exhaust the
interpreter's stack; anything ``ast`` itself refuses (newer syntax, a syntax
error, extreme nesting) is handed to the tolerant tree-sitter extractor by the
caller. The code is parsed, never compiled or run.
"""

from __future__ import annotations

import ast
import re
import warnings

from readiness.facts.python.records import (
    Assign,
    Call,
    ClassDef,
    Except,
    Function,
    Import,
    ModuleFacts,
    Param,
    call_order,
)
from readiness.facts.python.resolve import Resolver

ARG_CLIP = 160
MAX_PARTS = 32  # names in one dotted chain; real code stays far below
MAX_NESTING = 8  # calls nested inside a callee, as in f()()().g
MAX_ARGS = 8
MAX_KWARGS = 16
MAX_RETURNS = 4


_NEWLINE = re.compile(r"(?<=\n)|(?<=\r)(?!\n)")


def source_lines(text: str) -> list[str]:
    """Lines as Python's tokenizer counts them (only \\n, \\r\\n and \\r end a line;
    ``str.splitlines`` would also split on form feeds and shift every later line)."""
    parts = _NEWLINE.split(text)
    if parts and parts[-1] == "":
        parts.pop()
    return parts


def clip_source(raw: bytes, limit: int) -> str:
    """Source bytes as one clipped line (whitespace folded, "…" when cut); shared with
    the tree-sitter extractor so both produce identical snippets."""
    text = " ".join(raw.decode("utf-8", "replace").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Source:
    """Slices source text by ``ast`` positions (line numbers and UTF-8 byte columns)."""

    def __init__(self, text: str) -> None:
        lines = [line.encode("utf-8") for line in source_lines(text)]
        self.lines = lines
        self.data = b"".join(lines)
        self.starts = [0]
        for line in lines:
            self.starts.append(self.starts[-1] + len(line))

    def segment(self, node: ast.AST, limit: int = ARG_CLIP) -> str:
        start = getattr(node, "lineno", None)
        end = getattr(node, "end_lineno", None)
        col = getattr(node, "col_offset", None)
        end_col = getattr(node, "end_col_offset", None)
        if start is None or end is None or col is None or end_col is None or \
                end > len(self.lines):
            return ""
        first = self.starts[start - 1] + col
        last = self.starts[end - 1] + end_col
        return clip_source(self.data[first:min(last, first + limit * 4)], limit)


def dotted(node: ast.AST, depth: int = 0) -> str:
    """``a.b.c`` for Name/Attribute chains; ``f().g`` through calls; "" otherwise, and ""
    for pathological chains (more than MAX_PARTS names or MAX_NESTING nested calls), which
    would otherwise make name resolution quadratic on hostile input."""
    parts: list[str] = []
    while True:
        if len(parts) > MAX_PARTS or depth > MAX_NESTING:
            return ""
        if isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            parts.append(node.id)
            break
        elif isinstance(node, ast.Call):
            inner = dotted(node.func, depth + 1)
            if not inner:
                return ""
            parts.append(inner + "()")
            break
        elif isinstance(node, ast.Subscript):
            inner = dotted(node.value, depth + 1)
            if not inner:
                return ""
            parts.append(inner + "[]")
            break
        else:
            return ""
    return ".".join(reversed(parts))


def kind_of(node: ast.AST) -> str:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)) and \
            isinstance(node.operand, ast.Constant) and \
            isinstance(node.operand.value, (int, float, complex)) and \
            not isinstance(node.operand.value, bool):
        return "number"  # -1 is a number literal to a reader (and to tree-sitter)
    if isinstance(node, ast.Constant):
        if isinstance(node.value, str):
            return "str"
        if isinstance(node.value, bool) or node.value is None:
            return "const"
        if isinstance(node.value, (int, float, complex)):
            return "number"
        return "other"
    if isinstance(node, ast.JoinedStr):
        return "fstring" if any(isinstance(v, ast.FormattedValue) for v in node.values) else "str"
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.Mod) and _stringish(node.left):
            return "percent"
        if isinstance(node.op, ast.Add) and (_stringish(node.left) or _stringish(node.right)):
            return "concat"
        return "other"
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "format" and _stringish(func.value):
            return "format"
        return "call"
    if isinstance(node, ast.Name):
        return "name"
    if isinstance(node, ast.Attribute):
        return "attr"
    if isinstance(node, ast.List):
        return "list"
    if isinstance(node, ast.Tuple):
        return "tuple"
    if isinstance(node, ast.Dict):
        return "dict"
    if isinstance(node, ast.Lambda):
        return "lambda"
    return "other"


def _stringish(node: ast.AST) -> bool:
    """True when a string literal sits on the left spine (or the right leaf) of a BinOp chain."""
    while isinstance(node, ast.BinOp):
        if _is_str(node.right):
            return True
        node = node.left
    return _is_str(node)


def _is_str(node: ast.AST) -> bool:
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str)
    )


def _except_body(stmt: ast.stmt) -> str:
    if isinstance(stmt, ast.Pass) or (
        isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
    ):
        return "pass"
    if isinstance(stmt, ast.Raise):
        return "raise"
    if isinstance(stmt, ast.Return):
        return "return"
    if isinstance(stmt, ast.Continue):
        return "continue"
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        name = dotted(stmt.value.func)
        leaf = name.rsplit(".", 1)[-1]
        if leaf in ("debug", "info", "warning", "warn", "error", "exception", "critical", "log"):
            return "log"
    return "other"


_FUNC = (ast.FunctionDef, ast.AsyncFunctionDef)
_Ctx = tuple[str, bool, str | None, str | None]


class _Extractor:
    def __init__(self, path: str, text: str, tree: ast.Module) -> None:
        self.path = path
        self.src = _Source(text)
        self.tree = tree
        self.resolver = Resolver()
        self.imports: list[Import] = []
        self.calls: list[Call] = []
        self.functions: list[Function] = []
        self.classes: list[ClassDef] = []
        self.assigns: list[Assign] = []
        self.excepts: list[Except] = []
        self.names: set[str] = set()
        # the return snippets of the function being walked, by qualname; a redefinition
        # (typing.overload) gets a fresh list, kept per function in ``function_returns``
        self.returns: dict[str, list[str]] = {}
        self.function_returns: list[list[str]] = []

    # -- pass 1: module-level imports and bindings, so functions defined above
    #    ``app = FastAPI()`` still resolve ``app``.
    def prebind(self) -> None:
        stack: list[ast.stmt] = list(reversed(self.tree.body))
        while stack:
            node = stack.pop()
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for imp in self._imports(node, ""):
                    self.resolver.bind_import(imp)
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                self._bind_assignment(node, "", None)
            elif isinstance(node, (ast.If, ast.Try, ast.With)):
                children: list[ast.stmt] = list(node.body)
                children += list(getattr(node, "orelse", []))
                children += list(getattr(node, "finalbody", []))
                for handler in getattr(node, "handlers", []):
                    children += list(handler.body)
                stack.extend(reversed(children))

    def _imports(self, node: ast.Import | ast.ImportFrom, scope: str) -> list[Import]:
        out: list[Import] = []
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound = alias.asname or alias.name.split(".")[0]
                out.append(Import(alias.name, None, bound, node.lineno, scope))
        else:
            module = "." * (node.level or 0) + (node.module or "")
            for alias in node.names:
                out.append(
                    Import(module, alias.name, alias.asname or alias.name, node.lineno, scope)
                )
        return out

    def _bind_assignment(self, node: ast.Assign | ast.AnnAssign, scope: str,
                         class_scope: str | None) -> None:
        value = node.value
        if value is None:
            return
        if isinstance(value, ast.Call):
            callee = dotted(value.func)
            target_value = self.resolver.resolve(callee, scope) + "()" if callee else ""
        elif isinstance(value, (ast.Name, ast.Attribute)):
            target_value = self.resolver.resolve(dotted(value), scope)
        else:
            return
        if not target_value:
            return
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            name = dotted(target)
            if not name:
                continue
            if name.startswith("self.") and class_scope is not None:
                self.resolver.bind(class_scope, name, target_value)
            else:
                self.resolver.bind(scope, name, target_value)

    # -- pass 2: everything
    def run(self) -> ModuleFacts:
        self.prebind()
        # Each stack entry is (node, context); a context is shared by all siblings:
        # (scope, in_async, class_name, class_scope).
        root_ctx: _Ctx = ("", False, None, None)
        stack: list[tuple[ast.AST, _Ctx]] = [(self.tree, root_ctx)]
        names = self.names
        while stack:
            node, ctx = stack.pop()
            kind = type(node)
            if kind is ast.Name:
                if type(node.ctx) is ast.Load:  # type: ignore[attr-defined]
                    names.add(node.id)  # type: ignore[attr-defined]
                continue
            if kind is ast.Constant:
                continue
            scope, in_async, class_name, class_scope = ctx
            if kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
                assert isinstance(node, _FUNC)
                qual = f"{scope}.{node.name}" if scope else node.name
                self._function(node, scope, qual, class_name)
                outer = [*node.decorator_list, *_defaults(node.args)]
                stack.extend((child, ctx) for child in reversed(outer))
                body_ctx: _Ctx = (qual, kind is ast.AsyncFunctionDef, class_name, class_scope)
                stack.extend((child, body_ctx) for child in reversed(node.body))
                continue
            if kind is ast.ClassDef:
                assert isinstance(node, ast.ClassDef)
                qual = f"{scope}.{node.name}" if scope else node.name
                self._class(node, scope, qual)
                outer = [*node.decorator_list, *node.bases, *[k.value for k in node.keywords]]
                stack.extend((child, ctx) for child in reversed(outer))
                class_ctx: _Ctx = (qual, in_async, node.name, qual)
                stack.extend((child, class_ctx) for child in reversed(node.body))
                continue
            if kind is ast.Call:
                self._call(node, scope, in_async)  # type: ignore[arg-type]
            elif kind is ast.Attribute:
                names.add(node.attr)  # type: ignore[attr-defined]
            elif kind is ast.Return:
                found = self.returns.get(scope)
                if found is not None and len(found) < MAX_RETURNS:
                    value = node.value  # type: ignore[attr-defined]
                    found.append(self.src.segment(value) if value is not None else "None")
            elif kind is ast.Import or kind is ast.ImportFrom:
                for imp in self._imports(node, scope):  # type: ignore[arg-type]
                    self.imports.append(imp)
                    if scope:
                        self.resolver.bind_import(imp)
            elif kind is ast.Assign or kind is ast.AnnAssign or kind is ast.AugAssign:
                self._assign(node, scope, class_name, class_scope)  # type: ignore[arg-type]
            elif kind is ast.ExceptHandler:
                self._except(node, scope)  # type: ignore[arg-type]
            stack.extend((child, ctx) for child in _children(node))
        functions = [
            _replace_returns(f, found)
            for f, found in zip(self.functions, self.function_returns, strict=True)
        ]
        return ModuleFacts(
            path=self.path,
            parser="ast",
            imports=tuple(sorted(self.imports, key=lambda i: i.line)),
            calls=tuple(sorted(self.calls, key=call_order)),
            functions=tuple(sorted(functions, key=lambda f: f.line)),
            classes=tuple(sorted(self.classes, key=lambda c: c.line)),
            assigns=tuple(sorted(self.assigns, key=lambda a: a.line)),
            excepts=tuple(sorted(self.excepts, key=lambda e: e.line)),
            names=frozenset(self.names),
            lines=len(self.src.lines),
        )

    def _call_record(self, node: ast.Call, scope: str, in_async: bool) -> Call:
        raw = dotted(node.func)
        name = self.resolver.resolve(raw, scope) if raw else ""
        seg = self.src.segment
        args = tuple(seg(a) for a in node.args[:MAX_ARGS])
        kinds = tuple(kind_of(a) for a in node.args[:MAX_ARGS])
        kwargs = tuple((k.arg or "**", seg(k.value)) for k in node.keywords[:MAX_KWARGS])
        kwarg_kinds = tuple(kind_of(k.value) for k in node.keywords[:MAX_KWARGS])
        return Call(
            name=name, raw=raw, line=node.lineno, end_line=node.end_lineno or node.lineno,
            args=args, arg_kinds=kinds, kwargs=kwargs, kwarg_kinds=kwarg_kinds,
            scope=scope, in_async=in_async,
        )

    def _call(self, node: ast.Call, scope: str, in_async: bool) -> None:
        self.calls.append(self._call_record(node, scope, in_async))

    def _decorator(self, node: ast.expr, scope: str) -> Call:
        if isinstance(node, ast.Call):
            return self._call_record(node, scope, False)
        raw = dotted(node)
        return Call(name=self.resolver.resolve(raw, scope) if raw else "", raw=raw,
                    line=node.lineno, end_line=node.end_lineno or node.lineno, scope=scope,
                    is_call=False)

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: str, qual: str,
                  class_name: str | None) -> None:
        seg = self.src.segment
        params: list[Param] = []
        args = node.args
        positional = [*args.posonlyargs, *args.args]
        defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
        defaults += list(args.defaults)
        for arg, default in zip(positional, defaults, strict=False):
            params.append(Param(arg.arg, seg(arg.annotation) if arg.annotation else None,
                                seg(default) if default is not None else None))
        if args.vararg:
            annotation = args.vararg.annotation
            params.append(Param("*" + args.vararg.arg, seg(annotation) if annotation else None))
        for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults, strict=False):
            params.append(Param(arg.arg, seg(arg.annotation) if arg.annotation else None,
                                seg(kw_default) if kw_default is not None else None))
        if args.kwarg:
            annotation = args.kwarg.annotation
            params.append(Param("**" + args.kwarg.arg, seg(annotation) if annotation else None))
        own: list[str] = []
        self.returns[qual] = own
        self.function_returns.append(own)
        docstring = ast.get_docstring(node, clean=False) or ""
        self.functions.append(Function(
            name=node.name, qualname=qual, line=node.lineno,
            end_line=node.end_lineno or node.lineno,
            is_async=isinstance(node, ast.AsyncFunctionDef),
            decorators=tuple(self._decorator(d, scope) for d in node.decorator_list),
            params=tuple(params), class_name=class_name,
            returns=seg(node.returns) if node.returns else None,
            docstring=docstring[:200], body_lines=(node.end_lineno or node.lineno) - node.lineno,
        ))

    def _class(self, node: ast.ClassDef, scope: str, qual: str) -> None:
        bases = tuple(self.resolver.resolve(dotted(b), scope) or self.src.segment(b)
                      for b in node.bases)
        self.classes.append(ClassDef(
            name=node.name, qualname=qual, line=node.lineno,
            end_line=node.end_lineno or node.lineno, bases=bases,
            decorators=tuple(self._decorator(d, scope) for d in node.decorator_list),
            keywords=tuple((k.arg or "**", self.src.segment(k.value)) for k in node.keywords),
        ))

    def _assign(self, node: ast.Assign | ast.AnnAssign | ast.AugAssign, scope: str,
                class_name: str | None, class_scope: str | None) -> None:
        seg = self.src.segment
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            self._bind_assignment(node, scope, class_scope)
        value = node.value
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        annotation = seg(node.annotation) if isinstance(node, ast.AnnAssign) else None
        call = None
        if isinstance(value, ast.Call):
            callee = dotted(value.func)
            call = self.resolver.resolve(callee, scope) if callee else None
        for target in targets:
            for leaf in _flatten_target(target):
                self.assigns.append(Assign(
                    target=dotted(leaf) or seg(leaf),
                    value=seg(value) if value is not None else "",
                    value_kind=kind_of(value) if value is not None else "other",
                    line=node.lineno, scope=scope, class_name=class_name, call=call,
                    annotation=annotation,
                ))

    def _except(self, node: ast.ExceptHandler, scope: str) -> None:
        types: tuple[str, ...] = ()
        if node.type is not None:
            elts = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
            types = tuple(self.resolver.resolve(dotted(t), scope) or self.src.segment(t)
                          for t in elts)
        first = node.body[0] if node.body else None
        self.excepts.append(Except(
            line=node.lineno, types=types,
            body=_except_body(first) if first is not None else "pass",
            scope=scope, name=node.name,
            text=self.src.segment(first) if first is not None else "",
        ))


def _defaults(args: ast.arguments) -> list[ast.AST]:
    out: list[ast.AST] = [*args.defaults, *[d for d in args.kw_defaults if d is not None]]
    extra = [a for a in (args.vararg, args.kwarg) if a is not None]
    for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, *extra]:
        if arg.annotation is not None:
            out.append(arg.annotation)
    return out


def _flatten_target(target: ast.AST) -> list[ast.AST]:
    if isinstance(target, (ast.Tuple, ast.List)):
        out: list[ast.AST] = []
        for elt in target.elts:
            out.extend(_flatten_target(elt))
        return out
    if isinstance(target, ast.Starred):
        return [target.value]
    return [target]


_SKIP_FIELDS = frozenset({"ctx", "op", "ops", "type_comment", "kind", "is_async", "level",
                          "conversion", "lineno", "col_offset", "end_lineno", "end_col_offset"})
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def _children(node: ast.AST) -> list[ast.AST]:
    """Child nodes worth visiting (contexts and operators are skipped), last first,
    ready to be pushed on the walk's stack."""
    kind = type(node)
    fields = _CHILD_FIELDS.get(kind)
    if fields is None:
        fields = tuple(f for f in kind._fields if f not in _SKIP_FIELDS)
        _CHILD_FIELDS[kind] = fields
    out: list[ast.AST] = []
    for name in fields:
        value = getattr(node, name, None)
        if type(value) is list:
            out.extend(v for v in value if isinstance(v, ast.AST))
        elif isinstance(value, ast.AST):
            out.append(value)
    out.reverse()
    return out


def _replace_returns(function: Function, returns: list[str]) -> Function:
    if not returns:
        return function
    return Function(
        function.name, function.qualname, function.line, function.end_line, function.is_async,
        function.decorators, function.params, function.class_name, function.returns,
        function.docstring, function.body_lines, tuple(returns),
    )


def parse_tree(text: str, path: str) -> ast.Module:
    """``ast.parse`` with warnings silenced (invalid escapes in the target are not ours)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(text, filename=path, type_comments=False)


def extract(path: str, text: str) -> ModuleFacts:
    """Facts of one module; raises ``SyntaxError``/``RecursionError``/``MemoryError``/
    ``ValueError`` when ``ast`` cannot take it (the caller falls back)."""
    tree = parse_tree(text, path)
    return _Extractor(path, text, tree).run()

"""Python facts through tree-sitter: the tolerant, version-independent path.

``ast`` only knows the grammar of the interpreter running readiness; a service
written for a newer Python (PEP 695 generics on 3.11, PEP 758 ``except A, B:``
before 3.14) or with one syntax error would otherwise yield no facts at all.
tree-sitter parses any of those, marks the broken regions as ERROR nodes and
keeps the rest, so the records below come out the same as from ``ast`` for the
parts that parse. The walk is iterative (no recursion limit to hit).
"""

from __future__ import annotations

import ast
from functools import lru_cache
from typing import Any

from readiness.facts.python.ast_extract import MAX_NESTING, MAX_PARTS, clip_source, source_lines
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
MAX_ARGS = 8
MAX_KWARGS = 16
MAX_RETURNS = 4
MAX_ERRORS = 5

Node = Any  # tree_sitter.Node (the binding ships no type information)

_LOG_LEAVES = {"debug", "info", "warning", "warn", "error", "exception", "critical", "log"}


@lru_cache(maxsize=1)
def _parser() -> Any:
    import tree_sitter
    import tree_sitter_python

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_python.language()))


def available() -> bool:
    try:
        _parser()
    except Exception:  # noqa: BLE001 - any failure means the fallback is unavailable
        return False
    return True


def _text(node: Node, limit: int = ARG_CLIP) -> str:
    """Text of a small node (a name, a keyword); use ``_Extractor._snip`` for expressions,
    which may span a whole file."""
    return clip_source(node.text[: limit * 4], limit)


def _line(node: Node) -> int:
    return int(node.start_point[0]) + 1


def _end_line(node: Node) -> int:
    return int(node.end_point[0]) + 1


_COMPOUND = frozenset({
    "block", "if_statement", "elif_clause", "else_clause", "for_statement", "while_statement",
    "try_statement", "except_clause", "except_group_clause", "finally_clause", "with_statement",
    "function_definition", "class_definition", "decorated_definition", "match_statement",
    "case_clause"})


def _code_end(node: Node) -> tuple[int, int]:
    """(line, byte) where a node's code ends, ignoring trailing comments inside compound
    statements, which tree-sitter includes in a block but ``ast`` does not."""
    while node.type in _COMPOUND:
        children = [c for c in node.named_children if c.type != "comment"]
        if not children:
            break
        node = children[-1]
    return int(node.end_point[0]) + 1, int(node.end_byte)


def _unwrap(node: Node) -> Node:
    while node is not None and node.type == "parenthesized_expression" and node.named_child_count:
        node = node.named_children[0]
    return node


def dotted(node: Node, depth: int = 0) -> str:
    """The same dotted names as ``ast_extract.dotted`` (and the same limits)."""
    parts: list[str] = []
    node = _unwrap(node)
    while node is not None:
        if len(parts) > MAX_PARTS or depth > MAX_NESTING:
            return ""
        kind = node.type
        if kind == "attribute":
            attr = node.child_by_field_name("attribute")
            parts.append(_text(attr, 200) if attr is not None else "")
            node = _unwrap(node.child_by_field_name("object"))
        elif kind == "identifier":
            parts.append(node.text.decode("utf-8", "replace"))
            break
        elif kind == "call":
            inner = dotted(node.child_by_field_name("function"), depth + 1)
            if not inner:
                return ""
            parts.append(inner + "()")
            break
        elif kind == "subscript":
            inner = dotted(node.child_by_field_name("value"), depth + 1)
            if not inner:
                return ""
            parts.append(inner + "[]")
            break
        else:
            return ""
    return ".".join(reversed(parts))


def _is_bytes(node: Node) -> bool:
    start = node.children[0] if node.children else None
    return start is not None and start.type == "string_start" and b"b" in start.text.lower()


def _is_fstring(node: Node) -> bool:
    return any(child.type == "interpolation" for child in node.children)


def _stringish(node: Node) -> bool:
    node = _unwrap(node)
    while node is not None and node.type == "binary_operator":
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        if right is not None and _is_text_literal(_unwrap(right)):
            return True
        node = _unwrap(left) if left is not None else None
    return node is not None and _is_text_literal(node)


def _is_text_literal(node: Node) -> bool:
    """A str literal (bytes literals are not text, as ``ast`` sees them)."""
    if node.type == "string":
        return not _is_bytes(node)
    return bool(node.type == "concatenated_string")


def kind_of(node: Node) -> str:
    node = _unwrap(node)
    kind = node.type
    if kind == "string" and _is_bytes(node):
        return "other"  # a bytes literal, as ast sees it
    if kind == "string":
        return "fstring" if _is_fstring(node) else "str"
    if kind == "concatenated_string":
        return "fstring" if any(_is_fstring(c) for c in node.named_children) else "str"
    if kind in ("true", "false", "none"):
        return "const"
    if kind in ("integer", "float"):
        return "number"
    if kind == "unary_operator":
        arg = node.child_by_field_name("argument")
        return "number" if arg is not None and arg.type in ("integer", "float") else "other"
    if kind == "binary_operator":
        operator = node.child_by_field_name("operator")
        op = operator.type if operator is not None else ""
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        if op == "%" and left is not None and _stringish(left):
            return "percent"
        if op == "+" and ((left is not None and _stringish(left))
                          or (right is not None and _stringish(right))):
            return "concat"
        return "other"
    if kind == "call":
        func = node.child_by_field_name("function")
        if func is not None and func.type == "attribute":
            attr = func.child_by_field_name("attribute")
            obj = func.child_by_field_name("object")
            if attr is not None and attr.text == b"format" and obj is not None and _stringish(obj):
                return "format"
        return "call"
    return {
        "identifier": "name",
        "attribute": "attr",
        "list": "list",
        "tuple": "tuple",
        "expression_list": "tuple",
        "dictionary": "dict",
        "lambda": "lambda",
    }.get(kind, "other")


def _except_body(stmt: Node | None) -> str:
    if stmt is None:
        return "pass"
    kind = stmt.type
    if kind == "pass_statement":
        return "pass"
    if kind == "raise_statement":
        return "raise"
    if kind == "return_statement":
        return "return"
    if kind == "continue_statement":
        return "continue"
    if kind == "expression_statement" and stmt.named_child_count:
        expr = stmt.named_children[0]
        if expr.type == "string":
            return "pass"
        if expr.type == "call":
            name = dotted(expr.child_by_field_name("function"))
            if name.rsplit(".", 1)[-1] in _LOG_LEAVES:
                return "log"
    return "other"


def _first_statement(block: Node | None) -> Node | None:
    if block is None:
        return None
    for child in block.named_children:
        if child.type != "comment":
            return child
    return None


def _docstring(body: Node | None) -> str:
    first = _first_statement(body)
    if first is not None and first.type == "expression_statement" and first.named_child_count:
        expr = first.named_children[0]
        if expr.type == "string":
            if len(expr.text) <= 20_000:
                try:  # a literal's value, escapes resolved as ast does (never evaluated code)
                    value = ast.literal_eval(expr.text.decode("utf-8", "replace"))
                except (ValueError, SyntaxError, MemoryError, RecursionError):
                    value = None
                if isinstance(value, str):
                    return value[:200]
            parts = [c.text.decode("utf-8", "replace") for c in expr.children
                     if c.type == "string_content"]
            return "".join(parts)[:200]
    return ""


def _flatten_target(node: Node) -> list[Node]:
    node = _unwrap(node)
    if node.type in ("pattern_list", "tuple_pattern", "list_pattern", "tuple", "list"):
        out: list[Node] = []
        for child in node.named_children:
            out.extend(_flatten_target(child))
        return out
    if node.type in ("list_splat_pattern", "list_splat") and node.named_child_count:
        return [node.named_children[0]]
    return [node]


def _own_returns(body: Node | None) -> list[Node]:
    out: list[Node] = []
    if body is None:
        return out
    stack = [body]
    while stack:
        node = stack.pop()
        if node.type == "return_statement":
            out.append(node)
        if node.type in ("function_definition", "class_definition", "lambda",
                         "decorated_definition"):
            continue
        stack.extend(node.children)
    out.sort(key=_line)
    return out


class _Extractor:
    def __init__(self, path: str, source: bytes) -> None:
        self.path = path
        self.source = source
        self.tree = _parser().parse(source)
        self.root = self.tree.root_node
        self.line_count = len(source_lines(source.decode("utf-8", "replace")))
        self.resolver = Resolver()
        self.imports: list[Import] = []
        self.calls: list[Call] = []
        self.functions: list[Function] = []
        self.classes: list[ClassDef] = []
        self.assigns: list[Assign] = []
        self.excepts: list[Except] = []
        self.names: set[str] = set()
        self.errors: list[str] = []

    def _snip(self, node: Node, limit: int = ARG_CLIP) -> str:
        """Clipped source of any node, by byte offsets: O(limit), however big the node
        (``node.text`` copies the whole subtree, quadratic on deeply nested code).

        Like ``ast`` positions, it leaves out wrapping parentheses and trailing comments."""
        if node.type == "type" and node.named_child_count == 1:
            node = node.named_children[0]  # an annotation: its expression, as ast keeps it
        node = _unwrap(node)
        start = int(node.start_byte)
        end = min(_code_end(node)[1], start + limit * 4)
        return clip_source(self.source[start:end], limit)

    # -- imports
    def _imports(self, node: Node, scope: str) -> list[Import]:
        out: list[Import] = []
        line = _line(node)
        if node.type == "import_statement":
            for child in node.children_by_field_name("name"):
                if child.type == "aliased_import":
                    name = _text(child.child_by_field_name("name"), 300)
                    alias = _text(child.child_by_field_name("alias"), 300)
                else:
                    name = _text(child, 300)
                    alias = name.split(".")[0]
                out.append(Import(name, None, alias, line, scope))
        elif node.type == "import_from_statement":
            module_node = node.child_by_field_name("module_name")
            module = _text(module_node, 300).replace(" ", "") if module_node is not None else ""
            if any(c.type == "wildcard_import" for c in node.children):
                out.append(Import(module, "*", "*", line, scope))
            for child in node.children_by_field_name("name"):
                if child.type == "aliased_import":
                    name = _text(child.child_by_field_name("name"), 300)
                    alias = _text(child.child_by_field_name("alias"), 300)
                else:
                    name = _text(child, 300)
                    alias = name
                out.append(Import(module, name, alias, line, scope))
        elif node.type == "future_import_statement":
            for child in node.children_by_field_name("name"):
                name = _text(child, 300)
                out.append(Import("__future__", name, name, line, scope))
        return out

    # -- bindings (the same rules as the ast extractor)
    def _bind_assignment(self, node: Node, scope: str, class_scope: str | None) -> None:
        value = node.child_by_field_name("right")
        left = node.child_by_field_name("left")
        if value is None or left is None:
            return
        while value is not None and value.type == "assignment":  # a = b = value
            self._bind_assignment(value, scope, class_scope)
            value = value.child_by_field_name("right")
        if value is None:
            return
        value = _unwrap(value)
        if value.type == "call":
            callee = dotted(value.child_by_field_name("function"))
            target_value = self.resolver.resolve(callee, scope) + "()" if callee else ""
        elif value.type in ("identifier", "attribute"):
            target_value = self.resolver.resolve(dotted(value), scope)
        else:
            return
        if not target_value:
            return
        name = dotted(left)
        if not name:
            return
        if name.startswith("self.") and class_scope is not None:
            self.resolver.bind(class_scope, name, target_value)
        else:
            self.resolver.bind(scope, name, target_value)

    def prebind(self) -> None:
        stack = list(reversed(self.root.children))
        while stack:
            node = stack.pop()
            kind = node.type
            if kind in ("import_statement", "import_from_statement"):
                for imp in self._imports(node, ""):
                    self.resolver.bind_import(imp)
            elif kind == "expression_statement":
                for child in node.named_children:
                    if child.type == "assignment":
                        self._bind_assignment(child, "", None)
            elif kind in ("if_statement", "try_statement", "with_statement", "block",
                          "else_clause", "elif_clause", "except_clause", "finally_clause",
                          "ERROR"):
                stack.extend(reversed(node.children))

    def run(self) -> ModuleFacts:
        self.prebind()
        stack: list[tuple[Node, str, bool, str | None, str | None]] = [
            (self.root, "", False, None, None)
        ]
        while stack:
            node, scope, in_async, class_name, class_scope = stack.pop()
            kind = node.type
            if kind == "ERROR" or node.is_missing:
                if len(self.errors) < MAX_ERRORS:
                    self.errors.append(f"syntax error at line {_line(node)}")
            elif kind in ("print_statement", "exec_statement") and len(self.errors) < MAX_ERRORS:
                # tree-sitter still accepts these Python 2 statements; Python 3 does not.
                word = kind.split("_")[0]
                self.errors.append(f"Python 2 {word} statement at line {_line(node)}")
            if kind == "decorated_definition":
                definition = node.child_by_field_name("definition")
                decorators = [c for c in node.children if c.type == "decorator"]
                if definition is not None:
                    self._definition(stack, definition, decorators, scope, in_async,
                                     class_name, class_scope)
                continue
            if kind in ("function_definition", "class_definition"):
                self._definition(stack, node, [], scope, in_async, class_name, class_scope)
                continue
            if kind == "call":
                self.calls.append(self._call_record(node, scope, in_async))
            elif kind in ("import_statement", "import_from_statement", "future_import_statement"):
                for imp in self._imports(node, scope):
                    self.imports.append(imp)
                    if scope:
                        self.resolver.bind_import(imp)
            elif kind in ("assignment", "augmented_assignment"):
                self._assign(node, scope, class_name, class_scope)
            elif kind in ("except_clause", "except_group_clause"):
                self._except(node, scope)
            elif kind == "identifier":
                # only identifiers pushed on their own (a bare decorator) arrive here;
                # the others are handled with their parent below
                self.names.add(node.text.decode("utf-8", "replace"))
                continue
            attr = node.child_by_field_name("attribute") if kind == "attribute" else None
            if attr is not None:
                self.names.add(attr.text.decode("utf-8", "replace"))
            for child in reversed(node.children):
                if child.type == "identifier":
                    # Leaves are decided here, knowing the parent: ``node.parent`` costs a walk
                    # from the root in tree-sitter, quadratic on deeply nested code.
                    if attr is not None and child == attr:
                        continue
                    if not _is_store(node, child):
                        self.names.add(child.text.decode("utf-8", "replace"))
                    continue
                stack.append((child, scope, in_async, class_name, class_scope))
        return ModuleFacts(
            path=self.path,
            parser="tree-sitter",
            imports=tuple(sorted(self.imports, key=lambda i: i.line)),
            calls=tuple(sorted(self.calls, key=call_order)),
            functions=tuple(sorted(self.functions, key=lambda f: f.line)),
            classes=tuple(sorted(self.classes, key=lambda c: c.line)),
            assigns=tuple(sorted(self.assigns, key=lambda a: a.line)),
            excepts=tuple(sorted(self.excepts, key=lambda e: e.line)),
            names=frozenset(self.names),
            errors=tuple(self.errors),
            lines=self.line_count,
        )

    def _definition(self, stack: list[tuple[Node, str, bool, str | None, str | None]],
                    node: Node, decorators: list[Node], scope: str, in_async: bool,
                    class_name: str | None, class_scope: str | None) -> None:
        name_node = node.child_by_field_name("name")
        name = _text(name_node, 200) if name_node is not None else "?"
        qual = f"{scope}.{name}" if scope else name
        decorator_exprs = [d.named_children[0] for d in decorators if d.named_child_count]
        body = node.child_by_field_name("body")
        if node.type == "function_definition":
            is_async = any(c.type == "async" for c in node.children)
            self._function(node, name, qual, decorator_exprs, scope, class_name, is_async)
            outer: list[Node] = list(decorator_exprs)
            params = node.child_by_field_name("parameters")
            if params is not None:
                outer.append(params)
            for child in reversed(outer):
                stack.append((child, scope, in_async, class_name, class_scope))
            if body is not None:
                stack.append((body, qual, is_async, class_name, class_scope))
        else:
            self._class(node, name, qual, decorator_exprs, scope)
            outer = list(decorator_exprs)
            supers = node.child_by_field_name("superclasses")
            if supers is not None:
                outer.append(supers)
            for child in reversed(outer):
                stack.append((child, scope, in_async, class_name, class_scope))
            if body is not None:
                stack.append((body, qual, in_async, name, qual))

    def _call_record(self, node: Node, scope: str, in_async: bool) -> Call:
        func = node.child_by_field_name("function")
        raw = dotted(func) if func is not None else ""
        name = self.resolver.resolve(raw, scope) if raw else ""
        args: list[str] = []
        kinds: list[str] = []
        kwargs: list[tuple[str, str]] = []
        kwarg_kinds: list[str] = []
        arguments = node.child_by_field_name("arguments")
        if arguments is not None and arguments.type == "argument_list":
            for child in arguments.named_children:
                if child.type == "comment":
                    continue
                if child.type == "keyword_argument":
                    if len(kwargs) < MAX_KWARGS:
                        key = child.child_by_field_name("name")
                        value = child.child_by_field_name("value")
                        kwargs.append((_text(key, 100) if key is not None else "?",
                                       self._snip(value) if value is not None else ""))
                        kwarg_kinds.append(kind_of(value) if value is not None else "other")
                elif child.type == "dictionary_splat":
                    if len(kwargs) < MAX_KWARGS:
                        inner = child.named_children[0] if child.named_child_count else child
                        kwargs.append(("**", self._snip(inner)))
                        kwarg_kinds.append(kind_of(inner))
                elif len(args) < MAX_ARGS:
                    args.append(self._snip(child))
                    kinds.append(kind_of(child))
        elif arguments is not None:  # a generator expression as the only argument
            args.append(self._snip(arguments))
            kinds.append("other")
        return Call(
            name=name, raw=raw, line=_line(node), end_line=_end_line(node), args=tuple(args),
            arg_kinds=tuple(kinds), kwargs=tuple(kwargs), kwarg_kinds=tuple(kwarg_kinds),
            scope=scope, in_async=in_async,
        )

    def _decorator(self, expr: Node, scope: str) -> Call:
        expr = _unwrap(expr)
        if expr.type == "call":
            return self._call_record(expr, scope, False)
        raw = dotted(expr)
        return Call(name=self.resolver.resolve(raw, scope) if raw else "", raw=raw,
                    line=_line(expr), end_line=_end_line(expr), scope=scope, is_call=False)

    def _function(self, node: Node, name: str, qual: str, decorators: list[Node], scope: str,
                  class_name: str | None, is_async: bool) -> None:
        params: list[Param] = []
        parameters = node.child_by_field_name("parameters")
        for child in parameters.named_children if parameters is not None else []:
            kind = child.type
            if kind == "identifier":
                params.append(Param(_text(child, 100)))
            elif kind == "typed_parameter":
                inner = child.named_children[0] if child.named_child_count else child
                type_node = child.child_by_field_name("type")
                pname = _text(inner, 100)
                if inner.type == "list_splat_pattern":
                    pname = "*" + _text(inner.named_children[0], 100)
                elif inner.type == "dictionary_splat_pattern":
                    pname = "**" + _text(inner.named_children[0], 100)
                annotation = self._snip(type_node) if type_node is not None else None
                params.append(Param(pname, annotation))
            elif kind in ("default_parameter", "typed_default_parameter"):
                pname_node = child.child_by_field_name("name")
                type_node = child.child_by_field_name("type")
                value = child.child_by_field_name("value")
                params.append(Param(
                    _text(pname_node, 100) if pname_node is not None else "?",
                    self._snip(type_node) if type_node is not None else None,
                    self._snip(value) if value is not None else None,
                ))
            elif kind == "list_splat_pattern" and child.named_child_count:
                params.append(Param("*" + _text(child.named_children[0], 100)))
            elif kind == "dictionary_splat_pattern" and child.named_child_count:
                params.append(Param("**" + _text(child.named_children[0], 100)))
        body = node.child_by_field_name("body")
        returns: list[str] = []
        for ret in _own_returns(body)[:MAX_RETURNS]:
            returns.append(self._snip(ret.named_children[0]) if ret.named_child_count else "None")
        return_type = node.child_by_field_name("return_type")
        end = _code_end(node)[0]
        self.functions.append(Function(
            name=name, qualname=qual, line=_line(node), end_line=end,
            is_async=is_async,
            decorators=tuple(self._decorator(d, scope) for d in decorators),
            params=tuple(params), class_name=class_name,
            returns=self._snip(return_type) if return_type is not None else None,
            docstring=_docstring(body), body_lines=end - _line(node),
            returns_values=tuple(returns),
        ))

    def _class(self, node: Node, name: str, qual: str, decorators: list[Node],
               scope: str) -> None:
        bases: list[str] = []
        keywords: list[tuple[str, str]] = []
        supers = node.child_by_field_name("superclasses")
        for child in supers.named_children if supers is not None else []:
            if child.type == "keyword_argument":
                key = child.child_by_field_name("name")
                value = child.child_by_field_name("value")
                keywords.append((_text(key, 100) if key is not None else "?",
                                 self._snip(value) if value is not None else ""))
            elif child.type != "comment":
                bases.append(self.resolver.resolve(dotted(child), scope) or self._snip(child))
        self.classes.append(ClassDef(
            name=name, qualname=qual, line=_line(node), end_line=_code_end(node)[0],
            bases=tuple(bases),
            decorators=tuple(self._decorator(d, scope) for d in decorators),
            keywords=tuple(keywords),
        ))

    def _assign(self, node: Node, scope: str, class_name: str | None,
                class_scope: str | None) -> None:
        if node.type == "assignment":
            self._bind_assignment(node, scope, class_scope)
        left = node.child_by_field_name("left")
        value = node.child_by_field_name("right")
        type_node = node.child_by_field_name("type")
        if left is None:
            return
        if value is not None and value.type == "assignment":
            # ``a = b = value``: tree-sitter nests the chain; record the outer target too.
            inner = value
            while inner is not None and inner.type == "assignment":
                inner = inner.child_by_field_name("right")
            value = inner
        call = None
        if value is not None and _unwrap(value).type == "call":
            callee = dotted(_unwrap(value).child_by_field_name("function"))
            call = self.resolver.resolve(callee, scope) if callee else None
        for leaf in _flatten_target(left):
            self.assigns.append(Assign(
                target=dotted(leaf) or self._snip(leaf),
                value=self._snip(value) if value is not None else "",
                value_kind=kind_of(value) if value is not None else "other",
                line=_line(node), scope=scope, class_name=class_name, call=call,
                annotation=self._snip(type_node) if type_node is not None else None,
            ))

    def _except(self, node: Node, scope: str) -> None:
        block = None
        exprs: list[Node] = []
        alias: str | None = None
        for child in node.named_children:
            if child.type == "block":
                block = child
            elif child.type == "as_pattern":
                target = child.child_by_field_name("alias")
                if target is not None:
                    alias = _text(target, 100)
                if child.named_child_count:
                    exprs.append(child.named_children[0])
            elif child.type != "comment":
                exprs.append(child)
        types: list[str] = []
        for expr in exprs:
            expr = _unwrap(expr)
            elements = expr.named_children if expr.type == "tuple" else [expr]
            for element in elements:
                types.append(self.resolver.resolve(dotted(element), scope) or self._snip(element))
        first = _first_statement(block)
        self.excepts.append(Except(
            line=_line(node), types=tuple(types), body=_except_body(first), scope=scope,
            name=alias, text=self._snip(first) if first is not None else "",
        ))


def _is_store(parent: Node, node: Node) -> bool:
    """True when ``node`` is the name being bound (left of ``=``, a def/class name, a param)."""
    kind = parent.type
    if kind in ("assignment", "augmented_assignment", "for_statement", "for_in_clause"):
        return bool(parent.child_by_field_name("left") == node)
    if kind == "named_expression":
        return bool(parent.child_by_field_name("name") == node)
    if kind in ("lambda_parameters", "global_statement", "nonlocal_statement",
                "tuple_pattern", "list_pattern"):
        return True
    if kind in ("function_definition", "class_definition"):
        return bool(parent.child_by_field_name("name") == node)
    if kind in ("parameters", "typed_parameter", "default_parameter", "typed_default_parameter",
                "keyword_argument", "aliased_import", "dotted_name", "as_pattern_target",
                "pattern_list", "list_splat_pattern", "dictionary_splat_pattern"):
        if kind in ("default_parameter", "typed_default_parameter"):
            return bool(parent.child_by_field_name("name") == node)
        if kind == "keyword_argument":
            return bool(parent.child_by_field_name("name") == node)
        return True
    return False


def extract(path: str, source: bytes) -> ModuleFacts:
    """Facts of one module, whatever its syntax; broken regions are listed in ``errors``."""
    return _Extractor(path, source).run()

"""What readiness keeps of a Python module: small records, independent of the parser.

Both extractors (``ast`` for code the running interpreter can parse, tree-sitter for
everything else) produce exactly these records, so rules never know which parser
read a file. Names are kept twice: ``raw`` as written (``r.get``) and ``name``
resolved through the module's imports and simple bindings (``requests.get``).

Snippets are source text clipped to one line, for evidence and for the textual
checks a rule makes on arguments (``timeout=None``, ``f"SELECT … {x}"``).
"""

from __future__ import annotations

from dataclasses import dataclass

# How an argument expression was written; lets rules tell f-string SQL from bound SQL.
ARG_KINDS = (
    "str",  # a plain string literal
    "fstring",  # f"..." with interpolation
    "format",  # "...".format(...)
    "percent",  # "..." % x
    "concat",  # "..." + x
    "name",  # a bare name
    "attr",  # a.b
    "call",  # f(...)
    "number",
    "const",  # None / True / False
    "list",
    "tuple",
    "dict",
    "lambda",
    "other",
)


@dataclass(frozen=True, slots=True)
class Import:
    """``import a.b as c`` -> module "a.b", name None, alias "c";
    ``from a import b as c`` -> module "a", name "b", alias "c"."""

    module: str
    name: str | None
    alias: str
    line: int
    scope: str = ""

    @property
    def qualified(self) -> str:
        if self.name is None:
            return self.module
        return f"{self.module}.{self.name}" if self.module else self.name

    @property
    def top(self) -> str:
        return self.qualified.lstrip(".").split(".", 1)[0]


@dataclass(frozen=True, slots=True)
class Call:
    """A call expression (or a decorator, which is recorded as a call too)."""

    name: str  # resolved dotted name; "x().y" for a method on a call result
    raw: str  # dotted name as written
    line: int
    end_line: int
    args: tuple[str, ...] = ()
    arg_kinds: tuple[str, ...] = ()
    kwargs: tuple[tuple[str, str], ...] = ()  # ("**", text) for **kwargs
    kwarg_kinds: tuple[str, ...] = ()
    scope: str = ""  # qualname of the enclosing function, "" at module level
    in_async: bool = False
    is_call: bool = True  # False for a bare decorator such as @login_required

    def kwarg(self, key: str) -> str | None:
        for name, value in self.kwargs:
            if name == key:
                return value
        return None

    def has_kwarg(self, *keys: str) -> bool:
        return any(name in keys for name, _ in self.kwargs)

    def kwarg_kind(self, key: str) -> str | None:
        for (name, _), kind in zip(self.kwargs, self.kwarg_kinds, strict=False):
            if name == key:
                return kind
        return None

    @property
    def leaf(self) -> str:
        """Last component of the name: ``get`` for ``requests.get``."""
        return self.name.rsplit(".", 1)[-1]

    @property
    def receiver(self) -> str:
        """Everything before the last component: ``requests`` for ``requests.get``."""
        return self.name.rsplit(".", 1)[0] if "." in self.name else ""


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    annotation: str | None = None
    default: str | None = None


@dataclass(frozen=True, slots=True)
class Function:
    name: str
    qualname: str
    line: int
    end_line: int
    is_async: bool
    decorators: tuple[Call, ...] = ()
    params: tuple[Param, ...] = ()
    class_name: str | None = None
    returns: str | None = None
    docstring: str = ""
    body_lines: int = 0
    returns_values: tuple[str, ...] = ()  # snippets of return statements (first few)


@dataclass(frozen=True, slots=True)
class ClassDef:
    name: str
    qualname: str
    line: int
    end_line: int
    bases: tuple[str, ...] = ()  # resolved
    decorators: tuple[Call, ...] = ()
    keywords: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Assign:
    """``target = value`` (also annotated and augmented assignments)."""

    target: str  # as written: "DEBUG", "self.client", "app.config['X']"
    value: str  # clipped source of the value ("" for a bare annotation)
    value_kind: str  # one of ARG_KINDS
    line: int
    scope: str = ""
    class_name: str | None = None
    call: str | None = None  # resolved callee when the value is a call
    annotation: str | None = None


@dataclass(frozen=True, slots=True)
class Except:
    line: int
    types: tuple[str, ...]  # resolved; () for a bare except
    body: str  # "pass" | "raise" | "return" | "log" | "continue" | "other"
    scope: str = ""
    name: str | None = None  # the "as e" name
    text: str = ""  # the first statement of the body, clipped


@dataclass(frozen=True, slots=True)
class ModuleFacts:
    path: str
    parser: str  # "ast" or "tree-sitter"
    imports: tuple[Import, ...] = ()
    calls: tuple[Call, ...] = ()
    functions: tuple[Function, ...] = ()
    classes: tuple[ClassDef, ...] = ()
    assigns: tuple[Assign, ...] = ()
    excepts: tuple[Except, ...] = ()
    names: frozenset[str] = frozenset()  # identifiers and attribute names that are read
    errors: tuple[str, ...] = ()  # syntax errors the tolerant parser recovered from
    lines: int = 0

    def imports_module(self, prefix: str) -> bool:
        return any(imp.qualified == prefix or imp.qualified.startswith(prefix + ".")
                   for imp in self.imports)


def call_order(call: Call) -> tuple[int, int, str, tuple[str, ...], tuple[tuple[str, str], ...]]:
    """Source order of calls, with ties on one line broken by content (both extractors
    walk a line's calls in different orders)."""
    return (call.line, call.end_line, call.name, call.args, call.kwargs)

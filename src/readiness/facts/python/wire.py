"""Python facts to and from plain JSON-able lists, for the content-hash cache.

JSON rather than pickle: the cache lives on disk between runs, and reading it
back must never be able to run code.
"""

from __future__ import annotations

from typing import Any

from readiness.facts.python.records import (
    Assign,
    Call,
    ClassDef,
    Except,
    Function,
    Import,
    ModuleFacts,
    Param,
)

WIRE_VERSION = 3


def _call_out(c: Call) -> list[Any]:
    return [c.name, c.raw, c.line, c.end_line, list(c.args), list(c.arg_kinds),
            [list(k) for k in c.kwargs], list(c.kwarg_kinds), c.scope, c.in_async, c.is_call]


def _call_in(d: list[Any]) -> Call:
    return Call(d[0], d[1], d[2], d[3], tuple(d[4]), tuple(d[5]),
                tuple((k[0], k[1]) for k in d[6]), tuple(d[7]), d[8], d[9], d[10])


def dump(m: ModuleFacts) -> list[Any]:
    return [
        WIRE_VERSION,
        m.path,
        m.parser,
        [[i.module, i.name, i.alias, i.line, i.scope] for i in m.imports],
        [_call_out(c) for c in m.calls],
        [[f.name, f.qualname, f.line, f.end_line, f.is_async,
          [_call_out(d) for d in f.decorators],
          [[p.name, p.annotation, p.default] for p in f.params],
          f.class_name, f.returns, f.docstring, f.body_lines, list(f.returns_values)]
         for f in m.functions],
        [[c.name, c.qualname, c.line, c.end_line, list(c.bases),
          [_call_out(d) for d in c.decorators], [list(k) for k in c.keywords]]
         for c in m.classes],
        [[a.target, a.value, a.value_kind, a.line, a.scope, a.class_name, a.call, a.annotation]
         for a in m.assigns],
        [[e.line, list(e.types), e.body, e.scope, e.name, e.text] for e in m.excepts],
        sorted(m.names),
        list(m.errors),
        m.lines,
    ]


def load(d: list[Any], path: str) -> ModuleFacts:
    """Rebuild facts; ``path`` replaces the cached one (the same content may move)."""
    if not d or d[0] != WIRE_VERSION:
        raise ValueError("cache entry written by another version")
    return ModuleFacts(
        path=path,
        parser=d[2],
        imports=tuple(Import(i[0], i[1], i[2], i[3], i[4]) for i in d[3]),
        calls=tuple(_call_in(c) for c in d[4]),
        functions=tuple(
            Function(f[0], f[1], f[2], f[3], f[4], tuple(_call_in(x) for x in f[5]),
                     tuple(Param(p[0], p[1], p[2]) for p in f[6]), f[7], f[8], f[9], f[10],
                     tuple(f[11]))
            for f in d[5]),
        classes=tuple(
            ClassDef(c[0], c[1], c[2], c[3], tuple(c[4]), tuple(_call_in(x) for x in c[5]),
                     tuple((k[0], k[1]) for k in c[6]))
            for c in d[6]),
        assigns=tuple(Assign(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]) for a in d[7]),
        excepts=tuple(Except(e[0], tuple(e[1]), e[2], e[3], e[4], e[5]) for e in d[8]),
        names=frozenset(d[9]),
        errors=tuple(d[10]),
        lines=d[11],
    )

"""Python source to facts: ``ast`` first, tree-sitter when ``ast`` cannot read the file."""

from __future__ import annotations

from dataclasses import dataclass

from readiness.facts.python import ast_extract, ts_extract
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

__all__ = [
    "Assign",
    "Call",
    "ClassDef",
    "Except",
    "Function",
    "Import",
    "ModuleFacts",
    "Param",
    "ParseOutcome",
    "parse_python",
]


@dataclass(frozen=True, slots=True)
class ParseOutcome:
    facts: ModuleFacts | None
    problem: str | None = None  # why the file is (partly) unreadable; None when clean
    fallback: bool = False  # True when tree-sitter produced the facts


def parse_python(path: str, text: str, data: bytes, parser: str = "auto") -> ParseOutcome:
    """Extract facts from one module without ever executing it.

    ``parser`` is ``auto`` (``ast``, then tree-sitter on failure), ``ast`` (no
    fallback) or ``tree-sitter`` (always the tolerant parser; used to measure it).
    """
    reason = ""
    if parser != "tree-sitter":
        try:
            return ParseOutcome(ast_extract.extract(path, text))
        except SyntaxError as exc:
            reason = _describe_syntax_error(exc)
        except (RecursionError, MemoryError):
            reason = "nested too deeply for the ast parser"
        except ValueError as exc:  # e.g. source code string cannot contain null bytes
            reason = f"cannot be parsed: {exc}"
        if parser == "ast" or not ts_extract.available():
            return ParseOutcome(None, reason)
    try:
        facts = ts_extract.extract(path, data)
    except (RecursionError, MemoryError, ValueError) as exc:
        return ParseOutcome(None, f"{reason or 'cannot be parsed'}; tolerant parser failed: {exc}")
    if facts.errors:
        detail = reason or facts.errors[0]
        if _looks_like_python2(text):
            detail += " (Python 2?)"
        return ParseOutcome(facts, f"{detail}; facts recovered from the rest of the file", True)
    return ParseOutcome(facts, None, fallback=bool(reason) or parser == "tree-sitter")


def _describe_syntax_error(exc: SyntaxError) -> str:
    message = (exc.msg or "syntax error").split("\n")[0]
    return f"syntax error at line {exc.lineno}: {message}" if exc.lineno else message


def _looks_like_python2(text: str) -> bool:
    import re

    return bool(
        re.search(r"^\s*print\s+[\"'\w]", text, re.M)
        or (re.search(r"^\s*except\s+[\w.]+\s*,\s*\w+\s*:", text, re.M)
        and re.search(r"^\s*print\s", text, re.M))
        or re.search(r"\bur[\"']|\b0[0-7]+L?\b|`\w+`", text)
    )

"""Fast text search: a literal prefilter in front of Python's regex engine.

Rules search the tree's text many times (``RepoFacts.grep``). Running a regex over
every file is what made a 200,000-line tree slow; most files cannot match because
they lack the words the pattern needs. ``required_literals`` reads a compiled
pattern's syntax tree and returns strings at least one of which must appear in any
match (the trick ripgrep and RE2 use). A file without any of them is skipped with
a substring test, which runs at memory speed. The prefilter is conservative: when
it cannot tell, it returns None and every file is searched.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

try:  # the parser moved in 3.11; both names are private, so any failure disables the filter
    from re import _constants as _sre_constants  # type: ignore[attr-defined]
    from re import _parser as _sre_parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - older or different interpreters
    _sre_parser = None
    _sre_constants = None

MIN_LITERAL = 3  # shorter literals filter too little to be worth the scans
MAX_ALTERNATIVES = 24


class _Unknown(Exception):
    """Raised inside the walk when a construct's required text cannot be bounded."""


def _best(candidates: list[frozenset[str]]) -> frozenset[str] | None:
    usable = [c for c in candidates if c and min(len(s) for s in c) >= MIN_LITERAL
              and len(c) <= MAX_ALTERNATIVES]
    if not usable:
        return None
    return max(usable, key=lambda c: (min(len(s) for s in c), -len(c)))


MAX_EXPANSION = 64


def _exact(item: tuple[Any, Any], ignore_case: bool) -> frozenset[str] | None:
    """The finite set of strings one item matches, when it is that simple (literals,
    alternations of literals, optional literals), else None. Python's compiler factors
    ``(password|passwd|pwd)`` into ``p(?:ass(?:word|wd)|wd)``; this undoes that."""
    c = _sre_constants
    op, arg = item
    if op is c.LITERAL:
        return frozenset({chr(arg)})
    if op is c.SUBPATTERN:
        _group, add_flags, _del_flags, sub = arg
        if add_flags & c.SRE_FLAG_IGNORECASE and not ignore_case:
            raise _Unknown
        return _exact_sequence(sub, ignore_case)
    if op is c.BRANCH:
        union: set[str] = set()
        for alternative in arg[1]:
            found = _exact_sequence(alternative, ignore_case)
            if found is None:
                return None
            union |= found
        return frozenset(union) if len(union) <= MAX_EXPANSION else None
    if op is c.MAX_REPEAT or op is c.MIN_REPEAT:
        low, high, sub = arg
        if (low, high) == (0, 1):
            found = _exact_sequence(sub, ignore_case)
            return None if found is None else found | {""}
        if (low, high) == (1, 1):
            return _exact_sequence(sub, ignore_case)
    return None


def _exact_sequence(items: Any, ignore_case: bool) -> frozenset[str] | None:
    strings: set[str] = {""}
    for item in items:
        found = _exact(item, ignore_case)
        if found is None:
            return None
        strings = {a + b for a in strings for b in found}
        if len(strings) > MAX_EXPANSION:
            return None
    return frozenset(strings)


def _sequence(items: Any, ignore_case: bool) -> frozenset[str] | None:
    """Strings one of which every match of this sequence contains (None: no bound)."""
    c = _sre_constants
    candidates: list[frozenset[str]] = []
    run: set[str] = {""}

    def flush() -> None:
        nonlocal run
        if run != {""} and all(run):
            candidates.append(frozenset(run))
        run = {""}

    for item in items:
        op, arg = item
        exact = _exact(item, ignore_case)
        if exact is not None:
            grown = {a + b for a in run for b in exact}
            if len(grown) <= MAX_EXPANSION:
                run = grown
                continue
        flush()
        if op is c.SUBPATTERN:
            found = _sequence(arg[3], ignore_case)
            if found:
                candidates.append(found)
        elif op is c.BRANCH:
            union: set[str] = set()
            for alternative in arg[1]:
                found = _sequence(alternative, ignore_case)
                if not found:
                    union = set()
                    break
                union |= found
            if union:
                candidates.append(frozenset(union))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
            low, _high, sub = arg
            if low >= 1:
                found = _sequence(sub, ignore_case)
                if found:
                    candidates.append(found)
        # anything else (classes, anchors, any-char, look-arounds, backrefs) requires no text
    flush()
    return _best(candidates)


@lru_cache(maxsize=1024)
def _literals_for(pattern: str, flags: int) -> tuple[frozenset[str] | None, bool]:
    if _sre_parser is None:
        return None, False
    try:
        parsed = _sre_parser.parse(pattern, flags)
        global_flags = parsed.state.flags
        ignore_case = bool(global_flags & _sre_constants.SRE_FLAG_IGNORECASE)
        if global_flags & _sre_constants.SRE_FLAG_VERBOSE:
            return None, ignore_case  # verbose patterns are parsed fine, but keep it simple
        found = _sequence(parsed.data if hasattr(parsed, "data") else parsed, ignore_case)
    except (_Unknown, re.error, AttributeError, TypeError, ValueError, RecursionError):
        return None, False
    if found is not None and ignore_case:
        if not all(s.isascii() for s in found):
            return None, ignore_case  # "ſ" matches "S" under re.I: lower() cannot say so
        found = frozenset(s.lower() for s in found)
    return found, ignore_case


def required_literals(regex: re.Pattern[str]) -> tuple[frozenset[str] | None, bool]:
    """(literals, ignore_case): any match of ``regex`` contains one of ``literals``
    (compared case-insensitively when ``ignore_case``); None when unknown."""
    return _literals_for(regex.pattern, regex.flags)


def may_match(text: str, lowered: str | None, literals: frozenset[str] | None,
              ignore_case: bool) -> bool:
    """False only when ``text`` certainly has no match."""
    if literals is None:
        return True
    if ignore_case and not text.isascii():
        # re.IGNORECASE folds more than str.lower() does ("ſ" matches "s", "K" sign
        # matches "k"): only ASCII text can be ruled out by lower-casing.
        return True
    haystack = (lowered if lowered is not None else text.lower()) if ignore_case else text
    return any(literal in haystack for literal in literals)


def search(regex: re.Pattern[str], text: str) -> re.Match[str] | None:
    """``regex.search(text)``, skipping the regex when the prefilter rules a match out
    (for rules that search many small texts, such as every function body)."""
    literals, ignore_case = required_literals(regex)
    if not may_match(text, None, literals, ignore_case):
        return None
    return regex.search(text)

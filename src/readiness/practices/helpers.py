"""Small helpers shared by rules: evidence from facts, literal values, per-site tallies.

Everything here reads ``RepoFacts`` only; nothing touches the disk or runs code.
``ast.literal_eval`` is used on argument snippets: it parses literals and
never evaluates expressions, calls or names.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Sequence
from typing import Any

from readiness.facts import RepoFacts
from readiness.facts.python.records import Call, Function, ModuleFacts
from readiness.facts.python.routes import Route
from readiness.model import Evidence
from readiness.practices.registry import Outcome, implemented, missing, partial


def call_ev(facts: RepoFacts, module: ModuleFacts | str, call: Call, note: str = "") -> Evidence:
    path = module if isinstance(module, str) else module.path
    end = call.end_line if call.end_line != call.line else None
    return facts.evidence(path, call.line, note=note, end_line=end)


def line_ev(facts: RepoFacts, path: str, line: int, note: str = "") -> Evidence:
    return facts.evidence(path, line, note=note)


def func_ev(facts: RepoFacts, module: ModuleFacts | str, function: Function,
            note: str = "") -> Evidence:
    path = module if isinstance(module, str) else module.path
    return facts.evidence(path, function.line, note=note)


def route_ev(facts: RepoFacts, route: Route, note: str = "") -> Evidence:
    return facts.evidence(route.file, route.line, note=note)


def literal(text: str | None) -> Any:
    """The Python literal written in ``text`` (number, string, bool, None, list...), or
    ``Ellipsis`` when it is not a plain literal (a name, a call, an expression)."""
    if text is None:
        return ...
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return ...


def is_none(text: str | None) -> bool:
    return text is not None and text.strip() == "None"


def is_false(text: str | None) -> bool:
    return text is not None and text.strip() in ("False", "0", "'false'", '"false"')


def is_true(text: str | None) -> bool:
    return text is not None and text.strip() in ("True", "1", "'true'", '"true"')


def share(good: int, total: int) -> float:
    return good / total if total else 0.0


def per_site(
    sites: Sequence[tuple[Evidence, bool]],
    *,
    what: str,
    good: str,
    bad: str,
    threshold: float = 0.9,
) -> Outcome:
    """Status rule 5: implemented if >= 90 % of sites comply, partial if >= 1 does.

    ``sites`` pairs each call site's evidence with whether it complies. The
    evidence of an implemented/partial outcome lists compliant sites first, then
    (as notes) the sites that do not comply, so a reader sees both.
    """
    total = len(sites)
    ok = [e for e, fine in sites if fine]
    not_ok = [e for e, fine in sites if not fine]
    if total == 0:
        return missing(f"No {what} found.")
    ratio = share(len(ok), total)
    summary = f"{len(ok)} of {total} {what} {good} ({ratio:.0%})"
    flagged = [Evidence(e.path, e.line, e.snippet, e.end_line, e.source, note=bad)
               for e in not_ok[:10]]
    if ratio >= threshold:
        tail = f"; {len(not_ok)} {bad}" if not_ok else ""
        return implemented(summary + tail + ".", [*ok[:10], *flagged])
    if ok:
        return partial(f"{summary}; {len(not_ok)} {bad}.", [*ok[:10], *flagged])
    return missing(f"None of {total} {what} {good}; all {bad}.", context=not_ok[:10])


def first(items: Iterable[Any]) -> Any:
    for item in items:
        return item
    return None


def words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))


def dedupe(evidence: Iterable[Evidence]) -> list[Evidence]:
    seen: set[tuple[str, int]] = set()
    out: list[Evidence] = []
    for item in evidence:
        key = (item.path, item.line)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out

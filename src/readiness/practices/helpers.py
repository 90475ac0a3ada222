"""Small helpers shared by rules: evidence from facts, source text, literal values, tallies.

Everything here reads ``RepoFacts`` only; nothing touches the disk or runs code.
``ast.literal_eval`` is used on argument snippets: it parses literals and
never evaluates expressions, calls or names.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from readiness.facts import RepoFacts
from readiness.facts.python.records import Call, ClassDef, Function, ModuleFacts
from readiness.facts.python.routes import Route
from readiness.model import AntiPatternHit, Evidence
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


def with_note(evidence: Evidence, note: str) -> Evidence:
    """The same evidence with ``note`` replacing its note."""
    return Evidence(evidence.path, evidence.line, evidence.snippet, evidence.end_line,
                    evidence.source, note=note)


def grep_ev(facts: RepoFacts, pattern: str | re.Pattern[str],
            kinds: Iterable[str] = ("python",), limit: int = 20, note: str = "",
            flags: int = 0) -> list[Evidence]:
    """Evidence for each line matching ``pattern`` in files of the given kinds."""
    return [facts.evidence(h.path, h.line, note=note)
            for h in facts.grep(pattern, kinds=tuple(kinds), limit=limit, flags=flags)]


def source_of(facts: RepoFacts, path: str, first: int, last: int) -> str:
    """Lines ``first`` to ``last`` (1-based, inclusive) of a file, joined."""
    return "\n".join(facts.lines(path)[first - 1:last])


def definition_source(facts: RepoFacts, path: str, definition: Function | ClassDef) -> str:
    """The source of a function or class, from its ``def``/``class`` line to its last line."""
    return source_of(facts, path, definition.line, definition.end_line)


def calls_inside(module: ModuleFacts, function: Function) -> list[Call]:
    """The calls made in a function's body, nested functions included."""
    qual = function.qualname
    return [c for c in module.calls if c.scope == qual or c.scope.startswith(qual + ".")]


def all_calls(facts: RepoFacts) -> Iterator[tuple[ModuleFacts, Call]]:
    """Every call of the production code (``facts.calls`` needs a name to look up)."""
    for module in facts.modules():
        for call in module.calls:
            yield module, call


def modules_for(facts: RepoFacts, dotted: str) -> list[ModuleFacts]:
    """Production modules a dotted import name may refer to (``app.services.x`` ->
    ``app/services/x.py`` or ``src/app/services/x.py``)."""
    index = facts.memo("mlh.module_suffixes", lambda: _suffix_index(facts))
    return index.get(dotted.replace(".", "/") + ".py", [])


def _suffix_index(facts: RepoFacts) -> dict[str, list[ModuleFacts]]:
    index: dict[str, list[ModuleFacts]] = {}
    for module in facts.modules():
        parts = module.path.split("/")
        for start in range(len(parts)):
            index.setdefault("/".join(parts[start:]), []).append(module)
    return index


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


def yaml_true(value: object) -> bool:
    """A parsed YAML value that switches something on: ``true`` or the string "true"."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


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
    flagged = [with_note(e, bad) for e in not_ok[:10]]
    if ratio >= threshold:
        tail = f"; the other {len(not_ok)}: {bad}" if not_ok else ""
        return implemented(summary + tail + ".", [*ok[:10], *flagged])
    if ok:
        return partial(f"{summary}; the other {len(not_ok)}: {bad}.", [*ok[:10], *flagged])
    places = ", ".join(e.location for e in not_ok[:3]) + (" …" if len(not_ok) > 3 else "")
    return missing(f"0 of {total} {what} {good} ({places}).", context=not_ok[:10])


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


def dedupe_hits(hits: Iterable[AntiPatternHit]) -> list[AntiPatternHit]:
    """The first anti-pattern hit at each ``path:line``."""
    seen: set[tuple[str, int]] = set()
    out: list[AntiPatternHit] = []
    for hit in hits:
        key = (hit.evidence.path, hit.evidence.line)
        if key not in seen:
            seen.add(key)
            out.append(hit)
    return out

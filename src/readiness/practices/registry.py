"""The practice registry: metadata + a pure rule per catalog id.

A rule is a function ``check(facts) -> Outcome``, declared with ``@practice``.
Its docstring, with the fixed headings of ``DOC_HEADINGS``, is the user
documentation printed by ``readiness rules explain ID``.

The registry, not the rule, enforces the catalog's general status rules so that
every practice behaves the same way:

* applicability false -> ``na`` (the rule is not run);
* an anti-pattern caps the status at ``partial``; a "!!" anti-pattern forces
  ``missing``; a "review" one is only reported (status rule 4);
* ``implemented``/``partial`` without evidence is not allowed: it becomes
  ``unknown`` with a message saying so;
* a rule that raises becomes an ``error`` finding and the run goes on.
"""

from __future__ import annotations

import difflib
import inspect
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib.metadata import entry_points

from readiness.facts import PREDICATES, RepoFacts, evaluate, predicate_names
from readiness.model import (
    AntiPatternHit,
    Effort,
    Evidence,
    Finding,
    PracticeMeta,
    Priority,
    Severity,
    Status,
)

_PRIORITY = {"C": Priority.CRITICAL, "H": Priority.HIGH, "M": Priority.MEDIUM, "L": Priority.LOW}
_EFFORT = {"L": Effort.LOW, "M": Effort.MEDIUM, "H": Effort.HIGH}


@dataclass
class Outcome:
    """What a rule concluded, before the registry applies the general status rules."""

    status: Status
    message: str
    evidence: list[Evidence] = field(default_factory=list)
    anti_patterns: list[AntiPatternHit] = field(default_factory=list)
    recommendation: str | None = None
    context: list[Evidence] = field(default_factory=list)  # pointers shown with a missing status


def implemented(message: str, evidence: Iterable[Evidence],
                anti_patterns: Iterable[AntiPatternHit] = ()) -> Outcome:
    return Outcome(Status.IMPLEMENTED, message, list(evidence), list(anti_patterns))


def partial(message: str, evidence: Iterable[Evidence],
            anti_patterns: Iterable[AntiPatternHit] = ()) -> Outcome:
    return Outcome(Status.PARTIAL, message, list(evidence), list(anti_patterns))


def missing(message: str, anti_patterns: Iterable[AntiPatternHit] = (),
            context: Iterable[Evidence] = ()) -> Outcome:
    return Outcome(Status.MISSING, message, [], list(anti_patterns), context=list(context))


def unknown(message: str, context: Iterable[Evidence] = ()) -> Outcome:
    return Outcome(Status.UNKNOWN, message, context=list(context))


def na(message: str) -> Outcome:
    """For rules whose applicability needs more than the predicates can say."""
    return Outcome(Status.NA, message)


def anti(message: str, evidence: Evidence, severity: Severity = Severity.CAP) -> AntiPatternHit:
    return AntiPatternHit(message, evidence, severity.value)


Check = Callable[[RepoFacts], Outcome]
Applies = Callable[[RepoFacts], bool]


@dataclass(frozen=True)
class Practice:
    meta: PracticeMeta
    check: Check
    applies: Applies

    @property
    def id(self) -> str:
        return self.meta.id


_BUILTIN: list[Practice] = []


def build_practice(
    check: Check,
    id: str,
    title: str,
    *,
    priority: str,
    effort: str,
    applies: str,
    recommendation: str,
    sources: tuple[str, ...] = (),
    aliases: tuple[str, ...] = (),
    statuses: str = "implemented partial missing na",
    when: Applies | None = None,
) -> Practice:
    """A ``Practice`` from a rule function and its metadata (the rule's docstring is its
    documentation). Plugins return these from their ``readiness.practices`` entry point.

    ``priority`` and ``effort`` use the catalog's letters (C/H/M/L and L/M/H).
    ``applies`` is the applicability expression shown to users (``"OUT or DB"``);
    ``when`` overrides how it is evaluated when the expression alone cannot say."""
    meta = PracticeMeta(
        id=id,
        title=title,
        priority=_PRIORITY[priority],
        effort=_EFFORT[effort],
        applies=applies,
        doc=inspect.cleandoc(check.__doc__ or ""),
        recommendation=recommendation,
        sources=sources,
        aliases=aliases,
        statuses=tuple(Status(s) for s in statuses.split()),
    )
    if when is None:
        unknown_names = [n for n in predicate_names(applies) if n not in PREDICATES]
        if unknown_names:
            raise ValueError(f"{id}: unknown applicability predicate(s) "
                             f"{', '.join(unknown_names)} in {applies!r}; known: "
                             f"{', '.join(sorted(PREDICATES))}")
    predicate: Applies = when if when is not None else (lambda f: evaluate(applies, f))
    return Practice(meta, check, predicate)


def practice(
    id: str,
    title: str,
    *,
    priority: str,
    effort: str,
    applies: str,
    recommendation: str,
    sources: tuple[str, ...] = (),
    aliases: tuple[str, ...] = (),
    statuses: str = "implemented partial missing na",
    when: Applies | None = None,
) -> Callable[[Check], Check]:
    """Declare a built-in practice (see ``build_practice`` for the arguments)."""

    def register(check: Check) -> Check:
        _BUILTIN.append(build_practice(
            check, id, title, priority=priority, effort=effort, applies=applies,
            recommendation=recommendation, sources=sources, aliases=aliases,
            statuses=statuses, when=when))
        return check

    return register


def builtin_practices() -> list[Practice]:
    from readiness.practices import builtin  # noqa: F401  (imports register the rules)

    return list(_BUILTIN)


class Registry:
    """The practices of a run: the built-in catalog plus entry-point plugins."""

    def __init__(self, practices: Iterable[Practice]) -> None:
        self._by_id: dict[str, Practice] = {}
        for item in practices:
            if item.id in self._by_id:
                raise ValueError(f"practice id registered twice: {item.id}")
            self._by_id[item.id] = item

    @classmethod
    def default(cls, plugins: bool = True) -> Registry:
        practices = builtin_practices()
        if plugins:
            practices += _plugin_practices()
        return cls(practices)

    def __iter__(self) -> Iterator[Practice]:
        return iter(self.all())

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, practice_id: object) -> bool:
        return practice_id in self._by_id

    def get(self, practice_id: str) -> Practice:
        return self._by_id[practice_id]

    def all(self) -> list[Practice]:
        from readiness.model import CATEGORIES

        order = {c.id: i for i, c in enumerate(CATEGORIES)}
        return sorted(self._by_id.values(),
                      key=lambda p: (order.get(p.meta.category.id, 99), p.id))

    def ids(self) -> list[str]:
        return [p.id for p in self.all()]

    def lookup(self, text: str) -> Practice | None:
        """A practice by id, or by its title or one of its aliases (case-insensitive), so
        that `rules explain "graceful shutdown"` finds rel.graceful-shutdown."""
        if text in self._by_id:
            return self._by_id[text]
        wanted = " ".join(text.lower().split())
        for item in self.all():
            names = (item.meta.title, *item.meta.aliases)
            if any(wanted == " ".join(n.lower().split()) for n in names):
                return item
        return None

    def suggest(self, text: str, limit: int = 3) -> list[str]:
        """Ids close to a mistyped id, title or alias."""
        wanted = text.lower()
        by_name: dict[str, str] = {}
        for item in self.all():
            for name in (item.id, item.meta.title.lower(), *(a.lower() for a in item.meta.aliases)):
                by_name.setdefault(name, item.id)
        close = difflib.get_close_matches(wanted, list(by_name), n=limit * 3, cutoff=0.6)
        close += [n for n in by_name if wanted and wanted in n]
        return list(dict.fromkeys(by_name[n] for n in close))[:limit]


PLUGIN_PROBLEMS: list[str] = []
"""Plugins that could not be loaded in this process (reported as run warnings)."""


def _plugin_practices() -> list[Practice]:
    """Practices from third-party distributions (entry-point group ``readiness.practices``).

    Each entry point names a callable returning an iterable of ``Practice``. The
    built-in catalog registers itself under the name ``builtin`` and is skipped here. A
    broken plugin is left out with a warning instead of stopping every command.
    """
    found: list[Practice] = []
    for entry in entry_points(group="readiness.practices"):
        if entry.name == "builtin":
            continue
        try:
            provided = list(entry.load()())
            if not all(isinstance(item, Practice) for item in provided):
                raise TypeError("the entry point must return Practice objects")
        except Exception as exc:  # noqa: BLE001 - a third party's failure, reported
            problem = f"practice plugin {entry.name!r} not loaded: {type(exc).__name__}: {exc}"
            if problem not in PLUGIN_PROBLEMS:
                PLUGIN_PROBLEMS.append(problem)
            continue
        found.extend(provided)
    return found


def run_practice(item: Practice, facts: RepoFacts, debug: bool = False) -> Finding:
    """Run one rule under the general status rules; never raises unless ``debug``."""
    meta = item.meta
    try:
        if not item.applies(facts):
            return Finding(meta, Status.NA, f"Not applicable: {meta.applies} is false here.")
        outcome = item.check(facts)
    except Exception as exc:
        if debug:
            raise
        summary = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        frames = traceback.extract_tb(exc.__traceback__)
        where = f" ({frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno})" if frames else ""
        return Finding(meta, Status.ERROR, f"The rule crashed: {summary}{where}",
                       error=summary + where)
    return finalise(meta, outcome)


def finalise(meta: PracticeMeta, outcome: Outcome) -> Finding:
    """Apply status rule 4 and the evidence invariants to a rule's outcome."""
    status = outcome.status
    message = outcome.message
    evidence = list(dict.fromkeys(outcome.evidence))
    context = list(outcome.context)
    severities = {hit.severity for hit in outcome.anti_patterns}
    if Severity.FORCE_MISSING.value in severities and status != Status.NA:
        if status.present:
            message += " An anti-pattern forces this practice to missing."
        status = Status.MISSING
    elif Severity.CAP.value in severities and status == Status.IMPLEMENTED:
        status = Status.PARTIAL
        message += " Capped at partial by an anti-pattern."
    if status.present and not evidence:
        status = Status.UNKNOWN
        message = f"{message} (no evidence was recorded, so the status cannot be trusted)"
    if status == Status.MISSING and evidence:
        context = evidence + context
        evidence = []
    extra: dict[str, object] = {}
    if context:
        extra["context"] = [e.to_dict() for e in context[:10]]
    if outcome.recommendation:
        extra["recommendation"] = outcome.recommendation
    return Finding(meta, status, message, tuple(evidence[:25]), tuple(outcome.anti_patterns[:25]),
                   extra=extra)

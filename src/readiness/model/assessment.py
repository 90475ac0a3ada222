"""The result of one run: what was assessed, the findings, the scores, the decision."""

from __future__ import annotations

from dataclasses import dataclass, field

from readiness.model.finding import Finding
from readiness.model.probe import ProbeRun


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file readiness could not (fully) read, and why."""

    path: str
    reason: str
    partial_facts: bool = False  # True when facts were still recovered from the rest of it

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"path": self.path, "reason": self.reason}
        if self.partial_facts:
            data["partial_facts"] = True
        return data


@dataclass(frozen=True, slots=True)
class CategoryScore:
    id: str
    title: str
    score: float | None
    status: str  # strong | moderate | weak | na
    critical_gaps: tuple[str, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Summary:
    score: float | None
    level: str  # none | bronze | silver | gold
    decision: str  # ready | conditional | not-ready
    decision_reasons: tuple[str, ...]
    counts: dict[str, int]
    next_level: tuple[str, ...] = ()  # what is missing for the next level


@dataclass(frozen=True, slots=True)
class Target:
    path: str
    name: str
    commit: str | None
    assessed_at: str


@dataclass(frozen=True, slots=True)
class ToolInfo:
    name: str
    version: str
    catalog_version: str
    scoring_version: str


@dataclass(frozen=True, slots=True)
class Applicability:
    """One applicability predicate and the files that made it true."""

    name: str
    value: bool
    evidence: tuple[str, ...] = ()  # path:line strings


@dataclass(frozen=True, slots=True)
class Assessment:
    tool: ToolInfo
    target: Target
    applicability: tuple[Applicability, ...]
    summary: Summary
    categories: tuple[CategoryScore, ...]
    findings: tuple[Finding, ...]
    skipped: tuple[Skipped, ...] = ()
    probe_run: ProbeRun | None = None  # set when a running service was probed (--target)
    stats: dict[str, object] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    routes: tuple[tuple[str, str], ...] = ()  # (method, path) the static review found

    @property
    def probes(self) -> tuple[dict[str, object], ...]:
        """The ``probes`` list of the JSON contract: one entry per probe that ran."""
        if self.probe_run is None:
            return ()
        return tuple(result.to_dict() for result in self.probe_run.results)

    def finding(self, practice_id: str) -> Finding:
        for item in self.findings:
            if item.practice == practice_id:
                return item
        raise KeyError(practice_id)

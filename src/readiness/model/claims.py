"""Claims from a hand-written readiness report, and what readiness found about each.

``readiness verify`` reads a report a team wrote (tables of ✅ / ⚠️ / ❌, "COMPLETED"
sections, checklists, metric tables), turns each statement into a ``Claim``, maps it
to practice ids, and judges it against a fresh assessment of the code. The result
is a ``ClaimsAudit``; the reports render it, ``to_dict`` is its JSON contract
(``readiness schema --verify`` publishes the schema).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

from readiness.model.evidence import Evidence


class ClaimedStatus(StrEnum):
    """What the report says about a practice."""

    DONE = "done"  # ✅, [x], "Implemented", "COMPLETED", "PASSED"
    PARTIAL = "partial"  # ⚠️, 🟡, 🔄, "Partial", "In progress", "NEEDS WORK"
    MISSING = "missing"  # ❌, [ ], "Missing", "FAILED", "TODO"


class Verdict(StrEnum):
    """How a claim compares with the code (and, for figures, with a probe)."""

    CONFIRMED = "confirmed"  # the assessment agrees with the claim
    OVERSTATED = "overstated"  # claimed better than the assessment finds
    UNDERSTATED = "understated"  # claimed worse than the assessment finds
    STALE_REFERENCE = "stale-reference"  # a cited file/line is missing or says something else
    UNVERIFIABLE = "unverifiable"  # nothing in a repository can show it (or no --target)
    UNMAPPED = "unmapped"  # no practice matches the claim; listed, not dropped


CHECKABLE = (Verdict.CONFIRMED, Verdict.OVERSTATED, Verdict.UNDERSTATED, Verdict.STALE_REFERENCE)


@dataclass(frozen=True, slots=True)
class FileReference:
    """A file the report cites: a link, or a backticked path with an optional line range."""

    text: str  # as written in the report
    path: str  # normalised, relative to the repository root when possible
    line: int | None = None
    end_line: int | None = None
    problem: str | None = None  # set by the judge: "no such file", "line 300 > 120 lines", ...
    resolved: str | None = None  # the repository path it resolved to, when it did

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"text": self.text, "path": self.path}
        if self.line is not None:
            data["line"] = self.line
        if self.end_line is not None:
            data["end_line"] = self.end_line
        if self.resolved is not None:
            data["resolved"] = self.resolved
        if self.problem is not None:
            data["problem"] = self.problem
        return data


@dataclass(frozen=True, slots=True)
class Figure:
    """A measured figure the report states, e.g. "P95 Response Time | <100ms | 1378.7ms"."""

    metric: str  # as written: "P95 Response Time"
    measured: float | None  # in the unit below
    unit: str  # "ms", "%", "s", ""
    target: str = ""  # as written: "<100ms"
    kind: str = ""  # "p95_ms", "p99_ms", "avg_ms", "health_ms", "success_rate", ... or ""

    def to_dict(self) -> dict[str, object]:
        return {"metric": self.metric, "measured": self.measured, "unit": self.unit,
                "target": self.target, "kind": self.kind}


@dataclass(frozen=True, slots=True)
class Claim:
    """One statement of the report, with where it is and what it asserts."""

    text: str  # the claim as a person reads it (markup removed)
    line: int  # 1-based line in the report
    claimed_status: ClaimedStatus
    kind: str  # table-row | checklist | bullet | heading | metric | category
    section: str = ""  # the heading it sits under
    references: tuple[FileReference, ...] = ()
    figure: Figure | None = None
    category: str | None = None  # for "Data Layer | ✅ Strong | 85%" rows: a category id
    claimed_score: float | None = None  # the percentage such a row claims
    context: tuple[str, ...] = ()  # the report's own caveats ("code-level ... pending")
    practices: tuple[str, ...] = ()  # filled by the mapping step

    def with_practices(self, practices: tuple[str, ...]) -> Claim:
        return replace(self, practices=practices)


@dataclass(frozen=True, slots=True)
class JudgedClaim:
    """A claim with the verdict and the evidence a reviewer needs to check it."""

    claim: Claim
    verdict: Verdict
    reason: str  # one line: why this verdict
    evidence: tuple[Evidence, ...] = ()  # what the assessment found (or the probe measured)
    found_status: dict[str, str] = field(default_factory=dict)  # practice id -> status
    missing: tuple[str, ...] = ()  # what the assessment says is missing, per practice
    references: tuple[FileReference, ...] = ()  # the claim's references, with problems marked

    def to_dict(self) -> dict[str, object]:
        claim = self.claim
        data: dict[str, object] = {
            "text": claim.text,
            "line": claim.line,
            "kind": claim.kind,
            "section": claim.section,
            "claimed_status": claim.claimed_status.value,
            "practices": list(claim.practices),
            "verdict": self.verdict.value,
            "reason": self.reason,
            "found_status": dict(self.found_status),
            "evidence": [item.to_dict() for item in self.evidence],
            "missing": list(self.missing),
            "references": [ref.to_dict() for ref in self.references],
        }
        if claim.category is not None:
            data["category"] = claim.category
            data["claimed_score"] = claim.claimed_score
        if claim.figure is not None:
            data["figure"] = claim.figure.to_dict()
        if claim.context:
            data["report_caveats"] = list(claim.context)
        return data


@dataclass(frozen=True, slots=True)
class ClaimsAudit:
    """Every claim of one report, judged; the counts and the trust score."""

    report: str  # the report's path as given
    root: str  # the repository it was checked against
    claims: tuple[JudgedClaim, ...]
    assessed_score: float | None = None  # the fresh assessment's overall score
    assessed_decision: str = ""
    probed: str | None = None  # the URL measured, when --target was given
    warnings: tuple[str, ...] = ()
    repaired_encoding: int = 0  # how many mis-encoded emoji were repaired

    def counts(self) -> dict[str, int]:
        counts = {verdict.value: 0 for verdict in Verdict}
        for item in self.claims:
            counts[item.verdict.value] += 1
        return counts

    @property
    def trust_score(self) -> float | None:
        """Confirmed claims over checkable ones (0-100); None when nothing was checkable."""
        counts = self.counts()
        checkable = sum(counts[v.value] for v in CHECKABLE)
        if not checkable:
            return None
        return round(100.0 * counts[Verdict.CONFIRMED.value] / checkable, 1)

    def to_dict(self) -> dict[str, object]:
        counts = self.counts()
        return {
            "schema_version": "1",
            "report": self.report,
            "root": self.root,
            "summary": {
                "claims": len(self.claims),
                "counts": counts,
                "checkable": sum(counts[v.value] for v in CHECKABLE),
                "trust_score": self.trust_score,
                "assessed_score": self.assessed_score,
                "assessed_decision": self.assessed_decision,
                "probed": self.probed,
                "repaired_encoding": self.repaired_encoding,
            },
            "claims": [item.to_dict() for item in self.claims],
            "warnings": list(self.warnings),
        }

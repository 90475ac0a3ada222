"""Weights, category scores, the bronze/silver/gold ladder and the ship decision.

Credit: implemented 1, partial 0.5, missing 0; ``na``, ``unknown`` and ``error``
leave the denominator. Weights come from priorities (critical 10, high 7.5,
medium 5, low 2.5 unless configured). A waived finding keeps its status and its
weight in the score, but leaves the decision: the team has accepted that gap.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from readiness.model import (
    CATEGORIES,
    DEFAULT_WEIGHTS,
    CategoryScore,
    Finding,
    Priority,
    Severity,
    Status,
    Summary,
)

GOLD_SCORE = 80.0


def _weighted(findings: Sequence[Finding], weights: Mapping[str, float]) -> float | None:
    total = 0.0
    earned = 0.0
    for finding in findings:
        credit = finding.status.credit
        if credit is None:
            continue
        weight = weights.get(finding.meta.priority.value, 0.0)
        total += weight
        earned += weight * credit
    if total == 0:
        return None
    return round(100.0 * earned / total, 1)


def overall_score(findings: Sequence[Finding], weights: Mapping[str, float] | None = None
                  ) -> float | None:
    return _weighted(findings, weights or DEFAULT_WEIGHTS)


def status_counts(findings: Sequence[Finding]) -> dict[str, int]:
    counts = {status.value: 0 for status in Status}
    for finding in findings:
        counts[finding.status.value] += 1
    return counts


def _category_status(value: float | None) -> str:
    if value is None:
        return "na"
    if value >= 80:
        return "strong"
    if value >= 50:
        return "moderate"
    return "weak"


def category_scores(findings: Sequence[Finding], weights: Mapping[str, float] | None = None
                    ) -> tuple[CategoryScore, ...]:
    weights = weights or DEFAULT_WEIGHTS
    out: list[CategoryScore] = []
    for category in CATEGORIES:
        members = [f for f in findings if f.meta.category.id == category.id]
        if not members:
            continue
        value = _weighted(members, weights)
        gaps = sorted(
            (f for f in members
             if f.status == Status.MISSING and not f.waived
             and f.meta.priority in (Priority.CRITICAL, Priority.HIGH)),
            key=lambda f: (f.meta.priority.rank, f.practice),
        )
        out.append(CategoryScore(
            id=category.id, title=category.title, score=value, status=_category_status(value),
            critical_gaps=tuple(f.practice for f in gaps), counts=status_counts(members),
        ))
    return tuple(out)


def _forced(finding: Finding) -> bool:
    return any(hit.severity == Severity.FORCE_MISSING.value for hit in finding.anti_patterns)


def decide(findings: Sequence[Finding]) -> tuple[str, tuple[str, ...]]:
    """``not-ready`` / ``conditional`` / ``ready`` and every reason behind it."""
    blocking: list[str] = []
    conditions: list[str] = []
    for finding in sorted(findings, key=lambda f: (f.meta.priority.rank, f.practice)):
        if finding.waived:
            continue
        priority = finding.meta.priority
        status = finding.status
        if _forced(finding):
            blocking.append(f"severe anti-pattern in {finding.practice}: "
                            f"{_first_forced_message(finding)}")
        elif priority == Priority.CRITICAL and status == Status.MISSING:
            blocking.append(f"critical practice missing: {finding.practice}")
        elif priority == Priority.CRITICAL and status == Status.PARTIAL:
            conditions.append(f"critical practice only partial: {finding.practice}")
        elif priority == Priority.CRITICAL and status in (Status.UNKNOWN, Status.ERROR):
            conditions.append(f"critical practice could not be checked: {finding.practice}")
        elif priority == Priority.HIGH and status == Status.MISSING:
            conditions.append(f"high-priority practice missing: {finding.practice}")
    if blocking:
        return "not-ready", tuple(blocking + conditions)
    if conditions:
        return "conditional", tuple(conditions)
    return "ready", ("every critical practice is implemented and no high-priority practice "
                     "is missing",)


def _first_forced_message(finding: Finding) -> str:
    for hit in finding.anti_patterns:
        if hit.severity == Severity.FORCE_MISSING.value:
            return f"{hit.message} ({hit.evidence.location})"
    return ""


def level(findings: Sequence[Finding], overall: float | None) -> tuple[str, tuple[str, ...]]:
    """The ladder: bronze = every applicable critical practice implemented; silver = and
    every high one; gold = and an overall score of at least 80. Returns the level and
    what stands between it and the next one."""

    def unmet(priority: Priority) -> list[str]:
        return [f.practice for f in findings
                if f.meta.priority == priority and f.status not in (Status.IMPLEMENTED, Status.NA)]

    critical = unmet(Priority.CRITICAL)
    if critical:
        return "none", tuple(critical)
    high = unmet(Priority.HIGH)
    if high:
        return "bronze", tuple(high)
    if overall is None or overall < GOLD_SCORE:
        return "silver", (f"overall score {overall if overall is not None else 0:.1f} < "
                          f"{GOLD_SCORE:.0f}",)
    return "gold", ()


def score(findings: Sequence[Finding], weights: Mapping[str, float] | None = None
          ) -> tuple[Summary, tuple[CategoryScore, ...]]:
    weights = weights or DEFAULT_WEIGHTS
    overall = overall_score(findings, weights)
    decision, reasons = decide(findings)
    reached, next_steps = level(findings, overall)
    summary = Summary(score=overall, level=reached, decision=decision, decision_reasons=reasons,
                      counts=status_counts(findings), next_level=next_steps)
    return summary, category_scores(findings, weights)

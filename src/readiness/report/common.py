"""Views over an Assessment shared by the human-readable reporters, and the published schemas."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from readiness.model import Assessment, Evidence, Finding, Status

EFFORT_DAYS = {"low": 1, "medium": 3, "high": 10}
DECISION_LABEL = {
    "ready": "READY",
    "conditional": "CONDITIONAL",
    "not-ready": "NOT READY",
}
DECISION_SYMBOL = {"ready": "✅", "conditional": "⚠️", "not-ready": "❌"}
CATEGORY_SYMBOL = {"strong": "✅", "moderate": "⚠️", "weak": "❌", "na": "➖"}


def forced(finding: Finding) -> bool:
    """A severe ("!!") anti-pattern forced this finding to missing."""
    return any(hit.severity == "force-missing" for hit in finding.anti_patterns)


def gap_key(finding: Finding) -> tuple[int, int, str]:
    """Most important first: launch blockers (critical practices and severe anti-patterns),
    then by priority; missing before partial within a priority."""
    status_rank = {Status.MISSING: 0, Status.PARTIAL: 1}.get(finding.status, 2)
    rank = 0 if forced(finding) else finding.meta.priority.rank
    return (rank, status_rank, finding.practice)


def gaps(assessment: Assessment) -> list[Finding]:
    """Missing and partial findings, most important first (waived ones last)."""
    items = [f for f in assessment.findings if f.status in (Status.MISSING, Status.PARTIAL)]
    return sorted(items, key=lambda f: (f.waived, *gap_key(f)))


def anti_pattern_rows(assessment: Assessment) -> list[tuple[Finding, str, Evidence, str]]:
    rows = []
    for finding in assessment.findings:
        for hit in finding.anti_patterns:
            rows.append((finding, hit.message, hit.evidence, hit.severity))
    return rows


@dataclass(frozen=True)
class Phase:
    name: str
    findings: tuple[Finding, ...]


def roadmap(assessment: Assessment) -> list[Phase]:
    """Gaps grouped into the phases a team would schedule: blockers, then high, then rest."""
    pending = [f for f in gaps(assessment) if not f.waived]
    blockers = tuple(f for f in pending if f.meta.priority.value == "critical" or forced(f))
    high = tuple(f for f in pending if f not in blockers and f.meta.priority.value == "high")
    rest = tuple(f for f in pending if f not in blockers and f not in high)
    phases = [Phase("Phase 1: launch blockers", blockers),
              Phase("Phase 2: high priority", high),
              Phase("Phase 3: hardening", rest)]
    return [p for p in phases if p.findings]


def context_evidence(finding: Finding) -> list[Evidence]:
    """Where a missing finding was looked for (call sites without the control, the app's
    entry point): pointers, not evidence of the practice."""
    items = finding.extra.get("context")
    if not isinstance(items, list):
        return []
    out = []
    for item in items:
        if isinstance(item, dict) and "path" in item and "line" in item:
            out.append(Evidence(str(item["path"]), int(item["line"]), str(item.get("snippet", "")),
                                note=str(item.get("note", ""))))
    return out


def published_schema(name: str) -> dict[str, Any]:
    """A JSON Schema shipped in ``readiness/report/schemas`` (assessment, verify, probe)."""
    text = resources.files("readiness.report").joinpath("schemas", name).read_text(
        encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded

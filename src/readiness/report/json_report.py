"""The JSON report: the stable contract of json-contract.md, plus its JSON Schema."""

from __future__ import annotations

import json
from typing import Any

from readiness.model import Assessment, Finding
from readiness.report.common import published_schema

SCHEMA_VERSION = "1"


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    meta = finding.meta
    data: dict[str, Any] = {
        "practice": meta.id,
        "category": meta.category.id,
        "title": meta.title,
        "priority": meta.priority.value,
        "effort": meta.effort.value,
        "status": finding.status.value,
        "message": finding.message,
        "evidence": [e.to_dict() for e in finding.evidence],
        "anti_patterns": [a.to_dict() for a in finding.anti_patterns],
        "recommendation": recommendation(finding),
        "fingerprint": finding.fingerprint,
    }
    context = finding.extra.get("context")
    if context:
        data["context"] = context
    if finding.waiver is not None:
        data["waiver"] = {"reason": finding.waiver.reason, "expires": finding.waiver.expires,
                          "expired": finding.waiver.expired}
    if finding.error:
        data["error"] = finding.error
    return data


def recommendation(finding: Finding) -> str:
    override = finding.extra.get("recommendation")
    return str(override) if override else finding.meta.recommendation


def to_dict(assessment: Assessment) -> dict[str, Any]:
    summary = assessment.summary
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {
            "name": assessment.tool.name,
            "version": assessment.tool.version,
            "catalog_version": assessment.tool.catalog_version,
            "scoring_version": assessment.tool.scoring_version,
        },
        "target": {
            "path": assessment.target.path,
            "name": assessment.target.name,
            "commit": assessment.target.commit,
            "assessed_at": assessment.target.assessed_at,
        },
        "applicability": {a.name.lower(): a.value for a in assessment.applicability},
        "applicability_evidence": {a.name.lower(): list(a.evidence)
                                   for a in assessment.applicability if a.value},
        "summary": {
            "score": summary.score,
            "level": summary.level,
            "decision": summary.decision,
            "decision_reasons": list(summary.decision_reasons),
            "counts": dict(summary.counts),
            "next_level": list(summary.next_level),
        },
        "categories": [
            {
                "id": c.id,
                "title": c.title,
                "score": c.score,
                "status": c.status,
                "critical_gaps": list(c.critical_gaps),
                "counts": dict(c.counts),
            }
            for c in assessment.categories
        ],
        "findings": [finding_to_dict(f) for f in assessment.findings],
        "probes": [dict(p) for p in assessment.probes],
        "skipped": [s.to_dict() for s in assessment.skipped],
        "warnings": list(assessment.warnings),
        "stats": assessment.stats,
    }


def render_json(assessment: Assessment) -> str:
    return json.dumps(to_dict(assessment), indent=2, ensure_ascii=False, default=str) + "\n"


def schema() -> dict[str, Any]:
    """The published JSON Schema (draft 2020-12) of the assessment report."""
    return published_schema("assessment.schema.json")


class JsonReporter:
    name = "json"
    extension = "json"

    def render(self, assessment: Assessment) -> str:
        return render_json(assessment)

"""Frozen value types shared by every layer of readiness."""

from readiness.model.assessment import (
    Applicability,
    Assessment,
    CategoryScore,
    Skipped,
    Summary,
    Target,
    ToolInfo,
)
from readiness.model.claims import (
    CHECKABLE,
    Claim,
    ClaimedStatus,
    ClaimsAudit,
    Figure,
    FileReference,
    JudgedClaim,
    Verdict,
)
from readiness.model.evidence import AntiPatternHit, Evidence, clip
from readiness.model.finding import Finding, Waiver, fingerprint
from readiness.model.practice import CATEGORIES, DOC_HEADINGS, Category, PracticeMeta, category_for
from readiness.model.probe import (
    CheckVerdict,
    ProbeCheck,
    ProbeResult,
    ProbeRun,
    ThresholdOutcome,
)
from readiness.model.status import DEFAULT_WEIGHTS, Effort, Priority, Severity, Status

__all__ = [
    "CATEGORIES",
    "CHECKABLE",
    "DEFAULT_WEIGHTS",
    "DOC_HEADINGS",
    "AntiPatternHit",
    "Applicability",
    "Assessment",
    "Category",
    "CategoryScore",
    "CheckVerdict",
    "Claim",
    "ClaimedStatus",
    "ClaimsAudit",
    "Effort",
    "Evidence",
    "Figure",
    "FileReference",
    "Finding",
    "JudgedClaim",
    "PracticeMeta",
    "Priority",
    "ProbeCheck",
    "ProbeResult",
    "ProbeRun",
    "Severity",
    "Skipped",
    "Status",
    "Summary",
    "Target",
    "ThresholdOutcome",
    "ToolInfo",
    "Verdict",
    "Waiver",
    "category_for",
    "clip",
    "fingerprint",
]

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
from readiness.model.evidence import AntiPatternHit, Evidence, clip
from readiness.model.finding import Finding, Waiver, fingerprint
from readiness.model.probe import (
    CheckVerdict,
    ProbeCheck,
    ProbeResult,
    ProbeRun,
    ThresholdOutcome,
)
from readiness.model.practice import CATEGORIES, DOC_HEADINGS, Category, PracticeMeta, category_for
from readiness.model.status import DEFAULT_WEIGHTS, Effort, Priority, Severity, Status

__all__ = [
    "CATEGORIES",
    "DEFAULT_WEIGHTS",
    "DOC_HEADINGS",
    "AntiPatternHit",
    "Applicability",
    "Assessment",
    "Category",
    "CategoryScore",
    "CheckVerdict",
    "Effort",
    "Evidence",
    "Finding",
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
    "Waiver",
    "category_for",
    "clip",
    "fingerprint",
]

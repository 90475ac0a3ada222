"""Enumerations shared by every layer: statuses, priorities, efforts.

They are ``str`` enums so that they serialise as their value in JSON and compare
equal to plain strings read back from a report.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Outcome of one practice on one repository (see json-contract.md)."""

    IMPLEMENTED = "implemented"
    PARTIAL = "partial"
    MISSING = "missing"
    NA = "na"
    UNKNOWN = "unknown"
    ERROR = "error"

    @property
    def credit(self) -> float | None:
        """Score credit: implemented 1, partial 0.5, missing 0; the rest leave the denominator."""
        return {"implemented": 1.0, "partial": 0.5, "missing": 0.0}.get(self.value)

    @property
    def present(self) -> bool:
        return self in (Status.IMPLEMENTED, Status.PARTIAL)

    @property
    def symbol(self) -> str:
        return {
            "implemented": "✅",
            "partial": "⚠️",
            "missing": "❌",
            "na": "➖",
            "unknown": "❔",
            "error": "💥",
        }[self.value]


DEFAULT_WEIGHTS: dict[str, float] = {"critical": 10.0, "high": 7.5, "medium": 5.0, "low": 2.5}
"""Score weight of each priority; configurable per project (``weights`` setting)."""


class Priority(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        """0 for critical ... 3 for low, for sorting most important first."""
        return ["critical", "high", "medium", "low"].index(self.value)


class Effort(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def label(self) -> str:
        return {"low": "hours", "medium": "days", "high": "weeks"}[self.value]


class Severity(StrEnum):
    """How an anti-pattern affects the status of its practice (catalog status rule 4)."""

    CAP = "cap"  # caps the status at partial
    FORCE_MISSING = "force-missing"  # "!!" in the catalog: the practice is missing
    REVIEW = "review"  # reported for a human to look at, status unaffected

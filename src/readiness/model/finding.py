"""Finding: the one currency between layers (static rules and probes alike)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from readiness.model.evidence import AntiPatternHit, Evidence
from readiness.model.practice import PracticeMeta
from readiness.model.status import Status


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def fingerprint(practice_id: str, path: str, text: str) -> str:
    """Stable id of a finding: unaffected by line shifts, changed by what was matched."""
    digest = hashlib.sha256()
    clean = path.replace("\\", "/").removeprefix("./").lower()
    for part in (practice_id, clean, _normalise(text)):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Waiver:
    """An accepted gap: it keeps its status but leaves the decision and the gate."""

    practice: str
    reason: str
    expires: str | None = None  # ISO date
    expired: bool = False


@dataclass(frozen=True, slots=True)
class Finding:
    meta: PracticeMeta
    status: Status
    message: str
    evidence: tuple[Evidence, ...] = ()
    anti_patterns: tuple[AntiPatternHit, ...] = ()
    waiver: Waiver | None = None
    error: str | None = None  # traceback summary when status is ERROR
    extra: dict[str, object] = field(default_factory=dict, compare=False)

    @property
    def practice(self) -> str:
        return self.meta.id

    @property
    def fingerprint(self) -> str:
        if self.evidence:
            first = self.evidence[0]
            return fingerprint(self.meta.id, first.path, first.snippet or first.location)
        if self.anti_patterns:
            hit = self.anti_patterns[0].evidence
            return fingerprint(self.meta.id, hit.path, hit.snippet or hit.location)
        return fingerprint(self.meta.id, "", self.status.value)

    @property
    def waived(self) -> bool:
        return self.waiver is not None and not self.waiver.expired

    def with_waiver(self, waiver: Waiver) -> Finding:
        return Finding(
            self.meta,
            self.status,
            self.message,
            self.evidence,
            self.anti_patterns,
            waiver,
            self.error,
            self.extra,
        )

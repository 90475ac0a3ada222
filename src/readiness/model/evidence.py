"""Evidence: where a status comes from, in a form a person can open."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Source = Literal["static", "probe"]

MAX_SNIPPET = 200


def clip(text: str, limit: int = MAX_SNIPPET) -> str:
    """One line of at most ``limit`` characters, for snippets and messages."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


@dataclass(frozen=True, slots=True)
class Evidence:
    """A ``path:line`` (or a probe observation) that supports a finding.

    ``path`` is relative to the assessed root with ``/`` separators; ``line`` is
    1-based. Probe evidence uses the URL as ``path`` and ``line`` 0.
    """

    path: str
    line: int
    snippet: str = ""
    end_line: int | None = None
    source: Source = "static"
    note: str = ""

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"path": self.path, "line": self.line}
        if self.end_line is not None and self.end_line != self.line:
            data["end_line"] = self.end_line
        data["snippet"] = self.snippet
        data["source"] = self.source
        if self.note:
            data["note"] = self.note
        return data


@dataclass(frozen=True, slots=True)
class AntiPatternHit:
    """An anti-pattern seen in the code, with how it affects the practice's status."""

    message: str
    evidence: Evidence
    severity: str = "cap"  # a readiness.model.Severity value

    def to_dict(self) -> dict[str, object]:
        data = self.evidence.to_dict()
        data["message"] = self.message
        data["severity"] = self.severity
        return data

"""Metadata of a practice and of the categories practices belong to."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

from readiness.model.status import Effort, Priority, Status

DOC_HEADINGS = (
    "Why it matters",
    "What counts as evidence",
    "What makes it partial",
    "How to satisfy",
)


@dataclass(frozen=True, slots=True)
class Category:
    id: str
    title: str
    prefix: str  # the id prefix of its practices, e.g. "rel"


CATEGORIES: tuple[Category, ...] = (
    Category("data", "Data Layer", "data"),
    Category("reliability", "Reliability", "rel"),
    Category("scale", "Scale", "scale"),
    Category("security", "Security & Auth", "sec"),
    Category("observability", "Observability", "obs"),
    Category("deployment", "Deployment & Ops", "deploy"),
    Category("code", "Code Quality & Architecture", "code"),
    Category("networking", "Networking & API", "net"),
    Category("ml", "AI/ML Infrastructure", "ml"),
    Category("ml-hygiene", "ML Hygiene", "mlh"),
    Category("operations", "Cost & Operations", "ops"),
)

_BY_PREFIX = {c.prefix: c for c in CATEGORIES}


def category_for(practice_id: str) -> Category:
    """The category a practice id belongs to, from its prefix (``rel.timeouts`` -> reliability)."""
    prefix = practice_id.split(".", 1)[0]
    try:
        return _BY_PREFIX[prefix]
    except KeyError:
        raise ValueError(f"practice id {practice_id!r} has no known category prefix") from None


@dataclass(frozen=True, slots=True)
class PracticeMeta:
    """What a practice is; the rule that checks it lives in ``readiness.practices``.

    ``applies`` is the catalog's applicability expression (``"OUT or DB"``), shown to
    users and evaluated by the registry. ``aliases`` are words a hand-written
    report may use for the practice (used when auditing such reports).
    """

    id: str
    title: str
    priority: Priority
    effort: Effort
    applies: str
    doc: str
    recommendation: str
    sources: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    statuses: tuple[Status, ...] = (
        Status.IMPLEMENTED,
        Status.PARTIAL,
        Status.MISSING,
        Status.NA,
    )
    category: Category = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "category", category_for(self.id))

    def doc_section(self, heading: str) -> str:
        """The text under one of the fixed docstring headings (empty when absent)."""
        lines = self.doc.splitlines()
        out: list[str] = []
        inside = False
        for line in lines:
            stripped = line.strip()
            if stripped.rstrip(":") in DOC_HEADINGS:
                inside = stripped.rstrip(":") == heading
                continue
            if inside:
                out.append(line)
        return textwrap.dedent("\n".join(out)).strip()

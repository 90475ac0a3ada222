"""Claims extracted from a hand-written readiness report, checked against an assessment.

The pipeline: repair mis-encoded emoji (``mojibake``), parse the Markdown
(``document``), extract claims and map them to practices (``extract``, ``mapping``),
judge each against the assessment and the repository (``judge``). This package reads
no file itself: the engine hands it the report's text, the assessment, and a
``SourceTree`` that resolves references inside the repository only.
"""

from __future__ import annotations

from collections.abc import Iterable

from readiness.model import Assessment, Claim, ClaimsAudit, PracticeMeta, ProbeRun
from readiness.verify.document import Document, parse
from readiness.verify.extract import ClaimExtractor
from readiness.verify.judge import Judge, SourceTree
from readiness.verify.mapping import PracticeMapper
from readiness.verify.mojibake import repair

MAX_CLAIMS = 5_000  # a long review has a few hundred; beyond this the output helps nobody


def read_claims(text: str, metas: Iterable[PracticeMeta]) -> tuple[list[Claim], Document, int]:
    """The claims of a report text, its parsed document, and how many symbols were repaired."""
    fixed, repaired = repair(text)
    document = parse(fixed)
    claims = ClaimExtractor(PracticeMapper(metas)).extract(document)
    return claims, document, repaired


def audit(report: str, root: str, text: str, assessment: Assessment, tree: SourceTree,
          probes: ProbeRun | None = None) -> ClaimsAudit:
    """Every claim of the report, judged against the assessment (and the probes, if any)."""
    claims, document, repaired = read_claims(text, (f.meta for f in assessment.findings))
    warnings: list[str] = []
    if not claims:
        if not document.blocks:
            warnings.append("the report holds no Markdown headings, tables, lists or paragraphs")
        else:
            warnings.append("no claims found: no status markers (✅ ⚠️ ❌, [x], Implemented, "
                            "Missing...) in tables, lists or headings")
    if len(claims) > MAX_CLAIMS:
        warnings.append(f"the report holds {len(claims):,} claims; the first {MAX_CLAIMS:,} "
                        "were judged (is it really one readiness review?)")
        claims = claims[:MAX_CLAIMS]
    judged = Judge(assessment, tree, probes).judge_all(claims)
    return ClaimsAudit(report=report, root=root, claims=tuple(judged),
                       assessed_score=assessment.summary.score,
                       assessed_decision=assessment.summary.decision,
                       probed=probes.target if probes is not None else None,
                       warnings=tuple(warnings), repaired_encoding=repaired)


__all__ = ["Document", "Judge", "PracticeMapper", "SourceTree", "audit", "parse",
           "read_claims"]

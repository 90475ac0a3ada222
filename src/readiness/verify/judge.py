"""Judge claims against a fresh assessment (and, for figures, a probe run).

The verdicts, in the order they are decided:

1. ``stale-reference``: a cited file does not exist in the repository, a cited line
   is past its end, the reference leaves the repository (never read), or the cited
   lines do not mention the practice the claim is about;
2. for a category row, the claimed score against the assessed category score
   (within 15 points confirms);
3. for a figure, the probe's measurement against the claim's own target, when a
   probe ran; without one the figure is ``unverifiable``;
4. a claim that names no practice is ``unmapped`` (or ``unverifiable`` when it is
   about something no repository shows: on-call, SLAs, documents), except that a
   "done" claim whose own section says the work is pending is ``overstated`` by the
   report's own words;
5. otherwise the claimed status against the practices' statuses: done needs every
   applicable practice implemented; missing is contradicted by any evidence.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Protocol

from readiness.model import (
    Assessment,
    Claim,
    ClaimedStatus,
    Evidence,
    FileReference,
    Finding,
    JudgedClaim,
    ProbeRun,
    Status,
    Verdict,
)
from readiness.verify.figures import bound
from readiness.verify.mapping import tokens

CATEGORY_TOLERANCE = 15.0
NOT_FOUND = "not found in the repository"  # the SourceTree's answer for a missing file
EVIDENCE_PER_PRACTICE = 3

_LEVEL = {Status.IMPLEMENTED: 2, Status.PARTIAL: 1, Status.MISSING: 0}
_CLAIMED_LEVEL = {ClaimedStatus.DONE: 2, ClaimedStatus.PARTIAL: 1, ClaimedStatus.MISSING: 0}
_ORGANISATIONAL = re.compile(
    r"\b(on[- ]call|rotation|pager|runbooks?|incident response|sla|slo|team|"
    r"stakeholders?|budget|cost|sign[- ]off|approval|meeting|hiring|"
    r"documentation|docs|dashboards?|support contract|vendor)\b", re.I)


class SourceTree(Protocol):
    """The repository as the judge may see it; the engine implements it safely.

    ``locate`` answers where a reference points (a repository path, or a problem
    such as "outside the repository"); ``line_count`` and ``lines`` read only
    files inside the root, within the size limits. Nothing here follows a path
    out of the repository.
    """

    def locate(self, reference: str) -> tuple[str | None, str | None]: ...

    def line_count(self, path: str) -> int | None: ...

    def lines(self, path: str, start: int, end: int) -> str | None: ...


def _keywords(finding: Finding) -> set[str]:
    meta = finding.meta
    words: set[str] = set()
    for name in (meta.title, meta.id.split(".", 1)[1], *meta.aliases):
        words.update(word for word in tokens(name) if len(word) >= 4)
    for item in finding.evidence[:5]:
        words.update(word for word in tokens(item.snippet) if len(word) >= 5)
    return words


class Judge:
    """Compares claims with one assessment; stateless apart from what it was given."""

    def __init__(self, assessment: Assessment, tree: SourceTree,
                 probes: ProbeRun | None = None) -> None:
        self.assessment = assessment
        self.tree = tree
        self.probes = probes
        self.findings: dict[str, Finding] = {f.practice: f for f in assessment.findings}
        self.categories = {c.id: c.score for c in assessment.categories}
        self.categories["overall"] = assessment.summary.score

    def judge_all(self, claims: Sequence[Claim]) -> list[JudgedClaim]:
        return [self.judge(claim) for claim in claims]

    def judge(self, claim: Claim) -> JudgedClaim:
        practices = tuple(p for p in claim.practices if p in self.findings)
        claim = replace(claim, practices=practices)
        refs = tuple(self._check_reference(ref, practices) for ref in claim.references)
        if claim.claimed_status == ClaimedStatus.MISSING:
            # "Files to create: src/validators.py" - a missing file agrees with the claim
            refs = tuple(replace(ref, problem=None) if ref.problem == NOT_FOUND else ref
                         for ref in refs)
        broken = [ref for ref in refs if ref.problem]
        evidence = self._evidence(practices)
        statuses = {p: self.findings[p].status.value for p in practices}
        if broken:
            first = broken[0]
            more = f" (and {len(broken) - 1} more)" if len(broken) > 1 else ""
            reason = f"{len(broken)} of {len(refs)} cited references do not hold: " \
                     f"{first.text}: {first.problem}{more}"
            if claim.claimed_status == ClaimedStatus.DONE and claim.context:
                reason += f"; and the report itself says: \"{claim.context[0][:120]}\""
            return JudgedClaim(claim, Verdict.STALE_REFERENCE, reason, evidence, statuses,
                               references=refs)
        if claim.category is not None:
            return self._judge_category(claim, refs)
        if claim.figure is not None:
            return self._judge_figure(claim, refs)
        if not practices:
            return self._judge_unmapped(claim, refs)
        return self._judge_practices(claim, refs, evidence, statuses)

    # -- references --------------------------------------------------------------------------

    def _check_reference(self, ref: FileReference, practices: Sequence[str]) -> FileReference:
        resolved, problem = self.tree.locate(ref.path)
        if problem is not None or resolved is None:
            return replace(ref, problem=problem or NOT_FOUND)
        ref = replace(ref, resolved=resolved)
        if ref.line is None:
            return ref
        total = self.tree.line_count(resolved)
        if total is None:
            return ref
        last = ref.end_line or ref.line
        if ref.line > total or last > total:
            return replace(ref, problem=f"line {last} is past the end ({total} lines)")
        if practices and not self._mentions(resolved, ref.line, last, practices):
            titles = " / ".join(self.findings[p].meta.title for p in practices[:2])
            span = f"lines {ref.line}-{last} do" if last != ref.line else f"line {last} does"
            return replace(ref, problem=f"{span} not mention {titles}")
        return ref

    def _mentions(self, path: str, start: int, end: int, practices: Sequence[str]) -> bool:
        """Do the cited lines show the practice? Conservative: True unless clearly not.

        The cited region must overlap evidence (or an anti-pattern) of the practice or
        contain one of its words. When readiness found nothing at all for the practice
        it does not know what the code would look like, so it does not judge.
        """
        known = False
        for practice in practices:
            finding = self.findings[practice]
            items = [*finding.evidence, *(hit.evidence for hit in finding.anti_patterns)]
            known = known or bool(items)
            for item in items:
                if item.path == path and start - 5 <= item.line <= end + 5:
                    return True
        if not known:
            return True
        pad = 0 if end > start else 2  # a range is taken as written; one line gets slack
        text = self.tree.lines(path, max(1, start - pad), end + pad)
        if text is None:
            return True  # cannot read it (binary, too large): do not accuse the report
        words = set(tokens(text))
        lowered = text.lower()
        for practice in practices:
            for keyword in _keywords(self.findings[practice]):
                if keyword in words or keyword in lowered:
                    return True
        return False

    # -- verdicts ----------------------------------------------------------------------------

    def _evidence(self, practices: Sequence[str]) -> tuple[Evidence, ...]:
        out: list[Evidence] = []
        for practice in practices:
            finding = self.findings[practice]
            out.extend(finding.evidence[:EVIDENCE_PER_PRACTICE])
            out.extend(hit.evidence for hit in finding.anti_patterns[:2])
        return tuple(out)

    def _judge_category(self, claim: Claim, refs: tuple[FileReference, ...]) -> JudgedClaim:
        assert claim.category is not None
        actual = self.categories.get(claim.category)
        label = "overall" if claim.category == "overall" else claim.category
        if actual is None or claim.claimed_score is None:
            return JudgedClaim(claim, Verdict.UNVERIFIABLE,
                               f"readiness has no {label} score for this repository (nothing in "
                               "it applies)", references=refs)
        gap = claim.claimed_score - actual
        reason = f"claims {claim.claimed_score:.0f}%, readiness scores {label} {actual:.0f}%"
        if gap > CATEGORY_TOLERANCE:
            verdict = Verdict.OVERSTATED
        elif gap < -CATEGORY_TOLERANCE:
            verdict = Verdict.UNDERSTATED
        else:
            verdict = Verdict.CONFIRMED
            reason += f" (within {CATEGORY_TOLERANCE:.0f} points)"
        return JudgedClaim(claim, verdict, reason, found_status={label: f"{actual:.0f}%"},
                           references=refs)

    def _measured(self, kind: str) -> tuple[float | None, str, Evidence | None]:
        """The probe's value for a figure kind, with the probe as evidence."""
        if self.probes is None:
            return None, "", None
        wanted = {"health_ms": ("health", "p95_ms"), "p95_ms": ("latency", "p95_ms"),
                  "p99_ms": ("latency", "p99_ms"), "p50_ms": ("latency", "p50_ms"),
                  "avg_ms": ("latency", "avg_ms"), "rps": ("latency", "rps"),
                  "error_rate": ("latency", "error_rate"),
                  "success_rate": ("latency", "success_rate")}.get(kind)
        if wanted is None:
            return None, "", None
        probe_prefix, key = wanted
        for result in self.probes.results:
            if not result.probe.startswith(probe_prefix):
                continue
            value = result.measured.get(key)
            if key == "success_rate" and value is None:
                rate = result.measured.get("error_rate")
                value = (1.0 - float(rate)) * 100.0 if isinstance(rate, (int, float)) else None
            if key == "error_rate" and isinstance(value, (int, float)):
                value = float(value) * 100.0  # probes count a fraction; reports write 1 %
            if isinstance(value, (int, float)):
                path = result.measured.get("path")
                where = f"{result.probe} on {path}" if isinstance(path, str) else result.probe
                note = f"{where}: {key} = {value:g}"
                return float(value), where, Evidence(result.target, 0, note, source="probe")
        return None, "", None

    def _judge_figure(self, claim: Claim, refs: tuple[FileReference, ...]) -> JudgedClaim:
        figure = claim.figure
        assert figure is not None
        if not figure.kind:
            return JudgedClaim(claim, Verdict.UNVERIFIABLE,
                               "a figure no probe measures (memory, CPU, cache hit rate...)",
                               references=refs)
        if self.probes is None:
            return JudgedClaim(claim, Verdict.UNVERIFIABLE,
                               "a figure measured on a running service: give --target URL to "
                               "measure it", references=refs)
        measured, probe, evidence = self._measured(figure.kind)
        if measured is None or evidence is None:
            return JudgedClaim(claim, Verdict.UNVERIFIABLE,
                               f"the probes did not measure {figure.kind} (load needs "
                               "--allow-load)", references=refs)
        limit = bound(figure.target)
        unit = " ms" if figure.kind.endswith("_ms") else \
            " %" if figure.kind in ("success_rate", "error_rate") else ""
        shown = f"measured {measured:g}{unit} ({probe})"
        if limit is None:
            return JudgedClaim(claim, Verdict.UNVERIFIABLE,
                               f"{shown}; the claim states no target to compare with",
                               (evidence,), references=refs)
        operator, value = limit
        meets = {"<": measured < value, "<=": measured <= value, ">": measured > value,
                 ">=": measured >= value}[operator]
        claimed_meets = claim.claimed_status == ClaimedStatus.DONE
        found = {figure.kind: f"{measured:g}"}
        if meets == claimed_meets:
            return JudgedClaim(claim, Verdict.CONFIRMED,
                               f"{shown}, target {figure.target}: "
                               f"{'met' if meets else 'not met'}, as the report says",
                               (evidence,), found, references=refs)
        verdict = Verdict.OVERSTATED if claimed_meets else Verdict.UNDERSTATED
        return JudgedClaim(claim, verdict,
                           f"{shown}, target {figure.target}: "
                           f"{'met' if meets else 'not met'}, the report says otherwise",
                           (evidence,), found, references=refs)

    def _judge_unmapped(self, claim: Claim, refs: tuple[FileReference, ...]) -> JudgedClaim:
        if claim.claimed_status == ClaimedStatus.DONE and claim.context:
            return JudgedClaim(claim, Verdict.OVERSTATED,
                               f"marked done, but the report itself says: "
                               f"\"{claim.context[0][:140]}\"", references=refs)
        if _ORGANISATIONAL.search(claim.text):
            return JudgedClaim(claim, Verdict.UNVERIFIABLE,
                               "about people, process or documents outside the code",
                               references=refs)
        return JudgedClaim(claim, Verdict.UNMAPPED,
                           "no practice of the catalog matches this claim", references=refs)

    def _judge_practices(self, claim: Claim, refs: tuple[FileReference, ...],
                         evidence: tuple[Evidence, ...], statuses: Mapping[str, str]
                         ) -> JudgedClaim:
        findings = [self.findings[p] for p in claim.practices]
        applicable = [f for f in findings if f.status != Status.NA]
        decidable = [f for f in applicable if f.status in _LEVEL]
        if applicable and not decidable:
            states = ", ".join(f"{f.practice} {f.status.value}" for f in applicable)
            return JudgedClaim(claim, Verdict.UNVERIFIABLE,
                               f"readiness could not decide ({states})", evidence,
                               dict(statuses), references=refs)
        claimed = _CLAIMED_LEVEL[claim.claimed_status]
        if not applicable:
            ids = ", ".join(claim.practices)
            if claim.claimed_status == ClaimedStatus.MISSING:
                return JudgedClaim(claim, Verdict.CONFIRMED,
                                   f"nothing in the repository needs {ids}, nor has it",
                                   evidence, dict(statuses), references=refs)
            return JudgedClaim(claim, Verdict.OVERSTATED,
                               f"readiness found nothing {ids} applies to in this repository",
                               evidence, dict(statuses), references=refs)
        levels = [_LEVEL[f.status] for f in decidable]
        short = tuple(f"{f.practice}: {f.message}" for f in decidable
                      if _LEVEL[f.status] < max(claimed, 1) and f.status != Status.IMPLEMENTED)
        if claim.claimed_status == ClaimedStatus.DONE:
            worst = min(levels)
            if worst == 2:
                verdict, reason = Verdict.CONFIRMED, "implemented, with evidence"
            else:
                verdict = Verdict.OVERSTATED
                reason = "claimed done; readiness finds " + ", ".join(
                    f"{f.practice} {f.status.value}" for f in decidable if _LEVEL[f.status] < 2)
        elif claim.claimed_status == ClaimedStatus.MISSING:
            best = max(levels)
            if best == 0:
                verdict, reason = Verdict.CONFIRMED, "missing, as the report says"
            else:
                verdict = Verdict.UNDERSTATED
                reason = "claimed missing; readiness finds " + ", ".join(
                    f"{f.practice} {f.status.value}" for f in decidable if _LEVEL[f.status] > 0)
        else:
            if all(level == 2 for level in levels):
                verdict, reason = Verdict.UNDERSTATED, "claimed partial; readiness finds it " \
                                                       "implemented"
            elif all(level == 0 for level in levels):
                verdict, reason = Verdict.OVERSTATED, "claimed partial; readiness finds " \
                                                      "nothing of it"
            else:
                verdict, reason = Verdict.CONFIRMED, "partial, as the report says"
        if claim.context and verdict == Verdict.CONFIRMED and claimed == 2:
            reason += f" (the report's own caveat: \"{claim.context[0][:100]}\")"
        return JudgedClaim(claim, verdict, reason, evidence, dict(statuses), short, refs)

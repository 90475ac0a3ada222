"""Merge what probes observed on the running service into the static findings.

A probe check is one more piece of evidence for a practice, with ``source: probe``:

- it *confirms* a control (``pass``): a static ``implemented`` keeps its status and gains
  the observation; a control readiness could not see in the repository (``missing``,
  ``unknown``, or ``na`` when the static predicates did not see the need: a header set
  by a proxy, a limit enforced by a gateway, a readiness check against a database the
  code reaches through configuration) becomes ``implemented`` on the probe's evidence
  alone, except ``sec.cors``, where passing means only that nothing was granted;
  ``scale.latency-budget`` becomes ``implemented`` only when a target was declared in
  the repository (static ``partial``), and ``partial`` when the measurement is all
  there is;
- it *refutes* a control (``fail``): a static ``implemented`` becomes ``partial`` and
  shows both sides; ``missing`` stays missing with the observation as an anti-pattern;
  ``na`` becomes ``missing`` (the probe saw the thing the repository did not show);
- ``inconclusive`` changes nothing; it stays in the probe results.

Pure functions of findings and checks: re-running them on stored results gives the
same answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from readiness.model import AntiPatternHit, Evidence, Finding, ProbeCheck, ProbeRun, Status, clip

# Practices where a passing probe only saw nothing wrong: no CORS header granted is
# what "not applicable" already says, so it does not make the practice implemented.
_ABSENCE_IS_THE_CONTROL = frozenset({"sec.cors"})

# Practices whose probe can complete what the repository only declares.
_COMPLETED_BY_PROBE = frozenset({"scale.latency-budget"})


def probe_evidence(check: ProbeCheck) -> Evidence:
    """A probe observation as evidence: the URL as path, line 0, what was seen as snippet."""
    return Evidence(path=check.url, line=0, snippet=clip(check.observed or check.message),
                    source="probe", note=clip(check.message, 160))


def merge(finding: Finding, checks: Sequence[ProbeCheck]) -> Finding:
    """The finding with the probe checks of its practice folded in."""
    mine = [c for c in checks if c.practice == finding.practice and c.verdict != "inconclusive"]
    if not mine or finding.status == Status.ERROR:
        return finding
    failed = [c for c in mine if c.verdict == "fail"]
    passed = [c for c in mine if c.verdict == "pass"]
    status = finding.status
    evidence = list(finding.evidence)
    hits = list(finding.anti_patterns)
    message = finding.message
    if failed:
        refuted = "; ".join(c.message for c in failed[:2])
        if status in (Status.IMPLEMENTED, Status.PARTIAL):
            status = Status.PARTIAL
            evidence.extend(probe_evidence(c) for c in failed)
            message = f"{message} — the running service refutes it: {refuted}"
        else:
            status = Status.MISSING
            evidence = []
            hits.extend(AntiPatternHit(c.message, probe_evidence(c)) for c in failed)
            message = f"{message} — observed on the running service: {refuted}" \
                if finding.status == Status.MISSING else f"observed: {refuted}"
    else:
        seen = "; ".join(c.message for c in passed[:2])
        evidence.extend(probe_evidence(c) for c in passed)
        if finding.practice in _COMPLETED_BY_PROBE:
            if status == Status.PARTIAL:
                status = Status.IMPLEMENTED
                message = f"target declared and met: {seen}"
            elif status in (Status.MISSING, Status.UNKNOWN, Status.NA):
                status = Status.PARTIAL
                message = f"measured ({seen}) but no target is declared in the repository"
        elif status in (Status.MISSING, Status.UNKNOWN):
            status = Status.IMPLEMENTED
            message = f"observed on the running service (not found in the repository): {seen}"
        elif status == Status.NA:
            if finding.practice in _ABSENCE_IS_THE_CONTROL:
                return finding
            status = Status.IMPLEMENTED  # the service shows what the repository did not
            message = f"observed on the running service: {seen}"
        elif status == Status.IMPLEMENTED:
            message = f"{message}; confirmed on the running service: {seen}"
        else:
            message = f"{message}; the running service shows: {seen}"
    if status == Status.MISSING:
        evidence = []
    return replace(finding, status=status, message=message, evidence=tuple(evidence),
                   anti_patterns=tuple(hits))


def _health_only_budget(probe: str, check: ProbeCheck) -> bool:
    """A fast health check does not show that a declared (load) latency target is met:
    only a load probe can complete ``scale.latency-budget``; a slow health check still
    counts against it."""
    return check.practice == "scale.latency-budget" and probe == "health" and \
        check.verdict == "pass"


def apply_probes(findings: Iterable[Finding], run: ProbeRun
                 ) -> tuple[list[Finding], list[ProbeCheck]]:
    """Every finding with its probe checks merged, and the checks no finding took."""
    checks = [check for result in run.results for check in result.checks
              if not _health_only_budget(result.probe, check)]
    merged = [merge(finding, checks) for finding in findings]
    known = {finding.practice for finding in merged}
    return merged, [check for check in run.checks if check.practice not in known]

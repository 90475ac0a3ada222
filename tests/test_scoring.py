"""Scoring is a pure function of findings: credits, weights, ladder, decision."""

from __future__ import annotations

from readiness.model import (
    AntiPatternHit,
    Effort,
    Evidence,
    Finding,
    PracticeMeta,
    Priority,
    Status,
    Waiver,
)
from readiness.scoring import category_scores, decide, level, overall_score, score

EV = (Evidence("app.py", 1, "x"),)


def meta(pid: str, priority: Priority) -> PracticeMeta:
    return PracticeMeta(pid, pid.title(), priority, Effort.LOW, "ALL", "doc", "do it")


def finding(pid: str, priority: Priority, status: Status, **extra: object) -> Finding:
    evidence = EV if status in (Status.IMPLEMENTED, Status.PARTIAL) else ()
    return Finding(meta(pid, priority), status, "m", evidence, **extra)  # type: ignore[arg-type]


def test_credits_and_weights() -> None:
    findings = [
        finding("rel.a", Priority.CRITICAL, Status.IMPLEMENTED),  # 10 of 10
        finding("rel.b", Priority.HIGH, Status.PARTIAL),  # 3.75 of 7.5
        finding("rel.c", Priority.LOW, Status.MISSING),  # 0 of 2.5
        finding("rel.d", Priority.HIGH, Status.NA),  # leaves the denominator
        finding("rel.e", Priority.HIGH, Status.UNKNOWN),
        finding("rel.f", Priority.HIGH, Status.ERROR),
    ]
    assert overall_score(findings) == round(100 * 13.75 / 20, 1)


def test_custom_weights_change_the_score() -> None:
    findings = [finding("rel.a", Priority.CRITICAL, Status.IMPLEMENTED),
                finding("rel.b", Priority.LOW, Status.MISSING)]
    assert overall_score(findings, {"critical": 1, "high": 1, "medium": 1, "low": 1}) == 50.0


def test_no_applicable_practice_gives_null_score() -> None:
    assert overall_score([finding("rel.a", Priority.HIGH, Status.NA)]) is None


def test_category_scores_and_critical_gaps() -> None:
    findings = [finding("rel.a", Priority.CRITICAL, Status.MISSING),
                finding("rel.b", Priority.MEDIUM, Status.MISSING),
                finding("sec.c", Priority.HIGH, Status.IMPLEMENTED),
                finding("obs.d", Priority.HIGH, Status.NA)]
    by_id = {c.id: c for c in category_scores(findings)}
    assert by_id["reliability"].score == 0.0
    assert by_id["reliability"].critical_gaps == ("rel.a",)
    assert by_id["security"].status == "strong"
    assert by_id["observability"].score is None and by_id["observability"].status == "na"


def test_decision_not_ready_on_critical_missing() -> None:
    decision, reasons = decide([finding("rel.a", Priority.CRITICAL, Status.MISSING)])
    assert decision == "not-ready"
    assert reasons == ("critical practice missing: rel.a",)


def test_decision_not_ready_on_forced_anti_pattern() -> None:
    hit = AntiPatternHit("verify=False", EV[0], "force-missing")
    forced = finding("sec.tls", Priority.HIGH, Status.MISSING, anti_patterns=(hit,))
    decision, reasons = decide([forced])
    assert decision == "not-ready"
    assert "severe anti-pattern in sec.tls" in reasons[0]


def test_decision_conditional_on_high_missing_or_critical_partial() -> None:
    assert decide([finding("rel.a", Priority.HIGH, Status.MISSING)])[0] == "conditional"
    assert decide([finding("rel.a", Priority.CRITICAL, Status.PARTIAL)])[0] == "conditional"


def test_decision_ready_otherwise() -> None:
    decision, _ = decide([finding("rel.a", Priority.CRITICAL, Status.IMPLEMENTED),
                          finding("rel.b", Priority.MEDIUM, Status.MISSING)])
    assert decision == "ready"


def test_waived_gap_leaves_the_decision_but_not_the_score() -> None:
    waived = finding("rel.a", Priority.CRITICAL, Status.MISSING,
                     waiver=Waiver("rel.a", "accepted for the beta"))
    summary, _ = score([waived, finding("rel.b", Priority.HIGH, Status.IMPLEMENTED)])
    assert summary.decision == "ready"
    assert summary.score == round(100 * 7.5 / 17.5, 1)


def test_expired_waiver_does_not_waive() -> None:
    expired = finding("rel.a", Priority.CRITICAL, Status.MISSING,
                      waiver=Waiver("rel.a", "old", "2020-01-01", expired=True))
    assert decide([expired])[0] == "not-ready"


def test_level_ladder() -> None:
    crit_ok = finding("rel.a", Priority.CRITICAL, Status.IMPLEMENTED)
    high_partial = finding("rel.b", Priority.HIGH, Status.PARTIAL)
    high_ok = finding("rel.b", Priority.HIGH, Status.IMPLEMENTED)
    low_missing = finding("rel.c", Priority.LOW, Status.MISSING)
    assert level([finding("rel.a", Priority.CRITICAL, Status.PARTIAL)], 90)[0] == "none"
    assert level([crit_ok, high_partial], 70) == ("bronze", ("rel.b",))
    assert level([crit_ok, high_ok, low_missing], 70)[0] == "silver"
    assert level([crit_ok, high_ok], 100.0) == ("gold", ())

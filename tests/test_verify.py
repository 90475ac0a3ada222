"""`readiness verify`: claims extracted from hand-written reports, judged against a repository.

The reports under tests/fixtures/verify/reports imitate the styles of the seed reports
(scored category tables with evidence links, COMPLETED sections, per-service bullet
lists, a metrics table with targets, a P0/P1 triage list stored with mis-encoded emoji).
They are audited against tests/fixtures/verify/service, a small FastAPI service where
some claims hold and some do not; every claim's verdict is asserted.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from readiness.errors import EXIT_GATE_FAILED, EXIT_OK, EXIT_USAGE
from readiness.report import verify_schema
from tests.helpers import ROOT, run_cli

FIXTURES = ROOT / "tests" / "fixtures" / "verify"
SERVICE = FIXTURES / "service"
REPORTS = FIXTURES / "reports"


@cache
def audit(report: str) -> dict[str, Any]:
    run = run_cli("verify", str(REPORTS / report), str(SERVICE), "--format", "json",
                  "--no-progress", "--no-cache")
    assert run.code == EXIT_OK, run.err
    data: dict[str, Any] = run.json()
    jsonschema.validate(data, verify_schema())
    return data


def claims_by_line(report: str) -> dict[int, dict[str, Any]]:
    return {claim["line"]: claim for claim in audit(report)["claims"]}


# (report, line, claimed status, practices, verdict)
EXPECTED = [
    # scored category tables with evidence links (seed 001's shape)
    ("scored_tables.md", 8, "done", [], "confirmed"),  # security 85% vs 83%
    ("scored_tables.md", 9, "done", [], "overstated"),  # observability 80% vs 0%
    ("scored_tables.md", 10, "partial", [], "confirmed"),
    ("scored_tables.md", 12, "partial", [], "overstated"),  # overall 90% vs 51%
    ("scored_tables.md", 20, "done", ["rel.retry-backoff"], "confirmed"),
    ("scored_tables.md", 21, "done", ["rel.health-liveness"], "confirmed"),
    ("scored_tables.md", 22, "done", ["rel.timeouts"], "overstated"),
    ("scored_tables.md", 23, "done", ["rel.circuit-breaker"], "stale-reference"),
    ("scored_tables.md", 24, "done", ["data.connection-pooling"], "stale-reference"),
    ("scored_tables.md", 30, "missing", ["scale.rate-limiting"], "understated"),
    ("scored_tables.md", 31, "missing", ["obs.tracing"], "confirmed"),
    ("scored_tables.md", 32, "missing", [], "unmapped"),
    ("scored_tables.md", 38, "done", ["sec.authn"], "confirmed"),
    ("scored_tables.md", 39, "done", ["scale.rate-limiting"], "stale-reference"),
    ("scored_tables.md", 40, "done", ["sec.hardcoded-secrets"], "stale-reference"),
    ("scored_tables.md", 41, "done", ["sec.sql-injection"], "stale-reference"),
    ("scored_tables.md", 42, "missing", [], "unverifiable"),
    # "✅ COMPLETED" sections with **Files:** lines (seed 000)
    ("completed_sections.md", 5, "done", ["rel.retry-backoff"], "confirmed"),
    ("completed_sections.md", 12, "done", ["obs.tracing"], "stale-reference"),
    ("completed_sections.md", 18, "done", ["rel.circuit-breaker"], "overstated"),
    ("completed_sections.md", 24, "done", [], "unmapped"),
    ("completed_sections.md", 31, "missing", ["sec.input-validation"], "understated"),
    ("completed_sections.md", 35, "missing", ["data.caching"], "confirmed"),
    # per-service bullet lists (seed 002)
    ("services.md", 6, "done", ["sec.authn", "scale.rate-limiting"], "confirmed"),
    ("services.md", 14, "done", ["sec.jwt"], "overstated"),  # no JWT anywhere
    ("services.md", 15, "done", ["scale.rate-limiting"], "confirmed"),
    ("services.md", 16, "done", ["rel.health-liveness"], "confirmed"),
    ("services.md", 17, "missing", ["scale.load-testing"], "confirmed"),  # Action Required
    ("services.md", 18, "missing", ["data.connection-pooling"], "understated"),
    ("services.md", 21, "done", ["obs.metrics"], "overstated"),
    ("services.md", 22, "missing", ["obs.tracing"], "confirmed"),
    ("services.md", 23, "missing", ["data.migrations"], "understated"),
    # a metrics table with targets, container headings with Status lines, a checklist (003)
    ("metrics.md", 8, "done", [], "unverifiable"),  # a latency figure: needs --target
    ("metrics.md", 9, "done", [], "unverifiable"),  # cache hit rate: no probe measures it
    ("metrics.md", 10, "missing", [], "unverifiable"),
    ("metrics.md", 14, "done", ["data.caching"], "overstated"),
    ("metrics.md", 18, "done", ["data.connection-pooling"], "confirmed"),
    ("metrics.md", 24, "done", ["rel.circuit-breaker"], "overstated"),
    ("metrics.md", 29, "done", ["scale.rate-limiting"], "confirmed"),
    ("metrics.md", 30, "done", ["sec.security-headers"], "overstated"),
    ("metrics.md", 31, "missing", ["data.migrations"], "understated"),
    # a P0/P1 triage list, stored with mis-encoded emoji (seed 004)
    ("triage_mojibake.md", 7, "done", ["scale.rate-limiting"], "confirmed"),
    ("triage_mojibake.md", 8, "partial", [], "unmapped"),
    ("triage_mojibake.md", 12, "done", ["sec.input-validation"], "confirmed"),
    ("triage_mojibake.md", 18, "done", [], "overstated"),  # "HARDENED ✅" but "pending"
    ("triage_mojibake.md", 28, "partial", ["obs.error-tracking"], "overstated"),
]


@pytest.mark.parametrize(("report", "line", "claimed", "practices", "verdict"), EXPECTED,
                         ids=[f"{r}:{line}" for r, line, *_ in EXPECTED])
def test_each_claim_gets_its_verdict(report: str, line: int, claimed: str,
                                     practices: list[str], verdict: str) -> None:
    claims = claims_by_line(report)
    assert line in claims, f"no claim extracted at {report}:{line}; got {sorted(claims)}"
    claim = claims[line]
    assert (claim["claimed_status"], claim["practices"], claim["verdict"]) == \
        (claimed, practices, verdict), claim["reason"]


@pytest.mark.parametrize("report", sorted({r for r, *_ in EXPECTED}))
def test_no_unexpected_claims(report: str) -> None:
    """Every claim the tool extracts is one the table above expects: no noise."""
    expected = {line for r, line, *_ in EXPECTED if r == report}
    assert set(claims_by_line(report)) == expected


def test_summary_counts_and_trust_score() -> None:
    summary = audit("scored_tables.md")["summary"]
    counts = summary["counts"]
    assert counts == {"confirmed": 6, "overstated": 3, "understated": 1, "stale-reference": 5,
                      "unverifiable": 1, "unmapped": 1}
    assert summary["checkable"] == 15
    assert summary["trust_score"] == pytest.approx(100 * 6 / 15, abs=0.1)


def test_overstated_claims_carry_what_is_missing_and_evidence() -> None:
    timeouts = claims_by_line("scored_tables.md")[22]
    assert timeouts["found_status"] == {"rel.timeouts": "partial"}
    assert timeouts["missing"] and timeouts["missing"][0].startswith("rel.timeouts: ")
    assert any(e["path"] == "app/payments.py" for e in timeouts["evidence"])


def test_stale_references_say_what_is_wrong() -> None:
    claims = claims_by_line("scored_tables.md")
    problems = {line: [r.get("problem") for r in claims[line]["references"]]
                for line in (23, 24, 39, 40, 41)}
    assert problems[23] == ["not found in the repository"]
    assert problems[24] == ["line 400 is past the end (13 lines)"]
    assert problems[39] == ["lines 1-3 do not mention Rate limiting"]
    assert problems[40] == ["points outside the repository: not read"]
    assert problems[41] == ["an absolute path, outside the repository: not read"]
    retry = claims[20]["references"][0]
    assert retry["resolved"] == "app/payments.py" and "problem" not in retry


def test_the_reports_own_caveat_makes_a_done_claim_overstated() -> None:
    claim = claims_by_line("triage_mojibake.md")[18]
    assert "Code-level implementation pending" in claim["reason"]
    assert claim["report_caveats"]


def test_mis_encoded_emoji_are_repaired() -> None:
    data = audit("triage_mojibake.md")
    assert data["summary"]["repaired_encoding"] >= 8
    assert claims_by_line("triage_mojibake.md")[7]["claimed_status"] == "done"


def test_verify_json_schema_is_published() -> None:
    run = run_cli("schema", "verify")
    assert run.code == EXIT_OK
    assert json.loads(run.out)["title"].startswith("readiness verify")


# -- the command line ---------------------------------------------------------------------------


def test_terminal_output_shows_trust_score_and_overstated_claims() -> None:
    run = run_cli("verify", str(REPORTS / "scored_tables.md"), str(SERVICE), "--no-progress")
    assert run.code == EXIT_OK, run.err
    assert "Trust score 40%" in run.out
    assert "Overstated" in run.out and "Timeouts" in run.out


def test_markdown_and_json_written_to_out(tmp_path: Path) -> None:
    run = run_cli("verify", str(REPORTS / "services.md"), str(SERVICE), "--format",
                  "markdown,json", "--out", str(tmp_path), "--no-progress")
    assert run.code == EXIT_OK, run.err
    markdown = (tmp_path / "services.audit.md").read_text()
    assert markdown.startswith("# Claims audit")
    assert "## Overstated" in markdown and "| 21 | Prometheus metrics collection |" in markdown
    data = json.loads((tmp_path / "services.audit.json").read_text())
    jsonschema.validate(data, verify_schema())


def test_min_trust_gate_fails_with_exit_1() -> None:
    run = run_cli("verify", str(REPORTS / "services.md"), str(SERVICE), "--min-trust", "90",
                  "--format", "json", "--no-progress")
    assert run.code == EXIT_GATE_FAILED
    assert "trust score" in run.err


def test_path_defaults_to_the_reports_repository(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "docs").mkdir()
    (repo / "app.py").write_text("import requests\nrequests.get('https://x.example')\n")
    report = repo / "docs" / "READINESS.md"
    report.write_text("| Practice | Status | Evidence |\n|---|---|---|\n"
                      "| Timeouts | ✅ Implemented | [`app.py`](../app.py:2) |\n")
    run = run_cli("verify", str(report), "--format", "json", "--no-progress", "--no-cache")
    assert run.code == EXIT_OK, run.err
    data = run.json()
    claim = data["claims"][0]
    assert claim["references"][0]["resolved"] == "app.py"  # relative to the report's folder
    assert claim["verdict"] == "overstated"  # requests.get without a timeout
    assert any("the report's repository" in w for w in data["warnings"])


# -- bad input --------------------------------------------------------------------------------


def _report_error(tmp_path: Path, report: Path, with_path: bool = True) -> str:
    args = [str(SERVICE)] if with_path else []
    run = run_cli("verify", str(report), *args, "--no-progress")
    assert run.code == EXIT_USAGE, run.out + run.err
    lines = [line for line in run.err.splitlines() if line.strip()]
    assert len(lines) == 1, run.err
    return lines[0]


def test_missing_report(tmp_path: Path) -> None:
    assert "no such file" in _report_error(tmp_path, tmp_path / "nope.md")


def test_empty_report(tmp_path: Path) -> None:
    report = tmp_path / "empty.md"
    report.write_text("  \n\n")
    assert "empty" in _report_error(tmp_path, report)


def test_binary_report(tmp_path: Path) -> None:
    report = tmp_path / "report.md"
    report.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 10)
    assert "binary" in _report_error(tmp_path, report)


def test_non_markdown_report(tmp_path: Path) -> None:
    report = tmp_path / "service.py"
    report.write_text("# just a comment\nprint('hello')\n")
    assert "Python code, not a Markdown report" in _report_error(tmp_path, report)


def test_fifty_megabyte_report(tmp_path: Path) -> None:
    report = tmp_path / "huge.md"
    with report.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: costs no disk, reads as 50 MB
    message = _report_error(tmp_path, report)
    assert "50.0 MB" in message and "up to 5 MB" in message


def test_utf16_report_is_decoded(tmp_path: Path) -> None:
    """Windows tools write UTF-16 with a byte-order mark; it is read, not called binary."""
    report = tmp_path / "report.md"
    report.write_bytes("| Practice | Status |\n|---|---|\n| Rate limiting | ✅ |\n"
                       .encode("utf-16"))
    run = run_cli("verify", str(report), str(SERVICE), "--format", "json", "--no-progress")
    assert run.code == EXIT_OK, run.err
    assert run.json()["claims"][0]["verdict"] == "confirmed"


def test_report_outside_a_repository_needs_path(tmp_path: Path) -> None:
    report = tmp_path / "review.md"
    report.write_text("| Practice | Status |\n|---|---|\n| Rate limiting | ✅ |\n")
    message = _report_error(tmp_path, report, with_path=False)
    assert "no git repository holds this report" in message


def test_directory_as_report(tmp_path: Path) -> None:
    assert "is a directory" in _report_error(tmp_path, tmp_path)


def test_report_without_claims_warns(tmp_path: Path) -> None:
    report = tmp_path / "notes.md"
    report.write_text("# Notes\n\nWe talked about the launch.\n")
    run = run_cli("verify", str(report), str(SERVICE), "--format", "json", "--no-progress")
    assert run.code == EXIT_OK
    data = run.json()
    assert data["claims"] == [] and data["summary"]["trust_score"] is None
    assert any("no claims found" in w for w in data["warnings"])


def test_references_never_read_outside_the_repository(tmp_path: Path) -> None:
    """Links out of PATH, absolute paths and symlinks leaving it are marked, never read."""
    repo = tmp_path / "repo"
    repo.mkdir()
    secret = tmp_path / "secret.py"
    secret.write_text("circuit breaker retry timeout\n" * 50)
    (repo / "app.py").write_text("x = 1\n")
    os.symlink(secret, repo / "escape.py")
    report = tmp_path / "report.md"
    report.write_text(
        "| Practice | Status | Evidence |\n|---|---|---|\n"
        "| Circuit Breaker | ✅ Done | [`x`](../secret.py:3) |\n"
        "| Timeouts | ✅ Done | [`y`](/etc/passwd:1) |\n"
        "| Retries | ✅ Done | `escape.py:2` |\n"
        "| Rate limiting | ✅ Done | `../../../../etc/shadow` |\n")
    run = run_cli("verify", str(report), str(repo), "--format", "json", "--no-progress",
                  "--no-cache")
    assert run.code == EXIT_OK, run.err
    problems = [c["references"][0]["problem"] for c in run.json()["claims"]]
    assert problems == ["points outside the repository: not read",
                        "an absolute path, outside the repository: not read",
                        "a symlink that leads outside the repository: not read",
                        "points outside the repository: not read"]
    assert all(c["verdict"] == "stale-reference" for c in run.json()["claims"])


def test_the_bundled_example_review() -> None:
    """examples/prediction-api-review.md: links are relative to the report's folder, which
    lies outside the assessed root; true and false claims come out as such."""
    review = ROOT / "examples" / "prediction-api-review.md"
    run = run_cli("verify", str(review), str(ROOT / "examples" / "prediction-api"),
                  "--format", "json", "--no-progress")
    assert run.code == EXIT_OK, run.err
    claims = {c["line"]: c for c in run.json()["claims"]}
    expected = {25: "confirmed", 29: "stale-reference", 35: "understated", 42: "overstated",
                48: "overstated", 53: "confirmed", 60: "unverifiable", 66: "overstated",
                67: "unverifiable"}
    assert {line: claims[line]["verdict"] for line in expected} == expected
    assert claims[25]["references"][0]["resolved"] == "app/main.py"


def test_symlink_loop_reference_is_marked_not_a_crash(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "app.py").write_text("x = 1\n")
    os.symlink("loop", repo / "loop")
    report = tmp_path / "report.md"
    report.write_text("| Practice | Status | Evidence |\n|---|---|---|\n"
                      "| Health checks | ✅ | [here](repo/loop) |\n")
    run = run_cli("verify", str(report), str(repo), "--format", "json", "--no-progress")
    assert run.code == EXIT_OK, run.err
    assert run.json()["claims"][0]["references"][0]["problem"].startswith("cannot be resolved")


def test_a_fifo_is_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "report.md"
    os.mkfifo(fifo)
    assert "not a regular file" in _report_error(tmp_path, fifo)

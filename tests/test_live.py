"""Probes and the static review together: `readiness probe`, `assess --target/--start`,
`verify --target`, and the merge of probe checks into findings.

The servers are real (tests/probe_servers, bound to 127.0.0.1); the merge rules are
also tested as pure functions on hand-built findings.
"""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import jsonschema
import pytest

from readiness.errors import EXIT_OK, EXIT_THRESHOLD_BREACHED, EXIT_USAGE
from readiness.model import Evidence, Finding, ProbeCheck, ProbeRun, Status
from readiness.practices.probed import apply_probes, merge
from readiness.practices.registry import Registry
from readiness.report import probe_schema, schema
from tests.helpers import ROOT, run_cli
from tests.probe_servers.harness import flask_server, free_port, secure_server

__all__ = ["flask_server", "secure_server"]

SERVICE = ROOT / "tests" / "fixtures" / "verify" / "service"
REPORTS = ROOT / "tests" / "fixtures" / "verify" / "reports"
SERVERS = ROOT / "tests" / "probe_servers"
QUICK = ("--users", "4", "--duration", "1s", "--rate", "40/s", "--no-progress")
META = {p.id: p.meta for p in Registry.default().all()}


def _finding(practice: str, status: Status, evidence: tuple[Evidence, ...] = ()) -> Finding:
    return Finding(META[practice], status, "static message", evidence)


def _check(practice: str, verdict: str) -> ProbeCheck:
    return ProbeCheck(practice, verdict, f"{verdict} observation",  # type: ignore[arg-type]
                      "http://127.0.0.1:9/x", "GET /x -> 200")


STATIC = (Evidence("app/main.py", 3, "limiter"),)


@pytest.mark.parametrize(("practice", "static", "verdict", "expected"), [
    ("scale.rate-limiting", Status.IMPLEMENTED, "pass", Status.IMPLEMENTED),
    ("scale.rate-limiting", Status.IMPLEMENTED, "fail", Status.PARTIAL),  # refuted
    ("sec.security-headers", Status.MISSING, "pass", Status.IMPLEMENTED),  # set by a proxy
    ("sec.security-headers", Status.MISSING, "fail", Status.MISSING),
    ("sec.cors", Status.NA, "fail", Status.MISSING),
    ("sec.cors", Status.NA, "pass", Status.NA),  # nothing granted is what na says already
    ("rel.health-readiness", Status.NA, "pass", Status.IMPLEMENTED),  # /ready reports a DB
    ("sec.authn", Status.PARTIAL, "pass", Status.PARTIAL),
    ("scale.latency-budget", Status.PARTIAL, "pass", Status.IMPLEMENTED),  # declared and met
    ("scale.latency-budget", Status.MISSING, "pass", Status.PARTIAL),  # met, never declared
    ("scale.latency-budget", Status.PARTIAL, "fail", Status.PARTIAL),
    ("sec.authn", Status.IMPLEMENTED, "inconclusive", Status.IMPLEMENTED),
])
def test_merge_rules(practice: str, static: Status, verdict: str, expected: Status) -> None:
    evidence = STATIC if static in (Status.IMPLEMENTED, Status.PARTIAL) else ()
    merged = merge(_finding(practice, static, evidence), [_check(practice, verdict)])
    assert merged.status == expected
    probe_items = [e for e in merged.evidence if e.source == "probe"]
    probe_hits = [h for h in merged.anti_patterns if h.evidence.source == "probe"]
    if verdict == "inconclusive" or merged.status == Status.NA:
        assert not probe_items and not probe_hits
    elif expected == Status.MISSING:
        assert not merged.evidence and probe_hits  # the contract: missing has no evidence
    else:
        assert probe_items and probe_items[0].path == "http://127.0.0.1:9/x"
        assert probe_items[0].line == 0
    if static == Status.IMPLEMENTED and verdict == "fail":
        assert merged.evidence[0] == STATIC[0]  # both sides shown
        assert "refutes" in merged.message


def test_unmatched_checks_are_returned() -> None:
    run = ProbeRun("http://127.0.0.1:9", "2026-12-01T00:00:00+00:00")
    findings, unmatched = apply_probes([_finding("sec.cors", Status.IMPLEMENTED, STATIC)], run)
    assert unmatched == [] and findings[0].status == Status.IMPLEMENTED


# -- readiness probe -------------------------------------------------------------------------


def test_probe_command_json(secure_server: str) -> None:
    run = run_cli("probe", secure_server, "--format", "json", *QUICK)
    assert run.code == EXIT_OK, run.err
    data = run.json()
    jsonschema.validate(data, probe_schema())
    assert data["target"] == secure_server
    names = [p["probe"] for p in data["probes"]]
    assert names[:2] == ["discovery", "health"]
    health = next(p for p in data["probes"] if p["probe"] == "health")
    assert health["passed"] is True and health["measured"]["p95_ms"] < 50
    assert data["summary"]["breached"] == 0
    assert data["summary"]["checks"]["fail"] == 0


def test_breached_threshold_exits_4(secure_server: str) -> None:
    run = run_cli("probe", secure_server, "--threshold", "health:p(95)<0.001ms", "--format",
                  "json", *QUICK)
    assert run.code == EXIT_THRESHOLD_BREACHED, run.err
    assert "threshold breached: health:p(95)<0.001ms" in run.err
    assert run.json()["summary"]["breached_expressions"] == ["health:p(95)<0.001ms"]
    jsonschema.validate(run.json(), probe_schema())


def test_unreachable_target_is_a_usage_error() -> None:
    port = free_port()
    run = run_cli("probe", f"http://127.0.0.1:{port}", "--no-progress")
    assert run.code == EXIT_USAGE
    lines = [line for line in run.err.splitlines() if line.strip()]
    assert len(lines) == 1 and "cannot reach" in lines[0]


def test_bad_threshold_is_a_usage_error(secure_server: str) -> None:
    run = run_cli("probe", secure_server, "--threshold", "p(95)<<fast", "--no-progress")
    assert run.code == EXIT_USAGE
    assert "p(95)<<fast" in run.err


def test_probe_flags_need_a_target() -> None:
    run = run_cli("assess", str(SERVICE), "--allow-load", "--no-progress", "--format", "json")
    assert run.code == EXIT_USAGE
    assert "--allow-load needs --target" in run.err


# -- assess --target ---------------------------------------------------------------------------


def test_assess_with_target_merges_probe_evidence(secure_server: str, tmp_path: Path) -> None:
    run = run_cli("assess", str(SERVICE), "--target", secure_server, "--allow-burst",
                  "--format", "json,markdown", "--out", str(tmp_path), *QUICK)
    assert run.code == EXIT_OK, run.err
    data = __import__("json").loads((tmp_path / "service.json").read_text())
    jsonschema.validate(data, schema())
    findings = {f["practice"]: f for f in data["findings"]}
    headers = findings["sec.security-headers"]  # not in the repository, sent by the service
    assert headers["status"] == "implemented"
    assert {e["source"] for e in headers["evidence"]} == {"probe"}
    limiter = findings["scale.rate-limiting"]
    assert limiter["status"] == "implemented"
    assert {e["source"] for e in limiter["evidence"]} == {"static", "probe"}
    assert any(p["probe"] == "health" and p["passed"] for p in data["probes"])
    markdown = (tmp_path / "service.md").read_text()
    assert "## Performance metrics" in markdown
    assert "| p95_ms (health) | < 50 ms |" in markdown
    assert "### What the probes observed" in markdown


def test_assess_against_careless_flask_refutes(flask_server: str) -> None:
    run = run_cli("assess", str(SERVICE), "--target", flask_server, "--format", "json",
                  *QUICK)
    assert run.code == EXIT_OK, run.err
    findings = {f["practice"]: f for f in run.json()["findings"]}
    cors = findings["sec.cors"]  # the code restricts origins; the Flask server does not
    assert cors["status"] in ("partial", "implemented")
    server = findings["scale.production-server"]
    assert server["status"] == "missing"
    assert any(a["source"] == "probe" and "Werkzeug" in a["snippet"] + a["message"]
               for a in server["anti_patterns"])


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_assess_start_runs_probes_and_stops_the_service(tmp_path: Path) -> None:
    port = free_port()
    command = (f"{sys.executable} -m uvicorn secure_app:app --host 127.0.0.1 --port {port} "
               "--log-level warning")
    run = run_cli("assess", str(SERVERS), "--start", command, "--target",
                  f"http://127.0.0.1:{port}", "--health-path", "/health", "--format", "json",
                  *QUICK)
    assert run.code == EXIT_OK, run.err
    assert any(p["probe"] == "health" and p["passed"] for p in run.json()["probes"])
    assert not _port_open(port)  # the process group was stopped


def test_start_command_that_fails_is_reported() -> None:
    port = free_port()
    run = run_cli("assess", str(SERVERS), "--start", f"{sys.executable} -c 'import sys; "
                  "print(\"boom\"); sys.exit(3)'", "--target", f"http://127.0.0.1:{port}",
                  "--format", "json", *QUICK)
    assert run.code == EXIT_USAGE
    assert "exited with code 3" in run.err and "boom" in run.err


# -- verify --target ---------------------------------------------------------------------------


def test_verify_checks_figures_against_probes(secure_server: str) -> None:
    run = run_cli("verify", str(REPORTS / "metrics.md"), str(SERVICE), "--target",
                  secure_server, "--format", "json", *QUICK)
    assert run.code == EXIT_OK, run.err
    claims = {c["line"]: c for c in run.json()["claims"]}
    health = claims[8]  # "Health Check Response <50ms ✅": measured by the health probe
    assert health["verdict"] == "confirmed"
    assert health["evidence"][0]["source"] == "probe"
    p95 = claims[10]  # a load figure: needs --allow-load
    assert p95["verdict"] == "unverifiable" and "--allow-load" in p95["reason"]
    assert run.json()["summary"]["probed"] == secure_server


def test_tls_mismatch_keeps_the_report_and_exits_2(secure_server: str) -> None:
    """An https URL on a plain-HTTP port: the probe report is written, then exit 2."""
    https = secure_server.replace("http://", "https://")
    run = run_cli("probe", https, "--format", "json", *QUICK)
    assert run.code == EXIT_USAGE, run.err
    assert run.json()["probes"][0]["error"]  # what was observed is kept
    lines = [line for line in run.err.splitlines() if line.startswith("readiness: error")]
    assert len(lines) == 1 and https in lines[0]


def test_a_fast_health_check_does_not_complete_a_declared_budget() -> None:
    """Only a load probe can show a declared (load) latency target is met."""
    from readiness.model import ProbeResult
    budget = _finding("scale.latency-budget", Status.PARTIAL, STATIC)
    health = ProbeResult("health", "http://127.0.0.1:9/health",
                         checks=(_check("scale.latency-budget", "pass"),))
    run = ProbeRun("http://127.0.0.1:9", "2026-12-01T00:00:00+00:00", (health,))
    findings, _ = apply_probes([budget], run)
    assert findings[0].status == Status.PARTIAL
    load = ProbeResult("latency-closed", "http://127.0.0.1:9/health",
                       checks=(_check("scale.latency-budget", "pass"),))
    run = ProbeRun("http://127.0.0.1:9", "2026-12-01T00:00:00+00:00", (health, load))
    assert apply_probes([budget], run)[0][0].status == Status.IMPLEMENTED


def test_verify_with_target_exits_4_on_a_breached_threshold(secure_server: str) -> None:
    run = run_cli("verify", str(REPORTS / "metrics.md"), str(SERVICE), "--target",
                  secure_server, "--threshold", "health:p(95)<0.001ms", "--format", "json",
                  *QUICK)
    assert run.code == EXIT_THRESHOLD_BREACHED, run.err
    assert run.json()["claims"]


def test_verify_with_an_unanswering_target_exits_2(secure_server: str) -> None:
    https = secure_server.replace("http://", "https://")
    run = run_cli("verify", str(REPORTS / "metrics.md"), str(SERVICE), "--target", https,
                  "--format", "json", *QUICK)
    assert run.code == EXIT_USAGE, run.err
    assert run.json()["summary"]["probed"] == https  # the audit was still written


@pytest.mark.parametrize(("args", "message"), [
    (["--health-path", "health"], "give a path starting with /"),
    (["--target", "http://[::1"], "http://[::1"),
])
def test_start_arguments_are_checked_before_starting(args: list[str], message: str) -> None:
    port = free_port()
    argv = ["assess", str(SERVERS), "--start", f"{sys.executable} -c 'pass'",
            "--target", f"http://127.0.0.1:{port}", *args, "--format", "json", *QUICK]
    run = run_cli(*argv)
    assert run.code == EXIT_USAGE, run.err
    assert message in run.err


def test_sigterm_stops_the_started_service(tmp_path: Path) -> None:
    """A cancelled CI job sends SIGTERM: the process group started with --start goes too."""
    import signal
    import subprocess
    import time
    marker = f"{time.time_ns() % 100000}.5"
    port = free_port()
    cli = [sys.executable, "-m", "readiness", "probe", f"http://127.0.0.1:{port}",
           "--start", f"sleep {marker}", "--no-progress"]
    process = subprocess.Popen(cli, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    started = False
    while time.monotonic() < deadline and not started:
        started = subprocess.run(["pgrep", "-f", f"sleep {marker}"],
                                 capture_output=True).returncode == 0
        time.sleep(0.1)
    assert started, "the --start command never ran"
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=20)
    time.sleep(0.5)
    assert subprocess.run(["pgrep", "-f", f"sleep {marker}"],
                          capture_output=True).returncode != 0


def test_unreachable_target_keeps_the_static_review() -> None:
    port = free_port()
    run = run_cli("assess", str(SERVICE), "--target", f"http://127.0.0.1:{port}",
                  "--format", "json", *QUICK)
    assert run.code == EXIT_USAGE
    data = run.json()  # the static review was written before the exit
    assert data["probes"] == [] and any("probes not run" in w for w in data["warnings"])
    assert "cannot reach" in run.err


def test_probe_files_are_named_after_the_target(secure_server: str, tmp_path: Path) -> None:
    run = run_cli("probe", secure_server, "--format", "json", "--out", str(tmp_path), *QUICK)
    assert run.code == EXIT_OK, run.err
    port = secure_server.rsplit(":", 1)[1]
    assert (tmp_path / f"probe-127.0.0.1-{port}.json").is_file()

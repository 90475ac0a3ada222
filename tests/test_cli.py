"""The command line as a user meets it: exit codes, formats, files, messages."""

from __future__ import annotations

import json
from pathlib import Path

from readiness.errors import EXIT_GATE_FAILED, EXIT_OK, EXIT_USAGE
from tests.helpers import EXAMPLE, assert_valid_report, run_cli


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    """A path that does not exist: exit 2 and one line saying so."""
    run = run_cli("assess", str(tmp_path / "nope"), "--no-progress")
    assert run.code == EXIT_USAGE
    lines = [line for line in run.err.splitlines() if line.strip()]
    assert len(lines) == 1
    assert "no such file or directory" in lines[0]


def test_file_instead_of_directory_is_a_usage_error(tmp_path: Path) -> None:
    target = tmp_path / "app.py"
    target.write_text("print('hi')\n")
    run = run_cli("assess", str(target), "--no-progress")
    assert run.code == EXIT_USAGE
    assert "not a directory" in run.err


def test_json_to_stdout_validates_against_the_schema() -> None:
    run = run_cli("assess", str(EXAMPLE), "--format", "json", "--no-progress", "--no-cache")
    assert run.code == EXIT_OK, run.err
    document = run.json()
    assert_valid_report(document)
    assert document["target"]["name"] == "prediction-api"
    practices = [f["practice"] for f in document["findings"]]
    assert len(practices) == len(set(practices)), "every practice appears exactly once"


def test_out_writes_named_files(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    run = run_cli("assess", str(EXAMPLE), "-f", "json,markdown", "--out", str(out),
                  "--no-progress", "--no-cache")
    assert run.code == EXIT_OK, run.err
    assert (out / "prediction-api.json").is_file()
    markdown = (out / "prediction-api.md").read_text(encoding="utf-8")
    assert markdown.startswith("# Production Readiness Review: prediction-api")
    assert "## Executive summary" in markdown
    assert "```mermaid" in markdown
    assert "wrote" in run.err


def test_markdown_links_are_relative_to_the_report(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    run_cli("assess", str(EXAMPLE), "-f", "markdown", "--out", str(out), "--no-progress",
            "--no-cache")
    markdown = (out / "prediction-api.md").read_text(encoding="utf-8")
    links = [part.split(")")[0] for part in markdown.split("](")[1:]]
    assert links, "evidence is linked"
    for link in links:
        target = (out / link.split("#")[0]).resolve()
        assert target.is_file(), f"broken evidence link {link}"


def test_fail_under_fails_the_gate() -> None:
    run = run_cli("assess", str(EXAMPLE), "-f", "json", "--fail-under", "99.5", "--no-progress",
                  "--no-cache")
    assert run.code == EXIT_GATE_FAILED
    assert "below --fail-under 99.5" in run.err
    json.loads(run.out)  # the report is still written


def test_fail_under_passes_when_met() -> None:
    run = run_cli("assess", str(EXAMPLE), "-f", "json", "--fail-under", "0", "--no-progress",
                  "--no-cache")
    assert run.code == EXIT_OK


def test_fail_on_critical_names_the_practice() -> None:
    run = run_cli("assess", str(EXAMPLE), "-f", "json", "--fail-on", "critical", "--no-progress",
                  "--no-cache")
    document = run.json()
    critical_gaps = [f["practice"] for f in document["findings"]
                     if f["priority"] == "critical" and f["status"] == "missing"]
    if critical_gaps:
        assert run.code == EXIT_GATE_FAILED
        assert critical_gaps[0] in run.err
    else:
        assert run.code == EXIT_OK


def test_invalid_option_values_are_usage_errors() -> None:
    assert run_cli("assess", str(EXAMPLE), "--fail-under", "150").code == EXIT_USAGE
    pdf = run_cli("assess", str(EXAMPLE), "--format", "pdf")
    assert pdf.code == EXIT_USAGE and "unknown format 'pdf'" in pdf.err
    assert run_cli("assess", str(EXAMPLE), "--fail-on", "low").code == EXIT_USAGE
    assert run_cli("assess", str(EXAMPLE), "--disable", "no.such-id").code == EXIT_USAGE


def test_rules_lists_the_catalog() -> None:
    run = run_cli("rules", "--json")
    assert run.code == EXIT_OK
    items = json.loads(run.out)
    ids = {item["id"] for item in items}
    assert "rel.timeouts" in ids
    assert all(item["priority"] in ("critical", "high", "medium", "low") for item in items)


def test_rules_explain_prints_the_documentation() -> None:
    run = run_cli("rules", "explain", "rel.timeouts")
    assert run.code == EXIT_OK
    for heading in ("Why it matters", "What counts as evidence", "What makes it partial",
                    "How to satisfy"):
        assert heading in run.out


def test_rules_explain_unknown_id_suggests() -> None:
    run = run_cli("rules", "explain", "rel.timeout")
    assert run.code == EXIT_USAGE
    assert "rel.timeouts" in run.err


def test_schema_command_prints_the_published_schema() -> None:
    run = run_cli("schema")
    assert run.code == EXIT_OK
    assert json.loads(run.out)["title"] == "readiness assessment report"


def test_terminal_report_is_the_default() -> None:
    run = run_cli("assess", str(EXAMPLE), "--no-progress", "--no-cache")
    assert run.code == EXIT_OK
    assert "Production readiness: prediction-api" in run.out
    assert "Categories" in run.out


def test_version() -> None:
    run = run_cli("--version")
    assert run.code == EXIT_OK
    assert "readiness" in run.out


def test_several_formats_need_out() -> None:
    run = run_cli("assess", str(EXAMPLE), "-f", "json,markdown", "--no-progress")
    assert run.code == EXIT_USAGE
    assert "--out" in run.err


def test_empty_tree_is_reported_with_a_warning(tmp_path: Path) -> None:
    run = run_cli("assess", str(tmp_path), "-f", "json", "--no-progress", "--no-cache")
    assert run.code == EXIT_OK
    assert "nothing readiness can read" in run.err
    assert "nothing readiness can read" in json.loads(run.out)["warnings"][0]


def test_broken_pyproject_with_readiness_settings_is_a_usage_error(tmp_path: Path) -> None:
    """A gate configured in a pyproject that does not parse must not vanish silently."""
    (tmp_path / "pyproject.toml").write_text("[tool.readiness]\nfail-under = 50\n[broken\n")
    run = run_cli("assess", str(tmp_path), "--no-progress", "--no-cache")
    assert run.code == EXIT_USAGE
    assert "pyproject.toml" in run.err


def test_explain_accepts_a_title_or_alias() -> None:
    run = run_cli("rules", "explain", "graceful shutdown")
    assert run.code == EXIT_OK
    assert "rel.graceful-shutdown" in run.out


def test_disable_suggests_the_closest_id() -> None:
    run = run_cli("assess", str(EXAMPLE), "--disable", "ops.backup", "--no-progress")
    assert run.code == EXIT_USAGE
    assert "did you mean ops.backups" in run.err


def test_reader_closing_the_pipe_is_not_a_failure(tmp_path: Path) -> None:
    """`readiness assess X -f json | head -1` exits 0; with a failing gate it still exits 1.

    The tree holds many unreadable files so the report outgrows the pipe's buffer and the
    write really meets a closed pipe."""
    import subprocess
    import sys

    for index in range(1500):
        (tmp_path / f"blob_{index:04d}.py").write_bytes(b"\x00binary")
    for extra, expected in (([], EXIT_OK), (["--fail-under", "99.9"], EXIT_GATE_FAILED)):
        process = subprocess.Popen(
            [sys.executable, "-m", "readiness", "assess", str(tmp_path), "-f", "json",
             "--no-progress", "--no-cache", *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert process.stdout is not None and process.stderr is not None
        process.stdout.readline()
        process.stdout.close()
        process.wait(timeout=120)
        stderr = process.stderr.read().decode()
        assert process.returncode == expected, stderr
        assert "Traceback" not in stderr


def test_reports_written_inside_the_tree_are_not_evidence(tmp_path: Path) -> None:
    """Readiness's own reports quote recommendations; read back they must not count."""
    import shutil

    root = tmp_path / "service"
    shutil.copytree(EXAMPLE, root)
    before = run_cli("assess", str(root), "-f", "json", "--no-progress", "--no-cache").json()
    run_cli("assess", str(root), "-f", "json,markdown", "--out", str(root / "reports"),
            "--no-progress", "--no-cache")
    after = run_cli("assess", str(root), "-f", "json", "--no-progress", "--no-cache").json()
    assert after["summary"]["score"] == before["summary"]["score"]
    reasons = {s["path"]: s["reason"] for s in after["skipped"]}
    assert reasons["reports/service.json"] == "a readiness report: not assessed"
    assert reasons["reports/service.md"] == "a readiness report: not assessed"


def test_markup_in_the_targets_own_text_is_printed_literally(tmp_path: Path) -> None:
    """Names and waiver ids come from the assessed repository: never parsed as markup."""
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "[/bold]svc"\n\n[[tool.readiness.waivers]]\n'
        'practice = "[/bold]"\nreason = "x"\n')
    for fmt in ("terminal", "json"):
        run = run_cli("assess", str(tmp_path), "-f", fmt, "--no-progress", "--no-cache")
        assert run.code == EXIT_OK, run.err
    assert "[/bold]" in run_cli("assess", str(tmp_path), "--no-progress", "--no-cache").out


def test_out_directory_from_the_environment(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("READINESS_OUT", str(tmp_path / "env-out"))
    monkeypatch.setenv("READINESS_FORMAT", "json")
    run = run_cli("assess", str(EXAMPLE), "--no-progress", "--no-cache")
    assert run.code == EXIT_OK, run.err
    assert (tmp_path / "env-out" / "prediction-api.json").is_file()
    assert run.out == ""


def test_max_yaml_nodes_is_a_command_line_option() -> None:
    """The README promises every resource limit can be set on the command line."""
    run = run_cli("assess", str(EXAMPLE), "--max-yaml-nodes", "500", "--format", "json",
                  "--no-progress", "--no-cache")
    assert run.code == EXIT_OK, run.err

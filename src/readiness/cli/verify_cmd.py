"""``readiness verify REPORT.md [PATH]``: audit a hand-written readiness report."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from readiness.cli import _progress, _say, cli, live_options
from readiness.cli.output import check_formats, emit, print_warnings
from readiness.cli.probe_flags import exit_if_breached, probe_flags, raise_if_unanswered
from readiness.config import load_settings
from readiness.engine import assess, check_target
from readiness.engine.live import assess_live, probe_error
from readiness.engine.verify_run import default_root, read_report, verify
from readiness.errors import EXIT_GATE_FAILED
from readiness.model import ClaimsAudit
from readiness.probes import parse_duration
from readiness.report import VERIFY_REPORTERS, VerifyTerminalReporter


@cli.command("verify")
@click.argument("report", type=click.Path(path_type=Path), metavar="REPORT")
@click.argument("path", type=click.Path(path_type=Path), required=False, metavar="[PATH]")
@click.option("--format", "-f", "formats", metavar="LIST",
              help="Comma-separated: terminal, markdown, json (default: terminal).")
@click.option("--out", "-o", type=click.Path(path_type=Path, file_okay=False),
              help="Write markdown/json audits into this directory instead of standard output.")
@click.option("--name", "report_name", help="Base name of the audit files (default: "
              "<report name>.audit).")
@click.option("--min-trust", type=float, metavar="PERCENT",
              help="Exit 1 when the trust score (confirmed / checkable claims) is below this.")
@click.option("--no-progress", is_flag=True, help="No progress display on standard error.")
@click.option("--no-cache", is_flag=True, help="Do not read or write the parse cache.")
@click.option("--verbose", "-v", is_flag=True, help="List every claim, confirmed ones included.")
@click.option("--debug", is_flag=True, help="Let internal errors raise.")
@probe_flags()
def verify_command(report: Path, path: Path | None, formats: str | None, out: Path | None,
                   report_name: str | None, min_trust: float | None, no_progress: bool,
                   no_cache: bool, verbose: bool, debug: bool, **flags: Any) -> None:
    """Check the claims of a hand-written readiness REPORT against the code at PATH.

    PATH defaults to the git repository that holds the report. Each claim (a table row
    with ✅/⚠️/❌, a checklist item, a "COMPLETED" heading, a metric) is mapped to practices
    and judged: confirmed, overstated, understated, stale-reference, unverifiable or
    unmapped. The files a report cites are looked up inside PATH only. With --target
    URL, figures such as "P95 1378 ms" are checked against a measurement (latency figures
    need --allow-load).
    """
    err = Console(stderr=True)
    text = read_report(report)  # a bad report fails first, with its own message
    root = check_target(path) if path is not None else default_root(report)
    cli_values: dict[str, Any] = {"formats": formats, "out": str(out) if out else None,
                                  "cache": False if no_cache else None,
                                  "debug": debug or None,
                                  "progress": False if no_progress else None}
    settings = load_settings(root, cli_values, os.environ)
    out = Path(settings.out) if settings.out else None
    check_formats(settings.formats, VERIFY_REPORTERS, out, "verify")
    live = live_options(flags, settings)
    with _progress(err, settings) as progress:
        if live is None:
            assessment = assess(root, settings, progress=progress)
        else:
            assessment = assess_live(root, settings, live, flags["target"],
                                     start=flags["start"], health_path=flags["health_path"],
                                     progress=progress, say=_say(err, settings),
                                     start_timeout_s=parse_duration(flags["start_timeout"]))
        run = assessment.probe_run
        audit, _ = verify(report, path, settings, probes=run, assessment=assessment, text=text)
    if run is not None:  # what the probes had to say travels with the audit
        audit = replace(audit, warnings=(*audit.warnings, *run.warnings))
    name = report_name or f"{report.stem}.audit"
    _emit(audit, settings.formats, out, name, verbose, err)
    print_warnings(err, settings.formats, audit.warnings)
    raise_if_unanswered(run, probe_error(assessment))  # the audit above is written and kept
    trust = audit.trust_score
    if min_trust is not None and (trust is None or trust < min_trust):
        shown = "n/a" if trust is None else f"{trust:.0f}%"
        err.print(f"[red]gate failed:[/red] trust score {shown} is below {min_trust:g}%",
                  highlight=False)
        sys.exit(EXIT_GATE_FAILED)
    exit_if_breached(run, err)


def _emit(audit: ClaimsAudit, formats: tuple[str, ...] | list[str], out: Path | None,
          name: str, verbose: bool, err: Console) -> None:
    def render(fmt: str) -> tuple[str, str]:
        reporter = VERIFY_REPORTERS[fmt]()
        return reporter.extension, reporter.render(audit)

    emit(formats, out, name, err,
         terminal=lambda console: VerifyTerminalReporter(verbose=verbose).print(audit, console),
         render=render)

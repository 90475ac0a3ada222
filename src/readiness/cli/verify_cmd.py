"""``readiness verify REPORT.md [PATH]``: audit a hand-written readiness report."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape

from readiness.cli import _progress, _say, _Stdout, cli, live_options
from readiness.cli.probe_flags import probe_flags
from readiness.config import load_settings
from readiness.engine import assess, check_target
from readiness.engine.live import probe, with_probes
from readiness.engine.verify_run import default_root, read_report, verify
from readiness.errors import EXIT_GATE_FAILED, UserError
from readiness.model import ClaimsAudit
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
    root = check_target(path) if path is not None else default_root(report)
    cli_values: dict[str, Any] = {"formats": formats, "out": str(out) if out else None,
                                  "cache": False if no_cache else None,
                                  "debug": debug or None,
                                  "progress": False if no_progress else None}
    settings = load_settings(root, cli_values, os.environ)
    out = Path(settings.out) if settings.out else None
    unknown = [f for f in settings.formats if f not in VERIFY_REPORTERS]
    if unknown:
        raise UserError(f"unknown format {unknown[0]!r} for verify; available: "
                        f"{', '.join(VERIFY_REPORTERS)}")
    if out is None and len(settings.formats) > 1:
        raise UserError(f"{len(settings.formats)} formats would be mixed on standard output; "
                        "give --out DIR to write them to files")
    read_report(report)  # a bad report fails now, not after the assessment
    live = live_options(flags, settings)
    with _progress(err, settings) as progress:
        assessment = assess(root, settings, progress=progress)
        run = None
        if live is not None:
            run = probe(flags["target"], live, routes=assessment.routes, start=flags["start"],
                        health_path=flags["health_path"], cwd=root, say=_say(err, settings))
            assessment = with_probes(assessment, run, settings)
        audit, _ = verify(report, path, settings, probes=run, assessment=assessment)
    name = report_name or f"{report.stem}.audit"
    try:
        _emit(audit, settings.formats, out, name, verbose, err)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    trust = audit.trust_score
    if min_trust is not None and (trust is None or trust < min_trust):
        shown = "n/a" if trust is None else f"{trust:.0f}%"
        err.print(f"[red]gate failed:[/red] trust score {shown} is below {min_trust:g}%",
                  highlight=False)
        sys.exit(EXIT_GATE_FAILED)


def _emit(audit: ClaimsAudit, formats: tuple[str, ...] | list[str], out: Path | None,
          name: str, verbose: bool, err: Console) -> None:
    stdout = _Stdout(soft_wrap=False)
    if out is not None:
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(f"cannot create output directory {out}: {exc.strerror}") from exc
    for fmt in formats:
        if fmt == "terminal":
            VerifyTerminalReporter(verbose=verbose).print(audit, stdout)
            continue
        reporter = VERIFY_REPORTERS[fmt]()
        text = reporter.render(audit)
        if out is None:
            sys.stdout.write(text)
            sys.stdout.flush()
            continue
        target = out / f"{name}.{reporter.extension}"
        try:
            target.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UserError(f"cannot write {target}: {exc.strerror}") from exc
        err.print(f"wrote {escape(str(target))}", highlight=False)

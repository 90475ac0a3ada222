"""``readiness probe URL``: measure a running service the way the seed reports do."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
from rich.console import Console

from readiness.cli import _say, cli, live_options
from readiness.cli.output import check_formats, emit, print_warnings
from readiness.cli.probe_flags import exit_if_breached, probe_flags, raise_if_unanswered
from readiness.config import load_settings
from readiness.engine.live import probe
from readiness.model import ProbeRun
from readiness.probes import parse_duration
from readiness.report import PROBE_REPORTERS, ProbeTerminalReporter


@cli.command("probe")
@click.option("--format", "-f", "formats", metavar="LIST",
              help="Comma-separated: terminal, markdown, json (default: terminal).")
@click.option("--out", "-o", type=click.Path(path_type=Path, file_okay=False),
              help="Write markdown/json into this directory instead of standard output.")
@click.option("--name", "report_name", help="Base name of the files (default: "
              "probe-HOST-PORT).")
@click.option("--config", "config_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Read [tool.readiness.probe] thresholds from this repository "
                   "(default: the current directory).")
@click.option("--no-progress", is_flag=True, help="No progress lines on standard error.")
@click.option("--debug", is_flag=True, help="Let internal errors raise.")
@probe_flags(target_required=True)
def probe_command(formats: str | None, out: Path | None, report_name: str | None,
                  config_dir: Path | None, no_progress: bool, debug: bool,
                  **flags: Any) -> None:
    """Probe the running service at URL: health, headers, CORS, cookies, authentication,
    error pages and server hygiene; latency under load with --allow-load (closed and
    open model, HDR histogram); rate limiting with --allow-burst.

    Every probe is bounded in requests and time and contacts only URL's host. Exit 4
    when a threshold is breached, 2 when URL cannot be reached."""
    err = Console(stderr=True)
    root = config_dir or Path.cwd()
    cli_values: dict[str, Any] = {"formats": formats, "out": str(out) if out else None,
                                  "debug": debug or None,
                                  "progress": False if no_progress else None}
    settings = load_settings(root if (root / "pyproject.toml").exists()
                             or (root / ".readiness.toml").exists() else None,
                             cli_values, os.environ)
    out = Path(settings.out) if settings.out else None
    check_formats(settings.formats, PROBE_REPORTERS, out, "probe")
    options = live_options(flags, settings)
    assert options is not None  # URL is a required argument
    run = probe(flags["target"], options, start=flags["start"],
                health_path=flags["health_path"],
                start_timeout_s=parse_duration(flags["start_timeout"]), say=_say(err, settings))
    _emit(run, settings.formats, out, report_name or _default_name(flags["target"]), err)
    print_warnings(err, settings.formats, run.warnings)
    raise_if_unanswered(run)  # the reports above keep what was observed
    exit_if_breached(run, err)


def _default_name(target: str) -> str:
    """probe-HOST-PORT, so probing several services into one --out keeps every report."""
    parts = urlsplit(target)
    host = (parts.hostname or "target").replace(":", "-")
    return f"probe-{host}-{parts.port}" if parts.port else f"probe-{host}"


def _emit(run: ProbeRun, formats: tuple[str, ...] | list[str], out: Path | None, name: str,
          err: Console) -> None:
    def render(fmt: str) -> tuple[str, str]:
        reporter = PROBE_REPORTERS[fmt]()
        return reporter.extension, reporter.render(run)

    emit(formats, out, name, err, terminal=lambda console: ProbeTerminalReporter().print(
        run, console), render=render)

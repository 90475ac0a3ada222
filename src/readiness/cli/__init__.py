"""The ``readiness`` command line.

Exit codes: 0 ok, 1 the quality gate failed (``--fail-under`` / ``--fail-on`` /
``--min-trust``), 2 usage or input error (an unreachable --target included), 3 internal
error, 4 a probe threshold was breached.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markdown import Markdown
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from readiness import __version__
from readiness.cli.output import check_formats, emit, print_warnings
from readiness.cli.probe_flags import (
    exit_if_breached,
    parse_headers,
    probe_flags,
    raise_if_unanswered,
)
from readiness.config import FAIL_ON, PARSERS, Settings, load_settings
from readiness.engine import assess, check_target, gate
from readiness.engine.live import assess_live, probe_error, probe_options
from readiness.errors import (
    EXIT_GATE_FAILED,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_USAGE,
    ReadinessError,
    UnknownPracticeError,
    UserError,
)
from readiness.model import DOC_HEADINGS, Assessment
from readiness.practices.registry import Registry
from readiness.probes import ProbeOptions, parse_duration
from readiness.report import (
    MarkdownReporter,
    TerminalReporter,
    probe_schema,
    reporters,
    schema,
    verify_schema,
)

_STAGES = {"walking": "Walking the tree", "reading": "Reading files",
           "parsing": "Parsing Python", "checking": "Checking practices"}


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="readiness")
def cli() -> None:
    """Evidence-based production readiness review of a service repository.

    Every status comes with file:line evidence; the assessed code is read, never run.
    """


@cli.command("assess")
@click.argument("path", type=click.Path(path_type=Path), metavar="PATH")
@click.option("--format", "-f", "formats", metavar="LIST",
              help="Comma-separated: terminal, markdown, json, or an installed plugin's "
                   "format (default: terminal).")
@click.option("--out", "-o", type=click.Path(path_type=Path, file_okay=False),
              help="Write the markdown/json reports into this directory "
                   "(as <name>.md / <name>.json) instead of standard output.")
@click.option("--name", "report_name", help="Base name of report files (default: the "
              "assessed directory's name).")
@click.option("--fail-under", type=float, metavar="SCORE",
              help="Exit 1 when the overall score is below SCORE (0-100).")
@click.option("--fail-on", type=click.Choice(FAIL_ON),
              help="Exit 1 when a practice of this priority (or higher) is missing.")
@click.option("--max-file-bytes", type=int, help="Skip files larger than this (default 1 MB).")
@click.option("--max-files", type=int, help="Stop walking after this many files.")
@click.option("--max-yaml-nodes", type=int, help="YAML nodes a file may expand to (aliases "
              "included) before it is skipped as a YAML bomb (default 100,000).")
@click.option("--exclude", multiple=True, metavar="GLOB",
              help="Gitignore-style pattern to leave out (repeatable).")
@click.option("--disable", multiple=True, metavar="ID", help="Do not run this practice "
              "(repeatable).")
@click.option("--python-parser", type=click.Choice(PARSERS),
              help="auto (ast, tree-sitter fallback), ast, or tree-sitter.")
@click.option("--jobs", "-j", type=int, help="Parser processes (default: by tree size).")
@click.option("--no-cache", is_flag=True, help="Do not read or write the parse cache.")
@click.option("--cache-dir", type=click.Path(path_type=Path), help="Where the parse cache lives.")
@click.option("--no-progress", is_flag=True, help="No progress display on standard error.")
@click.option("--verbose", "-v", is_flag=True, help="Show every gap and anti-pattern.")
@click.option("--debug", is_flag=True, help="Let rule crashes and internal errors raise.")
@probe_flags()
def assess_command(path: Path, formats: str | None, out: Path | None, report_name: str | None,
                   fail_under: float | None, fail_on: str | None, max_file_bytes: int | None,
                   max_files: int | None, max_yaml_nodes: int | None,
                   exclude: tuple[str, ...], disable: tuple[str, ...],
                   python_parser: str | None, jobs: int | None, no_cache: bool,
                   cache_dir: Path | None, no_progress: bool, verbose: bool,
                   debug: bool, **probe: Any) -> None:
    """Assess the repository at PATH and report what is implemented, partial or missing.

    With --target URL the running service is probed too (health, headers, CORS,
    authentication, error pages; load with --allow-load, a burst with --allow-burst),
    and what it shows is merged into the same findings."""
    err = Console(stderr=True)
    root = check_target(path)
    cli_values: dict[str, Any] = {
        "formats": formats, "out": str(out) if out else None, "fail_under": fail_under,
        "fail_on": fail_on, "max_file_bytes": max_file_bytes, "max_files": max_files,
        "max_yaml_nodes": max_yaml_nodes,
        "exclude": exclude or None, "disable": disable or None, "python_parser": python_parser,
        "jobs": jobs, "cache": False if no_cache else None,
        "cache_dir": str(cache_dir) if cache_dir else None, "debug": debug or None,
        "progress": False if no_progress else None,
    }
    settings = load_settings(root, cli_values, os.environ)
    out = Path(settings.out) if settings.out else None  # --out or READINESS_OUT
    chosen = _check_formats(settings, out)
    live = live_options(probe, settings)
    with _progress(err, settings) as report:
        if live is None:
            assessment = assess(path, settings, progress=report)
        else:
            assessment = assess_live(root, settings, live, probe["target"],
                                     start=probe["start"], health_path=probe["health_path"],
                                     progress=report, say=_say(err, settings),
                                     start_timeout_s=parse_duration(probe["start_timeout"]))
    _emit(assessment, chosen, root, out, report_name or root.name, verbose, err)
    print_warnings(err, list(chosen), assessment.warnings)
    raise_if_unanswered(assessment.probe_run, probe_error(assessment))
    reasons = gate(assessment, settings)
    if reasons:
        for reason in reasons:
            err.print(f"[red]gate failed:[/red] {escape(reason)}", highlight=False)
        sys.exit(EXIT_GATE_FAILED)
    exit_if_breached(assessment.probe_run, err)


def live_options(probe: dict[str, Any], settings: Settings) -> ProbeOptions | None:
    """The probe options when --target was given; a usage error for probe flags without it."""
    if not probe.get("target"):
        given = [name for name in ("start", "allow_load", "allow_burst", "allow_writes")
                 if probe.get(name)]
        if given:
            flag = "--" + given[0].replace("_", "-")
            raise UserError(f"{flag} needs --target URL (the service to probe)")
        return None
    return probe_options(settings, users=probe["users"], duration=probe["duration"],
                         rate=probe["rate"], timeout=probe["timeout"],
                         thresholds=probe["thresholds"], allow_load=probe["allow_load"],
                         allow_burst=probe["allow_burst"], allow_writes=probe["allow_writes"],
                         insecure=probe["insecure"], headers=parse_headers(probe["headers"]))


def _say(console: Console, settings: Settings) -> Callable[[str], None] | None:
    """Probe progress lines on standard error, when progress is shown at all."""
    if not settings.progress or not console.is_terminal:
        return None

    def say(message: str) -> None:
        console.print(f"[dim]probe: {escape(message)}[/dim]", highlight=False)

    return say


@contextmanager
def _progress(console: Console, settings: Settings
              ) -> Iterator[Callable[[str, int, int | None], None] | None]:
    if not settings.progress or not console.is_terminal:
        yield None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        tasks: dict[str, Any] = {}

        def report(stage: str, done: int, total: int | None) -> None:
            if stage not in tasks:
                for other in tasks.values():
                    bar.update(other, visible=False)
                tasks[stage] = bar.add_task(_STAGES.get(stage, stage), total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield report


def _check_formats(settings: Settings, out: Path | None) -> dict[str, type]:
    """The reporter class of every requested format; a usage error names what is wrong."""
    available = reporters()
    check_formats(settings.formats, available, out)
    return {f: available[f] for f in settings.formats}


def _emit(assessment: Assessment, formats: dict[str, type], root: Path, out: Path | None,
          name: str, verbose: bool, err: Console) -> None:
    def render(fmt: str) -> tuple[str, str]:
        if fmt == "markdown":
            link_root = os.path.relpath(root, out.resolve()) if out is not None else ""
            reporter: Any = MarkdownReporter(link_root=link_root.replace(os.sep, "/"))
        else:
            reporter = formats[fmt]()
        return reporter.extension, reporter.render(assessment)

    emit(list(formats), out, name, err,
         terminal=lambda console: TerminalReporter(verbose=verbose).print(assessment, console),
         render=render)


@cli.group("rules", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="List the catalog as JSON.")
@click.pass_context
def rules_group(ctx: click.Context, as_json: bool) -> None:
    """List the practices readiness checks (or explain one: rules explain ID)."""
    if ctx.invoked_subcommand is not None:
        return
    registry = Registry.default()
    if as_json:
        items = [{"id": p.id, "title": p.meta.title, "category": p.meta.category.id,
                  "priority": p.meta.priority.value, "effort": p.meta.effort.value,
                  "applies": p.meta.applies} for p in registry.all()]
        click.echo(json.dumps(items, indent=2))
        return
    table = Table(title=f"{len(registry)} practices")
    table.add_column("Id", no_wrap=True)  # ids are typed back: never cut them
    for column in ("Title", "Priority", "Effort", "Applies when"):
        table.add_column(column)
    for item in registry.all():
        meta = item.meta
        table.add_row(meta.id, meta.title, meta.priority.value, meta.effort.value, meta.applies)
    Console().print(table)


@rules_group.command("explain")
@click.argument("practice_id", metavar="ID")
def explain_command(practice_id: str) -> None:
    """Print the documentation of one practice (by id, title or alias)."""
    registry = Registry.default()
    found = registry.lookup(practice_id)
    if found is None:
        close = registry.suggest(practice_id)
        hint = f" (did you mean {', '.join(close)}?)" if close else \
            " (run `readiness rules` for the list)"
        raise UnknownPracticeError(f"unknown practice {practice_id!r}{hint}")
    meta = found.meta
    text = (f"# {meta.title} (`{meta.id}`)\n\n"
            f"**Category:** {meta.category.title} · **Priority:** {meta.priority.value} · "
            f"**Effort:** {meta.effort.value} · **Applies when:** {meta.applies}\n\n")
    for heading in DOC_HEADINGS:
        text += f"## {heading}\n\n{meta.doc_section(heading)}\n\n"
    if meta.sources:
        text += f"**Sources:** {', '.join(meta.sources)}\n"
    console = Console()
    if console.is_terminal:
        console.print(Markdown(text))
    else:
        click.echo(text.rstrip())


@cli.command("schema")
@click.argument("which", type=click.Choice(["assess", "verify", "probe"]), default="assess",
                required=False)
def schema_command(which: str) -> None:
    """Print the JSON Schema of `assess --format json` (default), of `verify` or of `probe`."""
    chosen = {"assess": schema, "verify": verify_schema, "probe": probe_schema}[which]
    click.echo(json.dumps(chosen(), indent=2))


# Commands that live in their own modules register themselves on the group.
from readiness.cli import probe_cmd, verify_cmd  # noqa: E402

__all__ = ["cli", "main", "probe_cmd", "verify_cmd"]


def main(argv: list[str] | None = None) -> None:
    """Entry point: runs the CLI and maps errors to exit codes."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        code = cli.main(args=argv, prog_name="readiness", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("readiness: interrupted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_USAGE)
    except ReadinessError as exc:
        click.echo(f"readiness: error: {exc.message}", err=True)
        sys.exit(exc.exit_code)
    except SystemExit:
        raise
    except Exception as exc:
        if debug:
            raise
        click.echo(f"readiness: internal error: {type(exc).__name__}: {exc} "
                   "(run again with --debug for a traceback, and please report it)", err=True)
        sys.exit(EXIT_INTERNAL)
    sys.exit(code if isinstance(code, int) else EXIT_OK)

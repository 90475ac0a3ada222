"""Options, and the handling of outcomes, shared by every command that probes a service."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape

from readiness.engine.live import nothing_answered
from readiness.errors import EXIT_THRESHOLD_BREACHED, ProbeTargetError, UserError
from readiness.model import ProbeRun

F = TypeVar("F", bound=Callable[..., Any])


def probe_flags(*, target_required: bool = False) -> Callable[[F], F]:
    """``--users --duration --rate --threshold --allow-load ...`` on a click command."""

    def decorate(function: F) -> F:
        options = [
            click.option("--start", "start", metavar="CMD",
                         help="Start the service with CMD first (no shell; run in the "
                              "assessed PATH, or the current directory for probe; give "
                              "full paths such as .venv/bin/uvicorn), wait until it answers, "
                              "probe it, and always stop it."),
            click.option("--health-path", metavar="PATH",
                         help="Path polled to know a --start'ed service is up (default /)."),
            click.option("--start-timeout", metavar="TIME", default="30s", show_default=True,
                         help="How long a --start'ed service may take to answer."),
            click.option("--users", type=int, help="Concurrent users of the closed-model "
                         "load test (default 50)."),
            click.option("--duration", metavar="TIME",
                         help="Length of each load test, e.g. 30s (default 30s)."),
            click.option("--rate", metavar="N/s",
                         help="Arrival rate of the open-model load test (default 200/s)."),
            click.option("--threshold", "thresholds", multiple=True, metavar="EXPR",
                         help="k6-style threshold, repeatable: 'p(95)<100ms', "
                              "'health:p(95)<50ms', 'rate<0.01' (default: the seed "
                              "reports' targets)."),
            click.option("--timeout", metavar="TIME", help="Per-request timeout (default 5s)."),
            click.option("--header", "headers", multiple=True, metavar="NAME:VALUE",
                         help="Send this header with every probe except the "
                              "unauthenticated ones (repeatable)."),
            click.option("--allow-load", is_flag=True,
                         help="Run the load tests (closed and open model)."),
            click.option("--allow-burst", is_flag=True,
                         help="Send a bounded burst to check rate limiting."),
            click.option("--allow-writes", is_flag=True,
                         help="Let probes send POST/PUT/PATCH/DELETE (without credentials)."),
            click.option("--insecure", is_flag=True,
                         help="Do not verify the target's TLS certificate."),
        ]
        if target_required:
            options.insert(0, click.argument("target", metavar="URL"))
        else:
            options.insert(0, click.option("--target", "target", metavar="URL",
                                           help="Also probe the running service at URL."))
        for option in reversed(options):
            function = option(function)
        return function

    return decorate


def parse_headers(values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    for value in values:
        name, sep, content = value.partition(":")
        if not sep or not name.strip():
            raise UserError(f"--header {value!r}: expected NAME:VALUE")
        out.append((name.strip(), content.strip()))
    return tuple(out)


def raise_if_unanswered(run: ProbeRun | None, error: str | None = None) -> None:
    """Exit 2 (after the reports were written) when the target could not be probed."""
    failure = nothing_answered(run) if run is not None else error
    if failure is not None:
        raise ProbeTargetError(failure)


def exit_if_breached(run: ProbeRun | None, err: Console) -> None:
    """Exit 4 when a probe threshold was breached."""
    if run is not None and run.breached:
        breached = ", ".join(item.expression for item in run.breached)
        err.print(f"[red]threshold breached:[/red] {escape(breached)}", highlight=False)
        sys.exit(EXIT_THRESHOLD_BREACHED)

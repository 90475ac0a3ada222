"""Probing a running service, alone (``readiness probe``) or with the static review
(``readiness assess --target``), optionally starting it first (``--start``).

The static assessment runs first and is never changed by a failed probe run: an
unreachable target raises a ``ProbeTargetError`` before anything is merged, a
probe that breaks half-way keeps what it measured. Merging is
``readiness.practices.probed``; scores are recomputed from the merged findings.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from readiness.config import Settings
from readiness.engine.run import assess
from readiness.errors import ProbeTargetError, ServiceStartError, UserError
from readiness.model import Assessment, ProbeRun
from readiness.practices.probed import apply_probes
from readiness.probes import (
    DEFAULT_THRESHOLDS,
    ManagedService,
    ProbeOptions,
    parse_duration,
    parse_rate,
    run_probes,
)
from readiness.probes.target import Origin
from readiness.scoring import score

Progress = Callable[[str, int, int | None], None]
Say = Callable[[str], None]


def probe_options(settings: Settings, *, users: int | None = None,
                  duration: str | None = None, rate: str | None = None,
                  timeout: str | None = None, thresholds: Sequence[str] = (),
                  allow_load: bool = False, allow_burst: bool = False,
                  allow_writes: bool = False, insecure: bool = False,
                  headers: Sequence[tuple[str, str]] = ()) -> ProbeOptions:
    """Options from the command line over the project's ``[tool.readiness.probe]``.

    Permissions (load, burst, writes) come from the command line only."""
    project = settings.probe
    values: dict[str, Any] = {
        "allow_load": allow_load, "allow_burst": allow_burst, "allow_writes": allow_writes,
        "verify_tls": not insecure, "headers": tuple(headers),
        "thresholds": tuple(thresholds) or project.thresholds or DEFAULT_THRESHOLDS,
    }
    chosen_users = users if users is not None else project.users
    if chosen_users is not None:
        values["users"] = chosen_users
    chosen = duration or project.duration
    if chosen:
        values["duration_s"] = parse_duration(chosen)
    chosen = rate or project.rate
    if chosen:
        values["rate_per_s"] = parse_rate(chosen)
    chosen = timeout or project.timeout
    if chosen:
        values["request_timeout_s"] = parse_duration(chosen)
    return ProbeOptions(**values)


def probe(target: str, options: ProbeOptions, *, routes: Sequence[tuple[str, str]] = (),
          start: str | None = None, health_path: str | None = None,
          cwd: Path | None = None, say: Say | None = None,
          start_timeout_s: float = 30.0) -> ProbeRun:
    """Probe ``target``; with ``start``, run that command first and always stop it."""
    if start is None:
        run = run_probes(target, options, known_routes=routes, progress=say)
    else:
        Origin.parse(target)  # a malformed target fails before anything is started
        if health_path is not None and not health_path.startswith("/"):
            raise UserError(f"--health-path {health_path!r}: give a path starting with /")
        health = target.rstrip("/") + (health_path or "/")
        if _answers(health, options.verify_tls):
            raise ServiceStartError(
                f"something already answers at {health}: stop it (or choose another port) "
                "so that --start probes the service it starts")
        if say:
            say(f"starting: {start}")
        with ManagedService(start, health, cwd=str(cwd) if cwd else None,
                            verify_tls=options.verify_tls, startup_timeout_s=start_timeout_s):
            if say:
                say(f"{health} answers; probing")
            run = run_probes(target, options, known_routes=routes, progress=say)
    return replace(run, warnings=(*run.warnings, *_notes(target, options)))


def _answers(url: str, verify_tls: bool = True) -> bool:
    """Does anything answer at ``url`` already (one request, one second)?"""
    try:
        with httpx.Client(timeout=1.0, follow_redirects=False, trust_env=False,
                          verify=verify_tls) as client:
            client.get(url)
    except httpx.HTTPError:
        return False
    return True


def _notes(target: str, options: ProbeOptions) -> list[str]:
    """What the user should know about how the URL and thresholds were used."""
    notes: list[str] = []
    path = urlsplit(target).path.rstrip("/")
    if path:
        notes.append(f"probed under {path}/ (discovery, health and error probes are relative "
                     "to it); give the service's root URL if it is served at /")
    if not options.allow_load:
        skipped = [t.expression for t in options.parsed_thresholds() if t.scope != "health"]
        if skipped:
            notes.append("threshold(s) not evaluated without --allow-load: "
                         + ", ".join(skipped))
    return notes


def nothing_answered(run: ProbeRun) -> str | None:
    """Why no probe could measure anything (a TLS mismatch, resets), or None if one did."""
    if len(run.results) == 1 and run.results[0].error:
        return f"{run.target}: {run.results[0].error}"
    return None


def probe_error(assessment: Assessment) -> str | None:
    """Why ``assess_live`` could not probe at all (the target was unreachable), if so."""
    error = assessment.stats.get("probe_error")
    return error if isinstance(error, str) else None


def with_probes(assessment: Assessment, run: ProbeRun, settings: Settings) -> Assessment:
    """The assessment with probe checks merged into its findings and its scores redone."""
    findings, unmatched = apply_probes(assessment.findings, run)
    summary, categories = score(findings, settings.weights)
    warnings = [*assessment.warnings, *run.warnings]
    for practice in sorted({check.practice for check in unmatched}):
        warnings.append(f"probe observations for {practice} are listed under probes: no "
                        "registered practice takes them")
    if run.breached:
        warnings.append(f"{len(run.breached)} probe threshold(s) breached: "
                        + ", ".join(item.expression for item in run.breached))
    return replace(assessment, findings=tuple(findings), summary=summary,
                   categories=categories, probe_run=run, warnings=tuple(warnings))


def assess_live(path: Path, settings: Settings, options: ProbeOptions, target: str, *,
                start: str | None = None, health_path: str | None = None,
                progress: Progress | None = None, say: Say | None = None,
                start_timeout_s: float = 30.0) -> Assessment:
    """The static review of ``path`` plus the probes of ``target``, in one assessment."""
    static = assess(path, settings, progress=progress)
    began = time.perf_counter()
    try:
        run = probe(target, options, routes=static.routes, start=start,
                    health_path=health_path, cwd=path, say=say,
                    start_timeout_s=start_timeout_s)
    except ProbeTargetError as exc:
        # the static review is still worth having: it is reported, then the CLI exits 2
        return replace(static, warnings=(*static.warnings, f"probes not run: {exc}"),
                       stats={**static.stats, "probe_error": str(exc)})
    live = with_probes(static, run, settings)
    seconds = dict(live.stats.get("seconds", {}))  # type: ignore[call-overload]
    seconds["probes"] = round(time.perf_counter() - began, 3)
    return replace(live, stats={**live.stats, "seconds": seconds})

"""Probe results in the reports: the "Performance metrics" table of the seed reports, what
each probe observed, and the output of ``readiness probe`` on its own.

Reads ``readiness.model`` probe values only.
"""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from readiness.model import ProbeResult, ProbeRun, ThresholdOutcome
from readiness.report.common import published_schema

_VERDICT_STYLE = {"pass": "green", "fail": "red", "inconclusive": "yellow"}
_KEYS = ("p50_ms", "p95_ms", "p99_ms", "avg_ms", "max_ms", "rps", "error_rate", "requests",
         "status", "found", "sent")


def threshold_status(outcome: ThresholdOutcome) -> str:
    if outcome.passed is None:
        return "⚠️ INCONCLUSIVE"
    return "✅ PASSED" if outcome.passed else "❌ FAILED"


def measured_text(outcome: ThresholdOutcome) -> str:
    if outcome.measured is None:
        return "not measured"
    unit = " ms" if outcome.metric.endswith("_ms") else ""
    if outcome.metric in ("error_rate",):
        return f"{outcome.measured * 100:.2f} % errors"
    return f"{outcome.measured:.1f}{unit}"


def metric_rows(run: ProbeRun) -> list[dict[str, str]]:
    """One row per threshold: which probe, metric, target, measured, status."""
    rows: list[dict[str, str]] = []
    for result in run.results:
        for outcome in result.thresholds:
            rows.append({"probe": result.probe, "metric": f"{outcome.metric} ({result.probe})",
                         "expression": outcome.expression, "target": outcome.target,
                         "measured": measured_text(outcome),
                         "status": threshold_status(outcome)})
    return rows


def _measured_summary(result: ProbeResult) -> str:
    parts: list[str] = []
    for key in _KEYS:
        value = result.measured.get(key)
        if isinstance(value, float):
            parts.append(f"{key} {value:.4g}")
        elif isinstance(value, (int, str)) and value != "":
            parts.append(f"{key} {value}")
    return ", ".join(parts[:6])


def performance_table(run: ProbeRun) -> Table:
    table = Table(title=f"Performance metrics ({run.target})", title_justify="left")
    for column in ("Metric", "Target", "Measured", "Status"):
        table.add_column(column)
    for row in metric_rows(run):
        style = "green" if "PASSED" in row["status"] else \
            "red" if "FAILED" in row["status"] else "yellow"
        table.add_row(row["metric"], row["target"], row["measured"],
                      Text(row["status"], style=style))
    return table


def checks_table(run: ProbeRun) -> Table:
    table = Table(title="What the probes observed", title_justify="left", expand=True)
    table.add_column("Practice", no_wrap=True)
    table.add_column("Verdict")
    table.add_column("Observation", ratio=3)
    for check in run.checks:
        table.add_row(check.practice, Text(check.verdict, style=_VERDICT_STYLE[check.verdict]),
                      escape(f"{check.message} ({check.url})"))
    return table


def probes_table(run: ProbeRun) -> Table:
    table = Table(title="Probes", title_justify="left", expand=True)
    for column in ("Probe", "Requests", "Seconds", "Measured", "Notes"):
        table.add_column(column, overflow="fold")
    for result in run.results:
        notes = "; ".join([*(result.notes or ()), *([result.error] if result.error else [])])
        table.add_row(result.probe, str(result.requests), f"{result.seconds:.2f}",
                      escape(_measured_summary(result)), escape(notes[:300]))
    return table


def run_to_dict(run: ProbeRun) -> dict[str, Any]:
    breached = run.breached
    counts = {"pass": 0, "fail": 0, "inconclusive": 0}
    for check in run.checks:
        counts[check.verdict] += 1
    return {
        "schema_version": "1",
        "target": run.target,
        "started_at": run.started_at,
        "summary": {"thresholds": len(run.thresholds), "breached": len(breached),
                    "breached_expressions": [b.expression for b in breached],
                    "checks": counts,
                    "requests": sum(r.requests for r in run.results)},
        "probes": [result.to_dict() for result in run.results],
        "warnings": list(run.warnings),
    }


class ProbeTerminalReporter:
    name = "terminal"
    extension = "txt"

    def renderables(self, run: ProbeRun) -> list[RenderableType]:
        out: list[RenderableType] = [probes_table(run)]
        if run.thresholds:
            out.append(performance_table(run))
        if run.checks:
            out.append(checks_table(run))
        breached = run.breached
        if breached:
            out.append(Text(f"{len(breached)} threshold(s) breached: "
                            + ", ".join(b.expression for b in breached), style="bold red"))
        for warning in run.warnings:
            out.append(Text(f"warning: {warning}", style="yellow"))
        return out

    def print(self, run: ProbeRun, console: Console) -> None:
        console.print(Group(*self.renderables(run)))


class ProbeMarkdownReporter:
    name = "markdown"
    extension = "md"

    def render(self, run: ProbeRun) -> str:
        out = [f"# Probe report: {run.target}", "", f"Measured {run.started_at}.", "",
               "## Performance metrics", "", "| Metric | Target | Measured | Status |",
               "|---|---|---|---|"]
        out += [f"| {r['metric']} | {r['target']} | {r['measured']} | {r['status']} |"
                for r in metric_rows(run)] or ["| (no thresholds evaluated) | | | |"]
        out += ["", "## What the probes observed", "", "| Practice | Verdict | Observation |",
                "|---|---|---|"]
        out += [f"| `{c.practice}` | {c.verdict} | {c.message.replace('|', '/')} "
                f"(`{c.url}`) |" for c in run.checks]
        out += ["", "## Probes", "", "| Probe | Requests | Seconds | Measured | Notes |",
                "|---|---|---|---|---|"]
        for result in run.results:
            notes = "; ".join([*result.notes, *([result.error] if result.error else [])])
            out.append(f"| {result.probe} | {result.requests} | {result.seconds:.2f} | "
                       f"{_measured_summary(result)} | {notes.replace('|', '/')[:300]} |")
        out += [f"\n> warning: {w}" for w in run.warnings]
        return "\n".join(out) + "\n"


class ProbeJsonReporter:
    name = "json"
    extension = "json"

    def render(self, run: ProbeRun) -> str:
        return json.dumps(run_to_dict(run), indent=2, ensure_ascii=False) + "\n"


def probe_schema() -> dict[str, Any]:
    """The JSON Schema of ``readiness probe --format json``."""
    return published_schema("probe.schema.json")


PROBE_REPORTERS: dict[str, type] = {
    "terminal": ProbeTerminalReporter,
    "markdown": ProbeMarkdownReporter,
    "json": ProbeJsonReporter,
}

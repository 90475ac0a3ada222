"""Reporters: one module per output format. They read an Assessment and nothing else.

A reporter has a ``name``, a file ``extension`` and ``render(assessment) -> str``.
Third-party formats register a reporter class under the entry-point group
``readiness.reporters``; the built-ins are always available, installed or not.
"""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Protocol

from readiness.model import Assessment
from readiness.report.json_report import JsonReporter, render_json, schema, to_dict
from readiness.report.markdown import MarkdownReporter
from readiness.report.probe_report import (
    PROBE_REPORTERS,
    ProbeJsonReporter,
    ProbeMarkdownReporter,
    ProbeTerminalReporter,
    metric_rows,
    probe_schema,
    run_to_dict,
)
from readiness.report.terminal import TerminalReporter
from readiness.report.verify_report import (
    VERIFY_REPORTERS,
    VerifyJsonReporter,
    VerifyMarkdownReporter,
    VerifyTerminalReporter,
    verify_schema,
)


class Reporter(Protocol):
    name: str
    extension: str

    def render(self, assessment: Assessment) -> str: ...


BUILTIN: dict[str, type] = {
    "terminal": TerminalReporter,
    "markdown": MarkdownReporter,
    "json": JsonReporter,
}


def reporters() -> dict[str, type]:
    """Format name -> reporter class: the built-ins plus installed plugins (a plugin that
    fails to load is left out, so it cannot break the built-in formats)."""
    found = dict(BUILTIN)
    for entry in entry_points(group="readiness.reporters"):
        if entry.name in found:
            continue
        try:
            loaded = entry.load()
        except Exception:  # noqa: BLE001 - a third party's failure must not stop the run
            continue
        if isinstance(loaded, type):
            found[entry.name] = loaded
    return found


__all__ = [
    "BUILTIN",
    "PROBE_REPORTERS",
    "VERIFY_REPORTERS",
    "JsonReporter",
    "MarkdownReporter",
    "ProbeJsonReporter",
    "ProbeMarkdownReporter",
    "ProbeTerminalReporter",
    "Reporter",
    "TerminalReporter",
    "VerifyJsonReporter",
    "VerifyMarkdownReporter",
    "VerifyTerminalReporter",
    "metric_rows",
    "probe_schema",
    "render_json",
    "reporters",
    "run_to_dict",
    "schema",
    "to_dict",
    "verify_schema",
]

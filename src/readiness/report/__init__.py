"""Reporters: one module per output format. They read an Assessment and nothing else."""

from readiness.report.json_report import JsonReporter, render_json, schema, to_dict
from readiness.report.markdown import MarkdownReporter
from readiness.report.terminal import TerminalReporter

__all__ = ["JsonReporter", "MarkdownReporter", "TerminalReporter", "render_json", "schema",
           "to_dict"]

"""The terminal report: the decision, the category table, the top gaps with their evidence.

Gaps are printed as a numbered list rather than a table: a finding's message and its
`path:line` evidence stay readable at 80 columns, and they can be copied as they are.
"""

from __future__ import annotations

import io

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from readiness.model import Assessment, Finding, Status
from readiness.report.common import DECISION_LABEL, context_evidence, gaps
from readiness.report.probe_report import checks_table, performance_table

_DECISION_STYLE = {"ready": "bold green", "conditional": "bold yellow", "not-ready": "bold red"}
_CATEGORY_STYLE = {"strong": "green", "moderate": "yellow", "weak": "red", "na": "dim"}
_STATUS_STYLE = {
    Status.IMPLEMENTED: "green", Status.PARTIAL: "yellow", Status.MISSING: "red",
    Status.NA: "dim", Status.UNKNOWN: "magenta", Status.ERROR: "bold magenta",
}
_REASONS_SHOWN = 8
_EVIDENCE_SHOWN = 3


class TerminalReporter:
    name = "terminal"
    extension = "txt"

    def __init__(self, top: int = 10, verbose: bool = False) -> None:
        self.top = top
        self.verbose = verbose

    def renderables(self, assessment: Assessment) -> list[RenderableType]:
        out: list[RenderableType] = [self._decision(assessment), self._categories(assessment)]
        run = assessment.probe_run
        if run is not None:
            if run.thresholds:
                out.append(performance_table(run))
            if run.checks:
                out.append(checks_table(run))
        open_gaps = [f for f in gaps(assessment) if not f.waived]
        shown = open_gaps if self.verbose else open_gaps[: self.top]
        if shown:
            out.append(Text(f"\nTop gaps ({len(shown)} of {len(open_gaps)}, most important "
                            "first)", style="bold"))
            for number, finding in enumerate(shown, start=1):
                out.append(self._gap(number, finding))
        waived = [f for f in gaps(assessment) if f.waived]
        if waived:
            out.append(Text(f"\n{len(waived)} gap(s) waived: " +
                            ", ".join(f.practice for f in waived), style="dim"))
        out.append(self._footer(assessment))
        return out

    def _decision(self, assessment: Assessment) -> Panel:
        s = assessment.summary
        score = f"{s.score:.1f}/100" if s.score is not None else "n/a"
        counts = s.counts
        header = Text.assemble(
            (DECISION_LABEL[s.decision], _DECISION_STYLE[s.decision]),
            f"   score {score}   level {s.level}\n",
            (f"{counts['implemented']} implemented · {counts['partial']} partial · "
             f"{counts['missing']} missing · {counts['na']} n/a", "dim"),
            (f" · {counts['unknown']} unknown" if counts["unknown"] else "", "magenta"),
            (f" · {counts['error']} rule errors" if counts["error"] else "", "bold magenta"),
        )
        shown = s.decision_reasons if self.verbose else s.decision_reasons[:_REASONS_SHOWN]
        reasons = Text("\n".join(f"• {r}" for r in shown))
        if len(shown) < len(s.decision_reasons):
            reasons.append(f"\n… and {len(s.decision_reasons) - len(shown)} more "
                           "(-v, or the Markdown report)")
        return Panel(Group(header, Text(""), reasons),
                     title=Text(f"Production readiness: {assessment.target.name}"),
                     subtitle=assessment.target.commit[:12] if assessment.target.commit else None,
                     border_style=_DECISION_STYLE[s.decision].split()[-1])

    @staticmethod
    def _categories(assessment: Assessment) -> Table:
        table = Table(title="Categories", expand=False)
        table.add_column("Category")
        table.add_column("Score", justify="right")
        table.add_column("Status")
        table.add_column("Gaps (critical/high, missing)", overflow="fold")
        for c in assessment.categories:
            table.add_row(Text(c.title), f"{c.score:.0f}" if c.score is not None else "n/a",
                          Text(c.status, style=_CATEGORY_STYLE[c.status]),
                          ", ".join(c.critical_gaps) or "-")
        return table

    def _gap(self, number: int, finding: Finding) -> Table:
        """One gap as a two-column grid, so wrapped lines keep their indentation."""
        head = Text()
        head.append(f"{finding.status.value:<8}", style=_STATUS_STYLE[finding.status])
        head.append(f" {finding.meta.priority.value:<8} ", style="bold")
        head.append(finding.meta.title)
        head.append(f"  {finding.practice}", style="dim")
        body = Table.grid(padding=(0, 1))
        body.add_column(width=1)
        body.add_column()
        body.add_row("", Text(finding.message))
        limit = None if self.verbose else _EVIDENCE_SHOWN
        for evidence in finding.evidence[:limit]:
            line = Text(evidence.location, style="cyan")
            if evidence.note:
                line.append(f"  {evidence.note}", style="dim")
            body.add_row("", line)
        for hit in finding.anti_patterns[:limit]:
            line = Text(f"✗ {hit.message}  ", style="red")
            line.append(hit.evidence.location, style="cyan")
            body.add_row("", line)
        if not finding.evidence:
            for pointer in context_evidence(finding)[:limit]:
                line = Text("where: ", style="dim")
                line.append(pointer.location, style="cyan")
                if pointer.note:
                    line.append(f"  {pointer.note}", style="dim")
                body.add_row("", line)
        grid = Table.grid(padding=(0, 1))
        grid.add_column(justify="right", width=3)
        grid.add_column()
        grid.add_row(f"{number}.", Group(head, body))
        return grid

    @staticmethod
    def _footer(assessment: Assessment) -> Text:
        footer = Text("\n")
        if assessment.skipped:
            footer.append(f"{len(assessment.skipped)} file(s) not fully assessed "
                          "(see `skipped` in the JSON or Markdown report).\n", style="yellow")
        for warning in assessment.warnings:
            footer.append(f"warning: {warning}\n", style="yellow")
        seconds = assessment.stats.get("seconds", {})
        total = seconds.get("total") if isinstance(seconds, dict) else None
        files = assessment.stats.get("files_read")
        if total is not None:
            footer.append(f"Assessed {files} files in {total:.2f}s.", style="dim")
        return footer

    def print(self, assessment: Assessment, console: Console) -> None:
        for item in self.renderables(assessment):
            console.print(item)

    def render(self, assessment: Assessment, width: int = 120) -> str:
        """The report as plain text (no colours), as a terminal of ``width`` would show it."""
        buffer = io.StringIO()
        console = Console(file=buffer, width=width, force_terminal=False, color_system=None)
        self.print(assessment, console)
        return buffer.getvalue()

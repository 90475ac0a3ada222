"""The terminal report: a decision panel, the category table, the top gaps with evidence."""

from __future__ import annotations

import io

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from readiness.model import Assessment, Status
from readiness.report.common import DECISION_LABEL, anti_pattern_rows, gaps

_DECISION_STYLE = {"ready": "bold green", "conditional": "bold yellow", "not-ready": "bold red"}
_CATEGORY_STYLE = {"strong": "green", "moderate": "yellow", "weak": "red", "na": "dim"}
_STATUS_STYLE = {
    Status.IMPLEMENTED: "green", Status.PARTIAL: "yellow", Status.MISSING: "red",
    Status.NA: "dim", Status.UNKNOWN: "magenta", Status.ERROR: "bold magenta",
}


class TerminalReporter:
    name = "terminal"
    extension = "txt"

    def __init__(self, top: int = 10, verbose: bool = False) -> None:
        self.top = top
        self.verbose = verbose

    def renderables(self, assessment: Assessment) -> list[RenderableType]:
        s = assessment.summary
        score = f"{s.score:.1f}/100" if s.score is not None else "n/a"
        counts = s.counts
        header = Text.assemble(
            (f"{DECISION_LABEL[s.decision]}", _DECISION_STYLE[s.decision]),
            f"   score {score}   level {s.level}\n",
            (f"{counts['implemented']} implemented · {counts['partial']} partial · "
             f"{counts['missing']} missing · {counts['na']} n/a", "dim"),
            (f" · {counts['unknown']} unknown" if counts["unknown"] else "", "magenta"),
            (f" · {counts['error']} rule errors" if counts["error"] else "", "bold magenta"),
        )
        reasons = Text("\n".join(f"• {r}" for r in s.decision_reasons[:8]))
        if len(s.decision_reasons) > 8:
            reasons.append(f"\n… and {len(s.decision_reasons) - 8} more (see the full report)")
        panel = Panel(Group(header, Text(""), reasons),
                      title=f"Production readiness: {assessment.target.name}",
                      subtitle=assessment.target.commit[:12] if assessment.target.commit else None,
                      border_style=_DECISION_STYLE[s.decision].split()[-1])
        table = Table(title="Categories", show_lines=False, expand=False)
        table.add_column("Category")
        table.add_column("Score", justify="right")
        table.add_column("Status")
        table.add_column("Critical gaps")
        for c in assessment.categories:
            style = _CATEGORY_STYLE[c.status]
            table.add_row(c.title, f"{c.score:.0f}" if c.score is not None else "n/a",
                          Text(c.status, style=style), ", ".join(c.critical_gaps) or "-")
        out: list[RenderableType] = [panel, table]
        limit = None if self.verbose else self.top
        top = [f for f in gaps(assessment) if not f.waived][:limit]
        if top:
            gap_table = Table(title=f"Top gaps ({len(top)} of {len(gaps(assessment))})",
                              expand=False)
            gap_table.add_column("Practice")
            gap_table.add_column("Pri.")
            gap_table.add_column("Status")
            gap_table.add_column("Finding / evidence", overflow="fold")
            for f in top:
                lines = Text(f.message)
                for ev in f.evidence[:2]:
                    lines.append(f"\n  {ev.location}", style="cyan")
                    if ev.note:
                        lines.append(f"  ({ev.note})", style="dim")
                for hit in f.anti_patterns[:2]:
                    lines.append(f"\n  ✗ {hit.message} at {hit.evidence.location}", style="red")
                gap_table.add_row(f"{f.meta.title}\n[dim]{f.practice}[/dim]",
                                  f.meta.priority.value[:4],
                                  Text(f.status.value, style=_STATUS_STYLE[f.status]), lines)
            out.append(gap_table)
        anti = anti_pattern_rows(assessment)
        if anti and self.verbose:
            anti_table = Table(title="Anti-patterns")
            anti_table.add_column("Practice")
            anti_table.add_column("Severity")
            anti_table.add_column("Where")
            for finding, message, ev, severity in anti:
                anti_table.add_row(finding.practice, severity, f"{message}\n{ev.location}")
            out.append(anti_table)
        footer = Text()
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
        if footer:
            out.append(footer)
        return out

    def print(self, assessment: Assessment, console: Console) -> None:
        for item in self.renderables(assessment):
            console.print(item)

    def render(self, assessment: Assessment, width: int = 120) -> str:
        """The report as plain text (no colours), as a terminal of ``width`` would show it."""
        buffer = io.StringIO()
        console = Console(file=buffer, width=width, force_terminal=False, color_system=None)
        self.print(assessment, console)
        return buffer.getvalue()

"""Reports of ``readiness verify``: the claims audit in terminal, Markdown and JSON.

They read a ``ClaimsAudit`` and nothing else. Overstated and stale claims come first
with the evidence a reviewer needs; confirmed ones are listed briefly; unmapped ones
are listed, not dropped.
"""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from readiness.model import ClaimsAudit, JudgedClaim, Verdict
from readiness.report.common import published_schema

ORDER = (Verdict.OVERSTATED, Verdict.STALE_REFERENCE, Verdict.UNDERSTATED, Verdict.CONFIRMED,
         Verdict.UNVERIFIABLE, Verdict.UNMAPPED)
STYLE = {Verdict.CONFIRMED: "green", Verdict.OVERSTATED: "red", Verdict.UNDERSTATED: "cyan",
         Verdict.STALE_REFERENCE: "magenta", Verdict.UNVERIFIABLE: "dim",
         Verdict.UNMAPPED: "dim"}
TITLES = {
    Verdict.OVERSTATED: "Overstated: claimed better than the code shows",
    Verdict.STALE_REFERENCE: "Stale references: cited files or lines that do not hold",
    Verdict.UNDERSTATED: "Understated: the code has more than the report says",
    Verdict.CONFIRMED: "Confirmed",
    Verdict.UNVERIFIABLE: "Unverifiable: nothing in a repository can show these",
    Verdict.UNMAPPED: "Unmapped: no practice matches these claims",
}


def _grouped(audit: ClaimsAudit) -> dict[Verdict, list[JudgedClaim]]:
    groups: dict[Verdict, list[JudgedClaim]] = {verdict: [] for verdict in ORDER}
    for item in audit.claims:
        groups[item.verdict].append(item)
    return groups


def _evidence_text(item: JudgedClaim, limit: int = 2) -> str:
    parts = [e.location + (f" ({e.snippet[:60]})" if e.source == "probe" else "")
             for e in item.evidence[:limit]]
    parts += [f"{r.text}: {r.problem}" for r in item.references if r.problem][:limit]
    return "; ".join(parts)


def _trust(audit: ClaimsAudit) -> str:
    score = audit.trust_score
    return "n/a (no checkable claims)" if score is None else f"{score:.0f}%"


class VerifyTerminalReporter:
    """The audit on a terminal: a summary panel, then the claims that need a look."""

    name = "terminal"
    extension = "txt"

    def __init__(self, verbose: bool = False, top: int = 25) -> None:
        self.verbose = verbose
        self.top = top

    def renderables(self, audit: ClaimsAudit) -> list[RenderableType]:
        counts = audit.counts()
        lines = Text()
        lines.append(f"Trust score {_trust(audit)}", style="bold")
        lines.append(f"  ·  {len(audit.claims)} claims in {audit.report}\n")
        for verdict in ORDER:
            lines.append(f"{verdict.value:16}", style=STYLE[verdict])
            lines.append(f"{counts[verdict.value]:4}\n")
        score = audit.assessed_score
        lines.append(f"\nreadiness itself scores {audit.root}: "
                     f"{'n/a' if score is None else f'{score:.0f}'} ({audit.assessed_decision})")
        if audit.repaired_encoding:
            lines.append(f"\nrepaired {audit.repaired_encoding} mis-encoded symbols (‚úÖ -> ✅)")
        out: list[RenderableType] = [Panel(lines, title="Claims audit", expand=False)]
        groups = _grouped(audit)
        shown: tuple[Verdict, ...] = ORDER if self.verbose else (
            Verdict.OVERSTATED, Verdict.STALE_REFERENCE, Verdict.UNDERSTATED)
        for verdict in shown:
            items = groups[verdict]
            if not items:
                continue
            table = Table(title=TITLES[verdict], title_justify="left", show_lines=False,
                          expand=True)
            table.add_column("Line", justify="right", no_wrap=True)
            table.add_column("Claim", ratio=3)
            table.add_column("Practices", ratio=2)
            table.add_column("Why", ratio=4)
            table.add_column("Evidence", ratio=3)
            for item in items[: None if self.verbose else self.top]:
                table.add_row(str(item.claim.line), escape(item.claim.text[:100]),
                              escape(", ".join(item.claim.practices) or "-"),
                              escape(item.reason[:240]), escape(_evidence_text(item)))
            if not self.verbose and len(items) > self.top:
                table.caption = f"{len(items) - self.top} more: use --verbose or --format json"
            out.append(table)
        if not self.verbose:
            rest = sum(len(groups[v]) for v in ORDER if v not in shown)
            if rest:
                out.append(Text(f"{rest} confirmed, unverifiable or unmapped claims not shown "
                                "(--verbose lists them)", style="dim"))
        for warning in audit.warnings:
            out.append(Text(f"note: {warning}", style="yellow"))
        return out

    def print(self, audit: ClaimsAudit, console: Console) -> None:
        console.print(Group(*self.renderables(audit)))

    def render(self, audit: ClaimsAudit, width: int = 120) -> str:
        console = Console(width=width, record=True, file=None, force_terminal=False,
                          color_system=None)
        with console.capture() as capture:
            self.print(audit, console)
        return capture.get()


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


class VerifyMarkdownReporter:
    """The audit as a Markdown document a reviewer can attach to the original report."""

    name = "markdown"
    extension = "md"

    def render(self, audit: ClaimsAudit) -> str:
        counts = audit.counts()
        out = [f"# Claims audit: `{audit.report}`", "",
               f"Checked against `{audit.root}`"
               + (f" and the running service at {audit.probed}" if audit.probed else "") + ".",
               "",
               f"**Trust score: {_trust(audit)}** (confirmed claims / checkable claims). "
               f"readiness itself scores the repository "
               f"{'n/a' if audit.assessed_score is None else f'{audit.assessed_score:.0f}'} "
               f"({audit.assessed_decision}).", "",
               "| Verdict | Claims |", "|---|---|"]
        out += [f"| {v.value} | {counts[v.value]} |" for v in ORDER]
        out.append(f"| **total** | **{len(audit.claims)}** |")
        if audit.repaired_encoding:
            out += ["", f"{audit.repaired_encoding} mis-encoded symbols were repaired "
                        "(for example `‚úÖ` read as ✅)."]
        for warning in audit.warnings:
            out += ["", f"> Note: {warning}"]
        groups = _grouped(audit)
        for verdict in ORDER:
            items = groups[verdict]
            if not items:
                continue
            out += ["", f"## {TITLES[verdict]} ({len(items)})", ""]
            if verdict in (Verdict.CONFIRMED, Verdict.UNVERIFIABLE, Verdict.UNMAPPED):
                out += ["| Line | Claim | Practices | Note |", "|---|---|---|---|"]
                out += [f"| {i.claim.line} | {_cell(i.claim.text[:120])} | "
                        f"{', '.join(f'`{p}`' for p in i.claim.practices) or '-'} | "
                        f"{_cell(i.reason[:160])} |" for i in items]
                continue
            out += ["| Line | Claim | Claimed | Readiness found | Why | Evidence |",
                    "|---|---|---|---|---|---|"]
            for item in items:
                found = ", ".join(f"`{p}` {s}" for p, s in item.found_status.items()) or "-"
                evidence = "<br>".join(
                    [f"`{e.location}`" for e in item.evidence[:3]]
                    + [f"`{r.text}`: {r.problem}" for r in item.references if r.problem][:3])
                out.append(f"| {item.claim.line} | {_cell(item.claim.text[:120])} | "
                           f"{item.claim.claimed_status.value} | {found} | "
                           f"{_cell(item.reason[:200])} | {evidence or '-'} |")
            missing = [m for item in items for m in item.missing]
            if missing and verdict == Verdict.OVERSTATED:
                out += ["", "What the assessment says is missing:", ""]
                out += [f"- {_cell(m[:300])}" for m in dict.fromkeys(missing)]
        return "\n".join(out) + "\n"


class VerifyJsonReporter:
    """The audit as JSON: top-level ``claims`` and ``summary`` (schema: verify.schema.json)."""

    name = "json"
    extension = "json"

    def render(self, audit: ClaimsAudit) -> str:
        return json.dumps(audit.to_dict(), indent=2, ensure_ascii=False) + "\n"


VERIFY_REPORTERS: dict[str, type] = {
    "terminal": VerifyTerminalReporter,
    "markdown": VerifyMarkdownReporter,
    "json": VerifyJsonReporter,
}


def verify_schema() -> dict[str, Any]:
    """The JSON Schema of ``readiness verify --format json``."""
    return published_schema("verify.schema.json")

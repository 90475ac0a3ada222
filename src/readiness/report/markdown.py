"""The Markdown report, in the shape of the hand-written reviews teams already write.

Executive summary table, per-category implemented / partial / missing tables with
evidence links, prioritised recommendations with effort, a mermaid roadmap,
anti-patterns, skipped files and the decision with its reasons.
"""

from __future__ import annotations

import posixpath

import jinja2

from readiness.model import Assessment, Evidence, Status
from readiness.report.common import (
    CATEGORY_SYMBOL,
    DECISION_LABEL,
    DECISION_SYMBOL,
    EFFORT_DAYS,
    anti_pattern_rows,
    context_evidence,
    gaps,
    roadmap,
)
from readiness.report.json_report import recommendation
from readiness.report.probe_report import metric_rows


def _cell(text: object) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ").strip()


def _code(text: str) -> str:
    text = _cell(text)
    if not text:
        return ""
    ticks = "``" if "`" in text else "`"
    pad = " " if ticks == "``" else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


class MarkdownReporter:
    name = "markdown"
    extension = "md"

    def __init__(self, link_root: str | None = None) -> None:
        """``link_root``: the assessed root as seen from where the report is written
        (``..`` when the report goes to ``reports/`` inside the repository); evidence
        links are made relative to it. None leaves plain ``path:line`` text."""
        self.link_root = link_root
        env = jinja2.Environment(
            loader=jinja2.PackageLoader("readiness.report", "templates"),
            autoescape=False,  # Markdown, not HTML: cells are escaped by _cell/_code
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            undefined=jinja2.StrictUndefined,
        )
        env.filters["cell"] = _cell
        env.filters["code"] = _code
        env.filters["link"] = self.link
        env.filters["recommendation"] = recommendation
        env.globals["context"] = context_evidence
        env.globals["metric_rows"] = metric_rows
        self.template = env.get_template("report.md.j2")

    def link(self, evidence: Evidence) -> str:
        label = _cell(evidence.location)
        if evidence.source == "probe":
            return label
        if self.link_root is None:
            return f"`{label}`"
        target = posixpath.join(self.link_root, evidence.path) if self.link_root else evidence.path
        anchor = f"#L{evidence.line}" if evidence.line else ""
        return f"[{label}]({target.replace(' ', '%20')}{anchor})"

    def render(self, assessment: Assessment) -> str:
        by_category: dict[str, dict[str, list[object]]] = {}
        for finding in assessment.findings:
            bucket = by_category.setdefault(finding.meta.category.id, {
                "implemented": [], "partial": [], "missing": [], "other": []})
            key = finding.status.value if finding.status.value in bucket else "other"
            if finding.status != Status.NA:
                bucket[key].append(finding)
        total_days = sum(EFFORT_DAYS[f.meta.effort.value] for f in gaps(assessment)
                         if not f.waived)
        return self.template.render(
            a=assessment,
            s=assessment.summary,
            decision_label=DECISION_LABEL[assessment.summary.decision],
            decision_symbol=DECISION_SYMBOL[assessment.summary.decision],
            category_symbol=CATEGORY_SYMBOL,
            by_category=by_category,
            gaps=gaps(assessment),
            phases=roadmap(assessment),
            effort_days=EFFORT_DAYS,
            total_days=total_days,
            anti_patterns=anti_pattern_rows(assessment),
            na=[f for f in assessment.findings if f.status == Status.NA],
            start_date=assessment.target.assessed_at[:10],
        )

"""Turn a parsed report into claims.

Where claims come from, in the shapes the seed reports use:

- headings with a status (``### ✅ 1. STRUCTURED ERROR HANDLING (COMPLETED)``,
  ``#### 2. API Ingestion Security (HARDENED ✅)``) or a ``Status:`` line in their
  body; their file references and caveats come from the section body;
- numbered sub-headings under a status heading that names no practice
  (``## Phase 1 Implementations ✅`` / ``### 1. Redis Caching Layer``);
- table rows: the status cell, or the status of the section (``### ❌ Missing
  Practices``); the name cell, then the other cells, name the practice; tables with
  a target and a current column are metric claims; ``Category | Score`` tables are
  category claims;
- list items with their own marker or checkbox, and unmarked items directly under a
  status heading that names no practice (``### ✅ Completed Services``);
- "Overall ...: 68%" paragraphs.

A heading that names no practice but holds claims is a container, not a claim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from readiness.model import CATEGORIES, Claim, ClaimedStatus, FileReference
from readiness.verify import markers
from readiness.verify.document import Document, Heading, Inline, ListItem, Paragraph, TableRow
from readiness.verify.figures import figure, metric_kind
from readiness.verify.mapping import PracticeMapper, first_mapping
from readiness.verify.references import references

_NUMBERING = re.compile(r"^\s*(?:\d+[.)]|[A-Z][.)]|#\d+)\s*")
_PAREN_STATUS = re.compile(r"\((?:[^()]*)\)\s*$")
_OVERALL = re.compile(r"overall[^:%]{0,60}:?\s*\**\s*(\d{1,3}(?:\.\d+)?)\s*%", re.I)
_TODO = re.compile(r"^\W*(action required|todo|to do|next step|needs? to|not yet)\b", re.I)
_PLANNED = re.compile(r"\b(files? to (create|add|write|change)|to be (created|added)|"
                      r"new files?|planned files?|will (create|add))\b", re.I)
_DESCRIBES_RISK = re.compile(r"^\W*(current )?(risk|problem|impact|issue|threat)s?\W*:", re.I)
_NOT_A_CLAIM = re.compile(r"\b(risks?|recommendations?|decision|summary|conclusions?|next steps?|"
                          r"overview|strengths|weaknesses|highlights|achievements|verdict|"
                          r"outlook|timeline|roadmap|phase \d+)\b", re.I)
_PERCENT = re.compile(r"(\d{1,3}(?:\.\d+)?)\s*%")

_ROLE_WORDS: dict[str, tuple[str, ...]] = {
    "status": ("status", "state", "implemented", "done", "verdict"),
    "evidence": ("evidence", "file", "files", "location", "where", "reference", "details"),
    "notes": ("notes", "gap", "gaps", "recommendation", "implementation", "how", "action",
              "next step", "description", "comment"),
    "target": ("target", "goal", "threshold", "slo", "budget", "requirement"),
    "current": ("current", "measured", "actual", "achieved", "value", "observed", "after"),
    "score": ("score", "%", "percent", "rating"),
    "priority": ("priority", "effort", "impact", "severity", "risk", "owner", "#", "eta"),
}
_CATEGORY_WORDS = {c.id: c for c in CATEGORIES}


def _clean(text: str) -> str:
    text = markers.strip_markers(text)
    text = _NUMBERING.sub("", text)
    return text.strip(" *_`:-")


def _heading_name(text: str) -> str:
    name = _clean(text)
    while _PAREN_STATUS.search(name):
        stripped = _PAREN_STATUS.sub("", name).strip()
        if stripped == name or not stripped:
            break
        name = stripped
    return name.strip(" *_`:-")


_ROLE_RES = {role: re.compile("|".join(rf"(?<![a-z]){re.escape(w)}" for w in words))
             for role, words in _ROLE_WORDS.items()}


@lru_cache(maxsize=256)
def _header_roles(header: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
    """Column roles a header names; rows of one table share the answer."""
    roles: dict[str, int] = {}
    for index, title in enumerate(header):
        lowered = title.lower()
        for role, pattern in _ROLE_RES.items():
            if role not in roles and pattern.search(lowered):
                roles[role] = index
                break
    return tuple(roles.items())


def _roles(header: tuple[str, ...], row: TableRow) -> dict[str, int]:
    roles = dict(_header_roles(header))
    if "status" not in roles:
        for index, cell in enumerate(row.cells):
            if index not in roles.values() and markers.emoji_status(cell.text):
                roles["status"] = index
                break
    taken = set(roles.values())
    for index in range(len(header) or len(row.cells)):
        if index not in taken:
            roles["name"] = index
            break
    return roles


def _category(name: str) -> str | None:
    lowered = name.lower()
    for category in CATEGORIES:
        words = [w for w in re.split(r"\W+", category.title.lower()) if len(w) > 2]
        if words and words[0] in lowered:
            return category.id
    aliases = {"ai": "ml", "ml": "ml", "deploy": "deployment", "ops": "operations",
               "network": "networking", "api": "networking", "observ": "observability",
               "secur": "security", "reliab": "reliability", "data": "data", "code": "code",
               "scal": "scale", "cost": "operations", "hygiene": "ml-hygiene"}
    for prefix, category_id in aliases.items():
        if re.search(rf"\b{prefix}", lowered):
            return category_id
    return None


def _only_references(text: str, refs: tuple[FileReference, ...]) -> bool:
    """True when the text is file names and little else ("`a.py` - add X" is more)."""
    rest = text
    for ref in refs:
        rest = rest.replace(ref.text, " ")
    return len(re.sub(r"[\W_]+", "", rest)) <= 2


def _is_category_title(name: str) -> bool:
    words = set(re.findall(r"[a-z]+", name.lower())) - {"and", "the", "amp"}
    for category in CATEGORIES:
        title = set(re.findall(r"[a-z]+", category.title.lower())) - {"and", "the"}
        if words and words <= title | {"layer", "ops", "auth", "ai", "ml", "infrastructure",
                                       "quality", "architecture", "api", "cost", "operations"} \
                and words & title:
            return True
    return False


@dataclass
class _Section:
    heading: Heading
    status: ClaimedStatus | None  # own status (marker or Status: line)
    practices: tuple[str, ...]
    refs: tuple[FileReference, ...]
    caveats: tuple[str, ...]
    status_line_index: int | None  # the body block that was a Status: line


class ClaimExtractor:
    """Extracts claims from one document, mapping them to practices as it goes."""

    def __init__(self, mapper: PracticeMapper) -> None:
        self.mapper = mapper

    def extract(self, doc: Document) -> list[Claim]:
        sections = {id(h): self._section(doc, h) for h in doc.blocks if isinstance(h, Heading)}
        claims: list[tuple[int, Claim]] = []
        consumed: set[int] = set()
        children: dict[int, int] = {}
        for index, block in enumerate(doc.blocks):
            heading = block if isinstance(block, Heading) else doc.heading_of.get(index)
            owner = sections.get(id(heading)) if heading is not None else None
            claim: Claim | None = None
            if isinstance(block, Heading):
                claim = self._heading_claim(sections[id(block)], sections)
            elif isinstance(block, (Paragraph, ListItem)) and \
                    markers.status_line(block.inline.text.replace("*", "")) is not None:
                continue  # "Status: ✅ HARDENED" belongs to its section's claim
            elif isinstance(block, TableRow):
                claim = self._row_claim(block, owner, sections)
            elif isinstance(block, ListItem):
                claim = self._item_claim(block, owner, sections)
            elif isinstance(block, Paragraph):
                claim = self._overall_claim(block, owner)
            if claim is None:
                continue
            claims.append((index, claim))
            if heading is not None and not isinstance(block, Heading):
                for ancestor in heading.path():
                    children[id(ancestor)] = children.get(id(ancestor), 0) + 1
            elif isinstance(block, Heading) and block.parent is not None:
                for ancestor in block.parent.path():
                    children[id(ancestor)] = children.get(id(ancestor), 0) + 1
        out: list[Claim] = []
        categories_seen: set[str] = set()
        for index, claim in claims:
            if claim.category is not None:
                if claim.category in categories_seen:
                    continue  # the summary table and the section heading say the same
                categories_seen.add(claim.category)
            block = doc.blocks[index]
            if isinstance(block, Heading) and not claim.practices and not claim.references \
                    and not claim.context and children.get(id(block)):
                consumed.add(index)  # a container: its claims speak for it
                continue
            out.append(claim)
        return out

    # -- sections ---------------------------------------------------------------------------

    def _section(self, doc: Document, heading: Heading) -> _Section:
        status = markers.heading_status(heading.text)
        status_index: int | None = None
        refs: list[FileReference] = list(references(heading.inline))
        caveats: list[str] = []
        planned = False
        for offset, block in enumerate(doc.blocks[heading.index + 1:], heading.index + 1):
            if isinstance(block, Heading):
                break
            if isinstance(block, (Paragraph, ListItem)):
                text = block.inline.text
                found = markers.status_line(text.replace("*", ""))
                if found is not None and status_index is None:
                    status_index = offset
                    status = markers.lowest(status, found)
                if isinstance(block, Paragraph):
                    planned = bool(_PLANNED.search(text))
                if not planned and not _PLANNED.search(text):
                    refs.extend(r for r in references(block.inline) if r not in refs)
                if markers.CAVEAT.search(text) and not _DESCRIBES_RISK.match(text) \
                        and len(caveats) < 3:
                    caveats.append(text[:200])
            elif isinstance(block, TableRow):
                continue
        name = _heading_name(heading.text)
        practices = self.mapper.map(name, short=True)
        return _Section(heading, status, practices, tuple(refs), tuple(caveats), status_index)

    @staticmethod
    def _inherited(section: _Section | None, sections: dict[int, _Section]
                   ) -> tuple[ClaimedStatus | None, bool]:
        """The status a block inherits and whether it comes from a container heading."""
        heading = section.heading if section else None
        while heading is not None:
            found = sections[id(heading)]
            if found.status is not None:
                container = not found.practices and not found.refs and not found.caveats
                return found.status, container
            heading = heading.parent
        return None, False

    def _heading_claim(self, section: _Section, sections: dict[int, _Section]) -> Claim | None:
        heading = section.heading
        if heading.level < 2 and section.status is None:
            return None
        status = section.status
        if status is None:
            parent = sections.get(id(heading.parent)) if heading.parent else None
            inherited, container = self._inherited(parent, sections)
            if inherited is None or not container or not section.practices:
                return None
            status = inherited
        name = _heading_name(heading.text)
        if not name:
            return None
        if _is_category_title(name):
            percent = _PERCENT.search(heading.text)
            category = _category(name)
            if percent is None or category is None:
                return None
            return Claim(text=_clean(heading.text), line=heading.line, claimed_status=status,
                         kind="category", category=category,
                         claimed_score=float(percent.group(1)))
        if not section.practices and _NOT_A_CLAIM.search(name):
            return None  # "Medium Risk ⚠️", "✅ Strengths": headings about the report itself
        caveats = section.caveats if status == ClaimedStatus.DONE else ()
        return Claim(text=name, line=heading.line, claimed_status=status, kind="heading",
                     section=heading.parent.text if heading.parent else "",
                     references=section.refs, practices=section.practices, context=caveats)

    # -- tables -----------------------------------------------------------------------------

    def _row_claim(self, row: TableRow, owner: _Section | None,
                   sections: dict[int, _Section]) -> Claim | None:
        roles = _roles(row.header, row)
        cells = row.cells
        if "name" not in roles or roles["name"] >= len(cells):
            return None
        name_cell = cells[roles["name"]]
        name = _clean(name_cell.text)
        if not name:
            return None

        def cell(role: str) -> Inline | None:
            index = roles.get(role)
            return cells[index] if index is not None and index < len(cells) else None

        status_cell = cell("status")
        status = markers.cell_status(status_cell.text) if status_cell else None
        if status is None:
            status = markers.emoji_status(name_cell.text)
        if status is None:
            status, _ = self._inherited(owner, sections)
        section = owner.heading.text if owner else ""
        refs: list[FileReference] = []
        for item in cells:
            refs.extend(r for r in references(item) if r not in refs)
        target, current = cell("target"), cell("current")
        if target is not None and current is not None and re.search(r"\d", current.text):
            if status is None:
                return None
            fig = figure(name, current.text, target.text)
            return Claim(text=f"{name}: {current.text} (target {target.text})", line=row.line,
                         claimed_status=status, kind="metric", section=section,
                         references=tuple(refs), figure=fig)
        score_cell = cell("score")
        header_name = row.header[roles["name"]].lower() if roles["name"] < len(row.header) else ""
        if score_cell is not None and ("category" in header_name or "area" in header_name):
            percent = _PERCENT.search(score_cell.text)
            category = _category(name)
            if percent and category:
                return Claim(text=f"{name}: {score_cell.text}", line=row.line,
                             claimed_status=status or ClaimedStatus.PARTIAL, kind="category",
                             section=section, category=category,
                             claimed_score=float(percent.group(1)))
        if status is None:
            return None
        texts = [(name, True)]
        evidence = cell("evidence")
        if evidence is not None and status != ClaimedStatus.MISSING and references(evidence):
            texts.append((evidence.text, False))  # what was built, not what to build
        practices = first_mapping(self.mapper, texts)
        return Claim(text=name, line=row.line, claimed_status=status, kind="table-row",
                     section=section, references=tuple(refs), practices=practices)

    # -- lists ------------------------------------------------------------------------------

    def _item_claim(self, item: ListItem, owner: _Section | None,
                    sections: dict[int, _Section]) -> Claim | None:
        text = item.inline.text
        status: ClaimedStatus | None
        if item.checkbox is not None:
            status = ClaimedStatus.DONE if item.checkbox else ClaimedStatus.MISSING
        else:
            status = markers.emoji_status(text)
        section = owner.heading.text if owner else ""
        inherited_only = status is None
        if status is None:
            inherited, container = self._inherited(owner, sections)
            own = owner is not None and owner.status is not None
            if inherited is None or not container or not own or item.depth > 0:
                return None
            status = inherited
        clean = _clean(text)
        if not clean:
            return None
        if status == ClaimedStatus.PARTIAL and _TODO.match(clean):
            status = ClaimedStatus.MISSING  # "⚠️ Action Required: X" says X is not there yet
        kind = "checklist" if item.checkbox is not None else "bullet"
        refs = references(item.inline)
        if metric_kind(clean) and re.search(r"\d\s*(ms|s|%)", clean):
            before, _, after = clean.partition(":")
            target = re.search(r"[<>≤≥]=?\s*\d+(?:\.\d+)?\s*(?:ms|s|%)?", after or before)
            current = re.search(r"currently\s+(\d+(?:\.\d+)?\s*(?:ms|s|%)?)", clean, re.I)
            fig = figure(before if after else clean, current.group(1) if current else "",
                         target.group(0) if target else "")
            if fig.kind:
                return Claim(text=clean, line=item.line, claimed_status=status, kind="metric",
                             section=section, references=refs, figure=fig)
        if refs and owner is not None and _only_references(clean, refs):
            # "- [ ] `pages/6_Prediction_Inference.py`" under "2. Prediction Schema Validation"
            name = _heading_name(owner.heading.text)
            return Claim(text=f"{name}: {clean}", line=item.line, claimed_status=status,
                         kind=kind, section=section, references=refs,
                         practices=owner.practices)
        words = clean  # what the claim says, without the file names it cites
        for ref in refs:
            words = words.replace(ref.text, " ")
        words = " ".join(words.split())
        head, colon, _ = words.partition(":")
        texts = [(head, True), (words, False)] if colon and len(head.split()) <= 6 \
            else [(words, len(words.split()) <= 6)]
        practices = first_mapping(self.mapper, texts)
        if not practices and inherited_only:
            return None  # an unmarked detail line that names no practice is not a claim
        if not practices and item.depth > 0 and item.parent_text:
            # "- Error tracking\n  - ⚠️ partially wired in x.py": the child qualifies its parent
            parent = _clean(item.parent_text)
            practices = self.mapper.map(parent.split(":")[0], short=True)
            if practices:
                clean = f"{parent}: {clean}"
        context = (item.parent_text,) if item.parent_text and not practices else ()
        return Claim(text=clean, line=item.line, claimed_status=status, kind=kind,
                     section=section or item.parent_text, references=refs, practices=practices,
                     context=tuple(c for c in context if markers.CAVEAT.search(c)))

    # -- paragraphs -------------------------------------------------------------------------

    @staticmethod
    def _overall_claim(block: Paragraph, owner: _Section | None) -> Claim | None:
        match = _OVERALL.search(block.inline.text.replace("*", ""))
        if not match:
            return None
        return Claim(text=_clean(block.inline.text)[:160], line=block.line,
                     claimed_status=ClaimedStatus.PARTIAL, kind="category",
                     section=owner.heading.text if owner else "", category="overall",
                     claimed_score=float(match.group(1)))

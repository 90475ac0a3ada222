"""A Markdown report as a flat list of blocks with line numbers and heading context.

markdown-it-py (CommonMark plus GFM tables) does the parsing, so nested lists,
tables with any column order and inline markup are handled the way renderers do.
Each block keeps the plain text a person reads, the links and code spans inside it
(file references live there), and the heading path above it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token


@dataclass(frozen=True, slots=True)
class Inline:
    """The readable text of an inline run, plus its links and code spans."""

    text: str
    links: tuple[tuple[str, str], ...] = ()  # (href, link text)
    code: tuple[str, ...] = ()


@dataclass(slots=True)
class Heading:
    level: int
    inline: Inline
    line: int
    index: int  # position in Document.blocks
    parent: Heading | None = None

    @property
    def text(self) -> str:
        return self.inline.text

    def path(self) -> list[Heading]:
        chain: list[Heading] = []
        node: Heading | None = self
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))


@dataclass(frozen=True, slots=True)
class TableRow:
    header: tuple[str, ...]
    cells: tuple[Inline, ...]
    line: int
    table_line: int  # where the table starts: rows of one table share it


@dataclass(frozen=True, slots=True)
class ListItem:
    inline: Inline  # the item's own first paragraph
    line: int
    depth: int  # 0 for a top-level item
    checkbox: bool | None  # True for [x], False for [ ], None without a box
    parent_text: str = ""  # the enclosing item's text, for nested lists


@dataclass(frozen=True, slots=True)
class Paragraph:
    inline: Inline
    line: int


Block = Heading | TableRow | ListItem | Paragraph


@dataclass(slots=True)
class Document:
    blocks: list[Block] = field(default_factory=list)
    heading_of: dict[int, Heading | None] = field(default_factory=dict)  # block index -> heading

    def section(self, heading: Heading) -> list[Block]:
        """The blocks under a heading, up to the next heading of the same or higher level."""
        out: list[Block] = []
        for block in self.blocks[heading.index + 1:]:
            if isinstance(block, Heading) and block.level <= heading.level:
                break
            out.append(block)
        return out


def _inline(token: Token) -> Inline:
    parts: list[str] = []
    links: list[tuple[str, str]] = []
    code: list[str] = []
    href: str | None = None
    link_text: list[str] = []
    for child in token.children or ():
        kind = child.type
        if kind == "text" or kind == "html_inline":
            parts.append(child.content)
            if href is not None:
                link_text.append(child.content)
        elif kind == "code_inline":
            parts.append(child.content)
            code.append(child.content)
            if href is not None:
                link_text.append(child.content)
        elif kind in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif kind == "link_open":
            href = str(child.attrs.get("href", ""))
            link_text = []
        elif kind == "link_close":
            if href is not None:
                links.append((href, "".join(link_text)))
            href = None
        elif kind == "image":
            parts.append(child.content)
    text = " ".join("".join(parts).split())
    return Inline(text, tuple(links), tuple(code))


_CHECKBOX = {"[x]": True, "[X]": True, "[ ]": False}


def parse(text: str) -> Document:
    """Parse Markdown into blocks. Never raises on odd input: unknown tokens are ignored."""
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    tokens = md.parse(text)
    doc = Document()
    current: Heading | None = None
    stack: list[Heading] = []
    depth = -1
    item_texts: list[str] = []
    pending_item: tuple[int, int] | None = None  # (line, depth) of an item awaiting its text
    header: list[str] = []
    row: list[Inline] = []
    row_line = 0
    table_line = 0
    in_head = False
    index = 0
    while index < len(tokens):
        token = tokens[index]
        kind = token.type
        if kind == "heading_open":
            level = int(token.tag[1:]) if token.tag[1:].isdigit() else 1
            inline = _inline(tokens[index + 1]) if index + 1 < len(tokens) else Inline("")
            while stack and stack[-1].level >= level:
                stack.pop()
            heading = Heading(level, inline, (token.map or [0])[0] + 1, len(doc.blocks),
                              stack[-1] if stack else None)
            stack.append(heading)
            doc.blocks.append(heading)
            current = heading
            index += 3
            continue
        if kind == "bullet_list_open" or kind == "ordered_list_open":
            depth += 1
        elif kind == "bullet_list_close" or kind == "ordered_list_close":
            depth -= 1
        elif kind == "list_item_open":
            pending_item = ((token.map or [0])[0] + 1, max(depth, 0))
            item_texts.append("")  # replaced by the item's text; popped at its close
        elif kind == "list_item_close":
            pending_item = None  # an empty item, or one that starts with a code block
            if item_texts:
                item_texts.pop()
        elif kind == "table_open":
            header = []
            table_line = (token.map or [0])[0] + 1
        elif kind == "thead_open":
            in_head = True
        elif kind == "thead_close":
            in_head = False
        elif kind == "tr_open":
            row = []
            row_line = (token.map or [0])[0] + 1
        elif kind == "tr_close":
            if in_head:
                header = [cell.text for cell in row]
            else:
                doc.heading_of[len(doc.blocks)] = current
                doc.blocks.append(TableRow(tuple(header), tuple(row), row_line, table_line))
        elif kind == "inline":
            inline = _inline(token)
            parent = tokens[index - 1].type if index else ""
            if parent in ("th_open", "td_open"):
                row.append(inline)
            elif pending_item is not None and parent == "paragraph_open":
                line, item_depth = pending_item
                pending_item = None
                box: bool | None = None
                head = inline.text[:3]
                if head in _CHECKBOX:
                    box = _CHECKBOX[head]
                    inline = Inline(inline.text[3:].strip(), inline.links, inline.code)
                doc.heading_of[len(doc.blocks)] = current
                parent = item_texts[-2] if len(item_texts) >= 2 else ""
                doc.blocks.append(ListItem(inline, line, item_depth, box, parent))
                if item_texts:
                    item_texts[-1] = inline.text
            elif parent == "paragraph_open":
                doc.heading_of[len(doc.blocks)] = current
                doc.blocks.append(Paragraph(inline, (token.map or [0])[0] + 1))
        index += 1
    return doc

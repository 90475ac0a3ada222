"""Status markers of hand-written reports: emoji, checkboxes and status words.

Emoji and checkboxes are unambiguous wherever they stand. Status *words* are only
read where a person uses them as a status: a table's status cell, a heading's
parenthesis, a "Status:" line, or in capitals ("COMPLETED"); the word "implemented"
inside a sentence describes, it does not claim.
"""

from __future__ import annotations

import re

from readiness.model import ClaimedStatus

DONE, PARTIAL, MISSING = ClaimedStatus.DONE, ClaimedStatus.PARTIAL, ClaimedStatus.MISSING

EMOJI: dict[str, ClaimedStatus] = {
    "✅": DONE, "✔": DONE, "☑": DONE, "🟢": DONE, "✓": DONE,
    "⚠": PARTIAL, "🟡": PARTIAL, "🔄": PARTIAL, "🚧": PARTIAL, "⏳": PARTIAL,
    "❌": MISSING, "✗": MISSING, "✘": MISSING, "⛔": MISSING, "🚫": MISSING,
}

# Words, longest first so "not implemented" wins over "implemented".
WORDS: tuple[tuple[str, ClaimedStatus], ...] = (
    ("not implemented", MISSING), ("not started", MISSING), ("not configured", MISSING),
    ("partially implemented", PARTIAL), ("partially addressed", PARTIAL),
    ("in progress", PARTIAL), ("needs work", PARTIAL), ("action required", PARTIAL),
    ("work in progress", PARTIAL), ("framework ready", PARTIAL),
    ("implemented", DONE), ("completed", DONE), ("complete", DONE), ("done", DONE),
    ("passed", DONE), ("achieved", DONE), ("hardened", DONE), ("mitigated", DONE),
    ("configured", DONE), ("active", DONE), ("enabled", DONE), ("excellent", DONE),
    ("strong", DONE), ("good", DONE), ("resolved", DONE), ("fixed", DONE), ("yes", DONE),
    ("partial", PARTIAL), ("partially", PARTIAL), ("moderate", PARTIAL), ("pending", PARTIAL),
    ("identified", PARTIAL), ("improved", PARTIAL), ("wip", PARTIAL), ("limited", PARTIAL),
    ("missing", MISSING), ("failed", MISSING), ("todo", MISSING), ("absent", MISSING),
    ("weak", MISSING), ("none", MISSING), ("no", MISSING), ("not ready", MISSING),
    ("gap", MISSING), ("gaps", MISSING), ("remaining", MISSING), ("to do", MISSING),
    ("ready", DONE), ("safe", DONE),
)

_WORD_RES = tuple((re.compile(rf"(?<![\w-]){re.escape(word)}(?![\w-])", re.I), status)
                  for word, status in WORDS)
_EMOJI_RE = re.compile("|".join(re.escape(mark) for mark in EMOJI))
_STATUS_LINE = re.compile(r"^\W*status\s*\**\s*:\s*(.+)$", re.I)
_CAPS = re.compile(r"\b[A-Z][A-Z ]{2,}[A-Z]\b")


def emoji_status(text: str) -> ClaimedStatus | None:
    """The status of the first status emoji in the text, if any."""
    match = _EMOJI_RE.search(text)
    return EMOJI[match.group(0)] if match else None


def word_status(text: str) -> ClaimedStatus | None:
    """The status a short status text states ("✅ Implemented", "Partial", "NEEDS WORK")."""
    for pattern, status in _WORD_RES:
        if pattern.search(text):
            return status
    return None


def cell_status(text: str) -> ClaimedStatus | None:
    """A table status cell: the emoji, unless a word says less ("✅ Partial" is partial)."""
    emoji = emoji_status(text)
    rest = _EMOJI_RE.sub(" ", text)
    if emoji is None:
        return word_status(rest)
    # beside a mark, "no"/"none" begin a phrase ("✅ No issues"), they do not grade it
    word = word_status(re.sub(r"(?<![\w-])(no|none)(?![\w-])", " ", rest, flags=re.I))
    return lowest(emoji, word)


_RANK = {DONE: 2, PARTIAL: 1, MISSING: 0}


def lowest(*statuses: ClaimedStatus | None) -> ClaimedStatus | None:
    """The least done of the statuses given (None ignored)."""
    found = [s for s in statuses if s is not None]
    return min(found, key=lambda s: _RANK[s]) if found else None


def heading_status(text: str) -> ClaimedStatus | None:
    """A heading's status: an emoji, or a status word in parentheses or in capitals."""
    found = emoji_status(text)
    if found:
        return found
    for inner in re.findall(r"\(([^()]{2,40})\)", text):
        found = word_status(inner)
        if found:
            return found
    for caps in _CAPS.findall(text):
        found = word_status(caps)
        if found:
            return found
    return None


def status_line(text: str) -> ClaimedStatus | None:
    """"Status: ✅ HARDENED" / "**Status**: Implemented with fallback" -> the status."""
    match = _STATUS_LINE.match(text)
    if not match:
        return None
    value = match.group(1)
    return cell_status(value.split(",")[0][:60])


def strip_markers(text: str) -> str:
    """The text without status emoji, checkboxes and variation selectors."""
    text = _EMOJI_RE.sub("", text).replace("\ufe0f", "")
    text = re.sub(r"^\s*\[[ xX]\]\s*", "", text)
    return " ".join(text.split()).strip(" -–—:|*")


CAVEAT = re.compile(
    r"\b(pending|not yet|still (?:needs?|to)|needed|to be (?:done|implemented)|todo|"
    r"next step|will be|planned|not implemented|work in progress|missing)\b", re.I)

"""Repair emoji that reached a report through a wrong encoding.

Seeds 002 and 004 contain ``‚úÖ`` where the author wrote ✅: the UTF-8 bytes of the
emoji were decoded as Mac Roman somewhere on the way. Windows tools do the same with
cp1252 (``âœ…``). Every such run consists of non-ASCII characters only, and encoding
it back with the wrong codec yields valid UTF-8, which ordinary accented text
(``café``) almost never does. So each run of non-ASCII characters is re-decoded,
longest prefix first, and replaced only when the result is valid UTF-8 that contains
a symbol (general punctuation to dingbats, U+2000-U+2BFF, or emoji).
"""

from __future__ import annotations

import re

_CODECS = ("mac_roman", "cp1252", "latin-1")
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]{2,}")
# What the lead bytes of 3- and 4-byte UTF-8 sequences (E2-EF, F0-F4) become when read
# with each codec: symbols and emoji always start with one of these.
_LEADS = frozenset(bytes(range(0xE2, 0xF5)).decode("mac_roman")
                   + bytes(range(0xE2, 0xF5)).decode("latin-1"))
_WINDOW = 16  # characters tried at once: a few mis-decoded symbols, never a whole line


def _symbol(char: str) -> bool:
    """Symbols reports use as markers: punctuation, arrows, dingbats (✅ ⚠ ❌), emoji."""
    code = ord(char)
    return 0x2000 <= code <= 0x2BFF or code >= 0x1F000 or code == 0xFE0F


def _decode(chunk: str) -> str | None:
    for codec in _CODECS:
        try:
            fixed = chunk.encode(codec).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if fixed != chunk and any(_symbol(char) for char in fixed):
            return fixed
    return None


def _repair_run(run: str) -> tuple[str, int]:
    out: list[str] = []
    repaired = 0
    index = 0
    while index < len(run):
        if run[index] not in _LEADS:  # most characters cannot start a mis-decoded symbol
            out.append(run[index])
            index += 1
            continue
        for end in range(min(len(run), index + _WINDOW), index + 1, -1):
            fixed = _decode(run[index:end])
            if fixed is not None:
                out.append(fixed)
                repaired += 1
                index = end
                break
        else:
            out.append(run[index])
            index += 1
    return "".join(out), repaired


def repair(text: str) -> tuple[str, int]:
    """The text with mis-encoded symbols restored, and how many runs were repaired."""
    total = 0

    def substitute(match: re.Match[str]) -> str:
        nonlocal total
        fixed, count = _repair_run(match.group(0))
        total += count
        return fixed

    return _NON_ASCII_RUN.sub(substitute, text), total

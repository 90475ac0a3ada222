"""Repair emoji that reached a report through a wrong encoding.

Seeds 002 and 004 contain ``‚úÖ`` where the author wrote ✅: the UTF-8 bytes of the
emoji were decoded as Mac Roman somewhere on the way. Windows tools do the same with
cp1252 (``âœ…``). Every such run consists of non-ASCII characters only, and encoding
it back with the wrong codec yields valid UTF-8, which ordinary accented text
(``café``) almost never does. So each run of non-ASCII characters is re-decoded,
longest prefix first, and replaced only when the result is valid UTF-8 that contains
a symbol (U+2000 and above).
"""

from __future__ import annotations

import re

_CODECS = ("mac_roman", "cp1252", "latin-1")
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]{2,64}")


def _decode(chunk: str) -> str | None:
    for codec in _CODECS:
        try:
            fixed = chunk.encode(codec).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if fixed != chunk and any(ord(char) >= 0x2000 for char in fixed):
            return fixed
    return None


def _repair_run(run: str) -> tuple[str, int]:
    out: list[str] = []
    repaired = 0
    index = 0
    while index < len(run):
        for end in range(len(run), index + 1, -1):
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

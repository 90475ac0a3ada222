"""Where known flags are read at a decision point (if, while, ternary, decorator)."""

from __future__ import annotations

import re

from readiness.facts import RepoFacts
from readiness.model import Evidence
from readiness.practices.deployment._flag_index import FlagIndex, is_flag_name

_CONFIG_RECEIVER = (r"(?:\b\w*(?:config|settings|conf|flags|features|options|environ|"
                    r"CONFIG|SETTINGS|FLAGS|FEATURES)\w*|\bos\.environ|\benv)")
_CONDITION = re.compile(r"^\s*(?:el)?if\b|^\s*while\b|\bif\b.+\belse\b|"
                        r"^\s*@[\w.]+\(|^\s*return\b.*\b(?:and|or)\b|^\s*(?:and|or|not)\b")
_OPEN_CONDITION = re.compile(r"^\s*(?:el)?if\b.*(?:\(|\b(?:and|or)|\\)\s*$")


def _flag_refs(line: str, index: FlagIndex, path: str) -> tuple[list[str], list[str]]:
    """(flags, derived toggles) that ``line`` reads from configuration."""
    found: list[str] = []
    derived: list[str] = []
    for match in re.finditer(r"(\.|\b)([A-Za-z_][A-Za-z0-9_]*)\b", line):
        name = match.group(2)
        bare = name.lstrip("_")
        if name in index.derived or bare in index.derived:
            if match.group(1) == ".":
                derived.append(name)
            continue
        known = name in index.names or bare in index.names
        if known and (match.group(1) == "." or name.isupper()):
            found.append(name)
    for match in re.finditer(rf"{_CONFIG_RECEIVER}\s*(?:\[\s*|\.get\(\s*|\(\s*)[\"']"
                             r"([A-Za-z_][A-Za-z0-9_]*)[\"']", line):
        if is_flag_name(match.group(1), False):
            found.append(match.group(1))
    for match in re.finditer(r"getattr\(\s*\w*(?:settings|config|conf)\w*\s*,\s*[\"']"
                             r"([A-Za-z_][A-Za-z0-9_]*)[\"']", line, re.I):
        if is_flag_name(match.group(1), False):
            found.append(match.group(1))
    for match in re.finditer(r"^\s*@[\w.]+\(\s*[\"']([A-Za-z_][A-Za-z0-9_]*)[\"']", line):
        if match.group(1) in index.names:
            found.append(match.group(1))
    for (file, target), _ev in index.aliases.items():
        if file == path and re.search(rf"(?<![\w.]){re.escape(target)}\b", line):
            found.append(target)
    return found, derived


def _mention_pattern(index: FlagIndex) -> re.Pattern[str]:
    """Anything ``_flag_refs`` could recognise on a line: a known flag, derived toggle or
    alias, a configuration lookup, a getattr on settings, or a decorator argument."""
    names = {*index.names, *index.derived, *(target for _, target in index.aliases)}
    # A superset of _CONFIG_RECEIVER's words, case-sensitive and without their first letter
    # (so no case folding and no leading ``\w*``): ten times faster over a large tree.
    receivers = r"(?:onf|ONF|ettings|ETTINGS|lags|LAGS|eatures|EATURES|ptions|PTIONS|nv|NV)\w*"
    parts = [rf"{receivers}\s*(?:\[|\.get\(|\()", r"getattr\(", r"^\s*@[\w.]+\("]
    if names:
        words = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        parts.insert(0, rf"(?<![\w])_*(?:{words})\b")
    return re.compile("|".join(parts), re.M)


def _candidate_lines(facts: RepoFacts, path: str, mentions: re.Pattern[str]) -> list[int]:
    """Line numbers (ascending) that mention something a flag read could be made of; one
    pass of one regex over the file instead of several regexes on every line."""
    text = facts.text(path) or ""
    numbers: list[int] = []
    line = 1
    position = 0
    for match in mentions.finditer(text):
        line += text.count("\n", position, match.start())
        position = match.start()
        if not numbers or numbers[-1] != line:
            numbers.append(line)
    return numbers


def decision_points(facts: RepoFacts, index: FlagIndex
                     ) -> tuple[list[Evidence], list[Evidence]]:
    """(flag reads at decision points, derived-toggle reads at decision points)."""
    flags: list[Evidence] = []
    derived: list[Evidence] = []
    definitions = {(e.path, e.line) for e in [*index.names.values(), *index.aliases.values()]}
    mentions = _mention_pattern(index)
    for module in facts.modules():
        lines = facts.lines(module.path)
        for number in _candidate_lines(facts, module.path, mentions):
            line = lines[number - 1]
            if (module.path, number) in definitions or line.lstrip().startswith("#"):
                continue
            opened = number >= 2 and bool(_OPEN_CONDITION.search(lines[number - 2]))
            if not (_CONDITION.search(line) or opened):
                continue
            found, toggles = _flag_refs(line, index, module.path)
            if found:
                flags.append(facts.evidence(module.path, number,
                                            note=f"decision on {found[0]}"))
            elif toggles:
                derived.append(facts.evidence(module.path, number,
                                              note=f"decision on derived {toggles[0]}"))
    return flags, derived


def one_per_flag_first(decisions: list[Evidence]) -> list[Evidence]:
    """Show many different flags before repeats; operator (UPPER_CASE, env) flags first."""
    seen: set[str] = set()
    firsts: list[Evidence] = []
    repeats: list[Evidence] = []
    for item in decisions:
        flag = item.note.removeprefix("decision on ")
        (repeats if flag in seen else firsts).append(item)
        seen.add(flag)
    firsts.sort(key=lambda e: not e.note.removeprefix("decision on ").isupper())
    return firsts + repeats

"""Dockerfiles as instructions with line numbers, grouped into build stages."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

_DIRECTIVE = re.compile(r"^#\s*escape\s*=\s*(\S)", re.I)
_HEREDOC = re.compile(r"<<-?\s*[\"']?(\w+)[\"']?")


@dataclass(frozen=True, slots=True)
class Instruction:
    keyword: str  # upper-case: FROM, RUN, CMD, ...
    args: str  # the arguments, continuation lines joined with a space
    line: int
    end_line: int
    stage: int  # index of the build stage it belongs to (-1 before the first FROM)

    @property
    def exec_form(self) -> list[str] | None:
        """The JSON array of an exec-form CMD/ENTRYPOINT/RUN, or None for shell form."""
        text = self.args.strip()
        if not text.startswith("["):
            return None
        try:
            value = json.loads(text)
        except ValueError:
            return None
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return value
        return None

    @property
    def command_text(self) -> str:
        """The command as one string, whichever form it was written in."""
        form = self.exec_form
        return " ".join(form) if form is not None else self.args


@dataclass(frozen=True, slots=True)
class Stage:
    index: int
    image: str
    alias: str | None
    line: int
    platform: str | None = None


@dataclass(frozen=True, slots=True)
class Dockerfile:
    path: str
    instructions: tuple[Instruction, ...]
    stages: tuple[Stage, ...]
    errors: tuple[str, ...] = field(default=())

    def final_stage(self) -> Stage | None:
        return self.stages[-1] if self.stages else None

    def in_stage(self, index: int, keyword: str | None = None) -> list[Instruction]:
        return [i for i in self.instructions
                if i.stage == index and (keyword is None or i.keyword == keyword)]

    def final(self, keyword: str) -> list[Instruction]:
        """Instructions of ``keyword`` in the final stage (the image that ships)."""
        stage = self.final_stage()
        return self.in_stage(stage.index if stage else -1, keyword)

    def last(self, keyword: str) -> Instruction | None:
        items = self.final(keyword)
        return items[-1] if items else None


def parse_dockerfile(path: str, text: str) -> Dockerfile:
    lines = text.splitlines()
    escape = "\\"
    for raw in lines[:5]:
        match = _DIRECTIVE.match(raw.strip())
        if match:
            escape = match.group(1)
    instructions: list[Instruction] = []
    stages: list[Stage] = []
    index = 0
    stage = -1
    while index < len(lines):
        raw = lines[index]
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            index += 1
            continue
        start = index
        parts = [stripped]
        while parts[-1].endswith(escape) and index + 1 < len(lines):
            parts[-1] = parts[-1][:-1].rstrip()
            index += 1
            nxt = lines[index].strip()
            if nxt.startswith("#"):
                parts.append("")
                continue
            parts.append(nxt)
        heredoc = _HEREDOC.search(parts[0])
        if heredoc and not parts[0].lstrip().upper().startswith(("FROM", "CMD", "ENTRYPOINT")):
            marker = heredoc.group(1)
            while index + 1 < len(lines):
                index += 1
                parts.append(lines[index].strip())
                if lines[index].strip() == marker:
                    break
        joined = " ".join(p for p in parts if p)
        keyword, _, args = joined.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            stage += 1
            tokens = args.split()
            platform = None
            while tokens and tokens[0].startswith("--"):
                flag = tokens.pop(0)
                if flag.startswith("--platform="):
                    platform = flag.split("=", 1)[1]
            image = tokens[0] if tokens else ""
            alias = tokens[2] if len(tokens) >= 3 and tokens[1].lower() == "as" else None
            stages.append(Stage(stage, image, alias, start + 1, platform))
        instructions.append(Instruction(keyword, args.strip(), start + 1, index + 1, stage))
        index += 1
    return Dockerfile(path, tuple(instructions), tuple(stages))

"""Declared dependencies: requirements files, pyproject tables, lock files."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._\-]*)\s*(\[[^\]]*\])?\s*(.*)$")


@dataclass(frozen=True, slots=True)
class Requirement:
    name: str  # normalised: lower case, "-" for "_" and "."
    spec: str  # version specifier as written ("==1.2.3", ">=2", "")
    line: int
    path: str
    hashed: bool = False
    source: str = "requirements"  # requirements | pyproject | pipfile

    @property
    def pinned(self) -> bool:
        return self.spec.startswith(("==", "===")) and "*" not in self.spec


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_requirements(path: str, text: str) -> tuple[list[Requirement], list[str]]:
    """Requirements and the files they include with ``-r``/``-c``."""
    out: list[Requirement] = []
    includes: list[str] = []
    logical: list[tuple[int, str]] = []
    pending = ""
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split(" #", 1)[0].rstrip() if not raw.lstrip().startswith("#") else ""
        if not pending:
            start = number
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append((start, pending + line))
        pending = ""
    if pending:
        logical.append((start, pending))
    for number, line in logical:
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith(("-r", "--requirement", "-c", "--constraint")):
            parts = stripped.split(None, 1)
            target = parts[1] if len(parts) > 1 else stripped[2:]
            includes.append(target.strip().lstrip("=").strip())
            continue
        if stripped.startswith("-"):
            continue  # -e, --index-url, --find-links and other options
        if "://" in stripped or stripped.startswith((".", "/")):
            continue  # direct references and local paths: not a named pin
        hashed = "--hash" in stripped
        spec_part = stripped.split("--hash", 1)[0].split(";", 1)[0]
        match = _NAME.match(spec_part)
        if not match:
            continue
        spec = match.group(3).strip().replace(" ", "")
        out.append(Requirement(normalise(match.group(1)), spec, number, path, hashed))
    return out, includes


def _pep508(item: str, line: int, path: str, source: str) -> Requirement | None:
    match = _NAME.match(item.split(";", 1)[0])
    if not match:
        return None
    return Requirement(normalise(match.group(1)), match.group(3).strip().replace(" ", ""),
                       line, path, source=source)


def pyproject_requirements(path: str, data: dict[str, Any], text: str) -> list[Requirement]:
    """Dependencies declared in a pyproject.toml (PEP 621, Poetry, dependency groups)."""
    lines = text.splitlines()

    def line_of(needle: str) -> int:
        pattern = re.compile(r"^\s*[\"']?" + re.escape(needle) + r"\b", re.I)
        for number, raw in enumerate(lines, start=1):
            if pattern.search(raw):
                return number
        return 1

    out: list[Requirement] = []
    project = data.get("project", {})
    if isinstance(project, dict):
        groups: list[Any] = [project.get("dependencies", [])]
        optional = project.get("optional-dependencies", {})
        if isinstance(optional, dict):
            groups.extend(optional.values())
        for group in groups:
            for item in group if isinstance(group, list) else []:
                if isinstance(item, str):
                    req = _pep508(item, 0, path, "pyproject")
                    if req:
                        written = re.split(r"[\s\[<>=!~;(]", item.strip(), maxsplit=1)[0]
                        out.append(Requirement(req.name, req.spec, line_of(written), path,
                                               source="pyproject"))
    dep_groups = data.get("dependency-groups", {})
    if isinstance(dep_groups, dict):
        for group in dep_groups.values():
            for item in group if isinstance(group, list) else []:
                if isinstance(item, str):
                    req = _pep508(item, 0, path, "pyproject")
                    if req:
                        out.append(Requirement(req.name, req.spec, line_of(req.name), path,
                                               source="pyproject"))
    tool = data.get("tool", {})
    poetry = tool.get("poetry", {}) if isinstance(tool, dict) else {}
    if isinstance(poetry, dict):
        tables: list[Any] = [poetry.get("dependencies", {}), poetry.get("dev-dependencies", {})]
        group_tables = poetry.get("group", {})
        if isinstance(group_tables, dict):
            tables.extend(g.get("dependencies", {}) for g in group_tables.values()
                          if isinstance(g, dict))
        for table in tables:
            if not isinstance(table, dict):
                continue
            for name, spec in table.items():
                if name.lower() == "python":
                    continue
                version = spec if isinstance(spec, str) else (
                    spec.get("version", "") if isinstance(spec, dict) else "")
                pinned = version if re.match(r"^\d", str(version)) else str(version)
                text_spec = "==" + pinned if re.match(r"^\d[\w.]*$", pinned) else pinned
                out.append(Requirement(normalise(name), text_spec, line_of(name), path,
                                       source="pyproject"))
    return out

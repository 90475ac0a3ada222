"""One gitignore-aware walk over the assessed tree, with limits.

The walk never follows a directory symlink (that is how loops and escapes
happen); a file symlink is read only when it resolves inside the root. Every
file that is left out for a reason a user may care about becomes a ``Skipped``
entry; files left out by ``.gitignore`` or as tool caches are silently ignored.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pathspec

from readiness.facts.classify import IGNORED_DIRS, kind_of, role_of
from readiness.model import Skipped


@dataclass(frozen=True, slots=True)
class WalkedFile:
    path: str  # relative, "/"-separated
    absolute: str
    kind: str | None  # None: listed in the inventory, not read
    role: str
    size: int


@dataclass(slots=True)
class WalkResult:
    files: list[WalkedFile]
    skipped: list[Skipped]
    ignored: int  # files left out by .gitignore / exclude patterns
    truncated: bool  # True when the file limit stopped the walk


class _Ignores:
    """The stack of .gitignore specs that apply to a directory."""

    def __init__(self, root: Path, extra: tuple[str, ...]) -> None:
        self.root = root
        self.specs: dict[str, pathspec.PathSpec[Any]] = {}
        patterns: list[str] = list(extra)
        exclude_file = root / ".git" / "info" / "exclude"
        if exclude_file.is_file():
            patterns += _read_lines(exclude_file)
        if patterns:
            self.specs[""] = pathspec.GitIgnoreSpec.from_lines(patterns)

    def load(self, rel_dir: str, absolute: str) -> None:
        gitignore = os.path.join(absolute, ".gitignore")
        if os.path.isfile(gitignore) and not os.path.islink(gitignore):
            lines = _read_lines(Path(gitignore))
            if lines:
                spec: pathspec.PathSpec[Any] = pathspec.GitIgnoreSpec.from_lines(lines)
                key = rel_dir
                if key in self.specs:  # root: combine with exclude patterns
                    spec = self.specs[key] + spec
                self.specs[key] = spec

    def ignored(self, rel: str, is_dir: bool) -> bool:
        candidate = rel + "/" if is_dir else rel
        for base, spec in self.specs.items():
            if base and not rel.startswith(base + "/"):
                continue
            sub = candidate[len(base) + 1:] if base else candidate
            if spec.match_file(sub):
                return True
        return False


def _read_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8", errors="replace").splitlines()[:10_000]
    except OSError:
        return []


def walk(
    root: Path,
    *,
    max_files: int = 100_000,
    exclude: tuple[str, ...] = (),
    on_file: Callable[[int], None] | None = None,
) -> WalkResult:
    """List the tree under ``root`` (which must be a directory) in a stable order."""
    root = root.resolve()
    root_str = str(root)
    ignores = _Ignores(root, exclude)
    files: list[WalkedFile] = []
    skipped: list[Skipped] = []
    ignored = 0
    truncated = False
    stack: list[tuple[str, str]] = [("", root_str)]
    while stack:
        rel_dir, abs_dir = stack.pop()
        ignores.load(rel_dir, abs_dir)
        try:
            entries = sorted(os.scandir(abs_dir), key=lambda e: e.name)
        except OSError as exc:
            skipped.append(Skipped(rel_dir or ".", f"directory cannot be read: {exc.strerror}"))
            continue
        subdirs: list[tuple[str, str]] = []
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            try:
                is_link = entry.is_symlink()
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                if entry.name in IGNORED_DIRS or entry.name.endswith(".egg-info"):
                    continue
                if ignores.ignored(rel, True):
                    ignored += 1
                    continue
                subdirs.append((rel, entry.path))
                continue
            if ignores.ignored(rel, False):
                ignored += 1
                continue
            if is_link:
                problem, size = _check_link(entry.path, root_str)
                if problem:
                    skipped.append(Skipped(rel, problem))
                    continue
            else:
                try:
                    info = entry.stat(follow_symlinks=False)
                except OSError as exc:
                    skipped.append(Skipped(rel, f"cannot be read: {exc.strerror}"))
                    continue
                if not stat.S_ISREG(info.st_mode):
                    continue  # sockets, fifos, devices: nothing to assess
                size = info.st_size
            if len(files) >= max_files:
                truncated = True
                break
            files.append(WalkedFile(rel, entry.path, kind_of(rel), role_of(rel), size))
            if on_file is not None:
                on_file(len(files))
        if truncated:
            skipped.append(Skipped(
                rel_dir or ".",
                f"file limit of {max_files} reached: the rest of the tree was not assessed "
                "(raise it with --max-files)",
            ))
            break
        stack.extend(reversed(subdirs))
    return WalkResult(files, skipped, ignored, truncated)


def _check_link(path: str, root: str) -> tuple[str | None, int]:
    """Why a file symlink cannot be read (None if it can), and its target's size."""
    try:
        target = os.path.realpath(path, strict=True)
    except OSError as exc:
        if exc.errno is not None and "loop" in (exc.strerror or "").lower():
            return "symlink loop", 0
        return "broken symlink", 0
    except RuntimeError:
        return "symlink loop", 0
    if target != root and not target.startswith(root + os.sep):
        return "symlink points outside the assessed tree", 0
    try:
        info = os.stat(target)
    except OSError:
        return "broken symlink", 0
    if stat.S_ISDIR(info.st_mode):
        return "symlink to a directory (not followed)", 0
    if not stat.S_ISREG(info.st_mode):
        return "symlink to a special file", 0
    return None, info.st_size

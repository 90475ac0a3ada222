"""``readiness verify``: read a report safely, assess the repository, judge the claims.

The report is untrusted input: it may be binary, huge, empty, or cite paths such as
``../../etc/passwd``. It is read with a size cap and decoded strictly; the references
it makes are resolved by ``RepositoryTree``, which answers only for paths that stay
inside the repository (after ``..`` and symlinks) and never opens anything else.
"""

from __future__ import annotations

import os
import posixpath
import stat
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from readiness.config import Settings
from readiness.engine.run import assess, check_target
from readiness.errors import ReportInputError
from readiness.model import Assessment, ClaimsAudit, ProbeRun
from readiness.verify import audit
from readiness.verify.judge import NOT_FOUND

MAX_REPORT_BYTES = 5 * 1024 * 1024
MAX_INDEX_FILES = 200_000
_SKIP_DIRS = {".git", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".mypy_cache",
              ".pytest_cache", "dist", "build", ".hg", ".svn"}

NOT_MARKDOWN = {
    ".py": "Python code", ".json": "JSON", ".yaml": "YAML", ".yml": "YAML", ".toml": "TOML",
    ".html": "HTML", ".htm": "HTML", ".pdf": "a PDF", ".docx": "a Word document",
    ".doc": "a Word document", ".png": "an image", ".jpg": "an image", ".jpeg": "an image",
    ".gif": "an image", ".zip": "an archive", ".gz": "an archive", ".tar": "an archive",
    ".ipynb": "a notebook", ".xlsx": "a spreadsheet", ".csv": "CSV data", ".sqlite": "a database",
    ".db": "a database", ".exe": "a program", ".so": "a library", ".pyc": "bytecode",
}

Progress = Callable[[str, int, int | None], None]


def read_report(path: Path, limit: int = MAX_REPORT_BYTES) -> str:
    """The report's text, or a ReportInputError that says in one line what is wrong."""
    if not path.exists():
        raise ReportInputError(f"{path}: no such file")
    kind = NOT_MARKDOWN.get(path.suffix.lower())
    if kind is not None:
        raise ReportInputError(f"{path}: looks like {kind}, not a Markdown report "
                               "(give the .md or .txt file of the review)")
    if path.is_dir():
        raise ReportInputError(f"{path}: is a directory; give the report's Markdown file")
    try:
        info = path.stat()
    except (OSError, RuntimeError) as exc:
        raise ReportInputError(f"{path}: cannot read: {exc}") from exc
    if not stat.S_ISREG(info.st_mode):
        raise ReportInputError(f"{path}: not a regular file (a device, pipe or socket)")
    too_big = ReportInputError(
        f"{path}: {info.st_size / 1048576:.1f} MB ({info.st_size:,} bytes); readiness verify "
        f"reads reports up to {limit / 1048576:.0f} MB ({limit:,} bytes; a readiness report "
        "is a few hundred KB at most)")
    if info.st_size > limit:
        raise too_big
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)  # the size may have changed since stat
    except OSError as exc:
        raise ReportInputError(f"{path}: cannot read: {exc.strerror}") from exc
    if len(data) > limit:
        raise too_big
    if not data.strip():
        raise ReportInputError(f"{path}: the report is empty")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 with a byte-order mark (Windows)
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError as exc:
            raise ReportInputError(f"{path}: starts like UTF-16 text but does not decode; "
                                   "save it as UTF-8") from exc
    if b"\x00" in data[:8192]:
        raise ReportInputError(f"{path}: binary data, not a Markdown report")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise ReportInputError(f"{path}: neither UTF-8 nor Windows-1252 text; is it a "
                                   "Markdown report?") from exc
    printable = sum(1 for char in text[:4096] if char.isprintable() or char in "\n\r\t")
    if printable < 0.9 * min(len(text), 4096):
        raise ReportInputError(f"{path}: mostly control characters, not a Markdown report")
    return text


def default_root(report: Path) -> Path:
    """Where the code a report describes lives: the git repository that holds the report.

    Outside a repository there is no safe guess (a report in /tmp would be checked
    against /tmp), so that is a usage error asking for PATH."""
    folder = report.resolve().parent
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    raise ReportInputError(f"{report}: no git repository holds this report; give the PATH of "
                           "the code it describes (readiness verify REPORT PATH)")


class RepositoryTree:
    """Resolves report references inside one repository; implements verify's SourceTree."""

    def __init__(self, root: Path, report_dir: Path | None, max_file_bytes: int) -> None:
        self.root = root.resolve()
        self.report_dir = report_dir.resolve() if report_dir is not None else None
        self.max_file_bytes = max_file_bytes
        self._index: list[str] | None = None
        self._lines: dict[str, list[str] | None] = {}

    def _inside(self, relative: str) -> str | None:
        """The repository path of a lexically normalised reference, or None if it leaves."""
        clean = posixpath.normpath(relative)
        if clean == ".." or clean.startswith("../"):
            return None
        return "" if clean == "." else clean

    def locate(self, reference: str) -> tuple[str | None, str | None]:
        ref = reference.replace("\\", "/").strip()
        if not ref:
            return None, "empty reference"
        if ref.startswith(("/", "~")) or (len(ref) > 1 and ref[1] == ":"):
            return None, "an absolute path, outside the repository: not read"
        candidates: list[str] = []
        if self.report_dir is not None:
            # a link is relative to the report's folder, wherever the report lives
            joined = Path(os.path.normpath(self.report_dir / ref))
            if joined.is_relative_to(self.root):
                candidates.append(joined.relative_to(self.root).as_posix())
        direct = self._inside(ref)
        if direct is not None:
            candidates.append(direct)
        if not candidates:
            return None, "points outside the repository: not read"
        for candidate in candidates:
            found = self._exists(candidate)
            if found is not None:
                return found
        suffix = ref.strip("/").removeprefix("./")
        matches = [p for p in self._files() if p == suffix or p.endswith("/" + suffix)]
        if matches:
            found = self._exists(sorted(matches, key=len)[0])
            if found is not None:
                return found  # a symlink out of the tree stays marked, never read
        return None, NOT_FOUND

    def _exists(self, relative: str) -> tuple[str | None, str | None] | None:
        path = self.root / relative if relative else self.root
        if not os.path.lexists(path):
            return None
        try:
            real = path.resolve()
        except (OSError, RuntimeError):  # 3.11 raises RuntimeError for a symlink loop
            return None, "cannot be resolved (a symlink loop?)"
        if not real.is_relative_to(self.root):
            return None, "a symlink that leads outside the repository: not read"
        return relative.rstrip("/") or ".", None

    def _files(self) -> list[str]:
        if self._index is None:
            found: list[str] = []
            for folder, dirs, files in os.walk(self.root):
                dirs[:] = [d for d in dirs if d not in _SKIP_DIRS]
                rel = Path(folder).relative_to(self.root).as_posix()
                for name in files:
                    found.append(name if rel == "." else f"{rel}/{name}")
                if len(found) > MAX_INDEX_FILES:
                    break
            self._index = found
        return self._index

    def _read(self, path: str) -> list[str] | None:
        if path in self._lines:
            return self._lines[path]
        lines: list[str] | None = None
        full = self.root / path
        try:
            real = full.resolve()
            if real.is_relative_to(self.root) and real.is_file() \
                    and real.stat().st_size <= self.max_file_bytes:
                data = real.read_bytes()
                if b"\x00" not in data[:8192]:
                    lines = data.decode("utf-8", errors="replace").splitlines()
        except (OSError, RuntimeError):
            lines = None
        self._lines[path] = lines
        return lines

    def line_count(self, path: str) -> int | None:
        lines = self._read(path)
        return len(lines) if lines is not None else None

    def lines(self, path: str, start: int, end: int) -> str | None:
        lines = self._read(path)
        if lines is None:
            return None
        return "\n".join(lines[start - 1:end])


def verify(report: Path, path: Path | None = None, settings: Settings | None = None, *,
           progress: Progress | None = None, probes: ProbeRun | None = None,
           assessment: Assessment | None = None,
           text: str | None = None) -> tuple[ClaimsAudit, Assessment]:
    """Audit the report against a fresh assessment of PATH (default: the report's repository).

    ``text`` is the report as ``read_report`` returned it, when the caller read it already."""
    settings = settings or Settings()
    text = read_report(report) if text is None else text
    root = check_target(path) if path is not None else default_root(report)
    if assessment is None:
        assessment = assess(root, settings, progress=progress)
    tree = RepositoryTree(root, report.parent, settings.max_file_bytes)
    shown = str(path) if path is not None else str(root)
    result = audit(str(report), shown, text, assessment, tree, probes)
    if path is None:
        note = f"checked against {root} (the report's repository; give PATH to choose another)"
        result = replace(result, warnings=(note, *result.warnings))
    return result, assessment



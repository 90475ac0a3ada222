"""Walk a tree once, read and parse each file once, and build ``RepoFacts``.

Bad input is normal input here: an oversized, binary, non-UTF-8 or unparsable
file, a YAML bomb or a symlink out of the tree is recorded under ``skipped`` with
its reason, and collection goes on. Python parsing, the expensive part, is cached
by content hash and spread over processes for large trees.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import re
import time
import tomllib
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from readiness.config import Settings
from readiness.facts import classify
from readiness.facts.cache import FactCache, code_fingerprint, environment_fingerprint
from readiness.facts.deps import Requirement, parse_requirements, pyproject_requirements
from readiness.facts.dockerfile import parse_dockerfile
from readiness.facts.python import parse_python, wire
from readiness.facts.repo import RepoFacts, SourceFile
from readiness.facts.walker import WalkedFile, walk
from readiness.facts.yaml_facts import YamlRejected, load_yaml
from readiness.model import Skipped

Progress = Callable[[str, int, int | None], None]
_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
PARALLEL_THRESHOLD = 150  # uncached Python files before processes pay for themselves
EXTRACTOR_VERSION = f"py{wire.WIRE_VERSION}"


def extractor_fingerprint() -> str:
    """Changes whenever the Python extractors' source changes, so a cache entry written by
    other extractor code is never read back (a version number alone is easy to forget)."""
    return code_fingerprint("facts/python") + environment_fingerprint()


def _noop(stage: str, done: int, total: int | None) -> None:
    return None


@dataclass
class Snapshot:
    """The tree as read: every walked file, the text of the readable ones and their
    content hashes. Cheap to take (no parsing), so a run can decide from it whether
    anything changed since the last one."""

    root: Path
    files: dict[str, SourceFile]
    texts: dict[str, tuple[str, bytes]]
    digests: dict[str, str]  # path -> sha256 of the bytes, for read files
    skipped: list[Skipped]
    stats: dict[str, Any] = field(default_factory=dict)

    def fingerprint(self) -> str:
        """One hash of the tree: paths, kinds, roles, contents, sizes, skip reasons."""
        digest = hashlib.sha256()
        for path in sorted(self.files):
            item = self.files[path]
            content = self.digests.get(path) or f"size:{item.size}"
            digest.update(f"{path}\0{item.kind}\0{item.role}\0{content}\n".encode())
        for entry in sorted(self.skipped, key=lambda s: (s.path, s.reason)):
            digest.update(f"skip\0{entry.path}\0{entry.reason}\n".encode())
        return digest.hexdigest()


def snapshot(root: Path, settings: Settings, progress: Progress | None = None) -> Snapshot:
    """Walk ``root`` (an existing directory) and read every file readiness parses."""
    report = progress or _noop
    started = time.perf_counter()
    result = walk(root, max_files=settings.max_files, exclude=settings.exclude,
                  on_file=lambda n: report("walking", n, None) if n % 200 == 0 else None)
    walked_at = time.perf_counter()
    skipped = list(result.skipped)
    files: dict[str, SourceFile] = {}
    texts: dict[str, tuple[str, bytes]] = {}
    digests: dict[str, str] = {}
    total = sum(1 for f in result.files if f.kind not in (None, classify.LOCK))
    for index, item in enumerate(result.files):
        if item.kind is None or item.kind == classify.LOCK:
            # listed for presence checks (lock files, model artefacts, .dockerignore)
            files[item.path] = SourceFile(item.path, None, item.role, item.size)
            continue
        text, data, problem = _read(item, settings.max_file_bytes)
        if problem:
            skipped.append(Skipped(item.path, problem))
            files[item.path] = SourceFile(item.path, None, item.role, item.size)
            continue
        assert text is not None and data is not None
        if _own_report(item.kind, text):
            # readiness's own output quotes recommendations; read back, it would vouch for
            # the very practices it says are missing
            skipped.append(Skipped(item.path, "a readiness report: not assessed"))
            files[item.path] = SourceFile(item.path, None, item.role, item.size)
            continue
        files[item.path] = SourceFile(item.path, item.kind, item.role, item.size, text)
        texts[item.path] = (text, data)
        digests[item.path] = hashlib.sha256(data).hexdigest()
        if index % 200 == 0:
            report("reading", len(texts), total)
    read_at = time.perf_counter()
    stats = {
        "files_walked": len(result.files),
        "files_read": len(texts),
        "files_ignored": result.ignored,
        "seconds": {"walk": round(walked_at - started, 3), "read": round(read_at - walked_at, 3)},
    }
    return Snapshot(root, files, texts, digests, skipped, stats)


def collect(root: Path, settings: Settings, progress: Progress | None = None) -> RepoFacts:
    """Facts of the tree at ``root`` (an existing directory)."""
    return build_facts(snapshot(root, settings, progress), settings, progress)


def build_facts(snap: Snapshot, settings: Settings, progress: Progress | None = None
                ) -> RepoFacts:
    """Parse a snapshot into RepoFacts (Python through the content-hash cache)."""
    report = progress or _noop
    started = time.perf_counter()
    files, texts = snap.files, snap.texts
    cache = FactCache(Path(settings.cache_dir) if settings.cache_dir else None, settings.cache)
    facts = RepoFacts(root=str(snap.root), files=files, python={}, skipped=list(snap.skipped))
    python_items = [(p, t, d) for p, (t, d) in texts.items()
                    if files[p].kind == classify.PYTHON]
    _parse_python_files(python_items, settings, cache, facts, report, snap.digests)
    parsed_at = time.perf_counter()
    for path, (text, _data) in texts.items():
        kind = files[path].kind
        if kind == classify.NOTEBOOK:
            _notebook(path, text, settings, facts)
        elif kind == classify.YAML:
            _yaml(path, text, settings, facts)
        elif kind == classify.DOCKERFILE:
            facts.dockerfiles_by_path[path] = parse_dockerfile(path, text)
        elif kind == classify.TOML:
            _toml(path, text, facts)
        elif kind == classify.REQUIREMENTS:
            requirements, _includes = parse_requirements(path, text)
            facts.requirements.extend(requirements)
        elif kind == classify.TEXT and path.rsplit("/", 1)[-1] == "Pipfile":
            _toml(path, text, facts)
    cache.close()
    facts.skipped.sort(key=lambda s: s.path)
    seconds = dict(snap.stats.get("seconds", {}))
    seconds.update({"parse_python": round(parsed_at - started, 3),
                    "parse_other": round(time.perf_counter() - parsed_at, 3)})
    facts.stats.update({
        **snap.stats,
        "python_files": len(facts.python),
        "python_lines": sum(m.lines for m in facts.python.values()),
        "tree_sitter_files": sorted(p for p, m in facts.python.items()
                                    if m.parser == "tree-sitter"),
        "cache": {"enabled": cache.enabled, "hits": cache.hits, "misses": cache.misses,
                  "problem": cache.problem},
        "seconds": seconds,
    })
    return facts


_OWN_JSON = re.compile(r'^\s*\{\s*"schema_version":\s*"\d+",\s*"tool":\s*\{\s*"name":\s*'
                       r'"readiness"')
_OWN_MARKDOWN = re.compile(r"^# Production Readiness Review: .*\n(.*\n){0,12}\| Tool \| readiness ")


def _own_report(kind: str | None, text: str) -> bool:
    """A report readiness wrote (JSON or Markdown), e.g. into --out inside the tree."""
    head = text[:2000]
    if kind == classify.JSON:
        return bool(_OWN_JSON.match(head))
    if kind == classify.MARKDOWN:
        return bool(_OWN_MARKDOWN.match(head))
    return False


def _read(item: WalkedFile, cap: int) -> tuple[str | None, bytes | None, str | None]:
    if item.size > cap:
        return None, None, f"larger than the size cap ({item.size:,} > {cap:,} bytes)"
    try:
        with open(item.absolute, "rb") as fh:
            data = fh.read(cap + 1)
    except OSError as exc:
        return None, None, f"cannot be read: {exc.strerror or exc}"
    if len(data) > cap:
        return None, None, f"larger than the size cap ({cap:,} bytes)"
    if b"\0" in data[:8192]:
        return None, None, "binary file"
    encoding = "utf-8-sig"
    if item.kind == classify.PYTHON:
        for line in data.split(b"\n", 2)[:2]:
            match = _CODING.match(line)
            if match:
                try:
                    encoding = codecs.lookup(match.group(1).decode("ascii")).name
                except (LookupError, UnicodeDecodeError):
                    return None, None, "declares an unknown source encoding"
                break
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        return None, None, f"not UTF-8 text (undecodable byte at offset {exc.start})"
    return text, data, None


def _cache_key(digest: str, settings: Settings, kind: str) -> str:
    return f"{kind}:{EXTRACTOR_VERSION}:{extractor_fingerprint()}:{settings.python_parser}:{digest}"


def _parse_one(path: str, text: str, data: bytes, parser: str
               ) -> tuple[str, list[Any] | None, str | None, bool]:
    outcome = parse_python(path, text, data, parser)
    payload = wire.dump(outcome.facts) if outcome.facts is not None else None
    return path, payload, outcome.problem, outcome.fallback


def _parse_chunk(chunk: list[tuple[str, str, bytes]], parser: str
                 ) -> list[tuple[str, list[Any] | None, str | None, bool]]:
    return [_parse_one(path, text, data, parser) for path, text, data in chunk]


def _jobs(settings: Settings, pending: int) -> int:
    if settings.jobs:
        return settings.jobs
    if pending < PARALLEL_THRESHOLD:
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


def _parse_python_files(items: list[tuple[str, str, bytes]], settings: Settings,
                        cache: FactCache, facts: RepoFacts, report: Progress,
                        digests: dict[str, str]) -> None:
    keys = {path: _cache_key(digests[path], settings, "python") for path, _, _ in items}
    cache.prefetch(list(keys.values()))
    pending: list[tuple[str, str, bytes]] = []
    done = 0
    for path, text, data in items:
        cached = cache.get(keys[path])
        if cached is not None:
            try:
                entry = cached
                if entry.get("problem"):
                    facts.skipped.append(Skipped(path, entry["problem"],
                                                 entry.get("facts") is not None))
                if entry.get("facts") is not None:
                    facts.python[path] = wire.load(entry["facts"], path)
                done += 1
                continue
            except (ValueError, KeyError, TypeError, IndexError, AttributeError):
                pass
        pending.append((path, text, data))
    report("parsing", done, len(items))
    jobs = _jobs(settings, len(pending))
    results: list[tuple[str, list[Any] | None, str | None, bool]] = []
    if jobs > 1 and len(pending) > 1:
        size = max(8, len(pending) // (jobs * 8))
        chunks = [pending[i:i + size] for i in range(0, len(pending), size)]
        try:
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                for chunk_result in pool.map(_parse_chunk, chunks,
                                             [settings.python_parser] * len(chunks)):
                    results.extend(chunk_result)
                    done += len(chunk_result)
                    report("parsing", done, len(items))
        except (OSError, RuntimeError):
            results = []  # no processes on this platform: parse in this one
            jobs = 1
    if jobs <= 1:
        for index, (path, text, data) in enumerate(pending):
            results.append(_parse_one(path, text, data, settings.python_parser))
            if index % 25 == 0:
                report("parsing", done + index, len(items))
    for path, payload, problem, _fallback in results:
        if problem:
            facts.skipped.append(Skipped(path, problem, payload is not None))
        if payload is not None:
            facts.python[path] = wire.load(payload, path)
        cache.put(keys[path], {"facts": payload, "problem": problem})
    report("parsing", len(items), len(items))


def _notebook(path: str, text: str, settings: Settings, facts: RepoFacts) -> None:
    try:
        notebook = json.loads(text)
    except ValueError as exc:
        facts.skipped.append(Skipped(path, f"notebook is not valid JSON: {exc}"))
        return
    cells = notebook.get("cells", []) if isinstance(notebook, dict) else []
    code: list[str] = []
    for cell in cells if isinstance(cells, list) else []:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        lines = source if isinstance(source, list) else str(source).splitlines(keepends=True)
        for line in lines:
            stripped = str(line).lstrip()
            # IPython magics and shell escapes are not Python: keep the line count, drop them.
            code.append("\n" if stripped.startswith(("%", "!", "?")) else str(line).rstrip("\n")
                        + "\n")
        code.append("\n")
    source_text = "".join(code)
    outcome = parse_python(path, source_text, source_text.encode("utf-8"),
                           settings.python_parser)
    if outcome.facts is not None:
        facts.notebooks[path] = outcome.facts


_CI_EXPRESSION = re.compile(r"\$\{\{.*?\}\}")


def _is_template(path: str, text: str) -> bool:
    # GitHub Actions / Azure expressions (``${{ matrix.python }}``) are plain YAML strings,
    # not template syntax: ignore them before looking for Jinja/Helm braces.
    text = _CI_EXPRESSION.sub("", text)
    return "{{" in text and "}}" in text


def _yaml(path: str, text: str, settings: Settings, facts: RepoFacts) -> None:
    """Parse YAML; a Helm chart's templates/ and templated files that do not parse as
    written are read as text only (rules still search them), and said so."""
    if classify.is_helm_template(path):
        return  # Helm templates are not YAML until rendered: rules use their text
    try:
        facts.yaml_docs[path] = load_yaml(text, settings.max_yaml_nodes)
    except YamlRejected as exc:
        facts.skipped.append(Skipped(path, str(exc)))
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        if _is_template(path, text):
            facts.skipped.append(Skipped(path, "templated YAML ({{ }}) that does not parse as "
                                               "written: read as text only", True))
            return
        if isinstance(exc, yaml.MarkedYAMLError):
            mark = exc.problem_mark
            where = f" at line {mark.line + 1}" if mark is not None else ""
            facts.skipped.append(Skipped(path, f"invalid YAML{where}: {exc.problem}"))
        else:
            facts.skipped.append(Skipped(path, f"invalid YAML: {type(exc).__name__}"))


def _toml(path: str, text: str, facts: RepoFacts) -> None:
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError) as exc:
        facts.skipped.append(Skipped(path, f"invalid TOML: {exc}"))
        return
    facts.toml_docs[path] = data
    name = path.rsplit("/", 1)[-1]
    if name == "pyproject.toml":
        facts.requirements.extend(pyproject_requirements(path, data, text))
    elif name == "Pipfile":
        for table in ("packages", "dev-packages"):
            section = data.get(table, {})
            if isinstance(section, dict):
                for dep, spec in section.items():
                    version = spec if isinstance(spec, str) else ""
                    facts.requirements.append(Requirement(
                        dep.lower().replace("_", "-"), "" if version == "*" else version,
                        1, path, source="pipfile"))

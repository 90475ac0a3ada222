"""One assessment, end to end: snapshot -> facts -> findings -> waivers -> scores.

The engine is the only module that knows every layer; the CLI (and later the web
and portfolio entry points) call it and render what it returns.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

from readiness import CATALOG_VERSION, SCORING_VERSION, __version__
from readiness.config import Settings
from readiness.engine.runcache import RunStore, decode, encode, run_key
from readiness.errors import TargetError, UnknownPracticeError
from readiness.facts import RepoFacts, predicate_names
from readiness.facts.collect import Snapshot, build_facts, snapshot
from readiness.model import (
    Applicability,
    Assessment,
    Finding,
    Priority,
    Severity,
    Skipped,
    Status,
    Target,
    ToolInfo,
    Waiver,
)
from readiness.practices.registry import PLUGIN_PROBLEMS, Registry, run_practice
from readiness.practices.web import route_methods
from readiness.scoring import score

Progress = Callable[[str, int, int | None], None]


def check_target(path: Path) -> Path:
    """The resolved directory to assess, or a TargetError saying what is wrong with it."""
    if not path.exists():
        raise TargetError(f"{path}: no such file or directory")
    if not path.is_dir():
        raise TargetError(f"{path}: not a directory (give the root of the repository to assess)")
    if not os.access(path, os.R_OK | os.X_OK):
        raise TargetError(f"{path}: permission denied")
    return path.resolve()


def assess(
    path: Path | str,
    settings: Settings | None = None,
    *,
    progress: Progress | None = None,
    registry: Registry | None = None,
) -> Assessment:
    settings = settings or Settings()
    root = check_target(Path(path))
    registry = registry or Registry.default()
    for practice_id in settings.disable:
        if practice_id not in registry:
            close = registry.suggest(practice_id)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise UnknownPracticeError(f"--disable: unknown practice id {practice_id!r}{hint}")
    started = time.perf_counter()
    snap = snapshot(root, settings, progress)
    store = RunStore(Path(settings.cache_dir) if settings.cache_dir else None, settings.cache)
    key = run_key(snap.fingerprint(), settings, registry)
    cached = store.get(key)
    selected = [p for p in registry.all() if p.id not in settings.disable]
    if cached is not None:
        findings = decode(cached["findings"], {p.id: p.meta for p in selected})
        applicability = tuple(Applicability(a["name"], a["value"], tuple(a["evidence"]))
                              for a in cached["applicability"])
        skipped = tuple(Skipped(s["path"], s["reason"], s.get("partial_facts", False))
                        for s in cached["skipped"])
        stats: dict[str, object] = {**cached["stats"], **snap.stats, "run_cache": "hit"}
        routes = tuple((str(m), str(p)) for m, p in cached.get("routes", []))
        collected = checked = time.perf_counter()
    else:
        facts = build_facts(snap, settings, progress)
        collected = time.perf_counter()
        findings = []
        for index, item in enumerate(selected, start=1):
            findings.append(run_practice(item, facts, debug=settings.debug))
            if progress is not None:
                progress("checking", index, len(selected))
        checked = time.perf_counter()
        applicability = _applicability(facts, registry)
        skipped = tuple(facts.skipped)
        stats = {**facts.stats, "run_cache": "miss"}
        routes = route_table(facts)
        if not any(f.status == Status.ERROR for f in findings):
            store.put(key, {
                "findings": encode(findings),
                "applicability": [{"name": a.name, "value": a.value,
                                   "evidence": list(a.evidence)} for a in applicability],
                "skipped": [s.to_dict() for s in skipped],
                "routes": [list(r) for r in routes],
                "stats": {k: v for k, v in facts.stats.items() if k not in ("seconds", "cache")},
            })
    store.close()
    findings = _with_disabled(findings, registry, settings)
    findings, warnings = apply_waivers(findings, settings)
    if settings.disable:
        warnings.append(f"{len(settings.disable)} practice(s) not assessed because the "
                        f"configuration disables them: {', '.join(sorted(settings.disable))}")
    if not snap.texts:
        warnings.insert(0, f"nothing readiness can read was found under {path}: every practice "
                           "below is judged on an empty tree")
    elif stats.get("python_files") == 0:
        warnings.insert(0, "no Python files were found: most practices look at Python code")
    summary, categories = score(findings, settings.weights)
    seconds: dict[str, object] = dict(stats.get("seconds", {}))  # type: ignore[call-overload]
    seconds.update({"collect": round(collected - started, 3),
                    "rules": round(checked - collected, 3),
                    "total": round(time.perf_counter() - started, 3)})
    stats["seconds"] = seconds
    cache = stats.get("cache")
    if isinstance(cache, dict) and cache.get("problem"):
        warnings.append(str(cache["problem"]))
    if store.problem:
        warnings.append(store.problem)
    warnings.extend(PLUGIN_PROBLEMS)
    return Assessment(
        tool=ToolInfo("readiness", __version__, CATALOG_VERSION, SCORING_VERSION),
        target=Target(
            path=str(path),
            name=_project_name(snap, root),
            commit=git_commit(root),
            assessed_at=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
            .replace("+00:00", "Z"),
        ),
        applicability=applicability,
        summary=summary,
        categories=categories,
        findings=tuple(findings),
        skipped=skipped,
        stats=stats,
        warnings=tuple(warnings),
        routes=routes,
    )


def route_table(facts: RepoFacts, limit: int = 500) -> tuple[tuple[str, str], ...]:
    """(method, path) of the production routes the static review found: hints for probes."""
    table: dict[tuple[str, str], None] = {}
    for route in facts.routes():
        if not route.path:
            continue
        for method in route_methods(facts, route):
            table[(method if method != "ANY" else "GET", route.path)] = None
        if len(table) >= limit:
            break
    return tuple(table)


def _with_disabled(findings: list[Finding], registry: Registry, settings: Settings
                   ) -> list[Finding]:
    """Every practice appears once in a report (the JSON contract), disabled ones as
    ``unknown``: a disabled critical practice cannot be verified, so the decision says so
    instead of treating it as met."""
    if not settings.disable:
        return findings
    by_id = {f.practice: f for f in findings}
    out = []
    for item in registry.all():
        found = by_id.get(item.id)
        if found is not None:
            out.append(found)
        elif item.id in settings.disable:
            out.append(Finding(item.meta, Status.UNKNOWN, "Not assessed: disabled by the "
                               "configuration (--disable, READINESS_DISABLE or the project's "
                               "[tool.readiness] disable list)."))
    return out


def apply_waivers(findings: list[Finding], settings: Settings
                  ) -> tuple[list[Finding], list[str]]:
    """Attach configured waivers; warn about expired ones and ones that match nothing."""
    warnings: list[str] = []
    today = dt.date.today()
    by_id = {f.practice: i for i, f in enumerate(findings)}
    out = list(findings)
    for spec in settings.waivers:
        index = by_id.get(spec.practice)
        if index is None:
            warnings.append(f"waiver for {spec.practice!r} matches no practice of this run")
            continue
        finding = out[index]
        expired = spec.expires is not None and dt.date.fromisoformat(spec.expires) < today
        if expired:
            warnings.append(f"waiver for {spec.practice} expired on {spec.expires}; "
                            "it no longer applies")
        if finding.status in (Status.IMPLEMENTED, Status.NA):
            warnings.append(f"waiver for {spec.practice} is stale: the practice is "
                            f"{finding.status.value}")
        out[index] = finding.with_waiver(Waiver(spec.practice, spec.reason, spec.expires, expired))
    return out, warnings


def gate(assessment: Assessment, settings: Settings) -> list[str]:
    """Why the run fails its quality gate (empty list: it passes)."""
    reasons: list[str] = []
    if settings.fail_under is not None:
        value = assessment.summary.score
        if value is None or value < settings.fail_under:
            shown = "n/a" if value is None else f"{value:.1f}"
            reasons.append(f"score {shown} is below --fail-under {settings.fail_under:g}")
    if settings.fail_on is not None:
        ranks = {"critical": 0, "high": 1}
        limit = ranks[settings.fail_on]
        for finding in assessment.findings:
            if finding.waived:
                continue
            forced = any(h.severity == Severity.FORCE_MISSING.value
                         for h in finding.anti_patterns)
            if forced:
                reasons.append(f"severe anti-pattern forces {finding.practice} to missing")
            elif finding.status == Status.MISSING and finding.meta.priority.rank <= limit:
                reasons.append(f"{finding.meta.priority.value} practice missing: "
                               f"{finding.practice}")
    return reasons


def _applicability(facts: RepoFacts, registry: Registry) -> tuple[Applicability, ...]:
    names: set[str] = set()
    for item in registry.all():
        names.update(predicate_names(item.meta.applies))
    out = []
    for name in sorted(names):
        if name not in facts.applicability:
            continue
        value, where = facts.applicability[name]
        out.append(Applicability(name, value, where))
    return tuple(out)


def _project_name(snap: Snapshot, root: Path) -> str:
    """[project].name or Poetry's name from the root pyproject.toml, else the folder name."""
    text = snap.texts.get("pyproject.toml", ("", b""))[0]
    if text:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            data = {}
        for table in (data.get("project"), data.get("tool", {}).get("poetry")):
            if isinstance(table, dict) and isinstance(table.get("name"), str):
                return str(table["name"])
    return root.name


_SHA = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")


def git_commit(root: Path) -> str | None:
    """HEAD's commit read from the ``.git`` directory (git itself is never run: a
    repository's config can make git execute commands)."""
    current = root
    for _ in range(12):
        dotgit = current / ".git"
        if dotgit.exists():
            return _read_head(dotgit)
        if current.parent == current:
            break
        current = current.parent
    return None


def _read_small(path: Path, limit: int = 4096) -> str | None:
    """A regular file's text, if it is one (no symlink, FIFO or device) and small.

    The repository under review controls its .git directory, so a FIFO or a link to
    /dev/zero there must not hang or exhaust readiness."""
    try:
        info = path.lstat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        with path.open("rb") as handle:
            return handle.read(limit).decode("utf-8", "replace")
    except OSError:
        return None


def _read_head(dotgit: Path) -> str | None:
    if dotgit.is_symlink():
        return None
    if dotgit.is_file():
        text = (_read_small(dotgit) or "").strip()
        if not text.startswith("gitdir:"):
            return None
        dotgit = (dotgit.parent / text.split(":", 1)[1].strip()).resolve()
        if not dotgit.is_dir():
            return None
    head = (_read_small(dotgit / "HEAD") or "").strip()
    if _SHA.match(head):
        return head
    if not head.startswith("ref: refs/"):
        return None
    ref = head.split(":", 1)[1].strip()
    if ".." in ref.split("/"):
        return None
    common = dotgit
    pointer = (_read_small(dotgit / "commondir") or "").strip()
    if pointer:
        common = (dotgit / pointer).resolve()
    for base in (dotgit, common):
        value = (_read_small(base / ref) or "").strip()
        if _SHA.match(value):
            return value
    packed = _read_small(common / "packed-refs", limit=8_000_000) or ""
    for line in packed.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1] == ref and _SHA.match(parts[0]):
            return parts[0]
    return None


def priority_order(finding: Finding) -> tuple[int, int, str]:
    """Sort key for gaps: most important first, missing before partial."""
    status_rank = {Status.MISSING: 0, Status.PARTIAL: 1}.get(finding.status, 2)
    return (finding.meta.priority.rank, status_rank, finding.practice)


__all__ = ["Priority", "apply_waivers", "assess", "check_target", "gate", "git_commit",
           "priority_order"]

"""Time ``readiness assess`` against bandit on a synthetic repository. Run by hand.

Usage: python bench/bench_assess.py [--lines 200000] [--keep DIR] [--repeat N] [--seed S]

Both tools run as subprocesses of the same virtual environment (found next to
``sys.executable``), timed with ``time.perf_counter`` around the whole process so
start-up and imports count, as a user would feel them. Each repeat runs, in order:
bandit; readiness cold (a fresh, empty cache directory); readiness warm (same cache,
unchanged tree); readiness cold with ``--python-parser ast --jobs 1`` and with
``--python-parser tree-sitter --jobs 1`` (one process each, so the ratio is the
parsers' cost and not the pool's). Medians are reported; every run is printed.
This is not a test: timings depend on the machine, so nothing here runs in CI.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
GENERATOR = BENCH_DIR / "make_synthetic_repo.py"
STAGES = ("walk", "read", "parse_python", "parse_other", "collect", "rules", "total")
COLD_TARGET = 0.5  # readiness cold <= 0.5 x bandit
WARM_TARGET = 0.1  # readiness warm <= 0.1 x readiness cold

BANDIT = "bandit -r"
COLD = "readiness cold (auto)"
WARM = "readiness warm (auto)"
AST = "readiness cold ast -j1"
TREE_SITTER = "readiness cold tree-sitter -j1"
AST_FLAGS = ("--python-parser", "ast", "--jobs", "1")
TREE_SITTER_FLAGS = ("--python-parser", "tree-sitter", "--jobs", "1")


class BenchError(Exception):
    """A tool is missing or a run failed; the message says which and why."""


@dataclass
class Run:
    """One timed process; ``stats`` is readiness's report ``stats`` (None for bandit)."""

    seconds: float
    stats: dict[str, Any] | None = None
    skipped: int = 0


@dataclass
class Series:
    """All repeats of one configuration."""

    label: str
    runs: list[Run] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(run.seconds for run in self.runs)

    def stage(self, name: str) -> float | None:
        """Median of one ``stats.seconds`` stage across repeats (None if not reported)."""
        values = [run.stats["seconds"].get(name) for run in self.runs if run.stats]
        numbers = [v for v in values if isinstance(v, int | float)]
        return statistics.median(numbers) if numbers else None


def venv_tool(name: str) -> Path:
    """The console script ``name`` in the interpreter's own environment.

    Looking next to ``sys.executable`` (not on PATH) guarantees both tools run with
    the same Python as this script, so the comparison is like for like.
    """
    path = Path(sys.executable).parent / name
    if not path.is_file():
        raise BenchError(
            f"{name} not found at {path}. Run this script with the virtual environment's "
            f"python, after `pip install -e '.[bench]'` (which installs bandit).")
    return path


def timed(cmd: Sequence[str | Path], ok: frozenset[int]) -> float:
    """Wall-clock seconds of one subprocess; raise with its stderr if it fails."""
    argv = [str(part) for part in cmd]
    started = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if proc.returncode not in ok:
        raise BenchError(f"command failed (exit {proc.returncode}): {' '.join(argv)}\n"
                         f"--- stderr ---\n{proc.stderr}\n--- stdout (tail) ---\n"
                         f"{proc.stdout[-2000:]}")
    return seconds


def prepare_tree(keep: Path | None, scratch: Path, lines: int, seed: int) -> Path:
    """Reuse ``--keep`` when it already holds a tree; otherwise generate one."""
    tree = keep or scratch / "tree"
    if tree.is_dir() and any(tree.iterdir()):
        print(f"reusing the tree in {tree} (--lines/--seed ignored)")
        return tree
    cmd = [sys.executable, str(GENERATOR), str(tree), "--lines", str(lines), "--seed", str(seed)]
    seconds = timed(cmd, frozenset({0}))
    print(f"generated {tree} in {seconds:.1f} s")
    return tree


def count_tree(tree: Path) -> tuple[int, int, int]:
    """(all files, Python files, Python lines), counted independently of readiness."""
    files = python = lines = 0
    for folder, _dirs, names in os.walk(tree):
        for name in names:
            files += 1
            if name.endswith(".py"):
                python += 1
                with open(os.path.join(folder, name), "rb") as fh:
                    lines += fh.read().count(b"\n")
    return files, python, lines


class Bench:
    """Runs the configurations and keeps their series."""

    def __init__(self, tree: Path, scratch: Path, readiness: Path, bandit: Path) -> None:
        self.tree = tree
        self.scratch = scratch
        self.readiness = readiness
        self.bandit = bandit
        self.series = {label: Series(label) for label in (BANDIT, COLD, WARM, AST, TREE_SITTER)}
        self._caches = 0

    def fresh_cache(self) -> Path:
        """A new, empty cache directory: what makes a run cold."""
        self._caches += 1
        path = self.scratch / f"cache-{self._caches}"
        path.mkdir()
        return path

    def run_bandit(self) -> Run:
        # bandit exits 1 when it reports issues; that is a successful run here.
        cmd = [self.bandit, "-r", "-q", "-f", "json", "-o", os.devnull, self.tree]
        return Run(timed(cmd, frozenset({0, 1})))

    def run_readiness(self, cache: Path, extra: Sequence[str] = ()) -> Run:
        out = self.scratch / "out"
        report = out / "bench.json"
        report.unlink(missing_ok=True)  # never read a previous run's report
        cmd = [self.readiness, "assess", self.tree, "--format", "json", "--out", out,
               "--name", "bench", "--no-progress", "--cache-dir", cache, *extra]
        seconds = timed(cmd, frozenset({0}))
        data = json.loads(report.read_text(encoding="utf-8"))
        return Run(seconds, data["stats"], len(data.get("skipped", [])))

    def record(self, label: str, run: Run, repeat: int, total: int) -> None:
        self.series[label].runs.append(run)
        print(f"  [{repeat}/{total}] {label:<32} {run.seconds:8.2f} s{describe(run)}",
              flush=True)

    def repeat(self, index: int, total: int) -> None:
        """One round of every configuration (interleaved, so drift hits all alike)."""
        self.record(BANDIT, self.run_bandit(), index, total)
        cache = self.fresh_cache()
        self.record(COLD, self.run_readiness(cache), index, total)
        self.record(WARM, self.run_readiness(cache), index, total)
        self.record(AST, self.run_readiness(self.fresh_cache(), AST_FLAGS), index, total)
        self.record(TREE_SITTER, self.run_readiness(self.fresh_cache(), TREE_SITTER_FLAGS),
                    index, total)


def describe(run: Run) -> str:
    """Cache hits/misses and fallback count of a readiness run, for the per-run log."""
    if not run.stats:
        return ""
    fallback = len(run.stats.get("tree_sitter_files", []))
    if run.stats.get("run_cache") == "hit":
        return f"  (run cache hit: findings reused, tree-sitter files {fallback})"
    cache = run.stats.get("cache", {})
    return (f"  (parse cache hits {cache.get('hits')}, misses {cache.get('misses')}, "
            f"tree-sitter files {fallback})")


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def fmt(value: float | None, spec: str = ".2f") -> str:
    return "-" if value is None else format(value, spec)


def ratio_notes(series: dict[str, Series]) -> dict[str, str]:
    """warm/cold and tree-sitter/ast, the latter also for the parse stage alone."""
    warm = ratio(series[WARM].median, series[COLD].median)
    parser = ratio(series[TREE_SITTER].median, series[AST].median)
    stage = ratio(series[TREE_SITTER].stage("parse_python"), series[AST].stage("parse_python"))
    return {WARM: f"warm/cold {fmt(warm, '.3f')}",
            TREE_SITTER: f"tree-sitter/ast {fmt(parser)} (parse_python stage {fmt(stage)})"}


def print_table(series: dict[str, Series]) -> None:
    """Medians, every run, and the ratios the targets are about."""
    bandit = series[BANDIT].median
    notes = ratio_notes(series)
    print(f"\n{'tool / config':<32} {'median s':>9} {'x bandit':>9}  runs (s)")
    for label, item in series.items():
        runs = " ".join(f"{run.seconds:.2f}" for run in item.runs)
        line = f"{label:<32} {item.median:9.2f} {item.median / bandit:9.2f}  {runs}"
        print(line + (f"  | {notes[label]}" if label in notes else ""))


def print_targets(series: dict[str, Series]) -> bool:
    """State each target with its measured ratio; True when all pass."""
    cold = series[COLD].median / series[BANDIT].median
    warm = series[WARM].median / series[COLD].median
    checks = [(f"readiness cold <= {COLD_TARGET} x bandit", cold, COLD_TARGET),
              (f"readiness warm <= {WARM_TARGET} x cold", warm, WARM_TARGET)]
    print("\ntargets")
    for name, value, limit in checks:
        print(f"  {name:<36} measured {value:6.3f}  {'PASS' if value <= limit else 'FAIL'}")
    return all(value <= limit for _, value, limit in checks)


def print_stages(series: dict[str, Series]) -> None:
    """Median ``stats.seconds`` per stage, from readiness's own JSON report."""
    print(f"\nreadiness stats.seconds (median)\n{'config':<32}"
          + "".join(f"{stage:>13}" for stage in STAGES))
    for label in (COLD, WARM, AST, TREE_SITTER):
        item = series[label]
        print(f"{label:<32}" + "".join(f"{fmt(item.stage(s), '.3f'):>13}" for s in STAGES))


def print_tree(tree: Path, series: dict[str, Series]) -> None:
    """What was measured: our own file/line count next to readiness's."""
    files, python, lines = count_tree(tree)
    first = series[COLD].runs[0]
    stats = first.stats or {}
    print(f"\ntree {tree}: {files:,} files, {python:,} Python files, {lines:,} Python lines")
    print(f"readiness (cold auto) saw: files_walked {stats.get('files_walked')}, python_files "
          f"{stats.get('python_files')}, python_lines {stats.get('python_lines')}, "
          f"tree-sitter fallbacks {len(stats.get('tree_sitter_files', []))}, "
          f"skipped {first.skipped}")


def print_machine() -> None:
    """CPU count and load: on a shared machine a busy core skews every ratio."""
    cores = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    print(f"machine: {platform.machine()} {platform.system()} {platform.release()}, "
          f"{cores} CPUs ({usable} usable), Python {platform.python_version()}")
    print_load("at start")


def print_load(when: str) -> None:
    if hasattr(os, "getloadavg"):
        one, five, fifteen = os.getloadavg()
        print(f"load average {when}: {one:.2f} {five:.2f} {fifteen:.2f}")


def first_line(cmd: Sequence[str | Path]) -> str:
    """First output line of a read-only command, or a note that it failed."""
    try:
        proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True,
                              check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unavailable ({exc})"
    lines = (proc.stdout or proc.stderr).strip().splitlines()
    return lines[0] if lines else "unavailable"


def print_versions(bench: Bench) -> None:
    """Which code was measured: versions, and the project commit (dirty if src/ changed)."""
    project = BENCH_DIR.parent
    commit = first_line(["git", "-C", project, "rev-parse", "--short", "HEAD"])
    dirty = first_line(["git", "-C", project, "status", "--porcelain", "--", "src"])
    state = " + uncommitted changes in src/" if dirty and dirty != "unavailable" else ""
    print(f"{first_line([bench.readiness, '--version'])} (commit {commit}{state}); "
          f"{first_line([bench.bandit, '--version'])}")


@contextmanager
def scratch_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="readiness-bench-") as name:
        yield Path(name)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=200_000, help="Python lines to generate")
    parser.add_argument("--seed", type=int, default=1, help="generator seed")
    parser.add_argument("--keep", type=Path, help="generate into (or reuse) this directory")
    parser.add_argument("--repeat", type=int, default=3, help="runs per configuration")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print_machine()
    try:
        readiness, bandit = venv_tool("readiness"), venv_tool("bandit")  # fail before generating
        with scratch_dir() as scratch:
            tree = prepare_tree(args.keep, scratch, args.lines, args.seed)
            bench = Bench(tree, scratch, readiness, bandit)
            print_versions(bench)
            for index in range(1, args.repeat + 1):
                bench.repeat(index, args.repeat)
            print_load("at end")
            print_tree(tree, bench.series)
            print_table(bench.series)
            passed = print_targets(bench.series)
            print_stages(bench.series)
    except BenchError as exc:
        print(f"\nbenchmark error: {exc}", file=sys.stderr)
        return 2
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())

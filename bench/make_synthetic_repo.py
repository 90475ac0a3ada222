"""Generate a deterministic synthetic Python service repository for the speed benchmark.

Usage: python bench/make_synthetic_repo.py OUT_DIR [--lines 200000] [--seed 1]

The tree is a monorepo of FastAPI and Flask services (routes, SQLAlchemy models and
queries, HTTP clients, Celery tasks, pydantic settings, scikit-learn training, pytest
suites, Alembic migrations) with the YAML, Dockerfiles, requirements, TOML and
Markdown around them. ``--lines`` counts Python lines only; generation stops at the
first module that reaches it. The same seed gives a byte-identical tree: all choices
come from one ``random.Random(seed)`` and nothing depends on time, hash order or the
file system. Three modules use Python 3.12+/3.14 syntax on purpose (see
``synth_skeleton.newer_syntax_modules``); everything else is valid Python 3.11.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Callable
from pathlib import Path

import synth_infra as infra
import synth_skeleton as skeleton
from synth_code import CodeWriter, Entity, Service, new_entity
from synth_modules import Module, ModuleWriter

SERVICE_NAMES = ("billing", "catalog", "fulfillment", "identity", "insights", "messaging",
                 "pricing", "scheduler", "search", "storage", "analytics", "gateway")
LINES_PER_SERVICE = 40_000
# module kind -> relative weight; "legacy" modules are the rare 1-2k line ones
KIND_WEIGHTS = {"routes": 12, "models": 8, "repository": 9, "migration": 5, "client": 6,
                "tasks": 6, "domain": 16, "utils": 5, "legacy": 2, "training": 3,
                "unit_tests": 14, "api_tests": 6}


class RepoBuilder:
    """Accumulates ``path -> text`` and the running count of Python lines."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.modules = ModuleWriter(self.rng)
        self.files: dict[str, str] = {}
        self.python_lines = 0

    def add(self, path: str, text: str) -> None:
        """Store a file, renaming on collision so no generated module is lost."""
        path = self._free_path(path)
        self.files[path] = text
        if path.endswith(".py"):
            self.python_lines += text.count("\n")

    def _free_path(self, path: str) -> str:
        if path not in self.files:
            return path
        stem, dot, ext = path.rpartition(".")
        for suffix in ("_v2", "_ext", "_compat", "_legacy", "_next"):
            if f"{stem}{suffix}{dot}{ext}" not in self.files:
                return f"{stem}{suffix}{dot}{ext}"
        index = 2
        while f"{stem}_{index}{dot}{ext}" in self.files:
            index += 1
        return f"{stem}_{index}{dot}{ext}"

    def plan(self, lines: int) -> list[Service]:
        """Services sized so each holds roughly ``LINES_PER_SERVICE`` lines."""
        count = max(1, min(len(SERVICE_NAMES), round(lines / LINES_PER_SERVICE)))
        names = self.rng.sample(SERVICE_NAMES, count)
        return [Service(name, self.rng.choice(("fastapi", "fastapi", "flask"))) for name in names]

    def entity(self, svc: Service) -> Entity:
        """Reuse an entity of the service, or (less often as it grows) invent one."""
        if not svc.entities or self.rng.random() < 6 / (len(svc.entities) + 6):
            taken = {ent.snake for ent in svc.entities}
            svc.entities.append(new_entity(self.rng, taken))
        return self.rng.choice(svc.entities)

    def render(self, kind: str, svc: Service) -> Module:
        """One module of ``kind`` for ``svc``."""
        writer = self.modules
        if kind == "routes":
            render = writer.fastapi_routes if svc.framework == "fastapi" else writer.flask_routes
            return render(svc, self.entity(svc))
        if kind == "models":
            return writer.models(svc, [self.entity(svc) for _ in range(self.rng.randint(1, 4))])
        if kind == "utils":
            return writer.utils(svc)
        renderers: dict[str, Callable[[Service, Entity], Module]] = {
            "repository": writer.repository, "migration": writer.migration,
            "client": writer.client, "tasks": writer.tasks, "domain": writer.domain,
            "legacy": writer.legacy, "training": writer.training,
            "unit_tests": writer.unit_tests, "api_tests": writer.api_tests,
        }
        return renderers[kind](svc, self.entity(svc))

    def fill(self, services: list[Service], lines: int) -> None:
        """Add modules round-robin over services until the Python line budget is met."""
        kinds, weights = list(KIND_WEIGHTS), list(KIND_WEIGHTS.values())
        turn = 0
        while self.python_lines < lines:
            svc = services[turn % len(services)]
            turn += 1
            self.add(*self.render(self.rng.choices(kinds, weights)[0], svc))

    def skeleton(self, svc: Service) -> None:
        """Fixed per-service modules that do not depend on the generated content."""
        self.add(*skeleton.settings_module(svc, self.rng))
        self.add(*skeleton.db_module(svc))
        if svc.framework == "fastapi":
            self.add(*skeleton.security_module(svc))
        for module in skeleton.small_modules(svc, self.rng):
            self.add(*module)

    def finish(self, svc: Service) -> None:
        """Modules that list what was generated (app wiring, schemas) and service files."""
        self.add(*skeleton.app_module(svc, self.rng))
        if svc.framework == "fastapi":
            self.add(*skeleton.schemas_module(svc))
        self.add(f"services/{svc.name}/requirements.txt", infra.requirements(svc, self.rng))
        self.add(f"services/{svc.name}/Dockerfile", infra.dockerfile(svc, self.rng))
        for path, text in infra.k8s(svc, self.rng).items():
            self.add(path, text)

    def repo_files(self, services: list[Service]) -> None:
        """Repository-level YAML, TOML, Markdown and dotfiles."""
        extra = {"pyproject.toml": infra.pyproject(services),
                 "docker-compose.yml": infra.compose(services),
                 "requirements-dev.txt": "pytest==8.3.3\npytest-cov==5.0.0\nruff==0.6.9\n"}
        for group in (extra, infra.chart(services, self.rng), infra.workflows(services),
                      infra.docs(services, self.rng), infra.misc()):
            for path, text in group.items():
                self.add(path, text)

    def package_inits(self) -> None:
        """An ``__init__.py`` in every package directory under ``src/`` and ``tests/``."""
        dirs: set[str] = set()
        for path in self.files:
            if not path.endswith(".py") or ("/src/" not in path and "/tests/" not in path):
                continue
            root = path.split("/src/")[0] + "/src" if "/src/" in path else path.split("/tests/")[0]
            parent = path.rpartition("/")[0]
            while len(parent) > len(root):
                dirs.add(parent)
                parent = parent.rpartition("/")[0]
        for folder in sorted(dirs):
            init = f"{folder}/__init__.py"
            if init not in self.files:
                name = folder.rsplit("/", 1)[-1]
                self.add(init, "" if "/tests" in folder else f'"""The {name} package."""\n')


def build(lines: int, seed: int) -> dict[str, str]:
    """The whole tree as ``relative path -> text``; deterministic in (lines, seed)."""
    repo = RepoBuilder(seed)
    services = repo.plan(lines)
    for svc in services:
        repo.skeleton(svc)
    for module in skeleton.newer_syntax_modules(services[0], CodeWriter(repo.rng)):
        repo.add(*module)
    repo.fill(services, lines)
    for svc in services:
        repo.finish(svc)
    repo.repo_files(services)
    repo.package_inits()
    return repo.files


def write_tree(out: Path, files: dict[str, str]) -> None:
    """Write files in sorted order with LF endings (no platform-dependent bytes)."""
    for rel in sorted(files):
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(files[rel])


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path, help="directory to create (must be empty)")
    parser.add_argument("--lines", type=int, default=200_000, help="Python lines to generate")
    parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same tree)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out: Path = args.out_dir
    if out.exists() and any(out.iterdir()):
        print(f"error: {out} is not empty; refusing to mix with existing files",
              file=sys.stderr)
        return 2
    files = build(args.lines, args.seed)
    write_tree(out, files)
    python = [text for path, text in files.items() if path.endswith(".py")]
    lines = sum(text.count("\n") for text in python)
    print(f"wrote {len(files)} files ({len(python)} Python, {lines:,} Python lines) to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

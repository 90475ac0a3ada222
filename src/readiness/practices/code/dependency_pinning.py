"""code.dependency-pinning: builds install exactly the dependency versions tested.

Lock files and ``==`` pins, and whether the Dockerfiles install from them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from readiness.facts import RepoFacts
from readiness.facts.deps import Requirement, normalise
from readiness.facts.dockerfile import Dockerfile, Instruction
from readiness.model import Evidence
from readiness.practices.helpers import dedupe
from readiness.practices.images import image_ref, shipping_dockerfiles
from readiness.practices.registry import Outcome, implemented, missing, partial, practice

PYTHON_LOCKS = ("poetry.lock", "uv.lock", "Pipfile.lock", "pdm.lock", "pylock.toml",
                "pylock.*.toml", "requirements.lock", "conda-lock.yml")
_DEV_REQUIREMENTS = re.compile(r"(dev|test|tests|testing|lint|docs?|ci|local|typing|mypy)"
                               r"[\w.-]*\.(txt|in)$|/(dev|test|tests|docs?|ci)[\w.-]*\.(txt|in)$",
                               re.I)
_LOCK_USE = re.compile(r"\buv\s+(sync|export)\b|\buv\s+pip\s+sync\b|\bpoetry\s+(install|export|"
                       r"sync)\b|\bpipenv\s+(install|sync)\b|\bpdm\s+(install|sync|export)\b|"
                       r"\bpip-sync\b|uv\.lock|poetry\.lock|Pipfile\.lock|pdm\.lock|pylock|"
                       r"requirements\.lock")
_PIP_INSTALL = re.compile(r"\b(?:pip3?|python3?\s+-m\s+pip|uv\s+pip)\s+(install|wheel)\b(.*)")
_VALUE_OPTIONS = {"-r", "--requirement", "-c", "--constraint", "-i", "--index-url",
                  "--extra-index-url", "-f", "--find-links", "-t", "--target", "--prefix",
                  "--root", "-w", "--wheel-dir", "--cache-dir", "--src", "--platform",
                  "--python-version", "--implementation", "--abi", "--trusted-host",
                  "--no-binary", "--only-binary", "--upgrade-strategy", "-e", "--editable",
                  "--progress-bar", "--python", "-p", "--config-settings", "-C"}
_TOOLING = {"pip", "setuptools", "wheel"}
_SPEC = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?(.*)$")


@dataclass
class _PipLine:
    instruction: Instruction
    requirement_files: list[str]
    unpinned: list[str]
    project_install: bool  # ``pip install .`` / ``-e .``
    no_deps: bool = False  # ``--no-deps``: dependencies come from an earlier, pinned step


def _pip_lines(dockerfile: Dockerfile) -> list[_PipLine]:
    """pip/uv pip install commands of a Dockerfile, split into what they install."""
    out = []
    for instruction in dockerfile.instructions:
        if instruction.keyword != "RUN":
            continue
        for command in re.split(r"&&|\|\||;|\|", instruction.command_text):
            match = _PIP_INSTALL.search(command)
            if match:
                out.append(_parse_pip(instruction, match.group(2)))
    return out


def _parse_pip(instruction: Instruction, text: str) -> _PipLine:
    line = _PipLine(instruction, [], [], False)
    tokens = [t.strip("\"'") for t in text.split()]
    index = 0
    while index < len(tokens):
        token = tokens[index]
        index += 1
        if token in ("-r", "--requirement"):
            if index < len(tokens):
                line.requirement_files.append(tokens[index])
            index += 1
            continue
        if token.startswith(("-r", "--requirement=")) and len(token) > 2:
            line.requirement_files.append(token.split("=", 1)[-1].removeprefix("-r"))
            continue
        if token in _VALUE_OPTIONS:
            if token in ("-e", "--editable"):
                line.project_install = True
            index += 1
            continue
        if token == "--no-deps":
            line.no_deps = True
        if token.startswith(("-", "$")) or "://" in token:
            continue
        if token.startswith(("/", ".", "~")) or token.endswith((".whl", ".tar.gz", ".zip")):
            if "*" not in token and not token.endswith((".whl", ".tar.gz", ".zip")):
                line.project_install = True  # a source tree: installs with open ranges
            continue
        spec = _SPEC.match(token)
        if spec is None or normalise(spec.group(1)) in _TOOLING:
            continue
        if not re.match(r"^\s*(===?|@)", spec.group(3) or ""):
            line.unpinned.append(token)
    return line


def production_requirements(facts: RepoFacts) -> list[Requirement]:
    """Runtime requirement lines (requirements files, not dev/test/docs ones). A pip-tools
    ``.in`` file is skipped when its compiled ``.txt`` sits next to it."""
    paths = {r.path for r in facts.requirements}
    return [r for r in facts.requirements
            if r.source == "requirements" and facts.role(r.path) == "production"
            and not _DEV_REQUIREMENTS.search(r.path)
            and not (r.path.endswith(".in") and r.path[:-3] + ".txt" in paths)]


def _pinned_file(facts: RepoFacts, name: str) -> bool:
    """Whether the requirements file a Dockerfile installs (matched by file name) is pinned."""
    base = name.rsplit("/", 1)[-1]
    lines = [r for r in facts.requirements if r.path.rsplit("/", 1)[-1] == base]
    return bool(lines) and sum(r.pinned or r.hashed for r in lines) >= 0.9 * len(lines)


@dataclass
class _DockerPins:
    uses_lock: list[Evidence] = field(default_factory=list)
    ignores_lock: list[Evidence] = field(default_factory=list)
    unpinned: list[Evidence] = field(default_factory=list)
    floating_base: list[Evidence] = field(default_factory=list)
    installs: list[Evidence] = field(default_factory=list)


def _docker_pins(facts: RepoFacts, has_lock: bool) -> _DockerPins:
    result = _DockerPins()
    for dockerfile in shipping_dockerfiles(facts):
        text = "\n".join(i.args for i in dockerfile.instructions)
        pip_lines = _pip_lines(dockerfile)
        lock_lines = [i for i in dockerfile.instructions
                      if i.keyword in ("RUN", "COPY", "ADD") and _LOCK_USE.search(i.args)]
        installs_python = bool(pip_lines) or bool(lock_lines) or \
            bool(re.search(r"\b(poetry|pipenv|pdm|uv)\b", text))
        for stage in dockerfile.stages:
            if image_ref(dockerfile, stage).floating:
                result.floating_base.append(facts.evidence(dockerfile.path, stage.line,
                                                           note="unpinned base image"))
        if not installs_python:
            continue
        result.uses_lock += [facts.evidence(dockerfile.path, i.line) for i in lock_lines[:2]]
        for pip in pip_lines:
            ev = facts.evidence(dockerfile.path, pip.instruction.line)
            if pip.requirement_files:
                result.installs.append(ev)
            if pip.unpinned:
                result.unpinned.append(facts.evidence(
                    dockerfile.path, pip.instruction.line,
                    note="unpinned: " + ", ".join(pip.unpinned[:5])))
            open_files = [f for f in pip.requirement_files if not _pinned_file(facts, f)]
            if not lock_lines and ((pip.project_install and not pip.no_deps) or
                                   (has_lock and open_files)):
                result.ignores_lock.append(facts.evidence(
                    dockerfile.path, pip.instruction.line,
                    note="installs without the lock file" if has_lock else
                    "installs the project with open version ranges"))
    return result


def _project_lock(facts: RepoFacts, path: str) -> bool:
    """A lock that locks a project: not empty, and beside that project's manifest
    (pyproject.toml, Pipfile, setup.py, requirements) or at the repository root."""
    item = facts.files.get(path)
    if item is None or item.size == 0:
        return False
    folder = path.rsplit("/", 1)[0] if "/" in path else ""
    if not folder:
        return True
    prefix = folder + "/"
    return any(other.startswith(prefix) and "/" not in other[len(prefix):] and
               re.fullmatch(r"pyproject\.toml|Pipfile|setup\.py|requirements[\w.\-]*\.txt",
                            other[len(prefix):])
               for other in facts.files)


@practice(
    "code.dependency-pinning", "Pinned dependencies", priority="H", effort="L", applies="ALL",
    statuses="implemented partial missing",
    sources=("12F-II", "T10 A06/A08"),
    aliases=("dependency pinning", "lock file", "pinned dependencies", "requirements"),
    recommendation="Commit a lock file (uv.lock, poetry.lock, Pipfile.lock) or `==`-pinned "
                   "requirements (pip-tools with hashes), install from it in the Dockerfile "
                   "(`uv sync --locked`), and pin base images and any extra `pip install`.",
)
def check_dependency_pinning(facts: RepoFacts) -> Outcome:
    """Builds install exactly the dependency versions that were tested.

    Why it matters:
        With open ranges, two builds of the same commit can differ; a new release
        of a transitive dependency can break production or smuggle in malicious
        code (supply-chain attacks), and a rollback does not restore the old set.

    What counts as evidence:
        A Python lock file (uv.lock, poetry.lock, Pipfile.lock, pdm.lock,
        pylock.toml) or runtime requirements files that are `==`-pinned (or
        hashed); Dockerfiles that install from the lock (`uv sync --locked`,
        `poetry install`) or from those pinned files; tagged base images.

    What makes it partial:
        Requirements only partly pinned; a Dockerfile that ignores the lock file
        (`pip install .`), adds unpinned packages (`pip install gunicorn`) or uses
        an untagged/`:latest` base image.

    How to satisfy:
        `uv lock` and `RUN uv sync --locked --no-dev` in the Dockerfile, or
        `pip-compile --generate-hashes` and `pip install --require-hashes -r
        requirements.txt`; pin every extra package with `==`.
    """
    locks = [p for p in facts.glob(*PYTHON_LOCKS)
             if facts.role(p) == "production" and _project_lock(facts, p)]
    requirements = production_requirements(facts)
    pinned = [r for r in requirements if r.pinned or r.hashed]
    share = len(pinned) / len(requirements) if requirements else 0.0
    docker = _docker_pins(facts, bool(locks))
    problems: list[Evidence] = [*docker.ignores_lock, *docker.unpinned, *docker.floating_base]
    lock_ev = [facts.evidence(p, 1) for p in locks[:3]]
    pin_ev = [facts.evidence(r.path, r.line) for r in pinned[:3]]
    loose = [facts.evidence(r.path, r.line, note=f"{r.name} {r.spec or 'unpinned'}")
             for r in requirements if not (r.pinned or r.hashed)][:4]
    if locks or (requirements and share >= 0.9):
        basis = f"lock file {', '.join(locks[:2])}" if locks else \
            f"{len(pinned)} of {len(requirements)} requirements pinned with =="
        evidence = [*lock_ev, *pin_ev[:2], *docker.uses_lock[:2], *docker.installs[:1]]
        if not problems:
            return implemented(f"Dependencies are pinned ({basis}).", dedupe(evidence))
        return partial(f"Dependencies are pinned ({basis}) but the image build does not use "
                       "them fully (see notes).", dedupe([*evidence, *problems[:5]]))
    if pinned:
        return partial(f"Only {len(pinned)} of {len(requirements)} requirements are pinned "
                       "and there is no lock file.", [*pin_ev, *loose, *problems[:3]])
    context = loose or [facts.evidence(r.path, r.line) for r in facts.requirements[:3]]
    return missing("No lock file and no ==-pinned requirements were found "
                   "(looked for uv.lock, poetry.lock, Pipfile.lock, pdm.lock, pylock.toml "
                   "and requirements files).", context=context)

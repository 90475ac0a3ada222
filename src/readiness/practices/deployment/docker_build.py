"""deploy.docker-build: shipped images are small, reproducible multi-stage builds."""

from __future__ import annotations

import re
from dataclasses import dataclass

from readiness.facts import RepoFacts
from readiness.facts.dockerfile import Dockerfile, Instruction
from readiness.model import AntiPatternHit, Evidence
from readiness.practices.deployment._dockerfiles import LEAN_BASE, final_base, has_dockerignore
from readiness.practices.helpers import dedupe
from readiness.practices.images import image_ref, shell_words, shipping_dockerfiles
from readiness.practices.registry import Outcome, anti, implemented, missing, partial, practice

_NO_CACHE = re.compile(r"--no-cache-dir|--no-cache\b|PIP_NO_CACHE_DIR|--mount=type=cache|"
                       r"rm -rf /var/lib/apt/lists|UV_NO_CACHE")


def _copy_sources(instruction: Instruction) -> list[str]:
    form = instruction.exec_form
    tokens = form if form is not None else shell_words(instruction.args)
    plain = [t for t in tokens if not t.startswith("--")]
    return plain[:-1] if len(plain) >= 2 else []


def broad_copies(dockerfile: Dockerfile) -> list[Instruction]:
    """``COPY . .``-style instructions that send the whole build context into the image."""
    out = []
    for instruction in dockerfile.instructions:
        if instruction.keyword not in ("COPY", "ADD") or "--from" in instruction.args:
            continue
        if any(s.rstrip("/") in (".", "") or s in ("./", "*") for s in _copy_sources(instruction)):
            out.append(instruction)
    return out


def _stage_copies(dockerfile: Dockerfile) -> list[Instruction]:
    """``COPY --from=<earlier stage>`` (or ``RUN --mount=...,from=<stage>``) instructions."""
    names = {s.alias.lower() for s in dockerfile.stages if s.alias}
    names |= {str(s.index) for s in dockerfile.stages}
    out = []
    for instruction in dockerfile.instructions:
        for match in re.finditer(r"(?:--from=|\bfrom=)([^\s,]+)", instruction.args):
            if match.group(1).strip("\"'").lower() in names and instruction.keyword in (
                    "COPY", "ADD", "RUN"):
                out.append(instruction)
                break
    return out


@dataclass
class _ImageGrade:
    grade: str  # lean | partial | fat
    evidence: list[Evidence]
    antis: list[AntiPatternHit]
    summary: str


def _grade_image(facts: RepoFacts, dockerfile: Dockerfile) -> _ImageGrade:
    path = dockerfile.path
    antis = []
    for stage in dockerfile.stages:
        ref = image_ref(dockerfile, stage)
        if ref.floating:
            what = "`:latest`" if ref.latest else "untagged"
            antis.append(anti(f"{what} base image `{ref.text}`: builds are not reproducible",
                              facts.evidence(path, stage.line)))
    ignore = has_dockerignore(facts, dockerfile)
    for instruction in broad_copies(dockerfile):
        if ignore is None:
            antis.append(anti("`COPY .` without a .dockerignore copies .git, .env and local "
                              "artefacts into the image", facts.evidence(path, instruction.line)))
    copies = _stage_copies(dockerfile)
    multi = len(dockerfile.stages) >= 2 and bool(copies)
    base = final_base(dockerfile)
    lean = base is not None and bool(LEAN_BASE.search(base.text))
    controlled = ignore is not None or not broad_copies(dockerfile)
    evidence = [facts.evidence(path, s.line) for s in dockerfile.stages]
    evidence += [facts.evidence(path, i.line) for i in copies[:2]]
    if ignore:
        evidence.append(facts.evidence(ignore, 1))
    evidence += [facts.evidence(path, i.line) for i in dockerfile.instructions
                 if i.keyword == "RUN" and _NO_CACHE.search(i.args)][:2]
    traits = [("multi-stage" if multi else "single-stage"),
              ("slim base" if lean else "full base"),
              (".dockerignore" if ignore else "no .dockerignore")]
    summary = f"{path}: " + ", ".join(traits)
    if multi and controlled:
        return _ImageGrade("lean", evidence, antis, summary)
    if multi or lean or ignore:
        return _ImageGrade("partial", evidence, antis, summary)
    return _ImageGrade("fat", evidence, antis, summary)


@practice(
    "deploy.docker-build", "Lean multi-stage image", priority="M", effort="L", applies="CONT",
    sources=("S1",), aliases=("dockerfile", "docker image", "multi-stage build", "docker build",
                                        "docker", "docker containers", "containerized",
                                        "containerised"),
    recommendation="Build in two stages (install dependencies in a builder, `COPY --from=` "
                   "only the result), start from a pinned slim or distroless base, add a "
                   "`.dockerignore` and install with `--no-cache-dir`.",
)
def check_docker_build(facts: RepoFacts) -> Outcome:
    """Shipped images are small, reproducible and free of build tools and local files.

    Why it matters:
        A single-stage image carries compilers, caches and whatever sat in the build
        context (.git, .env, data); it is slow to pull, large to scan and may leak
        secrets. A `:latest` base changes under you between two builds.

    What counts as evidence:
        Per shipped Dockerfile (test, dev and CI images are ignored): two or more
        stages with `COPY --from=<stage>`, a build context controlled by a
        `.dockerignore` (or no `COPY .`), a slim/alpine/distroless base, tagged base
        images, `--no-cache-dir` or cache mounts.

    What makes it partial:
        Implemented needs every shipped image to be multi-stage with a controlled
        build context. A single-stage image on a slim base or with a `.dockerignore`,
        or a multi-stage build copying an unfiltered context, is partial. A
        `:latest`/untagged base or `COPY .` without `.dockerignore` caps the status
        at partial.

    How to satisfy:
        `FROM python:3.12-slim AS build` installing into a venv, then
        `FROM python:3.12-slim` with `COPY --from=build /venv /venv`, and a
        `.dockerignore` listing .git, .env, tests and data.
    """
    images = shipping_dockerfiles(facts)
    if not images:
        return missing("No Dockerfile with a FROM instruction was found.")
    grades = [_grade_image(facts, d) for d in images]
    evidence = dedupe(e for g in grades for e in g.evidence)
    antis = [a for g in grades for a in g.antis]
    summary = "; ".join(g.summary for g in grades[:4])
    if all(g.grade == "lean" for g in grades):
        return implemented(f"Multi-stage builds with a controlled build context ({summary}).",
                           evidence[:12], antis)
    if any(g.grade in ("lean", "partial") for g in grades):
        return partial(f"Not every shipped image is a lean multi-stage build ({summary}).",
                       evidence[:12], antis)
    return missing(f"Single-stage images on full base images without a .dockerignore "
                   f"({summary}).", antis,
                   context=[facts.evidence(d.path, d.stages[0].line) for d in images[:3]])

"""Dockerfile structure the container rules share: stage chains and build context.

The stages the shipped image derives from, its base image, and the
``.dockerignore`` and compose builds that decide what it is built from.
"""

from __future__ import annotations

import re

from readiness.facts import RepoFacts
from readiness.facts.dockerfile import Dockerfile, Instruction
from readiness.facts.yaml_facts import YMap
from readiness.practices.images import ImageRef, image_ref

LEAN_BASE = re.compile(r"slim|alpine|distroless|chainguard|wolfi|scratch|minimal|micro|"
                        r"busybox|-lite\b|ubi\d*-minimal", re.I)


def final_base(dockerfile: Dockerfile) -> ImageRef | None:
    """The external image the shipped stage is built on (following stage-to-stage FROMs)."""
    stage = dockerfile.final_stage()
    seen: set[int] = set()
    while stage is not None and stage.index not in seen:
        seen.add(stage.index)
        ref = image_ref(dockerfile, stage)
        if not ref.stage_ref:
            return ref
        stage = next((s for s in dockerfile.stages
                      if (s.alias or "").lower() == ref.text.lower()), None)
    return None


def final_chain(dockerfile: Dockerfile) -> list[int]:
    """Indexes of the final stage and the stages it is built FROM (not COPY --from)."""
    chain: list[int] = []
    stage = dockerfile.final_stage()
    while stage is not None and stage.index not in chain:
        chain.append(stage.index)
        ref = image_ref(dockerfile, stage)
        if not ref.stage_ref:
            break
        stage = next((s for s in dockerfile.stages
                      if (s.alias or "").lower() == ref.text.lower()), None)
    return chain


def chain_instructions(dockerfile: Dockerfile, keyword: str) -> list[Instruction]:
    """Instructions of ``keyword`` in the final stage or the stages it derives from."""
    chain = set(final_chain(dockerfile))
    return [i for i in dockerfile.instructions if i.stage in chain and i.keyword == keyword]


def has_dockerignore(facts: RepoFacts, dockerfile: Dockerfile) -> str | None:
    """The ``.dockerignore`` that applies to this Dockerfile's build context, if any."""
    ignores = set(facts.glob(".dockerignore", "*.dockerignore", production=None))
    candidates = [f"{dockerfile.path}.dockerignore"]
    for context in build_contexts(facts, dockerfile):
        candidates.append(f"{context}/.dockerignore" if context else ".dockerignore")
    for candidate in candidates:
        if candidate in ignores:
            return candidate
    return None


def build_contexts(facts: RepoFacts, dockerfile: Dockerfile) -> list[str]:
    """Directories that may be this Dockerfile's build context: compose ``build.context``
    values first, then its own directory and its ancestors (``docker build -f x/Dockerfile .``)."""
    contexts = [context for _p, _n, _s, context, target in compose_builds(facts)
                if target == dockerfile.path]
    directory = dockerfile.path.rsplit("/", 1)[0] if "/" in dockerfile.path else ""
    contexts.append(directory)
    while directory:
        directory = directory.rsplit("/", 1)[0] if "/" in directory else ""
        contexts.append(directory)
    return contexts


def compose_builds(facts: RepoFacts) -> list[tuple[str, str, YMap, str, str]]:
    """(compose path, service, service mapping, build context dir, Dockerfile path) for every
    compose service built from a Dockerfile in the repository."""
    out = []
    for path, name, service in facts.compose_services(production=None):
        build = service.get("build")
        if build is None:
            continue
        compose_dir = path.rsplit("/", 1)[0] if "/" in path else ""
        if isinstance(build, YMap):
            context = _join(compose_dir, str(build.get("context", ".")))
            target = _join(context, str(build.get("dockerfile", "Dockerfile")))
        else:
            context = _join(compose_dir, str(build))
            target = _join(context, "Dockerfile")
        out.append((path, name, service, context, target))
    return out


def _join(*parts: str) -> str:
    """Join and normalise relative path parts (``a/./b/../c`` -> ``a/c``)."""
    stack: list[str] = []
    for part in "/".join(p for p in parts if p).split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if stack:
                stack.pop()
            continue
        stack.append(part)
    return "/".join(stack)

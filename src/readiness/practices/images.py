"""Which Dockerfiles ship to production, and the base image each of their stages uses.

Shared by the container rules and by dependency pinning; ARG/ENV defaults are
substituted into ``FROM`` before an image reference is judged.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from readiness.facts import RepoFacts
from readiness.facts.dockerfile import Dockerfile, Stage

# Images built only for tests, local development or CI do not ship to production.
_NON_SHIPPING = re.compile(r"(^|[./_-])(test|tests|dev|devel|develop|ci|e2e|playwright|local|"
                           r"debug|devcontainer)([./_-]|$)", re.I)

_VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)(?::?[-=]([^}]*))?\}?")


@dataclass(frozen=True)
class ImageRef:
    """A base image as written in ``FROM`` (variables resolved from ARG defaults)."""

    text: str
    name: str
    tag: str | None
    digest: str | None
    stage_ref: bool  # FROM an earlier build stage
    unresolved: bool  # still holds a variable after ARG substitution

    @property
    def untagged(self) -> bool:
        return not self.stage_ref and not self.unresolved and self.name != "scratch" and \
            self.digest is None and self.tag is None

    @property
    def latest(self) -> bool:
        return not self.stage_ref and self.digest is None and self.tag == "latest"

    @property
    def floating(self) -> bool:
        """``:latest`` or no tag at all: the build changes under you."""
        return self.untagged or self.latest


def shipping_dockerfiles(facts: RepoFacts) -> list[Dockerfile]:
    """Production Dockerfiles, without the images built only for tests, dev or CI
    (all of them when every Dockerfile looks like a dev image)."""
    all_files = [d for d in facts.dockerfiles() if d.stages]
    shipping = [d for d in all_files if not _NON_SHIPPING.search(d.path.rsplit("/", 1)[-1])
                and not re.search(r"(^|/)(\.devcontainer|e2e|ci)/", d.path)]
    return shipping or all_files


def arg_defaults(dockerfile: Dockerfile) -> dict[str, str]:
    """``ARG NAME=value`` and ``ENV NAME=value`` defaults, for variable substitution."""
    values: dict[str, str] = {}
    for instruction in dockerfile.instructions:
        if instruction.keyword not in ("ARG", "ENV"):
            continue
        for token in shell_words(instruction.args):
            if "=" in token:
                key, _, value = token.partition("=")
                values.setdefault(key, value.strip("\"'"))
    return values


def shell_words(text: str) -> list[str]:
    """The words of a shell command as the shell splits them (plain split if quoting is broken)."""
    try:
        return shlex.split(text, comments=False, posix=True)
    except ValueError:
        return text.split()


def substitute(text: str, values: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if name in values:
            return values[name]
        return default if default else match.group(0)

    return _VARIABLE.sub(replace, text)


def image_ref(dockerfile: Dockerfile, stage: Stage) -> ImageRef:
    aliases = {s.alias.lower() for s in dockerfile.stages[:stage.index] if s.alias}
    text = substitute(stage.image, arg_defaults(dockerfile))
    if text.lower() in aliases or text in {str(i) for i in range(stage.index)}:
        return ImageRef(text, text, None, None, True, False)
    unresolved = "$" in text
    rest, _, digest = text.partition("@")
    last = rest.rsplit("/", 1)[-1]
    tag = None
    if ":" in last:
        tag = last.split(":", 1)[1]
        rest = rest[: len(rest) - len(tag) - 1]
    return ImageRef(text, rest, tag or None, digest or None, False, unresolved)

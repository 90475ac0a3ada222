"""Every command line of the CI pipelines, with its failure and trigger policy.

GitHub Actions, GitLab, CircleCI, Azure, Bitbucket, Travis, Drone/Woodpecker
as parsed YAML (local composite actions and reusable workflows followed),
Jenkinsfiles and unparsable YAML as text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from readiness.facts import RepoFacts
from readiness.facts.yaml_facts import YList, YMap
from readiness.practices.helpers import yaml_true

_COMMAND_KEYS = frozenset({"run", "script", "before_script", "after_script", "commands",
                           "command", "bash", "sh", "pwsh", "powershell", "cmd", "inlineScript",
                           "install", "test_script"})
_PUSH_EVENTS = frozenset({"push", "pull_request", "pull_request_target", "merge_group"})


@dataclass(frozen=True)
class Command:
    """One line of a CI command, with the failure and trigger policy around it."""

    path: str
    line: int
    text: str  # one line of a command
    blocking: bool  # False under continue-on-error / allow_failure
    automatic: bool  # False for manual or schedule-only pipelines
    workdir: str


def _on_events(doc: YMap) -> set[str] | None:
    """GitHub Actions trigger names (``on:`` parses as True in YAML 1.1); None if not GHA."""
    value = doc.get("on", doc.get(True))
    if value is None:
        return None
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {str(v) for v in value}
    if isinstance(value, dict):
        return {str(k) for k in value}
    return set()


def _block_offset(facts: RepoFacts, path: str, key_line: int) -> int:
    """1 when the value of the key on ``key_line`` is a block scalar (``run: |``)."""
    return 1 if re.search(r":\s*[|>][-+0-9]*\s*(#.*)?$", facts.line(path, key_line)) else 0


def _commands_in(facts: RepoFacts, path: str, node: Any, *, blocking: bool, automatic: bool,
                 workdir: str) -> Iterator[Command]:
    """Every command line under ``node``, with the failure policy of its enclosing maps."""
    if isinstance(node, YMap):
        blocking = blocking and not yaml_true(node.get("continue-on-error")) and \
            not yaml_true(node.get("allow_failure")) and not isinstance(node.get("allow_failure"),
                                                                      YMap)
        if str(node.get("when", "")).strip() == "manual" or node.get("if") is False:
            automatic = False
        defaults = node.get("defaults")
        if isinstance(defaults, YMap) and isinstance(defaults.get("run"), YMap):
            workdir = str(defaults["run"].get("working-directory", workdir))
        workdir = str(node.get("working-directory", node.get("workingDirectory", workdir)))
        for key, value in node.items():
            if key in _COMMAND_KEYS:
                yield from _command_lines(facts, path, value, node.line_of(key), blocking,
                                          automatic, workdir)
            elif isinstance(value, (YMap, YList)):
                yield from _commands_in(facts, path, value, blocking=blocking,
                                        automatic=automatic, workdir=workdir)
    elif isinstance(node, YList):
        for item in node:
            if isinstance(item, (YMap, YList)):
                yield from _commands_in(facts, path, item, blocking=blocking,
                                        automatic=automatic, workdir=workdir)


def _command_lines(facts: RepoFacts, path: str, value: Any, key_line: int, blocking: bool,
                   automatic: bool, workdir: str) -> Iterator[Command]:
    if isinstance(value, str):
        offset = _block_offset(facts, path, key_line)
        for index, text in enumerate(value.splitlines() or [value]):
            yield Command(path, key_line + offset + index, text, blocking, automatic, workdir)
    elif isinstance(value, YList):
        for index, item in enumerate(value):
            if isinstance(item, str):
                yield Command(path, value.line_of(index), item, blocking, automatic, workdir)
            elif isinstance(item, YMap):  # CircleCI `- run: {command: ...}` and the like
                yield from _commands_in(facts, path, item, blocking=blocking,
                                        automatic=automatic, workdir=workdir)
    elif isinstance(value, YMap):
        yield from _commands_in(facts, path, value, blocking=blocking, automatic=automatic,
                                workdir=workdir)


def _local_action_steps(facts: RepoFacts, node: Any) -> Iterator[tuple[str, Any]]:
    """Steps of local composite actions (``uses: ./.github/actions/x``) used in ``node``."""
    if isinstance(node, YMap):
        uses = node.get("uses")
        if isinstance(uses, str) and uses.startswith("./"):
            base = uses[2:].rstrip("/")
            for name in (f"{base}/action.yml", f"{base}/action.yaml", base):
                for doc in facts.yaml_docs.get(name, []):
                    if isinstance(doc, YMap) and isinstance(doc.get("runs"), YMap):
                        yield name, doc["runs"]
        for value in node.values():
            yield from _local_action_steps(facts, value)
    elif isinstance(node, YList):
        for item in node:
            yield from _local_action_steps(facts, item)


def _reusable_callers(facts: RepoFacts) -> set[str]:
    """Workflow files called (``uses: ./.github/workflows/x.yml``) by a push/PR workflow."""
    called: set[str] = set()
    for _path, doc in facts.ci_documents():
        if not isinstance(doc, YMap) or not (_on_events(doc) or set()) & _PUSH_EVENTS:
            continue
        jobs = doc.get("jobs")
        if isinstance(jobs, YMap):
            for job in jobs.values():
                if isinstance(job, YMap) and isinstance(job.get("uses"), str) and \
                        job["uses"].startswith("./"):
                    called.add(job["uses"][2:].split("@")[0])
    return called


def ci_commands(facts: RepoFacts) -> list[Command]:
    """Every command line of the repository's CI pipelines."""
    called = _reusable_callers(facts)
    out: list[Command] = []
    for path, doc in facts.ci_documents():
        if not isinstance(doc, YMap):
            continue
        events = _on_events(doc)
        automatic = events is None or bool(events & _PUSH_EVENTS) or path in called
        out.extend(_commands_in(facts, path, doc, blocking=True, automatic=automatic,
                                workdir=""))
        for action_path, runs in _local_action_steps(facts, doc):
            out.extend(_commands_in(facts, action_path, runs, blocking=True,
                                    automatic=automatic, workdir=""))
    parsed = {p for p, _ in facts.ci_documents()}
    for path in facts.ci_files():  # Jenkinsfiles, and YAML that could not be parsed: text
        if path in parsed:
            continue
        for number, text in enumerate(facts.lines(path), start=1):
            out.append(Command(path, number, text, True, True, ""))
    return out

"""deploy.ci: CI runs the test suite on every push or pull request and fails on red."""

from __future__ import annotations

import re
from dataclasses import dataclass

from readiness.facts import RepoFacts
from readiness.facts.yaml_facts import YMap
from readiness.model import Evidence
from readiness.practices.deployment._ci_commands import Command, ci_commands
from readiness.practices.deployment._test_runners import runner_in
from readiness.practices.registry import Outcome, implemented, missing, partial, practice

_NON_BLOCKING = re.compile(r"(\|\|\s*(true|:|exit\s+0)\b|;\s*true\s*$|\bset\s+\+e\b)")


@dataclass(frozen=True)
class _TestRun:
    command: Command
    kind: str  # "python" | "frontend"
    blocking: bool
    via: str  # "" or the script/make target followed to find the runner


def _test_runs(facts: RepoFacts, commands: list[Command]) -> list[_TestRun]:
    runs = []
    for command in commands:
        workdirs = tuple(dict.fromkeys((command.workdir, "")))
        found = runner_in(facts, command.text, workdirs, 0)
        if found is None:
            continue
        blocking = command.blocking and not _NON_BLOCKING.search(command.text)
        runs.append(_TestRun(command, found[0], blocking, found[1]))
    return runs


def _trigger_line(facts: RepoFacts, path: str) -> Evidence | None:
    for doc_path, doc in facts.ci_documents():
        if doc_path == path and isinstance(doc, YMap):
            key = "on" if "on" in doc else True if True in doc else None
            if key is not None:
                return facts.evidence(path, doc.line_of(key), note="pipeline trigger")
    return None


def _run_ev(facts: RepoFacts, run: _TestRun, note: str = "") -> Evidence:
    text = note or (f"tests via {run.via}" if run.via else "runs the tests")
    return facts.evidence(run.command.path, run.command.line, note=text)


@practice(
    "deploy.ci", "CI runs tests", priority="C", effort="L", applies="ALL",
    statuses="implemented partial missing",
    sources=("S1", "S2", "FOW stab"),
    aliases=("ci", "continuous integration", "ci pipeline", "github actions", "ci/cd",
             "ci runs the tests"),
    recommendation="Add a CI workflow triggered on push and pull request that installs the "
                   "project and runs `pytest` (or tox/nox/`make test`), and let a failing "
                   "test fail the build.",
)
def check_ci(facts: RepoFacts) -> Outcome:
    """A CI pipeline runs the test suite on every push or pull request and fails on red tests.

    Why it matters:
        Tests that nobody runs stop protecting anything; CI is what turns a test
        suite into a gate, so a regression is caught before it merges and
        deploys.

    What counts as evidence:
        A GitHub Actions workflow triggered on `push`/`pull_request` (or a GitLab,
        CircleCI, Azure, Bitbucket, Travis, Drone or Jenkins pipeline) with a step
        that runs pytest, tox, nox, `manage.py test`, unittest, `coverage run`,
        or a `make` target / shell script that does. Local composite actions and
        reusable workflows are followed.

    What makes it partial:
        A pipeline that only lints or builds, tests that cannot fail the build
        (`continue-on-error: true`, `allow_failure: true`, `|| true`), tests that
        run only on a schedule or by hand, or only frontend tests.

    How to satisfy:
        `.github/workflows/ci.yml` with `on: [push, pull_request]` and a job whose
        steps install the project and run `pytest`; no `continue-on-error`.
    """
    ci_files = facts.ci_files()
    if not ci_files:
        return missing("No CI configuration found (looked for .github/workflows, "
                       ".gitlab-ci.yml, .circleci, azure-pipelines, bitbucket-pipelines, "
                       "Jenkinsfile, .travis.yml, Drone/Woodpecker).")
    runs = _test_runs(facts, ci_commands(facts))
    gating = [r for r in runs if r.kind == "python" and r.blocking and r.command.automatic]
    if gating:
        trigger = _trigger_line(facts, gating[0].command.path)
        evidence = [e for e in (trigger,) if e is not None]
        evidence += [_run_ev(facts, r) for r in gating[:4]]
        files = sorted({r.command.path for r in gating})
        return implemented(f"CI runs the tests on push/PR ({', '.join(files[:3])}).", evidence)
    python_runs = [r for r in runs if r.kind == "python"]
    if [r for r in python_runs if r.command.automatic]:
        return partial("CI runs the tests but a failure cannot fail the build "
                       "(continue-on-error, allow_failure or `|| true`).",
                       [_run_ev(facts, r, "non-blocking test step") for r in python_runs[:4]])
    if python_runs:
        return partial("Tests run in CI only on a schedule or by hand, not on push/PR.",
                       [_run_ev(facts, r, "not triggered by push/PR") for r in python_runs[:4]])
    if runs:
        return partial("CI runs only frontend/end-to-end JavaScript tests; the Python "
                       "service's tests are not run.", [_run_ev(facts, r) for r in runs[:4]])
    evidence = [facts.evidence(p, 1, note="CI without a test step") for p in ci_files[:4]]
    return partial("CI exists but runs no tests (lint, build or deploy only).", evidence)

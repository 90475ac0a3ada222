"""Whether a CI command runs the tests, directly or through a script or target."""

from __future__ import annotations

import posixpath
import re

from readiness.facts import RepoFacts

_TEST_RUNNER = re.compile(
    r"\bpytest\b|\bpy\.test\b|(?<![\w-])tox(?![\w.-])|(?<![\w-])nox(?![\w.-])|"
    r"manage\.py\s+test\b|django-admin\s+test\b|-m\s+unittest\b|\bunittest\s+discover\b|"
    r"\bcoverage\s+run\b|\bhatch\s+(test|run\s+\S*test\S*)\b|\b(poe|just|invoke|inv)\s+test|"
    r"\bnose2?\b|\bbehave\b|\bward\b|\bruntests?\.(py|sh)\b|\brun_tests?\.(py|sh)\b|"
    r"\bpdm\s+run\s+test|\brye\s+test\b")
_FRONTEND_TESTS = re.compile(r"\b(npm|yarn|pnpm|bun)\s+(run\s+)?test\b|\bplaywright\s+test\b|"
                             r"\bvitest\b|\bjest\b|\bcypress\s+run\b")
_INSTALL = re.compile(r"\b(pip3?|uv\s+pip|pipx|poetry|uv|conda|mamba|apt(-get)?|brew|npm|"
                      r"yarn|pnpm)\s+(install|add|sync)\b|--with\s+\S*(pytest|tox|nox)|"
                      r"^\s*(echo|#)")
_LINT_ONLY_ENV = re.compile(r"^(lint|flake8|ruff|mypy|pyright|typing|type|types|format|fmt|"
                            r"docs?|pre-commit|precommit|style|black|isort|pylint|bandit|"
                            r"security|build|release|pkg|package|check-manifest|safety)$")

_SCRIPT_TOKEN = re.compile(r"(?<![\w$])((?:\.{0,2}/)?[\w./-]+\.sh)\b")
_TASK = re.compile(r"(?<![\w-])task\s+(?:-\S+\s+)*([\w:.-]+)")
_MAKE = re.compile(r"\bmake\s+(?:-\S+\s+)*([\w.-]+(?:\s+[\w.-]+)*)")


def _resolve(facts: RepoFacts, token: str, workdirs: tuple[str, ...]) -> str | None:
    """A repository path for a script or Makefile named in a command."""
    token = token.strip("'\"")
    for base in workdirs:
        candidate = posixpath.normpath(posixpath.join(base, token)) if base else \
            posixpath.normpath(token)
        if facts.text(candidate) is not None:
            return candidate
    name = token.rsplit("/", 1)[-1]
    matches = [p for p in facts.glob(name, production=None) if p.endswith("/" + token.lstrip(
        "./")) or p == token.lstrip("./")]
    matches = matches or facts.glob(name, production=None)
    return sorted(matches, key=len)[0] if matches else None


def _make_target_lines(text: str, target: str, depth: int = 0) -> list[str]:
    """Recipe lines of a Makefile target, following its prerequisites a little."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        match = re.match(rf"^{re.escape(target)}\s*:(?!=)(.*)$", line)
        if not match:
            continue
        recipe: list[str] = []
        for follow in lines[index + 1:]:
            if not follow.startswith("\t") and follow.strip():
                break
            recipe.append(follow.strip())
        if depth < 2:
            for prerequisite in match.group(1).split():
                recipe += _make_target_lines(text, prerequisite, depth + 1)
        return recipe
    return []


def runner_in(facts: RepoFacts, text: str, workdirs: tuple[str, ...], depth: int
               ) -> tuple[str, str] | None:
    """("python"|"frontend", via) when ``text`` runs tests, directly or through a script."""
    segments = [s for s in re.split(r"&&|;|\|\|", text) if not _INSTALL.search(s)]
    text = " ; ".join(segments)
    if not text.strip():
        return None
    match = _TEST_RUNNER.search(text)
    if match and not _lint_only_env(text, match.group(0)):
        return "python", ""
    if _FRONTEND_TESTS.search(text):
        return "frontend", ""
    if depth >= 3:
        return None
    for token in _SCRIPT_TOKEN.findall(text):
        script = _resolve(facts, token, workdirs)
        if script is None:
            continue
        script_dir = script.rsplit("/", 1)[0] if "/" in script else ""
        for line in (facts.text(script) or "").splitlines():
            found = runner_in(facts, line, (*workdirs, script_dir), depth + 1)
            if found:
                return found[0], script
    task = _TASK.search(text)
    if task:
        found = _task_runner(facts, task.group(1), workdirs, depth)
        if found:
            return found
    make = _MAKE.search(text)
    if make:
        makefile = _resolve(facts, "Makefile", workdirs)
        for target in make.group(1).split():
            recipe = _make_target_lines(facts.text(makefile) or "", target) if makefile else []
            if not recipe:  # the Makefile is not in the repository: trust the target's name
                if re.fullmatch(r"(unit-?)?tests?|check|ci|coverage|cov", target):
                    return "python", f"make {target}"
                continue
            for line in recipe:
                found = runner_in(facts, line, workdirs, depth + 1)
                if found:
                    return found[0], f"{makefile} ({target})"
    return None


def _task_target_lines(text: str, target: str, depth: int = 0) -> list[str]:
    """Command lines of a go-task ``Taskfile.yml`` task, following ``task:`` references.

    Taskfiles carry Go templates (``{{ .CLI_ARGS }}``), so they are read as text."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        match = re.match(rf"^(\s*){re.escape(target)}:\s*$", line)
        if not match:
            continue
        indent = len(match.group(1))
        body: list[str] = []
        for follow in lines[index + 1:]:
            if follow.strip() and len(follow) - len(follow.lstrip()) <= indent:
                break
            body.append(follow.strip().removeprefix("- ").removeprefix("cmd:").strip())
        if depth < 2:
            for item in list(body):
                reference = re.match(r"^task:\s*([\w:.-]+)$", item)
                if reference:
                    body += _task_target_lines(text, reference.group(1), depth + 1)
        return body
    return []


def _task_runner(facts: RepoFacts, target: str, workdirs: tuple[str, ...], depth: int
                 ) -> tuple[str, str] | None:
    taskfile = next((p for p in (_resolve(facts, n, workdirs) for n in
                                 ("Taskfile.yml", "Taskfile.yaml", "taskfile.yml")) if p), None)
    body = _task_target_lines(facts.text(taskfile) or "", target) if taskfile else []
    if not body:  # the Taskfile is not in the repository: trust the task's name
        return ("python", f"task {target}") if re.search(r"test", target) else None
    for line in body:
        found = runner_in(facts, line, workdirs, depth + 1)
        if found:
            return found[0], f"{taskfile} ({target})"
    return None


def _lint_only_env(text: str, runner: str) -> bool:
    """``tox -e lint`` / ``nox -s mypy``: the runner is used for lint, not tests."""
    if runner.strip() not in ("tox", "nox"):
        return False
    match = re.search(rf"\b{runner.strip()}\b.*?\s-(e|s|-session|-env)[\s=]+([\w,.-]+)", text)
    if not match:
        return False
    return all(_LINT_ONLY_ENV.match(env) for env in match.group(2).split(","))

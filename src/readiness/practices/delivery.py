"""Delivery practices: CI that runs the tests, runtime feature flags.

CI configuration is read as parsed YAML (GitHub Actions, GitLab CI, CircleCI,
Azure, Bitbucket, Travis, Drone/Woodpecker) or as text (Jenkinsfile). Commands
are followed one or two steps into the repository (a `make test` target, a
`scripts/test.sh`) because many pipelines call the test runner indirectly.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from readiness.facts import RepoFacts
from readiness.facts.python.records import ClassDef, ModuleFacts
from readiness.facts.yaml_facts import YList, YMap
from readiness.model import Evidence
from readiness.practices.helpers import call_ev, dedupe
from readiness.practices.registry import Outcome, implemented, missing, partial, practice

# ------------------------------------------------------------------------ CI

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
_NON_BLOCKING = re.compile(r"(\|\|\s*(true|:|exit\s+0)\b|;\s*true\s*$|\bset\s+\+e\b)")
_SCRIPT_TOKEN = re.compile(r"(?<![\w$])((?:\.{0,2}/)?[\w./-]+\.sh)\b")
_TASK = re.compile(r"(?<![\w-])task\s+(?:-\S+\s+)*([\w:.-]+)")
_MAKE = re.compile(r"\bmake\s+(?:-\S+\s+)*([\w.-]+(?:\s+[\w.-]+)*)")
_COMMAND_KEYS = frozenset({"run", "script", "before_script", "after_script", "commands",
                           "command", "bash", "sh", "pwsh", "powershell", "cmd", "inlineScript",
                           "install", "test_script"})
_PUSH_EVENTS = frozenset({"push", "pull_request", "pull_request_target", "merge_group"})


@dataclass(frozen=True)
class _Command:
    path: str
    line: int
    text: str  # one line of a command
    blocking: bool  # False under continue-on-error / allow_failure
    automatic: bool  # False for manual or schedule-only pipelines
    workdir: str


@dataclass(frozen=True)
class _TestRun:
    command: _Command
    kind: str  # "python" | "frontend"
    blocking: bool
    via: str  # "" or the script/make target followed to find the runner


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


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _block_offset(facts: RepoFacts, path: str, key_line: int) -> int:
    """1 when the value of the key on ``key_line`` is a block scalar (``run: |``)."""
    return 1 if re.search(r":\s*[|>][-+0-9]*\s*(#.*)?$", facts.line(path, key_line)) else 0


def _commands_in(facts: RepoFacts, path: str, node: Any, *, blocking: bool, automatic: bool,
                 workdir: str) -> Iterator[_Command]:
    """Every command line under ``node``, with the failure policy of its enclosing maps."""
    if isinstance(node, YMap):
        blocking = blocking and not _truthy(node.get("continue-on-error")) and \
            not _truthy(node.get("allow_failure")) and not isinstance(node.get("allow_failure"),
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
                   automatic: bool, workdir: str) -> Iterator[_Command]:
    if isinstance(value, str):
        offset = _block_offset(facts, path, key_line)
        for index, text in enumerate(value.splitlines() or [value]):
            yield _Command(path, key_line + offset + index, text, blocking, automatic, workdir)
    elif isinstance(value, YList):
        for index, item in enumerate(value):
            if isinstance(item, str):
                yield _Command(path, value.line_of(index), item, blocking, automatic, workdir)
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


def _ci_commands(facts: RepoFacts) -> list[_Command]:
    called = _reusable_callers(facts)
    out: list[_Command] = []
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
            out.append(_Command(path, number, text, True, True, ""))
    return out


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


def _runner_in(facts: RepoFacts, text: str, workdirs: tuple[str, ...], depth: int
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
            found = _runner_in(facts, line, (*workdirs, script_dir), depth + 1)
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
                found = _runner_in(facts, line, workdirs, depth + 1)
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
        found = _runner_in(facts, line, workdirs, depth + 1)
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


def _test_runs(facts: RepoFacts, commands: list[_Command]) -> list[_TestRun]:
    runs = []
    for command in commands:
        workdirs = tuple(dict.fromkeys((command.workdir, "")))
        found = _runner_in(facts, command.text, workdirs, 0)
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
    aliases=("ci", "continuous integration", "ci pipeline", "github actions", "automated tests"),
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
    runs = _test_runs(facts, _ci_commands(facts))
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


# -------------------------------------------------------------- feature flags

# Names that say "this switches a feature on or off".
_STRONG_FLAG = re.compile(r"(?:[A-Za-z][A-Za-z0-9]*_)+(?:enabled|disabled|ENABLED|DISABLED)|"
                          r"_?(?:enable|disable|ENABLE|DISABLE)_[A-Za-z0-9_]+|"
                          r"(?:FEATURE|FF|FLAG)_[A-Z0-9_]+|[A-Za-z0-9_]+_(?:feature_flag|"
                          r"FEATURE_FLAG)")
# Names that are flags only when they hold a boolean (USE_X, FEATURE_X, X_ON).
_WEAK_FLAG = re.compile(r"(?:USE|ALLOW)_[A-Z0-9_]+|[A-Z0-9_]+_(?:ON|OFF|OPEN)")
# Framework and security settings that are booleans but not product feature switches.
_NOT_A_FLAG = re.compile(
    r"(?i)^_?(?:(?:SQLALCHEMY|SESSION|WTF|CSRF|SECURE|CORS|CELERY|BABEL|MAIL|EMAIL|DEBUG|"
    r"TESTING|LOGGING|LOG|CACHE|PROPAGATE|JSON|TEMPLATES?|DJANGO|SSL|TLS)_\w*|"
    r"USE_(?:TZ|I18N|L10N|THOUSAND_SEPARATOR|X_FORWARDED_HOST|X_FORWARDED_PORT|X_SENDFILE|"
    r"ETAGS|DEPRECATED_PYTZ|\w*LOGGING\w*)|RATELIMIT_ENABLED|ENABLE_UTC|(?:RATELIMIT|LIMITER)_\w+|"
    r"ALLOWED_\w+|ALLOW_ORIGINS?\w*|\w*_SSL_\w*|\w*_TLS_\w*)$")
# Values that are parsed as booleans (a literal, an env helper with a bool cast, a comparison).
_BOOL_PARSE = re.compile(r"^(True|False)$|\benvbool\(|\benv\.bool\(|cast\s*=\s*bool|"
                         r"strtobool|\.lower\(\)\s*(==|in)\s|==\s*[\"'](true|1|yes|on)[\"']|"
                         r"\bin\s*[(\[{]\s*[\"'](1|true|yes|on)[\"']|as_bool|getboolean|"
                         r"parse_bool|str_to_bool|to_bool|_bool\(|\bbool\(")
# Classes whose fields are operator settings. Lower-case fields count only in the first kind:
# a `ModelConfig.dropout_enabled` is a per-call option, not a feature switch.
_SETTINGS_CLASS = re.compile(r"(Settings|Flags|Features|Toggles)\w*$")
_CONFIG_PATH = re.compile(r"(^|/)(config|configs|settings|conf|configuration|core)(/|\.py$)")
_UPPER_SETTINGS_CLASS = re.compile(r"(Settings|Config|Configuration|Conf|Flags|Features|"
                                   r"Options|Toggles|Env)\w*$")
_CONFIG_RECEIVER = (r"(?:\b\w*(?:config|settings|conf|flags|features|options|environ|"
                    r"CONFIG|SETTINGS|FLAGS|FEATURES)\w*|\bos\.environ|\benv)")
_CONDITION = re.compile(r"^\s*(?:el)?if\b|^\s*while\b|\bif\b.+\belse\b|"
                        r"^\s*@[\w.]+\(|^\s*return\b.*\b(?:and|or)\b|^\s*(?:and|or|not)\b")
_OPEN_CONDITION = re.compile(r"^\s*(?:el)?if\b.*(?:\(|\b(?:and|or)|\\)\s*$")
_ENV_READ = re.compile(r"(?:getenv|environ\.get|environ\[|env\.bool|envbool|env\.str|"
                       r"\bconfig)\s*\(?\s*[\"']([A-Za-z_][A-Za-z0-9_]*)[\"']")
@dataclass(frozen=True)
class _FlagService:
    name: str
    modules: tuple[str, ...]  # import prefixes
    evaluations: tuple[str, ...]  # calls that read a flag
    flags_only: bool = True  # False when the SDK also does other things (analytics)


_FLAG_SERVICES = (
    _FlagService("Unleash", ("UnleashClient",), ("*.is_enabled", "*.get_variant")),
    _FlagService("Flagsmith", ("flagsmith",), ("*.get_environment_flags",
                                               "*.get_identity_flags", "*.is_feature_enabled",
                                               "*.get_feature_value")),
    _FlagService("LaunchDarkly", ("ldclient",), ("*.variation", "*.variation_detail")),
    _FlagService("OpenFeature", ("openfeature",), ("*.get_boolean_value", "*.get_string_value",
                                                   "*.get_boolean_details",
                                                   "*.get_object_value")),
    _FlagService("django-waffle", ("waffle",), ("waffle.flag_is_active",
                                                "waffle.switch_is_active",
                                                "waffle.sample_is_active",
                                                "waffle.decorators.*", "waffle.mixins.*")),
    _FlagService("GrowthBook", ("growthbook",), ("*.is_on", "*.get_feature_value",
                                                 "*.eval_feature")),
    _FlagService("ConfigCat", ("configcatclient",), ("*.get_value", "*.get_value_details")),
    _FlagService("Split", ("splitio",), ("*.get_treatment", "*.get_treatments")),
    _FlagService("PostHog", ("posthog",), ("*.feature_enabled", "*.get_feature_flag",
                                           "*.is_feature_enabled"), flags_only=False),
    _FlagService("django-flags", ("flags.state", "flags.decorators", "flags.sources"),
                 ("flags.state.flag_enabled", "flags.state.flag_state",
                  "flags.decorators.*")),
)
_FLAG_FUNCTIONS = ("*.is_feature_enabled", "*.feature_enabled", "*.flag_enabled",
                   "*.flag_is_active", "*.is_flag_enabled", "*.is_feature_active",
                   "*.feature_is_enabled")


def _is_flag_name(name: str, boolean: bool) -> bool:
    if _NOT_A_FLAG.match(name):
        return False
    if _STRONG_FLAG.fullmatch(name):
        return not name.upper().startswith("FEATURE_") or boolean or name.upper() != name \
            or name.upper().endswith(("_ENABLED", "_DISABLED"))
    return boolean and bool(_WEAK_FLAG.fullmatch(name))


@dataclass(frozen=True)
class _FlagIndex:
    names: dict[str, Evidence]  # flag name -> where it is defined (settings, env, config)
    aliases: dict[tuple[str, str], Evidence]  # (file, name as written) -> env flag it holds
    derived: dict[str, Evidence]  # properties computed from other settings
    files_only: list[Evidence]  # flags in .env / compose / k8s files only


def _leaf_name(target: str) -> str:
    return re.split(r"[.\[]", target.rstrip("]"))[-1].strip("'\" ")


def _is_settings_class(module: ModuleFacts, owner: ClassDef, upper: bool) -> bool:
    """Operator settings, not a database row's options (``RecipeSettings`` table) or a
    per-call options object."""
    if any("BaseSettings" in base for base in owner.bases):
        return True
    orm = any(re.search(r"(^|\.)(\w*Base|Model|SQLModel|Document|DeclarativeBase)$", base)
              for base in owner.bases) or any(
        a.class_name == owner.name and a.target == "__tablename__" for a in module.assigns)
    if orm:
        return False
    if upper:
        return bool(_UPPER_SETTINGS_CLASS.search(owner.name))
    return bool(_SETTINGS_CLASS.search(owner.name)) and bool(_CONFIG_PATH.search(module.path))


def _build_flag_index(facts: RepoFacts) -> _FlagIndex:
    names: dict[str, Evidence] = {}
    aliases: dict[tuple[str, str], Evidence] = {}
    for module in facts.modules():
        classes = {c.name: c for c in module.classes}
        for assign in module.assigns:
            leaf = _leaf_name(assign.target)
            boolean = bool(_BOOL_PARSE.search(assign.value)) or \
                bool(re.search(r"\bbool\b", assign.annotation or ""))
            env_keys = [k for k in _ENV_READ.findall(assign.value) if _is_flag_name(k, boolean)]
            if not env_keys and not _is_flag_name(leaf, boolean):
                continue  # most assignments: decided without building evidence
            ev = facts.evidence(module.path, assign.line, note="flag definition")
            if env_keys:
                names.setdefault(env_keys[0], ev)
                aliases[(module.path, assign.target)] = ev
            if not _is_flag_name(leaf, boolean):
                continue
            owner = classes.get(assign.class_name or "")
            if owner is None:
                in_settings = not assign.scope  # a module-level constant
            else:
                in_settings = _is_settings_class(module, owner, upper=leaf.isupper())
            if (boolean and in_settings) or env_keys:
                names.setdefault(leaf, ev)
    derived: dict[str, Evidence] = {}
    for module, function in facts.functions():
        if _is_flag_name(function.name, True) and any(
                re.search(r"property|computed_field", d.raw) for d in function.decorators):
            derived.setdefault(function.name, facts.evidence(module.path, function.line,
                                                             note="derived toggle"))
    files_only = []
    for hit in facts.grep(r"^\s*(?:-\s*)?([A-Z][A-Z0-9_]*)\s*[=:]", kinds=("env", "yaml"),
                          flags=re.M, limit=400):
        key = re.match(r"^\s*(?:-\s*)?([A-Z][A-Z0-9_]*)", hit.text)
        if key and _is_flag_name(key.group(1), False) and key.group(1) not in names:
            files_only.append(facts.evidence(hit.path, hit.line, note="flag in config file"))
    return _FlagIndex(names, aliases, derived, files_only)


def _flag_refs(line: str, index: _FlagIndex, path: str) -> tuple[list[str], list[str]]:
    """(flags, derived toggles) that ``line`` reads from configuration."""
    found: list[str] = []
    derived: list[str] = []
    for match in re.finditer(r"(\.|\b)([A-Za-z_][A-Za-z0-9_]*)\b", line):
        name = match.group(2)
        bare = name.lstrip("_")
        if name in index.derived or bare in index.derived:
            if match.group(1) == ".":
                derived.append(name)
            continue
        known = name in index.names or bare in index.names
        if known and (match.group(1) == "." or name.isupper()):
            found.append(name)
    for match in re.finditer(rf"{_CONFIG_RECEIVER}\s*(?:\[\s*|\.get\(\s*|\(\s*)[\"']"
                             r"([A-Za-z_][A-Za-z0-9_]*)[\"']", line):
        if _is_flag_name(match.group(1), False):
            found.append(match.group(1))
    for match in re.finditer(r"getattr\(\s*\w*(?:settings|config|conf)\w*\s*,\s*[\"']"
                             r"([A-Za-z_][A-Za-z0-9_]*)[\"']", line, re.I):
        if _is_flag_name(match.group(1), False):
            found.append(match.group(1))
    for match in re.finditer(r"^\s*@[\w.]+\(\s*[\"']([A-Za-z_][A-Za-z0-9_]*)[\"']", line):
        if match.group(1) in index.names:
            found.append(match.group(1))
    for (file, target), _ev in index.aliases.items():
        if file == path and re.search(rf"(?<![\w.]){re.escape(target)}\b", line):
            found.append(target)
    return found, derived


def _mention_pattern(index: _FlagIndex) -> re.Pattern[str]:
    """Anything ``_flag_refs`` could recognise on a line: a known flag, derived toggle or
    alias, a configuration lookup, a getattr on settings, or a decorator argument."""
    names = {*index.names, *index.derived, *(target for _, target in index.aliases)}
    # A superset of _CONFIG_RECEIVER's words, case-sensitive and without their first letter
    # (so no case folding and no leading ``\w*``): ten times faster over a large tree.
    receivers = r"(?:onf|ONF|ettings|ETTINGS|lags|LAGS|eatures|EATURES|ptions|PTIONS|nv|NV)\w*"
    parts = [rf"{receivers}\s*(?:\[|\.get\(|\()", r"getattr\(", r"^\s*@[\w.]+\("]
    if names:
        words = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        parts.insert(0, rf"(?<![\w])_*(?:{words})\b")
    return re.compile("|".join(parts), re.M)


def _candidate_lines(facts: RepoFacts, path: str, mentions: re.Pattern[str]) -> list[int]:
    """Line numbers (ascending) that mention something a flag read could be made of; one
    pass of one regex over the file instead of several regexes on every line."""
    text = facts.text(path) or ""
    numbers: list[int] = []
    line = 1
    position = 0
    for match in mentions.finditer(text):
        line += text.count("\n", position, match.start())
        position = match.start()
        if not numbers or numbers[-1] != line:
            numbers.append(line)
    return numbers


def _decision_points(facts: RepoFacts, index: _FlagIndex
                     ) -> tuple[list[Evidence], list[Evidence]]:
    """(flag reads at decision points, derived-toggle reads at decision points)."""
    flags: list[Evidence] = []
    derived: list[Evidence] = []
    definitions = {(e.path, e.line) for e in [*index.names.values(), *index.aliases.values()]}
    mentions = _mention_pattern(index)
    for module in facts.modules():
        lines = facts.lines(module.path)
        for number in _candidate_lines(facts, module.path, mentions):
            line = lines[number - 1]
            if (module.path, number) in definitions or line.lstrip().startswith("#"):
                continue
            opened = number >= 2 and bool(_OPEN_CONDITION.search(lines[number - 2]))
            if not (_CONDITION.search(line) or opened):
                continue
            found, toggles = _flag_refs(line, index, module.path)
            if found:
                flags.append(facts.evidence(module.path, number,
                                            note=f"decision on {found[0]}"))
            elif toggles:
                derived.append(facts.evidence(module.path, number,
                                              note=f"decision on derived {toggles[0]}"))
    return flags, derived


def _one_per_flag_first(decisions: list[Evidence]) -> list[Evidence]:
    """Show many different flags before repeats; operator (UPPER_CASE, env) flags first."""
    seen: set[str] = set()
    firsts: list[Evidence] = []
    repeats: list[Evidence] = []
    for item in decisions:
        flag = item.note.removeprefix("decision on ")
        (repeats if flag in seen else firsts).append(item)
        seen.add(flag)
    firsts.sort(key=lambda e: not e.note.removeprefix("decision on ").isupper())
    return firsts + repeats


def _flag_services(facts: RepoFacts) -> tuple[list[Evidence], list[Evidence], list[str]]:
    """(service evaluations, service imported but never evaluated, service names)."""
    evaluated: list[Evidence] = []
    configured: list[Evidence] = []
    services: list[str] = []
    for service in _FLAG_SERVICES:
        imported = facts.imports(*service.modules)
        if not imported:
            continue
        importers = {m.path for m, _ in imported}
        checks = [call_ev(facts, m, c, note=f"{service.name} flag evaluated")
                  for m, c in facts.calls(*service.evaluations)
                  if m.path in importers or c.name.startswith(service.modules)]
        if checks:
            evaluated += checks[:3]
            services.append(service.name)
        elif service.flags_only:
            configured += [facts.evidence(m.path, i.line, note=f"{service.name} imported")
                           for m, i in imported[:2]]
    waffle = [facts.evidence(h.path, h.line, note="django-waffle installed")
              for h in facts.grep(r"[\"']waffle[\"']\s*,", kinds=("python",), limit=1)]
    if waffle and "django-waffle" not in services:
        configured += waffle
    return evaluated, configured, services


def _home_grown_flags(facts: RepoFacts) -> list[Evidence]:
    """Calls to a flag-evaluation function defined in the repository (DB or config flags)."""
    out = []
    for module, call in facts.calls(*_FLAG_FUNCTIONS):
        if facts.find_functions(call.leaf):
            out.append(call_ev(facts, module, call, note="flag evaluated"))
    return out


@practice(
    "deploy.feature-flags", "Runtime feature flags", priority="M", effort="M", applies="ALL",
    statuses="implemented partial missing",
    sources=("S1", "S4"), aliases=("feature flags", "feature toggles", "flags", "kill switch"),
    recommendation="Put risky features behind flags read at the decision point: env/settings "
                   "booleans (`FEATURE_X_ENABLED`) for simple switches, or a flag service "
                   "(Unleash, Flagsmith, OpenFeature, django-waffle) for gradual rollout.",
)
def check_feature_flags(facts: RepoFacts) -> Outcome:
    """Features can be switched on and off at runtime without a code change.

    Why it matters:
        A flag lets a risky change ship dark, roll out gradually and be turned
        off in seconds when it misbehaves, instead of a rollback deploy. A flag
        that is defined but never consulted gives false confidence (S4).

    What counts as evidence:
        A flag service whose flags are evaluated (Unleash `is_enabled`,
        Flagsmith, LaunchDarkly `variation`, OpenFeature, django-waffle
        `flag_is_active`, GrowthBook, PostHog); a flag function of the
        repository called at decision points; or flag settings - named like
        `X_ENABLED`, `ENABLE_X`, `FEATURE_X`, boolean `USE_X` - defined in
        settings classes, settings modules, the environment or a config store
        and read in an `if`/`while`/ternary/decorator.

    What makes it partial:
        Flags defined (settings field, `.env`, compose, env read) but never read
        at a decision point; a flag service set up but never evaluated; only
        derived toggles (properties computed from other settings, such as "email
        is configured"). Framework booleans (`USE_TZ`, `WTF_CSRF_ENABLED`,
        `SESSION_*`, `DEBUG`) are not counted as feature flags.

    How to satisfy:
        `FEATURE_NEW_CHECKOUT_ENABLED: bool = False` in settings, read as
        `if settings.FEATURE_NEW_CHECKOUT_ENABLED:` where the behaviour forks, or
        a flag service client evaluated per request with a safe default.
    """
    evaluated, configured, services = _flag_services(facts)
    if evaluated:
        return implemented(f"Flags from {', '.join(services)} are evaluated in code.",
                           evaluated[:5])
    home_grown = _home_grown_flags(facts)
    index = facts.memo("deploy.flag_index", lambda: _build_flag_index(facts))
    decisions, derived_decisions = _decision_points(facts, index)
    if home_grown or decisions:
        definitions = list(dict.fromkeys(index.names.values()))
        decisions = _one_per_flag_first(decisions)
        flags = sorted({e.note.removeprefix("decision on ") for e in decisions})
        named = f" ({', '.join(flags[:4])})" if flags else ""
        return implemented(f"Runtime flags are read at {len(decisions) + len(home_grown)} "
                           f"decision point(s){named}.",
                           dedupe([*home_grown[:3], *decisions[:5], *definitions[:2]]))
    defined = dedupe([*index.names.values(), *index.aliases.values()])
    if configured:
        return partial("A feature-flag service is set up but no flag is ever evaluated.",
                       configured[:3])
    if defined:
        return partial("Flags are defined but never read at a decision point (dead config).",
                       defined[:5])
    if derived_decisions:
        return partial("Only derived toggles (computed from other settings) gate behaviour; "
                       "there are no independent feature flags.",
                       [*derived_decisions[:3], *list(index.derived.values())[:2]])
    if index.files_only:
        return partial("Flag variables appear in config files but the code never reads them.",
                       index.files_only[:5])
    return missing("No feature flags found (looked for flag services, flag settings such as "
                   "X_ENABLED/ENABLE_X/FEATURE_X and their use at decision points).")

"""Code quality practices: automated tests, pinned dependencies, central validated config."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field

from readiness.facts import RepoFacts
from readiness.facts.deps import Requirement, normalise
from readiness.facts.dockerfile import Dockerfile, Instruction
from readiness.facts.python.records import ClassDef, Function, ModuleFacts
from readiness.model import AntiPatternHit, Evidence
from readiness.practices.containers import image_ref, shipping_dockerfiles
from readiness.practices.helpers import call_ev, dedupe
from readiness.practices.registry import Outcome, anti, implemented, missing, partial, practice

# ------------------------------------------------------------------------ tests

_MIN_TESTS = 10
_SKIP_DECORATOR = re.compile(r"^(pytest\.mark\.skip|unittest\.skip|\w*\.skip)$")
_TRIVIAL_BODY = re.compile(r"^\s*(assert\s+(True|1|not\s+False)\s*|pass|\.\.\.)\s*$")
_INTEGRATION = ("*.TestClient", "*.testclient.TestClient", "testcontainers.*",
                "*.AsyncClient", "*.test_client", "*.APIClient", "*.LiveServerTestCase")


def app_module_names(facts: RepoFacts) -> set[str]:
    """Names a test could import the project's own code by: every directory and module
    name on the path of a production Python file, minus standard-library and declared
    third-party names (a local ``logging.py`` must not make ``import logging`` count)."""
    names: set[str] = set()
    for module in facts.modules():
        parts = module.path.removesuffix(".py").split("/")
        names.update(p for p in parts if p.isidentifier() and p != "__init__")
    external = set(sys.stdlib_module_names) | {r.name.replace("-", "_")
                                               for r in facts.requirements}
    return names - external


def _imports_app(module: ModuleFacts, app_names: set[str]) -> bool:
    for imp in module.imports:
        qualified = imp.qualified
        if qualified.startswith(".."):
            return True  # reaches out of the test package
        if qualified.startswith("."):
            continue
        if imp.top in app_names:
            return True
    return False


def _is_test_function(function: Function) -> bool:
    if not function.name.startswith("test"):
        return False
    return not any(d.name.endswith("fixture") or d.raw.endswith("fixture")
                   for d in function.decorators)


def _unconditional_skip(decorators: Iterable[object]) -> bool:
    for decorator in decorators:
        name = getattr(decorator, "name", "") or getattr(decorator, "raw", "")
        if _SKIP_DECORATOR.match(name) or name.endswith(("mark.skip", "unittest.skip")):
            return True
    return False


def _module_skipped(facts: RepoFacts, module: ModuleFacts) -> int | None:
    """Line of a module-level unconditional skip (``pytestmark = pytest.mark.skip``,
    ``pytest.skip(..., allow_module_level=True)``), or None."""
    for call in module.calls:
        if not call.scope and call.name.endswith("skip") and \
                (call.has_kwarg("allow_module_level") or call.name == "pytest.skip"):
            return call.line
    for assign in module.assigns:
        if assign.target == "pytestmark" and re.search(r"mark\.skip\b(?!if)", assign.value):
            return assign.line
    return None


@dataclass
class _TestTally:
    total: int = 0
    app: int = 0
    trivial: int = 0
    skipped: int = 0
    first: list[tuple[int, Evidence]] = field(default_factory=list)  # (tests, first test)
    #   of each file importing the application, so the largest files can be shown first
    other: list[Evidence] = field(default_factory=list)  # tests that import no app code
    skip_sites: list[Evidence] = field(default_factory=list)


def _tally_tests(facts: RepoFacts) -> _TestTally:
    tally = _TestTally()
    app_names = app_module_names(facts)
    for module in facts.modules(production=False):
        tests = [f for f in module.functions if _is_test_function(f)]
        if not tests:
            continue
        imports_app = _imports_app(module, app_names)
        skip_line = _module_skipped(facts, module)
        skipped_classes = {c.name for c in module.classes if _unconditional_skip(c.decorators)}
        for function in tests:
            tally.total += 1
            if imports_app:
                tally.app += 1
            if skip_line is not None or function.class_name in skipped_classes or \
                    _unconditional_skip(function.decorators):
                tally.skipped += 1
            if _is_trivial(facts, module.path, function):
                tally.trivial += 1
        first = facts.evidence(module.path, tests[0].line)
        if imports_app:
            tally.first.append((len(tests), first))
        else:
            tally.other.append(first)
        if skip_line is not None:
            tally.skip_sites.append(facts.evidence(module.path, skip_line))
    return tally


def _is_trivial(facts: RepoFacts, path: str, function: Function) -> bool:
    body = facts.lines(path)[function.line:function.end_line]
    statements = [line for line in body if line.strip() and not line.strip().startswith(
        ("#", '"""', "'''", "@", "def ", "async def "))]
    return len(statements) <= 1 and all(_TRIVIAL_BODY.match(s) for s in statements)


@practice(
    "code.tests", "Automated tests", priority="C", effort="M", applies="ALL",
    statuses="implemented partial missing",
    sources=("S1", "S4", "FOW stab", "MLTS I2"),
    aliases=("tests", "unit tests", "test suite", "integration tests", "testing"),
    recommendation="Add a pytest suite under `tests/` that imports the application: unit tests "
                   "for the domain code and API tests through the framework's test client.",
)
def check_tests(facts: RepoFacts) -> Outcome:
    """The project has automated tests that exercise its own code.

    Why it matters:
        Without tests every change is a gamble and every refactoring is deferred;
        a test suite is what lets a team deploy often without breaking production.

    What counts as evidence:
        Test functions (`test_*` in test files and directories: `tests/`,
        `test_*.py`, `*_test.py`) in modules that import the project's own code,
        at least 10 of them. API tests (TestClient, test_client, APIClient) and
        integration tests (testcontainers) are shown as supporting evidence.

    What makes it partial:
        Fewer than 10 tests; tests that never import the application (scripts
        hitting a running server); a suite that is mostly trivial (`assert True`).
        Module-level skips covering most tests cap the status at partial.

    How to satisfy:
        `tests/test_items.py` with `from app.main import app` and
        `client = TestClient(app)`, covering each route and the domain logic,
        run by CI.
    """
    tally = _tally_tests(facts)
    antis: list[AntiPatternHit] = []
    if tally.total and tally.skipped * 2 > tally.total:
        antis = [anti(f"{tally.skipped} of {tally.total} tests are skipped unconditionally", e)
                 for e in tally.skip_sites[:5]]
    support = [call_ev(facts, m, c) for m, c in facts.calls(*_INTEGRATION, production=False)][:3]
    if tally.total == 0:
        return missing("No test functions were found (looked for test_* functions in tests/, "
                       "test_*.py and *_test.py files).", antis)
    biggest = [ev for _count, ev in sorted(tally.first, key=lambda item: -item[0])]
    evidence = [*biggest[:6], *support]
    real = tally.app - tally.trivial
    if tally.app >= _MIN_TESTS and real * 2 > tally.app:
        return implemented(f"{tally.app} test functions in {len(tally.first)} file(s) import "
                           "the application code.", evidence, antis)
    if tally.app:
        reason = (f"only {tally.app} test function(s) import the application"
                  if tally.app < _MIN_TESTS else
                  f"{tally.trivial} of {tally.app} tests are trivial")
        return partial(f"Tests exist but {reason}.", evidence, antis)
    return partial(f"{tally.total} test function(s) exist but none imports the application "
                   "code.", [*tally.other[:5], *support], antis)


# ------------------------------------------------------------ dependency pinning

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
    locks = [p for p in facts.glob(*PYTHON_LOCKS) if facts.role(p) == "production"]
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


# ----------------------------------------------------------- config management

_SETTINGS_BASES = ("*BaseSettings", "pydantic_settings.BaseSettings", "pydantic.BaseSettings",
                   "*.Settings")
_CONFIG_LIBS = ("dynaconf.Dynaconf", "dynaconf.LazySettings", "environs.Env", "decouple.config",
                "decouple.AutoConfig", "environ.Env", "*.from_prefixed_env", "hydra.main",
                "*.config.from_object", "*.config.from_pyfile", "*.config.from_envvar")
_CONFIG_MODULE = re.compile(r"(^|/)(settings|config|configs|configuration|conf|"
                            r"app_config|core_config)(/[\w.-]+)?\.py$|(^|/)settings/[\w.-]+\.py$|"
                            r"(^|/)configs?/[\w.-]+\.py$")
_ENV_SWITCH = re.compile(r"(?i)^(ENVIRONMENT|ENV|APP_ENV|APP_ENVIRONMENT|ENV_NAME|STAGE|"
                         r"DEPLOY_ENV|RUN_ENV|FASTAPI_ENV|FLASK_ENV|DJANGO_ENV|"
                         r"ENVIRONMENT_NAME|SERVICE_ENV)$")
_ENV_CLASSES = re.compile(r"^(Prod|Production|Dev|Development|Staging|Test|Testing|Local)"
                          r"(Config|Settings)$")
_ENV_READS = ("os.getenv", "os.environ.get", "os.environ.setdefault", "os.getenvb")
_SECRET_FIELD = re.compile(r"(?i)(secret|password|passwd|token|api_key|private_key|dsn|"
                           r"database_url)")
_HOST_BRANCH = re.compile(r"(gethostname\(\)|getfqdn\(\)|platform\.node\(\))\s*"
                          r"(==|!=|in\b|\.startswith|\.endswith)|"
                          r"[\"'][\w.-]+[\"']\s*(==|in)\s*socket\.(gethostname|getfqdn)\(\)")


@dataclass
class _Config:
    modules: set[str] = field(default_factory=set)  # central settings modules
    evidence: list[Evidence] = field(default_factory=list)
    settings_classes: list[tuple[ModuleFacts, ClassDef]] = field(default_factory=list)
    validation: list[Evidence] = field(default_factory=list)
    switch: list[Evidence] = field(default_factory=list)
    scattered: list[Evidence] = field(default_factory=list)
    scattered_files: set[str] = field(default_factory=set)
    dead: list[Evidence] = field(default_factory=list)


def _find_settings(facts: RepoFacts, config: _Config) -> None:
    for module, cls in facts.subclasses(*_SETTINGS_BASES):
        if any(b.endswith("BaseSettings") for b in cls.bases) or cls.name.endswith("Settings"):
            config.settings_classes.append((module, cls))
            config.modules.add(module.path)
            config.evidence.append(facts.evidence(module.path, cls.line))
    for module, call in facts.calls(*_CONFIG_LIBS):
        config.evidence.append(call_ev(facts, module, call))
        config.modules.add(module.path)
        target = _config_target(facts, call.args[0] if call.args else "")
        if target:
            config.modules.add(target)
    for module in facts.modules():
        if module.path in config.modules or not _CONFIG_MODULE.search(module.path):
            continue
        upper = [a for a in module.assigns if re.fullmatch(r"[A-Z][A-Z0-9_]{2,}", a.target)
                 and (not a.scope or re.search(r"Config|Settings", a.class_name or ""))]
        reads = [c for c in module.calls if c.name in _ENV_READS]
        if len(upper) >= 5 or len(reads) >= 3:
            config.modules.add(module.path)
            config.evidence.append(facts.evidence(module.path, (upper or reads)[0].line))
    _add_config_packages(facts, config)


def _add_config_packages(facts: RepoFacts, config: _Config) -> None:
    """A settings module inside a ``config``/``settings`` package brings its siblings
    (the loader that validates is often next to the values)."""
    packages = {path.rsplit("/", 1)[0] for path in config.modules if "/" in path and
                re.search(r"(^|/)(config|configs|settings|conf|configuration)$",
                          path.rsplit("/", 1)[0])}
    for module in facts.modules():
        if "/" in module.path and module.path.rsplit("/", 1)[0] in packages:
            config.modules.add(module.path)


def _config_target(facts: RepoFacts, text: str) -> str | None:
    """The module a ``config.from_object("pkg.configs.default.Config")`` string names."""
    dotted = text.strip("\"' ")
    if not re.fullmatch(r"[\w.]+", dotted):
        return None
    parts = dotted.split(".")
    for cut in (len(parts), len(parts) - 1):
        stem = "/".join(parts[:cut])
        for candidate in (f"{stem}.py", f"{stem}/__init__.py"):
            if facts.module(candidate) is not None:
                return candidate
    return None


def _find_validation(facts: RepoFacts, config: _Config) -> None:
    for path in sorted(config.modules):
        module = facts.module(path)
        if module is None:
            continue
        lines = facts.lines(path)
        for function in module.functions:
            body = "\n".join(lines[function.line - 1:function.end_line])
            validator = any(re.search(r"validator|model_validator|root_validator", d.raw)
                            for d in function.decorators)
            if re.search(r"^\s*raise\b", body, re.M) or (validator and "raise" in body):
                config.validation.append(facts.evidence(path, function.line))
    for module, function in facts.functions():
        if any(d.name.endswith("checks.register") or d.raw.endswith("checks.register")
               or (d.raw == "register" and module.imports_module("django.core.checks"))
               for d in function.decorators):
            config.validation.append(facts.evidence(module.path, function.line))
    for module, cls in config.settings_classes:
        for assign in module.assigns:
            if assign.class_name == cls.name and assign.scope == cls.qualname and \
                    assign.annotation and not assign.value and \
                    _SECRET_FIELD.search(assign.target):
                config.validation.append(facts.evidence(
                    module.path, assign.line, note="required setting: startup fails without it"))


def _find_switch(facts: RepoFacts, config: _Config) -> None:
    for path in sorted(config.modules):
        module = facts.module(path)
        if module is None:
            continue
        for assign in module.assigns:
            if _ENV_SWITCH.match(assign.target):
                config.switch.append(facts.evidence(path, assign.line))
        for cls in module.classes:
            if _ENV_CLASSES.match(cls.name):
                config.switch.append(facts.evidence(path, cls.line))


def _find_scattered(facts: RepoFacts, config: _Config) -> None:
    sites = [(m.path, c.line) for m, c in facts.calls(*_ENV_READS)
             if c.name != "os.environ.setdefault"]
    sites += [(h.path, h.line) for h in facts.grep(r"\bos\.environ\[", kinds=("python",))
              if not _inside_string(h.text, h.text.find("os.environ["))
              and _reads_environ(facts, h.path)]
    for path, line in sorted(set(sites)):
        if path in config.modules or re.search(r"(^|/)(manage|wsgi|asgi|env|conftest)\.py$",
                                               path):
            continue
        config.scattered.append(facts.evidence(path, line))
        config.scattered_files.add(path)


def _reads_environ(facts: RepoFacts, path: str) -> bool:
    """The module reads ``environ`` in code (not only in a docstring or message)."""
    module = facts.module(path)
    return module is not None and "environ" in module.names


def _inside_string(line: str, offset: int) -> bool:
    """Whether ``offset`` falls inside a quoted string (documentation, messages)."""
    before = line[:max(offset, 0)]
    return any(before.count(quote) % 2 == 1 for quote in ('"', "'", "`"))


def _find_dead(facts: RepoFacts, config: _Config) -> None:
    """Fields of settings classes (and of the section models they nest) never read."""
    used = facts.names_used(production=None)  # a setting read only by tests is not dead
    classes = list(config.settings_classes)
    section_names = {a.annotation.split("|")[0].strip() for m, c in classes for a in m.assigns
                     if a.class_name == c.name and a.annotation}
    for module, cls in facts.classes():
        if cls.name in section_names and (module, cls) not in classes and \
                any(b.endswith("BaseModel") for b in cls.bases):
            classes.append((module, cls))
    for module, cls in classes:
        for assign in module.assigns:
            if assign.class_name != cls.name or assign.scope != cls.qualname or \
                    assign.annotation is None or not assign.target.isidentifier() or \
                    assign.target in ("model_config", "Config"):
                continue
            if assign.target not in used:
                config.dead.append(facts.evidence(module.path, assign.line,
                                                  note=f"{assign.target} is never read"))


@practice(
    "code.config-management", "Central, validated config", priority="H", effort="L",
    applies="ALL",
    statuses="implemented partial missing", sources=("S0", "S4", "12F-III"),
    aliases=("configuration management", "config management", "settings", "configuration"),
    recommendation="Read every setting in one pydantic `BaseSettings` (or settings module) with "
                   "an `ENVIRONMENT` field, validate at startup (reject default secrets in "
                   "production), and import that object instead of calling `os.getenv` around "
                   "the code.",
)
def check_config_management(facts: RepoFacts) -> Outcome:
    """Configuration is read in one place, typed, and validated when the process starts.

    Why it matters:
        `os.getenv` calls scattered across modules hide what a deployment must
        set; a typo or a forgotten secret is discovered by the first request that
        needs it, and default secrets ship to production unnoticed.

    What counts as evidence:
        A central settings object or module: pydantic `BaseSettings`, a Django
        settings module, a Flask config object loaded with `from_object`,
        dynaconf/environs/decouple; startup validation (validators that raise,
        required secret fields without defaults, `ImproperlyConfigured`, Django
        system checks); an `ENVIRONMENT`-style switch is shown as support.

    What makes it partial:
        No validation; environment reads scattered over two or more modules
        outside the settings module; settings fields that nothing reads (listed);
        or only scattered `os.getenv` calls with no central settings. Branching on
        literal host names caps the status at partial.

    How to satisfy:
        `class Settings(BaseSettings)` with `ENVIRONMENT: Literal["dev", "prod"]`,
        a `@model_validator` raising when `SECRET_KEY == "changethis"` in
        production, and `settings = Settings()` imported wherever config is needed.
    """
    config = _Config()
    _find_settings(facts, config)
    _find_validation(facts, config)
    _find_switch(facts, config)
    _find_scattered(facts, config)
    _find_dead(facts, config)
    antis = [anti("configuration branches on a literal host name", facts.evidence(h.path, h.line))
             for h in facts.grep(_HOST_BRANCH, kinds=("python",), limit=5)]
    scattered = len(config.scattered_files) >= 2 and len(config.scattered) >= 3
    if not config.modules:
        if config.scattered:
            return partial(f"No central settings: {len(config.scattered)} environment reads "
                           f"spread over {len(config.scattered_files)} module(s).",
                           config.scattered[:6], antis)
        return missing("No settings module, BaseSettings class or environment-based "
                       "configuration was found.", antis)
    evidence = dedupe([*config.evidence[:3], *config.validation[:3], *config.switch[:2]])
    gaps = []
    if not config.validation:
        gaps.append("settings are not validated at startup (no validator, required secret "
                    "or ImproperlyConfigured check)")
    if scattered:
        gaps.append(f"{len(config.scattered)} environment reads in "
                    f"{len(config.scattered_files)} modules bypass the settings")
    if config.dead:
        names = ", ".join(e.note.split(" ")[0] for e in config.dead[:6])
        gaps.append(f"{len(config.dead)} setting(s) never read ({names})")
    if not gaps:
        return implemented("Central settings with startup validation "
                           f"({', '.join(sorted(config.modules)[:3])}).", evidence, antis)
    return partial("Central settings exist, but " + "; ".join(gaps) + ".",
                   dedupe([*evidence, *(config.scattered[:3] if scattered else []),
                           *config.dead[:4]]), antis)

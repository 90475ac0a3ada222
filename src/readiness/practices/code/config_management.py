"""code.config-management: configuration is read in one place and validated."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from readiness.facts import RepoFacts
from readiness.facts.python.records import ClassDef, ModuleFacts
from readiness.model import Evidence
from readiness.practices.helpers import call_ev, dedupe
from readiness.practices.registry import Outcome, anti, implemented, missing, partial, practice

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

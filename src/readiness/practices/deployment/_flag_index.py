"""Feature flags defined in code and configuration, and where each is defined."""

from __future__ import annotations

import re
from dataclasses import dataclass

from readiness.facts import RepoFacts
from readiness.facts.python.records import ClassDef, ModuleFacts
from readiness.model import Evidence

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

_ENV_READ = re.compile(r"(?:getenv|environ\.get|environ\[|env\.bool|envbool|env\.str|"
                       r"\bconfig)\s*\(?\s*[\"']([A-Za-z_][A-Za-z0-9_]*)[\"']")


def is_flag_name(name: str, boolean: bool) -> bool:
    """Whether ``name`` names a feature flag: a strong flag name (``X_ENABLED``,
    ``ENABLE_X``, ``FEATURE_X``...) or a weak one (``USE_X``, ``X_ON``) holding a
    ``boolean``; framework and security settings never count."""
    if _NOT_A_FLAG.match(name):
        return False
    if _STRONG_FLAG.fullmatch(name):
        return not name.upper().startswith("FEATURE_") or boolean or name.upper() != name \
            or name.upper().endswith(("_ENABLED", "_DISABLED"))
    return boolean and bool(_WEAK_FLAG.fullmatch(name))


@dataclass(frozen=True)
class FlagIndex:
    """The flags a repository defines, built once per RepoFacts."""

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


def build_flag_index(facts: RepoFacts) -> FlagIndex:
    """Flags defined in settings classes and modules, environment reads and config files."""
    names: dict[str, Evidence] = {}
    aliases: dict[tuple[str, str], Evidence] = {}
    for module in facts.modules():
        classes = {c.name: c for c in module.classes}
        for assign in module.assigns:
            leaf = _leaf_name(assign.target)
            boolean = bool(_BOOL_PARSE.search(assign.value)) or \
                bool(re.search(r"\bbool\b", assign.annotation or ""))
            env_keys = [k for k in _ENV_READ.findall(assign.value) if is_flag_name(k, boolean)]
            if not env_keys and not is_flag_name(leaf, boolean):
                continue  # most assignments: decided without building evidence
            ev = facts.evidence(module.path, assign.line, note="flag definition")
            if env_keys:
                names.setdefault(env_keys[0], ev)
                aliases[(module.path, assign.target)] = ev
            if not is_flag_name(leaf, boolean):
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
        if is_flag_name(function.name, True) and any(
                re.search(r"property|computed_field", d.raw) for d in function.decorators):
            derived.setdefault(function.name, facts.evidence(module.path, function.line,
                                                             note="derived toggle"))
    files_only = []
    for hit in facts.grep(r"^\s*(?:-\s*)?([A-Z][A-Z0-9_]*)\s*[=:]", kinds=("env", "yaml"),
                          flags=re.M, limit=400):
        key = re.match(r"^\s*(?:-\s*)?([A-Z][A-Z0-9_]*)", hit.text)
        if key and is_flag_name(key.group(1), False) and key.group(1) not in names:
            files_only.append(facts.evidence(hit.path, hit.line, note="flag in config file"))
    return FlagIndex(names, aliases, derived, files_only)

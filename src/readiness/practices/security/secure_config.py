"""sec.secure-config: production runs with debug off and no developer pages."""

from __future__ import annotations

import re
from dataclasses import dataclass

from readiness.facts import RepoFacts
from readiness.facts.python.records import Call
from readiness.model import AntiPatternHit, Evidence, Severity
from readiness.practices.helpers import call_ev, dedupe, is_false, is_true, with_note
from readiness.practices.registry import Outcome, anti, implemented, missing, partial, practice
from readiness.practices.security._config_context import (
    PROD_CLASS,
    PROD_PATH,
    SETTINGS_CLASS,
    class_kinds,
    dev_compose,
    dev_context,
    is_settings_class,
    origins_wildcard,
    yaml_pairs,
)
from readiness.practices.web import app_context

_SETTINGS_PATH = re.compile(r"(?i)(^|/)(settings|config|conf|configs?|core)(/|\.py$)|"
                            r"settings[\w.]*\.py$|config[\w.]*\.py$")

_TRUE_WORDS = ("true", "1", "yes", "on")
_ENV_DEFAULT = re.compile(r"""(?ix)\(\s*["']\w*DEBUG\w*["']\s*
                              (?:,\s*(?:default\s*=\s*)?(?P<default>[^,)]+))?""")
_DOCKER_DEBUG = re.compile(r"(?i)\b(FLASK_DEBUG|DJANGO_DEBUG|DEBUG|APP_DEBUG)\b[=\s]+[\"']?"
                           r"(1|true|yes|on)\b|\bFLASK_ENV[=\s]+[\"']?development")


def _debug_default(value: str) -> bool | None:
    """The default of an environment-read DEBUG (True/False), None if none is visible."""
    match = _ENV_DEFAULT.search(value)
    if not match:
        return None
    default = (match.group("default") or "").strip().strip("'\"").lower()
    if not default:
        return False if "==" in value or "in (" in value else None
    return default in _TRUE_WORDS


@dataclass
class _ConfigScan:
    antis: list[AntiPatternHit]
    debug_off: list[Evidence]
    hardening: list[Evidence]
    gaps: list[str]
    anchors: list[Evidence]


def _debug_settings(facts: RepoFacts, scan: _ConfigScan) -> None:
    prod_false = any(is_false(a.value) and (PROD_PATH.search(m.path) or
                                             PROD_CLASS.search(a.class_name or ""))
                     for m, a in facts.assigns(r"DEBUG"))
    for module, assign in facts.assigns(r"DEBUG|DJANGO_DEBUG|FLASK_DEBUG|app\.debug|debug"):
        if assign.target == "debug" and not (assign.class_name and is_settings_class(
                facts, module.path, assign.class_name)):
            continue  # a local variable named debug, not a setting
        ev = facts.evidence(module.path, assign.line)
        if dev_context(module.path, assign.class_name):
            continue
        if is_true(assign.value):
            settings_class = assign.class_name and any(
                "Settings" in b for b in class_kinds(facts).get((module.path,
                                                                  assign.class_name), ()))
            if prod_false:
                continue  # shared/base settings; the production settings turn it off
            if settings_class:
                scan.antis.append(anti("DEBUG defaults to True (overridden only when the "
                                       "environment says so)", ev))
            else:
                scan.antis.append(anti("DEBUG = True in settings that production uses",
                                       ev, Severity.FORCE_MISSING))
        elif is_false(assign.value):
            scan.debug_off.append(with_note(ev, "DEBUG off"))
        else:
            default = _debug_default(assign.value)
            if default is True:
                scan.antis.append(anti("DEBUG defaults to True when the environment does not "
                                       "set it", ev))
            elif default is False or re.search(r"environ|getenv|env", assign.value):
                scan.debug_off.append(with_note(ev, "DEBUG from the environment, off by default"))


def _flask_config_debug(facts: RepoFacts, scan: _ConfigScan) -> None:
    """``app.config["DEBUG"] = True`` (subscript targets are not recorded as names)."""
    for hit in facts.grep(r"config\[\s*[\"'](DEBUG|ENV)[\"']\s*\]\s*=\s*(True|[\"']development)",
                          kinds=("python",), limit=5):
        if not dev_context(hit.path):
            scan.antis.append(anti("debug mode switched on in the application config",
                                   facts.evidence(hit.path, hit.line), Severity.FORCE_MISSING))


def _app_settings(facts: RepoFacts, scan: _ConfigScan) -> None:
    for module, call in facts.calls("fastapi.FastAPI", "starlette.applications.Starlette",
                                    "litestar.Litestar", "flask.Flask", "quart.Quart"):
        ev = call_ev(facts, module, call)
        debug = call.kwarg("debug")
        if is_true(debug):
            scan.antis.append(anti(f"{call.name.rsplit('.', 1)[-1]}(debug=True) returns "
                                   "tracebacks to clients", ev, Severity.FORCE_MISSING))
        scan.anchors.append(with_note(ev, "debug off by the framework's default"
                                   if debug is None else "debug set from configuration"))
        if call.name.startswith("fastapi"):
            _fastapi_docs(call, ev, scan)
    for module, call in facts.calls("*.run", "*.run_server"):
        if is_true(call.kwarg("debug")):
            scan.antis.append(anti("app.run(debug=True) starts the interactive debugger "
                                   "(bandit B201)", call_ev(facts, module, call),
                                   Severity.FORCE_MISSING))


def _fastapi_docs(call: Call, ev: Evidence, scan: _ConfigScan) -> None:
    values = [call.kwarg("docs_url"), call.kwarg("openapi_url")]
    conditional = [v for v in values if v is not None and (
        "None" in v or (re.search(r"\b(settings|config|env|os\.)", v) and
                        not v.strip().startswith(("f\"", "f'"))))]
    if conditional:
        scan.hardening.append(with_note(ev, "API docs disabled or switched by environment"))
    else:
        scan.gaps.append("the interactive API docs (/docs, /openapi.json) are served in every "
                         "environment")


def _host_settings(facts: RepoFacts, scan: _ConfigScan) -> None:
    for module, assign in facts.assigns(r"ALLOWED_HOSTS"):
        if dev_context(module.path, assign.class_name):
            continue
        ev = facts.evidence(module.path, assign.line)
        if re.fullmatch(r"\[\s*[\"']\*[\"']\s*\]", assign.value.strip()):
            scan.antis.append(anti("ALLOWED_HOSTS = ['*'] accepts any Host header",
                                   ev, Severity.FORCE_MISSING))
        elif re.search(r"(environ|getenv|env)\w*[.(].*,\s*(default\s*=\s*)?[\"']\*[\"']",
                       assign.value):
            scan.antis.append(anti("ALLOWED_HOSTS defaults to '*' when the environment does "
                                   "not set it", ev))
        elif assign.value.strip() not in ("None", "[]", ""):
            scan.hardening.append(with_note(ev, "explicit ALLOWED_HOSTS"))
    for module, call in facts.calls("*.TrustedHostMiddleware", "*.add_middleware"):
        if "TrustedHost" not in call.name and not any("TrustedHost" in a for a in call.args[:1]):
            continue
        ev = call_ev(facts, module, call)
        if origins_wildcard(call.kwarg("allowed_hosts")):
            scan.antis.append(anti("TrustedHostMiddleware allows any host", ev))
        else:
            scan.hardening.append(with_note(ev, "TrustedHostMiddleware"))


def _deploy_images(facts: RepoFacts, scan: _ConfigScan) -> None:
    for dockerfile in facts.dockerfiles():
        if dev_context(dockerfile.path.rsplit("/", 1)[-1]):
            continue
        for instruction in dockerfile.final("ENV"):
            if _DOCKER_DEBUG.search(instruction.args):
                scan.antis.append(anti("debug mode switched on in the production image",
                                       facts.evidence(dockerfile.path, instruction.line),
                                       Severity.FORCE_MISSING))
    for path, name, service in facts.compose_services():
        if dev_compose(facts, path):
            continue
        environment = service.get("environment")
        for key, value, line in yaml_pairs(environment) if environment is not None else []:
            if _DOCKER_DEBUG.search(f"{key}={value}"):
                scan.antis.append(anti(f"debug mode switched on for service {name}",
                                       facts.evidence(path, line), Severity.FORCE_MISSING))
    for hit in facts.grep(r"check\s+--deploy", kinds=("yaml", "shell", "text", "dockerfile"),
                          limit=2):
        scan.hardening.append(facts.evidence(hit.path, hit.line, note="Django check --deploy"))


def _streamlit_settings(facts: RepoFacts, scan: _ConfigScan) -> None:
    if not facts.imported("streamlit"):
        return
    details = facts.grep(r"^\s*showErrorDetails\s*=\s*(false|[\"']none[\"'])", kinds=("toml",),
                         flags=re.M, limit=1)
    if details:
        scan.hardening.append(facts.evidence(details[0].path, details[0].line,
                                             note="error details hidden from users"))
        return
    scan.gaps.append("Streamlit shows exception details to users (client.showErrorDetails "
                     "is not turned off)")
    for hit in facts.grep(r"^\s*(headless|enableXsrfProtection|address)\s*=|"
                          r"--server\.(headless|address)", kinds=("toml", "dockerfile"),
                          flags=re.M, limit=3):
        scan.anchors.append(facts.evidence(hit.path, hit.line, note="server setting"))


def _prod_split(facts: RepoFacts) -> list[Evidence]:
    """Production-specific settings files or classes."""
    out = [facts.evidence(p, 1, note="production settings") for p in facts.paths()
           if p.endswith(".py") and PROD_PATH.search(p.rsplit("/", 1)[-1]) and
           _SETTINGS_PATH.search(p)]
    out += [facts.evidence(m.path, c.line, note="production settings class")
            for m, c in facts.classes() if PROD_CLASS.search(c.name) and
            SETTINGS_CLASS.search(c.name)]
    return out


@practice(
    "sec.secure-config", "Debug off, safe prod defaults", priority="C", effort="L",
    applies="HTTP", sources=("S0", "T10 A05", "ASVS V13"),
    aliases=("debug mode", "secure configuration", "security misconfiguration",
             "production settings", "allowed hosts", "security configuration", "debug off",
             "debug disabled"),
    recommendation="Read DEBUG from the environment with a False default, restrict hosts "
                   "(`ALLOWED_HOSTS`, `TrustedHostMiddleware`), and switch interactive API "
                   "docs and error details off in production (`docs_url=None`).",
)
def check_secure_config(facts: RepoFacts) -> Outcome:
    """Production runs with debug off, an explicit host list and no developer pages.

    Why it matters:
        Debug mode returns tracebacks, settings and sometimes an interactive console
        to anyone who triggers an error; a wildcard host list enables host-header
        attacks; public API docs and error details map the attack surface.

    What counts as evidence:
        DEBUG read from the environment with a False default or set False in the
        settings production uses; explicit `ALLOWED_HOSTS`, `TrustedHostMiddleware`
        or `SERVER_NAME`; FastAPI `docs_url`/`openapi_url` set to None or chosen per
        environment; production settings files or classes; `manage.py check
        --deploy`; Streamlit `client.showErrorDetails = false`.

    What makes it partial:
        Production is not told apart from development: API docs served in every
        environment, Streamlit error details shown, or no explicit debug setting. A
        DEBUG that defaults to True when the variable is unset caps the status.
        `DEBUG = True` in production settings, `app.run(debug=True)`,
        `FastAPI(debug=True)`, `ALLOWED_HOSTS = ["*"]` and debug switched on in a
        production image or compose service force missing.

    How to satisfy:
        `DEBUG = os.getenv("DEBUG", "false") == "true"`, `ALLOWED_HOSTS` from the
        environment, `FastAPI(docs_url=None if settings.ENV == "production" else
        "/docs")`, and run `manage.py check --deploy` in CI.
    """
    scan = _ConfigScan([], [], [], [], [])
    _debug_settings(facts, scan)
    _app_settings(facts, scan)
    _flask_config_debug(facts, scan)
    _host_settings(facts, scan)
    _deploy_images(facts, scan)
    _streamlit_settings(facts, scan)
    scan.hardening.extend(_prod_split(facts))
    positives = dedupe([*scan.debug_off, *scan.hardening])
    if any(a.severity == Severity.FORCE_MISSING.value for a in scan.antis):
        return missing("Debug mode or a wildcard host list is enabled for production.",
                       scan.antis)
    if not positives and not scan.anchors:
        return missing("No production configuration found: no debug setting, host "
                       "restriction or production settings.", scan.antis,
                       context=app_context(facts))
    gaps = list(dict.fromkeys(scan.gaps))
    if not scan.debug_off and not scan.hardening and not gaps:
        gaps.append("there is no explicit production configuration (debug, hosts, docs)")
    if gaps:
        return partial("Debug is not switched on, but " + "; ".join(gaps) + ".",
                       dedupe([*positives, *scan.anchors])[:6], scan.antis)
    return implemented("Debug is off in production and production settings are explicit "
                       f"({len(positives)} setting(s)).", positives[:6], scan.antis)

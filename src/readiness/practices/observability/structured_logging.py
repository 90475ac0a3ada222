"""obs.structured-logging: logs are JSON events on the standard streams."""

from __future__ import annotations

import re

from readiness.facts import RepoFacts
from readiness.facts.applicability import HTTP_FRAMEWORKS, QUEUE_LIBS
from readiness.facts.python.records import Call, ModuleFacts
from readiness.model import AntiPatternHit, Evidence
from readiness.practices.helpers import call_ev, dedupe, definition_source, grep_ev, is_true
from readiness.practices.observability._search import CONFIG_KINDS, calls_ev, class_is_used
from readiness.practices.registry import Outcome, anti, implemented, missing, partial, practice

_LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical",
                          "log", "fatal"})
_JSON_DUMPS = re.compile(r"\b(json|orjson|ujson|simplejson|rapidjson)\.dumps\(|json_dumps\(|"
                         r"JSONRenderer\(")
_JSON_LIB_TEXT = (r"pythonjsonlogger|json_log_formatter|ecs_logging\.StdlibFormatter|"
                  r"JsonFormatter|JSONFormatter|StructuredLogHandler|logstash_async|"
                  r"django_structlog|[\"']serialize[\"']\s*:\s*True|"
                  r"[\"']\{\s*\\?[\"']\w+\\?[\"']\s*:\s*\\?[\"']?%\(\w+\)s")
# In Python files only quoted names count (dictConfig entries), not prose in docstrings.
_JSON_CONFIG_IN_PYTHON = (r"[\"'][\w.]*(pythonjsonlogger|json_log_formatter|ecs_logging|"
                          r"J(son|SON)Formatter|django_structlog)[\w.]*[\"']|"
                          r"[\"']serialize[\"']\s*:\s*True|"
                          r"[\"']\{\s*\\?[\"']\w+\\?[\"']\s*:\s*\\?[\"']?%\(\w+\)s")
_FILE_HANDLER = r"(logging\.(handlers\.)?(Rotating|TimedRotating|Watched)?FileHandler)"
_STREAM_HANDLER = r"(logging\.StreamHandler|StreamHandler\(|sys\.std(out|err)|ext://sys\.std)"
_SECRET_NAME = re.compile(
    r"\{\s*[\w.]*?\b(password|passwd|secret|secret_key|api_?key|access_token|refresh_token|"
    r"token|private_key|credentials?|client_secret)\s*(!r|!s)?\s*[:}]", re.I)
_SECRET_ARG = re.compile(r"^[\w.]*?\b(password|passwd|secret|secret_key|api_?key|access_token|"
                         r"refresh_token|token|private_key|credentials?|client_secret)$", re.I)
_CLI_PATH = re.compile(
    r"(^|/)(scripts?|bin|tools|cli|commands|management|migrations|alembic|notebooks?|"
    r"training|benchmarks?|seeds?|fixtures)(/|$)|"
    r"(^|/)(setup|manage|cli|__main__|conftest|noxfile|tasks|fabfile)\.py$|"
    r"(^|/)(train|generate|seed|evaluate|download|export|populate|prepare|preprocess|"
    r"backfill|bootstrap|retrain|benchmark)\w*\.py$", re.I)


def _is_logging_call(call: Call) -> bool:
    if call.leaf not in _LOG_METHODS:
        return False
    receiver = call.receiver.lower()
    return "log" in receiver or receiver in ("structlog", "loguru")


def _service_dirs(facts: RepoFacts) -> set[str]:
    """Directories holding a module that runs inside a server or a worker."""
    return {m.path.rsplit("/", 1)[0] if "/" in m.path else ""
            for m, _ in facts.imports(*HTTP_FRAMEWORKS, *QUEUE_LIBS)}


def _print_sites(facts: RepoFacts) -> list[tuple[ModuleFacts, Call]]:
    """``print()`` calls in service code (not CLIs, scripts, training or seed jobs)."""
    service_dirs = facts.memo("obs.service_dirs", lambda: _service_dirs(facts))
    out = []
    for module, call in facts.calls("print"):
        directory = module.path.rsplit("/", 1)[0] if "/" in module.path else ""
        if directory not in service_dirs or _CLI_PATH.search(module.path):
            continue
        if call.scope.split(".")[-1] in ("main", "cli", "run_cli"):
            continue
        out.append((module, call))
    return out


def _print_antis(facts: RepoFacts, sites: list[tuple[ModuleFacts, Call]]
                 ) -> list[AntiPatternHit]:
    out = []
    seen: set[str] = set()
    for module, call in sites:
        if module.path in seen:
            continue
        seen.add(module.path)
        count = sum(1 for m, _ in sites if m.path == module.path)
        out.append(anti(f"print() used for logging in service code ({count} call(s) in "
                        "this file)", call_ev(facts, module, call)))
    return out


def _secret_log_antis(facts: RepoFacts) -> list[AntiPatternHit]:
    out = []
    for module, call in facts.calls("*.debug", "*.info", "*.warning", "*.warn", "*.error",
                                    "*.exception", "*.critical", "*.log", "print"):
        if call.name != "print" and not _is_logging_call(call):
            continue
        leaked = False
        for text, kind in zip(call.args, call.arg_kinds, strict=False):
            if kind in ("fstring", "format", "percent", "concat") and _SECRET_NAME.search(text):
                leaked = True
        if call.name != "print" and len(call.args) > 1 and call.arg_kinds[0] == "str":
            leaked = leaked or any(_SECRET_ARG.match(a.strip()) for a in call.args[1:])
        if leaked:
            out.append(anti("a secret (password, token, key) is written to the logs",
                            call_ev(facts, module, call)))
    return out[:5]


def _json_logging(facts: RepoFacts) -> tuple[list[Evidence], list[Evidence]]:
    """(JSON logging wired up, JSON logging only defined or imported)."""
    used: list[Evidence] = []
    defined: list[Evidence] = []
    used += calls_ev(facts, "structlog.processors.JSONRenderer", "*.JSONRenderer",
                      note="structlog JSON renderer")
    used += calls_ev(facts, "pythonjsonlogger.*", "json_log_formatter.*",
                      "ecs_logging.StdlibFormatter", "*.StructuredLogHandler",
                      note="JSON log formatter")
    for module, call in facts.calls("loguru.logger.add", "loguru.logger.configure"):
        if is_true(call.kwarg("serialize")):
            used.append(call_ev(facts, module, call, note="loguru serialize=True"))
    for module, call in facts.calls("aws_lambda_powertools.Logger",
                                    "aws_lambda_powertools.logging.Logger"):
        used.append(call_ev(facts, module, call, note="Powertools JSON logger"))
    used += grep_ev(facts, _JSON_LIB_TEXT, ("yaml", "ini", "json", "toml"), limit=5,
                     note="JSON formatter in logging config")
    for hit in facts.grep(_JSON_CONFIG_IN_PYTHON, kinds=("python",), limit=20):
        if hit.text.startswith(("import ", "from ", "#")):
            continue
        used.append(facts.evidence(hit.path, hit.line, note="JSON formatter in logging config"))
    for module, cls in facts.subclasses("logging.Formatter", "*.Formatter", "*.JsonFormatter",
                                        "*.JSONFormatter"):
        body = definition_source(facts, module.path, cls)
        if not _JSON_DUMPS.search(body) and "Json" not in cls.name and "JSON" not in cls.name:
            continue
        ev = facts.evidence(module.path, cls.line, note="JSON formatter class")
        (used if class_is_used(facts, module, cls) else defined).append(ev)
    if not used:
        defined += [facts.evidence(m.path, i.line, note="imported, never attached")
                    for m, i in facts.imports("pythonjsonlogger", "json_log_formatter")][:3]
    return dedupe(used), dedupe(defined)


def _plain_logging(facts: RepoFacts) -> list[Evidence]:
    evidence = calls_ev(facts, "logging.basicConfig", "logging.config.dictConfig",
                         "logging.config.fileConfig", "logging.StreamHandler",
                         "logging.handlers.*", "logging.FileHandler", "loguru.logger.add",
                         "structlog.configure", note="plain-text logging")
    evidence += [facts.evidence(m.path, a.line, note="logging settings")
                 for m, a in facts.assigns(r"LOGGING|LOG_CONFIG|LOGGING_CONFIG|\w*LOG_DEFAULT_CONF")
                 if a.value_kind == "dict"]
    # configuration in the service first, one-off scripts (alembic env, seeders) last
    evidence.sort(key=lambda e: bool(_CLI_PATH.search(e.path)))
    if not evidence:
        evidence = calls_ev(facts, "logging.getLogger", "structlog.get_logger",
                             "structlog.stdlib.get_logger", note="logger without configuration")
        evidence += [call_ev(facts, m, c, note="logger call") for m, c in
                     facts.calls("loguru.logger.*") if _is_logging_call(c)][:2]
    return dedupe(evidence)


def _file_only_anti(facts: RepoFacts) -> list[AntiPatternHit]:
    """Logs written only to a file inside a container are lost with the container."""
    if not facts.applies("CONT"):
        return []
    files = calls_ev(facts, "logging.FileHandler", "logging.handlers.RotatingFileHandler",
                      "logging.handlers.TimedRotatingFileHandler",
                      "logging.handlers.WatchedFileHandler")
    files += grep_ev(facts, _FILE_HANDLER, CONFIG_KINDS, limit=5)
    files += [call_ev(facts, m, c) for m, c in facts.calls("logging.basicConfig")
              if c.has_kwarg("filename")]
    if not files:
        return []
    streams = facts.grep(_STREAM_HANDLER, kinds=CONFIG_KINDS, limit=1)
    plain_basic = [c for _, c in facts.calls("logging.basicConfig") if not c.has_kwarg("filename")]
    if streams or plain_basic or facts.imported("structlog"):
        return []
    return [anti("logs go only to a local file inside a container (lost on restart, "
                 "invisible to the platform)", dedupe(files)[0])]


def _level_from_env(facts: RepoFacts) -> list[Evidence]:
    return grep_ev(facts, r"(getenv|environ(\.get)?|env)\s*[(\[]\s*[\"']\w*LOG_?LEVEL|"
                           r"\bLOG_?LEVEL\s*:\s*str\b|\blog_level\s*:\s*str\b",
                    ("python",), limit=2, note="level from the environment", flags=re.I)


@practice(
    "obs.structured-logging", "Structured logs to stdout", priority="H", effort="L",
    applies="ALL", sources=("S1", "S4", "12F-XI"), statuses="implemented partial missing",
    aliases=("structured logging", "json logging", "logging", "logs"),
    recommendation="Log JSON to stdout: configure structlog with `JSONRenderer`, "
                   "python-json-logger's `JsonFormatter` on a `StreamHandler`, or loguru "
                   "`serialize=True`; take the level from `LOG_LEVEL`; replace `print()`.",
)
def check_structured_logging(facts: RepoFacts) -> Outcome:
    """Logs are machine-readable events written to the process's standard streams.

    Why it matters:
        A platform collects stdout/stderr; JSON lines can be searched and joined
        by field (request id, user, level). Plain text has to be parsed with
        regexes, `print()` has no level or timestamp, and a log file inside a
        container disappears with it.

    What counts as evidence:
        structlog with `JSONRenderer`, python-json-logger or another JSON
        formatter attached to a handler or named in `dictConfig`/`LOGGING`, a
        custom `logging.Formatter` that emits `json.dumps` and is attached,
        loguru `serialize=True`, AWS Powertools `Logger`. The level read from the
        environment is shown as supporting evidence.

    What makes it partial:
        Plain-text logging (`basicConfig`, a text `dictConfig`, loggers without
        configuration), or a JSON formatter that is defined but never attached.
        `print()` used for logging in server/worker code, logs only to a local
        `FileHandler` in a containerised service, or a secret interpolated into
        a log message cap the status at partial.

    How to satisfy:
        `structlog.configure(processors=[..., structlog.processors.JSONRenderer()])`
        or `handler.setFormatter(JsonFormatter())` on `StreamHandler(sys.stdout)`,
        with `LOG_LEVEL` from the environment; replace `print()` with a logger.
    """
    prints = _print_sites(facts)
    antis = _print_antis(facts, prints) + _file_only_anti(facts) + _secret_log_antis(facts)
    used, defined = _json_logging(facts)
    level = _level_from_env(facts)
    if used:
        return implemented(f"JSON logging is configured ({len(used)} site(s)).",
                           [*used[:5], *level], antis)
    plain = _plain_logging(facts)
    if defined:
        return partial("A JSON log formatter is defined but never attached to a handler.",
                       [*defined[:3], *plain[:3]], antis)
    if plain:
        note = f"; {len(prints)} print() call(s) in service code" if prints else ""
        return partial(f"Logging is plain text (no JSON formatter){note}.",
                       [*plain[:5], *level], antis)
    if prints:
        return missing(f"No logging configuration; print() is the only output "
                       f"({len(prints)} call(s) in service code).", antis)
    return missing("No logging found (looked for structlog, python-json-logger, loguru, "
                   "logging.basicConfig/dictConfig and loggers).", antis)

"""Observability practices: structured logs, correlation ids, metrics, error tracking, tracing.

Each rule asks the same two questions as the rest of the catalog: is the signal
*configured and used* (a formatter attached, a middleware registered, a
`/metrics` endpoint mounted, an SDK initialised), or is it only imported or
defined? Only the first makes a practice implemented (status rule 2).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from readiness.facts import RepoFacts
from readiness.facts.applicability import HTTP_FRAMEWORKS, QUEUE_LIBS
from readiness.facts.python.records import Call, ClassDef, ModuleFacts
from readiness.model import AntiPatternHit, Evidence
from readiness.practices.helpers import call_ev, dedupe, is_true, literal
from readiness.practices.registry import (
    Outcome,
    anti,
    implemented,
    missing,
    partial,
    practice,
)
from readiness.practices.web import app_anchor

_CONFIG_KINDS = ("python", "yaml", "ini", "json", "toml")
_DEPLOY_KINDS = ("dockerfile", "yaml", "shell", "text", "env", "toml")


def _source(facts: RepoFacts, path: str, start: int, end: int) -> str:
    """The source lines ``start..end`` (1-based, inclusive) of a file."""
    return "\n".join(facts.lines(path)[max(start - 1, 0):end])


def _class_source(facts: RepoFacts, module: ModuleFacts, cls: ClassDef) -> str:
    return _source(facts, module.path, cls.line, cls.end_line)


def _grep_ev(facts: RepoFacts, pattern: str, kinds: Iterable[str], limit: int = 5,
             note: str = "", flags: int = 0) -> list[Evidence]:
    return [facts.evidence(h.path, h.line, note=note)
            for h in facts.grep(pattern, kinds=tuple(kinds), limit=limit, flags=flags)]


def _calls_ev(facts: RepoFacts, *patterns: str, note: str = "") -> list[Evidence]:
    return [call_ev(facts, m, c, note=note) for m, c in facts.calls(*patterns)]


def _class_is_used(facts: RepoFacts, module: ModuleFacts, cls: ClassDef) -> bool:
    """A class is used when it is instantiated, or named in a config (dictConfig, LOGGING)."""
    if facts.calls(f"*.{cls.name}"):
        return True
    for hit in facts.grep(rf"\b{re.escape(cls.name)}\b", kinds=_CONFIG_KINDS, limit=50):
        if hit.path == module.path and cls.line <= hit.line <= cls.end_line:
            continue
        if re.match(rf"class\s+{re.escape(cls.name)}\b", hit.text):
            continue
        if hit.text.startswith(("import ", "from ")):
            continue
        return True
    return False


# ------------------------------------------------------------- structured logging

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
    used += _calls_ev(facts, "structlog.processors.JSONRenderer", "*.JSONRenderer",
                      note="structlog JSON renderer")
    used += _calls_ev(facts, "pythonjsonlogger.*", "json_log_formatter.*",
                      "ecs_logging.StdlibFormatter", "*.StructuredLogHandler",
                      note="JSON log formatter")
    for module, call in facts.calls("loguru.logger.add", "loguru.logger.configure"):
        if is_true(call.kwarg("serialize")):
            used.append(call_ev(facts, module, call, note="loguru serialize=True"))
    for module, call in facts.calls("aws_lambda_powertools.Logger",
                                    "aws_lambda_powertools.logging.Logger"):
        used.append(call_ev(facts, module, call, note="Powertools JSON logger"))
    used += _grep_ev(facts, _JSON_LIB_TEXT, ("yaml", "ini", "json", "toml"),
                     note="JSON formatter in logging config")
    for hit in facts.grep(_JSON_CONFIG_IN_PYTHON, kinds=("python",), limit=20):
        if hit.text.startswith(("import ", "from ", "#")):
            continue
        used.append(facts.evidence(hit.path, hit.line, note="JSON formatter in logging config"))
    for module, cls in facts.subclasses("logging.Formatter", "*.Formatter", "*.JsonFormatter",
                                        "*.JSONFormatter"):
        body = _class_source(facts, module, cls)
        if not _JSON_DUMPS.search(body) and "Json" not in cls.name and "JSON" not in cls.name:
            continue
        ev = facts.evidence(module.path, cls.line, note="JSON formatter class")
        (used if _class_is_used(facts, module, cls) else defined).append(ev)
    if not used:
        defined += [facts.evidence(m.path, i.line, note="imported, never attached")
                    for m, i in facts.imports("pythonjsonlogger", "json_log_formatter")][:3]
    return dedupe(used), dedupe(defined)


def _plain_logging(facts: RepoFacts) -> list[Evidence]:
    evidence = _calls_ev(facts, "logging.basicConfig", "logging.config.dictConfig",
                         "logging.config.fileConfig", "logging.StreamHandler",
                         "logging.handlers.*", "logging.FileHandler", "loguru.logger.add",
                         "structlog.configure", note="plain-text logging")
    evidence += [facts.evidence(m.path, a.line, note="logging settings")
                 for m, a in facts.assigns(r"LOGGING|LOG_CONFIG|LOGGING_CONFIG|\w*LOG_DEFAULT_CONF")
                 if a.value_kind == "dict"]
    # configuration in the service first, one-off scripts (alembic env, seeders) last
    evidence.sort(key=lambda e: bool(_CLI_PATH.search(e.path)))
    if not evidence:
        evidence = _calls_ev(facts, "logging.getLogger", "structlog.get_logger",
                             "structlog.stdlib.get_logger", note="logger without configuration")
        evidence += [call_ev(facts, m, c, note="logger call") for m, c in
                     facts.calls("loguru.logger.*") if _is_logging_call(c)][:2]
    return dedupe(evidence)


def _file_only_anti(facts: RepoFacts) -> list[AntiPatternHit]:
    """Logs written only to a file inside a container are lost with the container."""
    if not facts.applies("CONT"):
        return []
    files = _calls_ev(facts, "logging.FileHandler", "logging.handlers.RotatingFileHandler",
                      "logging.handlers.TimedRotatingFileHandler",
                      "logging.handlers.WatchedFileHandler")
    files += _grep_ev(facts, _FILE_HANDLER, _CONFIG_KINDS)
    files += [call_ev(facts, m, c) for m, c in facts.calls("logging.basicConfig")
              if c.has_kwarg("filename")]
    if not files:
        return []
    streams = facts.grep(_STREAM_HANDLER, kinds=_CONFIG_KINDS, limit=1)
    plain_basic = [c for _, c in facts.calls("logging.basicConfig") if not c.has_kwarg("filename")]
    if streams or plain_basic or facts.imported("structlog"):
        return []
    return [anti("logs go only to a local file inside a container (lost on restart, "
                 "invisible to the platform)", dedupe(files)[0])]


def _level_from_env(facts: RepoFacts) -> list[Evidence]:
    return _grep_ev(facts, r"(getenv|environ(\.get)?|env)\s*[(\[]\s*[\"']\w*LOG_?LEVEL|"
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


# ----------------------------------------------------------- request correlation

_CORRELATION_LIBS = (r"asgi_correlation_id|CorrelationIdMiddleware|django_guid|"
                     r"starlette_context|RequestIdPlugin|CorrelationIdPlugin|flask_request_id|"
                     r"RequestI[dD]Middleware|request_id_middleware|RequestIDMiddleware|"
                     r"fastapi_request_id|django_request_id|log_request_id|"
                     r"request_id\.middleware")
_ID_HEADERS = r"X-Request-I[dD]|X-Correlation-I[dD]|X-Trace-I[dD]|x-request-id|" \
              r"x-correlation-id|HTTP_X_REQUEST_ID|HTTP_X_CORRELATION_ID|X-Amzn-Trace-Id"
_REQUEST_SCOPED = (r"(request\.state|\bg|flask\.g|request|scope\[[\"']state[\"']\])\."
                   r"(request_id|correlation_id|req_id|trace_id)\s*=|"
                   r"(request_id|correlation_id)_(ctx|var|context)\.set\(")
_LOG_INJECTION = (r"record\.(request_id|correlation_id|req_id|trace_id|guid)\s*=|"
                  r"%\((request_id|correlation_id|req_id|trace_id|correlation|guid)\)|"
                  r"bind_contextvars\([^)]*(request_id|correlation_id|req_id)|"
                  r"contextualize\([^)]*(request_id|correlation_id)|"
                  r"\.bind\(\s*(request_id|correlation_id)\s*=|"
                  r"extra\s*=\s*\{[^}]*[\"'](request_id|correlation_id)[\"']|"
                  r"CorrelationIdFilter|log_filters\.CorrelationId|RequestIdFilter|"
                  r"LoggingInstrumentor\(")
_INBOUND_OTEL = ("*.FastAPIInstrumentor", "*.FastAPIInstrumentor.instrument_app",
                 "*.FlaskInstrumentor", "*.FlaskInstrumentor.instrument_app",
                 "*.DjangoInstrumentor", "*.StarletteInstrumentor",
                 "*.StarletteInstrumentor.instrument_app", "*.OpenTelemetryMiddleware")


def _correlation_filters(facts: RepoFacts) -> list[Evidence]:
    """logging.Filter subclasses that stamp a request/correlation id on records."""
    out = []
    for module, cls in facts.subclasses("logging.Filter", "*.Filter"):
        if re.search(r"(Correlation|Request|Trace)", cls.name) and \
                _class_is_used(facts, module, cls):
            out.append(facts.evidence(module.path, cls.line, note="log filter adds the id"))
    return out


@practice(
    "obs.request-correlation", "Correlation IDs", priority="M", effort="L", applies="HTTP",
    sources=("S1", "FOW mon"),
    aliases=("correlation id", "request id", "x-request-id", "request tracing"),
    recommendation="Register asgi-correlation-id (or django-guid) so every request gets an "
                   "`X-Request-ID`, add its log filter so the id is on every log line, and "
                   "forward the header on outbound calls.",
)
def check_request_correlation(facts: RepoFacts) -> Outcome:
    """Every request carries an id that appears in its log lines and in downstream calls.

    Why it matters:
        Without an id, the log lines of one failing request cannot be told apart
        from those of a thousand concurrent ones, and its path through other
        services cannot be followed.

    What counts as evidence:
        A per-request id (asgi-correlation-id, django-guid, starlette-context
        plugins, a middleware reading or setting `X-Request-ID`, an id stored on
        `request.state`/`g`) together with the id in the log context (a log
        filter, `%(request_id)s` in the format, structlog `bind_contextvars`,
        loguru `contextualize`, OTel `LoggingInstrumentor`).

    What makes it partial:
        Only one half: an id generated or echoed but missing from the logs, or an
        id in log records that is not bound to HTTP requests.

    How to satisfy:
        `app.add_middleware(CorrelationIdMiddleware)` plus
        `CorrelationIdFilter` on the log handler and `%(correlation_id)s` in the
        format; send `X-Request-ID` on outbound requests.
    """
    per_request = _grep_ev(facts, _CORRELATION_LIBS, _CONFIG_KINDS, note="correlation middleware")
    per_request = [e for e in per_request if not e.snippet.startswith(("import ", "from "))]
    per_request += _grep_ev(facts, _ID_HEADERS, ("python",), note="request id header")
    per_request += _grep_ev(facts, _REQUEST_SCOPED, ("python",), note="id bound to the request")
    per_request += _calls_ev(facts, *_INBOUND_OTEL, note="trace context per request")
    in_logs = _grep_ev(facts, _LOG_INJECTION, _CONFIG_KINDS, note="id in log records")
    in_logs += _correlation_filters(facts)
    per_request, in_logs = dedupe(per_request), dedupe(in_logs)
    if per_request and in_logs:
        return implemented("Requests get a correlation id that is added to log records.",
                           [*per_request[:4], *in_logs[:3]])
    if per_request:
        return partial("A request id is handled, but nothing puts it into the log records.",
                       per_request[:5])
    if in_logs:
        return partial("Log records carry a correlation id, but it is not bound to incoming "
                       "requests (no request-id middleware or header).", in_logs[:5])
    anchor = app_anchor(facts)
    return missing("No request/correlation id found (looked for asgi-correlation-id, "
                   "django-guid, X-Request-ID handling and ids in the log format).",
                   context=[anchor] if anchor else [])


# -------------------------------------------------------------------- metrics

_PROM_METRICS = ("prometheus_client.Counter", "prometheus_client.Gauge",
                 "prometheus_client.Histogram", "prometheus_client.Summary",
                 "prometheus_client.Info", "prometheus_client.Enum",
                 "prometheus_client.metrics.*")
_PROM_LATENCY = ("prometheus_client.Histogram", "prometheus_client.Summary",
                 "prometheus_client.metrics.Histogram", "prometheus_client.metrics.Summary")
_PROM_EXPOSE = ("prometheus_client.make_asgi_app", "prometheus_client.make_wsgi_app",
                "prometheus_client.start_http_server", "prometheus_client.start_wsgi_server",
                "prometheus_client.generate_latest", "prometheus_client.exposition.*",
                "prometheus_client.twisted.*", "aioprometheus.*.render", "*.MetricsResource")
_HIGH_CARDINALITY_VALUE = re.compile(
    r"request\.url(\.path)?\b|request\.path\b|request\.full_path|path_info|request\.url_rule|"
    r"request\.get_full_path|\b(user|customer|request|session|order|account|trace)_?id\b|"
    r"\bemail\b|\buuid\b|\bremote_addr\b|client\.host", re.I)
_HIGH_CARDINALITY_NAME = re.compile(
    r"[\"'](user|customer|request|session|order|account|trace)_?id[\"']|[\"']email[\"']|"
    r"[\"'](ip|client_ip|remote_addr|url|full_path|raw_path)[\"']", re.I)
_SCRAPE = (r"scrape_configs:|kind:\s*(ServiceMonitor|PodMonitor)\b|prometheus\.io/scrape|"
           r"metrics_path:")


def _cardinality_antis(facts: RepoFacts) -> list[AntiPatternHit]:
    out = []
    for module, call in facts.calls("*.labels"):
        if not call.name.startswith("prometheus_client") and \
                not facts.imported("prometheus_client"):
            continue
        values = [*call.args, *(v for _, v in call.kwargs)]
        if any(_HIGH_CARDINALITY_VALUE.search(v) for v in values):
            out.append(anti("high-cardinality metric label (raw path or id as a label value)",
                            call_ev(facts, module, call)))
    for module, call in facts.calls(*_PROM_METRICS):
        labels = " ".join(call.args[2:3]) + " " + (call.kwarg("labelnames") or "")
        if _HIGH_CARDINALITY_NAME.search(labels):
            out.append(anti("metric declared with a high-cardinality label (id, email, ip, "
                            "raw url)", call_ev(facts, module, call)))
    return out[:5]


def _library_instrumentation(facts: RepoFacts) -> list[Evidence]:
    """Exporters that expose RED metrics with latency histograms out of the box."""
    out = [call_ev(facts, m, c, note="instrumentator exposes /metrics")
           for m, c in facts.calls("*.expose") if "Instrumentator" in c.name]
    out += _calls_ev(facts, "prometheus_flask_exporter.*", "starlette_exporter.handle_metrics",
                     "starlette_prometheus.metrics", "aioprometheus.asgi.*",
                     note="framework exporter")
    out += [e for e in _grep_ev(facts, r"django_prometheus", ("python",), note="django-prometheus")
            if not e.snippet.startswith(("import ", "from "))]
    return out


def _otel_metrics(facts: RepoFacts) -> tuple[list[Evidence], list[Evidence]]:
    exported = _calls_ev(facts, "*.PrometheusMetricReader", "*.OTLPMetricExporter",
                         "*.PeriodicExportingMetricReader", note="OTel metrics exporter")
    providers = _calls_ev(facts, "opentelemetry.sdk.metrics.MeterProvider",
                          note="OTel MeterProvider")
    meters = _calls_ev(facts, "opentelemetry.metrics.get_meter", "*.create_histogram",
                       "*.create_counter", note="OTel meter")
    if exported and providers:
        return [*providers[:2], *exported[:2]], []
    return [], [*providers, *meters][:3]


def _statsd(facts: RepoFacts) -> tuple[list[Evidence], list[Evidence]]:
    """(statsd timing in a request middleware, other statsd/DogStatsD use)."""
    clients = _calls_ev(facts, "statsd.*", "datadog.DogStatsd", "datadog.dogstatsd.*",
                        "datadog.initialize", "aiodogstatsd.*", "markus.*", note="statsd client")
    if not clients:
        return [], []
    timed = []
    for module, call in facts.calls("*.timing", "*.timer", "*.timed", "*.histogram",
                                    "*.distribution"):
        if "middleware" in (call.scope + module.path).lower():
            timed.append(call_ev(facts, module, call, note="request timing in middleware"))
    uses = _calls_ev(facts, "*statsd*.incr", "*statsd*.timing", "*statsd*.gauge",
                     "*statsd*.increment", note="statsd metric")
    return timed, [*clients[:2], *uses[:3]]


def _custom_collector(facts: RepoFacts) -> list[Evidence]:
    """Home-made metric classes or resource sampling kept inside the process."""
    out = []
    for module in facts.modules():
        collectors = [c for c in module.classes if re.fullmatch(
            r"\w*Metrics?(Backend|Collector|Registry|Recorder|Store|Tracker|Manager)|"
            r"PerformanceMonitor", c.name)]
        kinds = [c for c in module.classes
                 if c.name in ("Counter", "Gauge", "Histogram", "Summary", "Timer")]
        if len(kinds) >= 2 or (kinds and "metric" in module.path.lower()):
            collectors += kinds  # a home-made Counter/Histogram family, not one stray class
        out += [facts.evidence(module.path, c.line, note="in-process metric collector")
                for c in sorted(collectors, key=lambda c: c.line)]
    out += _calls_ev(facts, "psutil.cpu_percent", "psutil.virtual_memory",
                     note="resource sampling in process")[:2]
    return out


@practice(
    "obs.metrics", "RED metrics exposed", priority="H", effort="L", applies="HTTP or Q",
    sources=("S1", "S0", "S2", "S3", "SRE"),
    aliases=("metrics", "prometheus", "monitoring", "red metrics", "instrumentation"),
    recommendation="Expose Prometheus metrics: prometheus-fastapi-instrumentator "
                   "(`Instrumentator().instrument(app).expose(app)`), django-prometheus, or "
                   "prometheus_client with a request-duration `Histogram` and "
                   "`app.mount(\"/metrics\", make_asgi_app())`.",
)
def check_metrics(facts: RepoFacts) -> Outcome:
    """Request rate, errors and duration are measured and exposed to a metrics system.

    Why it matters:
        Latency and error rates are how an on-call engineer sees that the service
        is unhealthy before users report it; alerts and SLOs are built on them.
        Numbers kept only inside the process are lost on restart and invisible
        to the platform.

    What counts as evidence:
        prometheus-fastapi-instrumentator `.expose()`, prometheus-flask-exporter,
        starlette-exporter, django-prometheus; prometheus_client metrics with a
        latency `Histogram`/`Summary` and an exposure (`make_asgi_app`,
        `start_http_server`, `generate_latest` in a route); an OTel
        `MeterProvider` with an exporter; statsd timings in a request middleware.
        Scrape configs and ServiceMonitors are shown as supporting evidence.

    What makes it partial:
        Metrics that are never exposed, an exposure without a latency histogram,
        statsd counters outside the request path, or a custom in-process
        collector (S0). A raw path, id, email or IP as a label value caps the
        status at partial (unbounded series).

    How to satisfy:
        `Instrumentator().instrument(app).expose(app)`, or a `Histogram` observed
        in a middleware with the route template as the label, mounted at
        `/metrics`, and a scrape job pointing at it.
    """
    antis = _cardinality_antis(facts)
    scrape = _grep_ev(facts, _SCRAPE, ("yaml",), limit=2, note="scrape configuration")
    library = _library_instrumentation(facts)
    if library:
        return implemented("A metrics exporter instruments the HTTP framework and exposes "
                           "/metrics.", [*library[:4], *scrape], antis)
    metrics = _calls_ev(facts, *_PROM_METRICS, note="prometheus metric")
    latency = _calls_ev(facts, *_PROM_LATENCY, note="latency histogram")
    exposed = _calls_ev(facts, *_PROM_EXPOSE, note="metrics exposed")
    if metrics and exposed and latency:
        return implemented("Prometheus metrics, including a latency histogram, are exposed.",
                           [*latency[:2], *exposed[:2], *scrape], antis)
    otel_ok, otel_partial = _otel_metrics(facts)
    if otel_ok:
        return implemented("OpenTelemetry metrics are exported.", otel_ok, antis)
    timed, statsd = _statsd(facts)
    if timed:
        return implemented("Request timings are sent to statsd from a middleware.",
                           [*timed[:3], *statsd[:2]], antis)
    if metrics and exposed:
        return partial("Prometheus metrics are exposed but none measures latency "
                       "(no Histogram/Summary).", [*exposed[:2], *metrics[:3]], antis)
    if metrics:
        return partial("Prometheus metrics are defined but never exposed (no /metrics app, "
                       "start_http_server or generate_latest).", metrics[:5], antis)
    if exposed:
        return partial("A metrics endpoint is exposed but no metric measures latency.",
                       exposed[:3], antis)
    if statsd:
        return partial("statsd metrics are sent, but not for HTTP requests (no timing in a "
                       "request middleware).", statsd[:5], antis)
    if otel_partial:
        return partial("OpenTelemetry meters are used but no MeterProvider exports them.",
                       otel_partial, antis)
    custom = _custom_collector(facts)
    if custom:
        return partial("Metrics are collected in-process only; nothing exposes or exports "
                       "them.", custom[:5], antis)
    anchor = app_anchor(facts)
    return missing("No metrics found (looked for prometheus_client, instrumentators, "
                   "django-prometheus, statsd and OpenTelemetry metrics).", antis,
                   context=[anchor] if anchor else [])


# --------------------------------------------------------------- error tracking

_TRACKER_INITS = ("rollbar.init", "bugsnag.configure", "bugsnag.Client",
                  "elasticapm.Client", "elasticapm.contrib.*", "*.ElasticAPM",
                  "ddtrace.patch_all", "ddtrace.patch", "newrelic.agent.initialize",
                  "honeybadger.honeybadger.configure", "honeybadger.*.configure",
                  "pybrake.Notifier", "raygun4py.*", "scout_apm.*", "appsignal.*.start",
                  "raven.Client", "raven.contrib.*")
_TRACKER_TEXT = (r"ddtrace-run|newrelic-admin\s+run-program|elasticapm\.contrib\.django|"
                 r"rollbar\.contrib\.django|scout_apm\.django|raven\.contrib\.django")
_TRACKER_PACKAGES = ("sentry-sdk", "rollbar", "bugsnag", "elastic-apm", "ddtrace", "newrelic",
                     "honeybadger", "raven")
_PERSIST = re.compile(r"\.objects\.create\(|\.add\(|\.insert|\.save\(|\.execute\(|"
                      r"requests\.post|httpx\.post|\.post\(")


def _sentry(facts: RepoFacts) -> tuple[list[Evidence], list[AntiPatternHit]]:
    good: list[Evidence] = []
    antis: list[AntiPatternHit] = []
    pii = facts.applies("PII")
    for module, call in facts.calls("sentry_sdk.init", "sentry_sdk.client.Client",
                                    "raven.Client"):
        ev = call_ev(facts, module, call, note="error tracker initialised")
        dsn = call.kwarg("dsn")
        if dsn is None and call.args:
            dsn = call.args[0]
        value = literal(dsn) if dsn is not None else ...
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            antis.append(anti("Sentry DSN written in the code (take it from the environment)",
                              ev))
        if pii and is_true(call.kwarg("send_default_pii")):
            antis.append(anti("send_default_pii=True sends personal data to the error "
                              "tracker", ev))
        good.append(ev)
    return good, antis


def _frontend_tracker(facts: RepoFacts) -> list[Evidence]:
    return _grep_ev(facts, r"[\"']@sentry/|[\"']@bugsnag/|[\"']rollbar[\"']\s*:|"
                           r"[\"']@datadog/browser-rum", ("json",), limit=3,
                    note="frontend SDK only")


def _home_grown_capture(facts: RepoFacts) -> list[Evidence]:
    """A logging handler that stores exceptions with their tracebacks somewhere durable."""
    out = []
    for module, cls in facts.subclasses("logging.Handler", "*.Handler"):
        body = _class_source(facts, module, cls)
        if re.search(r"exc_info|formatException|traceback", body) and _PERSIST.search(body) and \
                _class_is_used(facts, module, cls):
            out.append(facts.evidence(module.path, cls.line,
                                      note="home-grown error capture handler"))
    return out


@practice(
    "obs.error-tracking", "Error tracking", priority="H", effort="L", applies="ALL",
    sources=("S1",), statuses="implemented partial missing",
    aliases=("error tracking", "sentry", "exception tracking", "apm"),
    recommendation="Initialise Sentry in the backend entry point with the DSN from the "
                   "environment: `sentry_sdk.init(dsn=os.environ.get(\"SENTRY_DSN\"))` (or "
                   "Rollbar/Bugsnag/Elastic APM/Datadog).",
)
def check_error_tracking(facts: RepoFacts) -> Outcome:
    """Unhandled exceptions are reported to an error tracker with context.

    Why it matters:
        Exceptions hidden in log files are noticed late or never; a tracker groups
        them, counts affected users, links releases and alerts on new errors.

    What counts as evidence:
        `sentry_sdk.init(...)` in backend code (DSN from the environment or
        settings), Rollbar `init`, Bugsnag `configure`, Elastic APM, Datadog
        `ddtrace` (`patch_all`, `ddtrace-run`), New Relic, Honeybadger, Airbrake.

    What makes it partial:
        An SDK only in the frontend (`@sentry/*` in package.json), an SDK
        imported but never initialised, or a home-grown handler that stores
        exceptions with tracebacks. A DSN literal in the code, or
        `send_default_pii=True` in a service holding personal data, caps the
        status at partial.

    How to satisfy:
        `sentry_sdk.init(dsn=settings.SENTRY_DSN, environment=..., traces_sample_rate=...)`
        at startup, with `SENTRY_DSN` set in the deploy configuration.
    """
    sentry, antis = _sentry(facts)
    others = _calls_ev(facts, *_TRACKER_INITS, note="error tracker initialised")
    others += _grep_ev(facts, _TRACKER_TEXT, ("python", *_DEPLOY_KINDS), limit=3,
                       note="APM agent")
    for module, call in facts.calls("rollbar.init"):
        token = literal(call.args[0]) if call.args else literal(call.kwarg("access_token"))
        if isinstance(token, str) and len(token) >= 20:
            antis.append(anti("Rollbar access token written in the code",
                              call_ev(facts, module, call)))
    tracked = dedupe([*sentry, *others])
    if tracked:
        deploy = _grep_ev(facts, r"\b(SENTRY_DSN|ROLLBAR_ACCESS_TOKEN|BUGSNAG_API_KEY|"
                                 r"ELASTIC_APM_SERVER_URL|DD_API_KEY|NEW_RELIC_LICENSE_KEY)\b",
                          ("yaml", "env", "dockerfile"), limit=2, note="set in deploy config")
        return implemented("An error tracker is initialised in the backend.",
                           [*tracked[:5], *deploy], antis)
    frontend = _frontend_tracker(facts)
    if frontend:
        return partial("Only the frontend reports errors to a tracker; the backend does not.",
                       frontend, antis)
    imported = [facts.evidence(m.path, i.line, note="imported, never initialised")
                for m, i in facts.imports("sentry_sdk", "rollbar", "bugsnag", "elasticapm",
                                          "raven", "honeybadger")][:3]
    if imported:
        return partial("An error-tracking SDK is imported but never initialised.", imported,
                       antis)
    home_grown = _home_grown_capture(facts)
    if home_grown:
        return partial("Exceptions are captured by a home-grown handler (stored with "
                       "tracebacks), not by an error tracker.", home_grown[:3], antis)
    context = [facts.evidence(r.path, r.line, note="declared, never initialised")
               for r in facts.requirement(*_TRACKER_PACKAGES)[:2]]
    return missing("No error tracker found (looked for sentry_sdk.init, Rollbar, Bugsnag, "
                   "Elastic APM, Datadog and New Relic agents).", antis, context=context)


# ------------------------------------------------------------------- tracing

_OUTBOUND_INSTRUMENTORS = ("*.RequestsInstrumentor", "*.HTTPXClientInstrumentor",
                           "*.AioHttpClientInstrumentor", "*.URLLibInstrumentor",
                           "*.URLLib3Instrumentor", "*.GrpcInstrumentorClient",
                           "*.BotocoreInstrumentor", "*.Boto3SQSInstrumentor",
                           "*.RedisInstrumentor", "*.SQLAlchemyInstrumentor",
                           "*.Psycopg2Instrumentor", "*.PsycopgInstrumentor",
                           "*.AsyncPGInstrumentor", "*.PymongoInstrumentor",
                           "*.CeleryInstrumentor", "*.PikaInstrumentor",
                           "*.KafkaInstrumentor", "*.ConfluentKafkaInstrumentor",
                           "opentelemetry.propagate.inject", "*.OpenAIInstrumentor")
_INBOUND_INSTRUMENTORS = ("*.FastAPIInstrumentor", "*.FlaskInstrumentor",
                          "*.DjangoInstrumentor", "*.StarletteInstrumentor",
                          "*.OpenTelemetryMiddleware", "*.AioHttpServerInstrumentor",
                          "*.TornadoInstrumentor", "*.FalconInstrumentor",
                          "*.GrpcInstrumentorServer", "*.PyramidInstrumentor")
_EXPORTERS = ("*.OTLPSpanExporter", "*.JaegerExporter", "*.ZipkinExporter",
              "*.CloudTraceSpanExporter", "*.AzureMonitorTraceExporter",
              "*.AWSXRaySpanExporter")
_LAUNCHERS = r"opentelemetry-instrument\b|ddtrace-run\b|newrelic-admin\s+run-program"
# Agent settings in deploy files count only when the agent itself is a dependency.
_AGENT_ENV = {
    r"OTEL_EXPORTER_OTLP_(TRACES_)?ENDPOINT|OTEL_TRACES_EXPORTER": (
        ("opentelemetry",), ("opentelemetry-distro", "opentelemetry-sdk",
                             "opentelemetry-exporter-otlp")),
    r"DD_TRACE_ENABLED|DD_TRACE_AGENT_URL": (("ddtrace",), ("ddtrace",)),
    r"ELASTIC_APM_SERVER_URL": (("elasticapm",), ("elastic-apm",)),
}


def _instrumentor_calls(facts: RepoFacts, patterns: tuple[str, ...]) -> list[Evidence]:
    """Instrumentor use: ``X()``, ``X().instrument()`` or ``X.instrument_app(app)``."""
    class_methods = tuple(f"{p}.{method}" for p in patterns if p.endswith("Instrumentor")
                          for method in ("instrument_app", "instrument"))
    return dedupe(_calls_ev(facts, *patterns, *class_methods, note="instrumentation"))


@practice(
    "obs.tracing", "Distributed tracing", priority="M", effort="M", applies="MULTI or OUT",
    sources=("S1", "S2", "SRE"),
    aliases=("tracing", "distributed tracing", "opentelemetry", "otel", "spans"),
    recommendation="Configure OpenTelemetry: a `TracerProvider` with a `BatchSpanProcessor("
                   "OTLPSpanExporter())`, the framework instrumentor for inbound requests "
                   "and the requests/httpx/SQLAlchemy instrumentors for outbound calls (or "
                   "run under `opentelemetry-instrument`).",
)
def check_tracing(facts: RepoFacts) -> Outcome:
    """Requests are traced across service and dependency boundaries and exported.

    Why it matters:
        When a request crosses a gateway, services, a database and third-party
        APIs, only a trace shows where its time went and which hop failed;
        logs and metrics per service cannot join the pieces.

    What counts as evidence:
        An OpenTelemetry `TracerProvider` with an OTLP/Jaeger/Zipkin/cloud
        exporter plus instrumentation of outbound calls (requests, httpx,
        SQLAlchemy, Redis, Celery instrumentors or `propagate.inject`); the
        `opentelemetry-instrument` launcher or `OTEL_EXPORTER_OTLP_ENDPOINT` in
        deploy config; Datadog `ddtrace`, Elastic APM or New Relic agents.

    What makes it partial:
        Spans exported to the console only, inbound (server) spans only without
        outbound propagation, spans created through the OTel API without a
        provider or exporter, or only Sentry performance tracing.

    How to satisfy:
        `provider = TracerProvider(resource=...)`;
        `provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))`;
        `FastAPIInstrumentor.instrument_app(app)`; `HTTPXClientInstrumentor().instrument()`.
    """
    agents = _grep_ev(facts, _LAUNCHERS, _DEPLOY_KINDS, limit=3, note="tracing agent launcher")
    for pattern, (modules, packages) in _AGENT_ENV.items():
        if facts.imported(*modules) or facts.requirement(*packages):
            agents += _grep_ev(facts, pattern, _DEPLOY_KINDS, limit=2, note="agent configured")
    agents += _calls_ev(facts, "ddtrace.patch_all", "ddtrace.patch", "*.ElasticAPM",
                        "elasticapm.Client", "newrelic.agent.initialize",
                        "azure.monitor.opentelemetry.configure_azure_monitor",
                        "logfire.configure", note="tracing agent")
    exporters = _calls_ev(facts, *_EXPORTERS, note="span exporter")
    providers = _calls_ev(facts, "opentelemetry.sdk.trace.TracerProvider", "*.TracerProvider",
                          note="tracer provider")
    outbound = _instrumentor_calls(facts, _OUTBOUND_INSTRUMENTORS)
    inbound = _instrumentor_calls(facts, _INBOUND_INSTRUMENTORS)
    if agents:
        return implemented("A tracing agent or OpenTelemetry auto-instrumentation is "
                           "configured.", dedupe([*agents, *providers, *exporters])[:5])
    if exporters and (outbound or not facts.applies("OUT")):
        return implemented("Spans are exported and outbound calls are instrumented.",
                           dedupe([*providers[:1], *exporters[:2], *outbound[:2],
                                   *inbound[:1]]))
    if exporters:
        return partial("Spans are exported, but only inbound requests are traced; outbound "
                       "calls carry no trace context.", [*exporters[:2], *inbound[:2]])
    console = _calls_ev(facts, "*.ConsoleSpanExporter", note="console exporter only")
    if console:
        return partial("Spans are printed to the console only; nothing exports them.",
                       [*providers[:1], *console[:2]])
    if providers or inbound or outbound:
        return partial("OpenTelemetry is set up without a span exporter.",
                       [*providers[:2], *inbound[:2], *outbound[:2]])
    api_spans = _calls_ev(facts, "opentelemetry.trace.get_tracer", "*.start_as_current_span",
                          note="OTel API spans without a provider")
    api_spans = [e for e in api_spans if facts.imported("opentelemetry")]
    if api_spans:
        return partial("Spans are created through the OpenTelemetry API, but no "
                       "TracerProvider or exporter is configured, so they are dropped.",
                       api_spans[:3])
    sentry_traces = [call_ev(facts, m, c, note="Sentry performance tracing")
                     for m, c in facts.calls("sentry_sdk.init")
                     if c.has_kwarg("traces_sample_rate", "enable_tracing", "traces_sampler")
                     and not re.fullmatch(r"0(\.0*)?|False|None", c.kwarg("traces_sample_rate")
                                          or c.kwarg("enable_tracing") or "x")]
    if sentry_traces:
        return partial("Only Sentry performance tracing; no OpenTelemetry/APM traces "
                       "propagated across services.", sentry_traces[:2])
    return missing("No tracing found (looked for OpenTelemetry providers, exporters and "
                   "instrumentors, opentelemetry-instrument, ddtrace, Elastic APM).")

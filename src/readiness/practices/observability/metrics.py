"""obs.metrics: request rate, errors and duration are measured and exposed."""

from __future__ import annotations

import re

from readiness.facts import RepoFacts
from readiness.model import AntiPatternHit, Evidence
from readiness.practices.helpers import call_ev, grep_ev
from readiness.practices.observability._search import calls_ev
from readiness.practices.registry import Outcome, anti, implemented, missing, partial, practice
from readiness.practices.web import app_context

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
    out += calls_ev(facts, "prometheus_flask_exporter.*", "starlette_exporter.handle_metrics",
                     "starlette_prometheus.metrics", "aioprometheus.asgi.*",
                     note="framework exporter")
    out += [e for e in grep_ev(facts, r"django_prometheus", ("python",), limit=5,
                                note="django-prometheus")
            if not e.snippet.startswith(("import ", "from "))]
    return out


def _otel_metrics(facts: RepoFacts) -> tuple[list[Evidence], list[Evidence]]:
    exported = calls_ev(facts, "*.PrometheusMetricReader", "*.OTLPMetricExporter",
                         "*.PeriodicExportingMetricReader", note="OTel metrics exporter")
    providers = calls_ev(facts, "opentelemetry.sdk.metrics.MeterProvider",
                          note="OTel MeterProvider")
    meters = calls_ev(facts, "opentelemetry.metrics.get_meter", "*.create_histogram",
                       "*.create_counter", note="OTel meter")
    if exported and providers:
        return [*providers[:2], *exported[:2]], []
    return [], [*providers, *meters][:3]


def _statsd(facts: RepoFacts) -> tuple[list[Evidence], list[Evidence]]:
    """(statsd timing in a request middleware, other statsd/DogStatsD use)."""
    clients = calls_ev(facts, "statsd.*", "datadog.DogStatsd", "datadog.dogstatsd.*",
                        "datadog.initialize", "aiodogstatsd.*", "markus.*", note="statsd client")
    if not clients:
        return [], []
    timed = []
    for module, call in facts.calls("*.timing", "*.timer", "*.timed", "*.histogram",
                                    "*.distribution"):
        if "middleware" in (call.scope + module.path).lower():
            timed.append(call_ev(facts, module, call, note="request timing in middleware"))
    uses = calls_ev(facts, "*statsd*.incr", "*statsd*.timing", "*statsd*.gauge",
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
    out += calls_ev(facts, "psutil.cpu_percent", "psutil.virtual_memory",
                     note="resource sampling in process")[:2]
    return out


@practice(
    "obs.metrics", "RED metrics exposed", priority="H", effort="L", applies="HTTP or Q",
    sources=("S1", "S0", "S2", "S3", "SRE"),
    aliases=("metrics", "prometheus", "monitoring", "red metrics", "instrumentation",
             "performance monitoring", "metrics endpoint", "application metrics",
             "metrics collection"),
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
    scrape = grep_ev(facts, _SCRAPE, ("yaml",), limit=2, note="scrape configuration")
    library = _library_instrumentation(facts)
    if library:
        return implemented("A metrics exporter instruments the HTTP framework and exposes "
                           "/metrics.", [*library[:4], *scrape], antis)
    metrics = calls_ev(facts, *_PROM_METRICS, note="prometheus metric")
    latency = calls_ev(facts, *_PROM_LATENCY, note="latency histogram")
    exposed = calls_ev(facts, *_PROM_EXPOSE, note="metrics exposed")
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
    return missing("No metrics found (looked for prometheus_client, instrumentators, "
                   "django-prometheus, statsd and OpenTelemetry metrics).", antis,
                   context=app_context(facts))

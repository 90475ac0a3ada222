"""obs.tracing: requests are traced across services and the spans exported."""

from __future__ import annotations

import re

from readiness.facts import RepoFacts
from readiness.model import Evidence
from readiness.practices.helpers import call_ev, dedupe, grep_ev
from readiness.practices.observability._search import DEPLOY_KINDS, calls_ev
from readiness.practices.registry import Outcome, implemented, missing, partial, practice

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
    return dedupe(calls_ev(facts, *patterns, *class_methods, note="instrumentation"))


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
    agents = grep_ev(facts, _LAUNCHERS, DEPLOY_KINDS, limit=3, note="tracing agent launcher")
    for pattern, (modules, packages) in _AGENT_ENV.items():
        if facts.imported(*modules) or facts.requirement(*packages):
            agents += grep_ev(facts, pattern, DEPLOY_KINDS, limit=2, note="agent configured")
    agents += calls_ev(facts, "ddtrace.patch_all", "ddtrace.patch", "*.ElasticAPM",
                        "elasticapm.Client", "newrelic.agent.initialize",
                        "azure.monitor.opentelemetry.configure_azure_monitor",
                        "logfire.configure", note="tracing agent")
    exporters = calls_ev(facts, *_EXPORTERS, note="span exporter")
    providers = calls_ev(facts, "opentelemetry.sdk.trace.TracerProvider", "*.TracerProvider",
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
    console = calls_ev(facts, "*.ConsoleSpanExporter", note="console exporter only")
    if console:
        return partial("Spans are printed to the console only; nothing exports them.",
                       [*providers[:1], *console[:2]])
    if providers or inbound or outbound:
        return partial("OpenTelemetry is set up without a span exporter.",
                       [*providers[:2], *inbound[:2], *outbound[:2]])
    api_spans = calls_ev(facts, "opentelemetry.trace.get_tracer", "*.start_as_current_span",
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

"""obs.request-correlation: every request carries an id found in its logs."""

from __future__ import annotations

import re

from readiness.facts import RepoFacts
from readiness.model import Evidence
from readiness.practices.helpers import dedupe, grep_ev
from readiness.practices.observability._search import CONFIG_KINDS, calls_ev, class_is_used
from readiness.practices.registry import Outcome, implemented, missing, partial, practice
from readiness.practices.web import app_context

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
                class_is_used(facts, module, cls):
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
    per_request = grep_ev(facts, _CORRELATION_LIBS, CONFIG_KINDS, limit=5,
                          note="correlation middleware")
    per_request = [e for e in per_request if not e.snippet.startswith(("import ", "from "))]
    per_request += grep_ev(facts, _ID_HEADERS, ("python",), limit=5, note="request id header")
    per_request += grep_ev(facts, _REQUEST_SCOPED, ("python",), limit=5,
                           note="id bound to the request")
    per_request += calls_ev(facts, *_INBOUND_OTEL, note="trace context per request")
    in_logs = grep_ev(facts, _LOG_INJECTION, CONFIG_KINDS, limit=5, note="id in log records")
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
    return missing("No request/correlation id found (looked for asgi-correlation-id, "
                   "django-guid, X-Request-ID handling and ids in the log format).",
                   context=app_context(facts))

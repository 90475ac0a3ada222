"""HTTP measurements of a running service (issue 3).

Every request has a timeout; every loop is bounded in count and time; only the
target's scheme, host and port are contacted (a redirect elsewhere is recorded as a
warning, never followed); load, bursts and write requests need an explicit flag.

Public API::

    ProbeOptions(...)                     bounds and permissions of a run
    parse_threshold("p(95)<100ms")        -> Threshold (ConfigError when malformed)
    run_probes(url, options, known_routes=..., progress=...) -> readiness.model.ProbeRun
    ManagedService(command, health_url)   context manager for ``--start``
    parse_duration("30s"), parse_rate("200/s")

Results, in order (``ProbeResult.probe``: the practices its checks judge)::

    discovery       -                    openapi, routes, docs, health_paths, api
    health          rel.health-liveness, rel.health-readiness
                                         path, p50/p90/p95/p99/min/max/avg_ms, count,
                                         errors, error_rate, status_codes,
                                         readiness_path, dependencies
    latency-closed  scale.latency-budget same latency keys + rps, seconds, client_cpu, users
    latency-open    scale.latency-budget same + rate_per_s, send_lag_p99_ms,
                                         unfinished, not_sent
    headers         sec.security-headers headers (per URL), missing
    cors            sec.cors             GET / preflight: status, allow_origin,
                                         allow_credentials
    authn           sec.authn            enforced / open / broken / unclear requests
    errors          rel.error-handling, sec.secure-config      cases
    server          scale.production-server, sec.secure-config server, docs,
                                         admin_open, http_redirect
    rate-limit      scale.rate-limiting  path, sent, limit, status_codes,
                                         first_429_at, headers
    cookies         sec.cookies-csrf     set_cookie_headers

Thresholds are scoped with a prefix (``health:``, ``load:``, ``closed:``, ``open:``;
unscoped means ``load``): see ``readiness.probes.thresholds``.
"""

from readiness.probes.options import PROBE_NAMES, ProbeOptions, parse_duration, parse_rate
from readiness.probes.runner import run_probes
from readiness.probes.service import ManagedService
from readiness.probes.thresholds import (
    DEFAULT_THRESHOLDS,
    SCOPES,
    Threshold,
    parse_threshold,
    parse_thresholds,
)

__all__ = [
    "DEFAULT_THRESHOLDS",
    "PROBE_NAMES",
    "SCOPES",
    "ManagedService",
    "ProbeOptions",
    "Threshold",
    "parse_duration",
    "parse_rate",
    "parse_threshold",
    "parse_thresholds",
    "run_probes",
]

"""HTTP measurements of a running service (issue 3).

Every request has a timeout; every loop is bounded in count and time; only the
target's host is contacted; load and bursts need an explicit flag. Results are
``readiness.model.ProbeRun`` values that the engine merges into findings.

Public API::

    ProbeOptions(...)                     bounds and permissions of a run
    parse_threshold("p(95)<100ms")        -> Threshold (ConfigError when malformed)
    run_probes(url, options, known_routes=..., progress=...) -> ProbeRun
    ManagedService(command, health_url)   context manager for ``--start``
    parse_duration("30s"), parse_rate("200/s")
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

"""Observability practices: structured logs, correlation ids, metrics, error tracking, tracing.

Each rule asks the same two questions as the rest of the catalog: is the signal
*configured and used* (a formatter attached, a middleware registered, a
`/metrics` endpoint mounted, an SDK initialised), or is it only imported or
defined? Only the first makes a practice implemented (status rule 2).

Importing this package registers its practices, one module per practice.
"""

from readiness.practices.observability import (  # noqa: F401  (registers the practices)
    error_tracking,
    metrics,
    request_correlation,
    structured_logging,
    tracing,
)

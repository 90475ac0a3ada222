"""Reliability practices: timeouts, retries, circuit breakers, health, errors, shutdown.

Importing this package registers its practices, one module per practice.
"""

from readiness.practices.reliability import (  # noqa: F401  (registers the practices)
    circuit_breaker,
    error_handling,
    graceful_shutdown,
    health_liveness,
    health_readiness,
    retry_backoff,
    timeouts,
)

"""Scalability practices: production server, rate limiting, pagination, load testing,
latency budget.

Importing this package registers its practices, one module per practice.
"""

from readiness.practices.scale import (  # noqa: F401  (registers the practices)
    latency_budget,
    load_testing,
    pagination,
    production_server,
    rate_limiting,
)

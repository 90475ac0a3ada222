"""Data-layer practices: migrations, indexes, connection pools, caching, job queues.

Importing this package registers its practices, one module per practice.
"""

from readiness.practices.data import (  # noqa: F401  (registers the practices)
    caching,
    connection_pooling,
    indexes,
    job_queue,
    migrations,
)

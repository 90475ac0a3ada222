"""Networking and API practices: versioned routes with a deprecation path.

Importing this package registers its practices, one module per practice.
"""

from readiness.practices.networking import (  # noqa: F401  (registers the practices)
    api_versioning,
)

"""Code quality practices: automated tests, pinned dependencies, central validated config.

Importing this package registers its practices, one module per practice.
"""

from readiness.practices.code import (  # noqa: F401  (registers the practices)
    config_management,
    dependency_pinning,
    tests,
)

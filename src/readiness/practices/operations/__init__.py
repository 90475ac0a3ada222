"""Cost and operations practices: scheduled, off-host database backups with a restore path.

Importing this package registers its practices, one module per practice.
"""

from readiness.practices.operations import (  # noqa: F401  (registers the practices)
    backups,
)

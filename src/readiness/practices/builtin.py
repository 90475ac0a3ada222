"""The built-in catalog: importing this module registers every built-in practice.

Category packages are listed explicitly (no import-time discovery), and each package
imports its practice modules explicitly, so that the catalog a release ships is
reviewable in one place.
"""

from __future__ import annotations

from readiness.practices import (  # noqa: F401  (imported for their @practice registrations)
    code,
    data,
    deployment,
    ml,
    ml_hygiene,
    networking,
    observability,
    operations,
    reliability,
    scale,
    security,
)

MODULES = (
    "data", "reliability", "scale", "security", "observability", "deployment", "code",
    "networking", "ml", "ml_hygiene", "operations",
)


def register_all() -> list[object]:
    """Entry point of group ``readiness.practices`` for the built-in catalog (the
    registry loads built-ins directly; plugins return their own ``Practice`` lists)."""
    from readiness.practices.registry import builtin_practices

    return list(builtin_practices())

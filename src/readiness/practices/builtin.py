"""The built-in catalog: importing this module registers every built-in practice.

Modules are listed explicitly (no import-time discovery) so that the catalog a
release ships is reviewable in one place.
"""

from __future__ import annotations

from readiness.practices import (  # noqa: F401  (imported for their @practice registrations)
    code_quality,
    containers,
    data,
    delivery,
    ml,
    ml_hygiene,
    network,
    observability,
    operations,
    reliability,
    scale,
    security_access,
    security_code,
)

MODULES = (
    "data", "reliability", "scale", "security_access", "security_code", "observability",
    "delivery", "containers", "code_quality", "network", "ml", "ml_hygiene", "operations",
)


def register_all() -> list[object]:
    """Entry point of group ``readiness.practices`` for the built-in catalog (the
    registry loads built-ins directly; plugins return their own ``Practice`` lists)."""
    from readiness.practices.registry import builtin_practices

    return list(builtin_practices())

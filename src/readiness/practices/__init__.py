"""The practice catalog: one small pure rule per practice, grouped by category."""

from readiness.practices.registry import (
    Outcome,
    Practice,
    Registry,
    anti,
    finalise,
    implemented,
    missing,
    na,
    partial,
    practice,
    run_practice,
    unknown,
)

__all__ = [
    "Outcome",
    "Practice",
    "Registry",
    "anti",
    "finalise",
    "implemented",
    "missing",
    "na",
    "partial",
    "practice",
    "run_practice",
    "unknown",
]

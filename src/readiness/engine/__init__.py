"""The engine: one run end to end. The only layer that knows every other one; the CLI
(and later the web and portfolio entry points) call it and render what it returns."""

from readiness.engine.run import (
    apply_waivers,
    assess,
    check_target,
    gate,
    git_commit,
    priority_order,
)

__all__ = ["apply_waivers", "assess", "check_target", "gate", "git_commit", "priority_order"]

"""Settings: CLI > env ``READINESS_*`` > ``[tool.readiness]`` / ``.readiness.toml`` > defaults."""

from readiness.config.loader import build, load_settings, read_env, read_project_file
from readiness.config.settings import (
    DEFAULT_WEIGHTS,
    FAIL_ON,
    FORMATS,
    PARSERS,
    ProbeSettings,
    Settings,
    WaiverSpec,
)

__all__ = [
    "DEFAULT_WEIGHTS",
    "FAIL_ON",
    "FORMATS",
    "PARSERS",
    "ProbeSettings",
    "Settings",
    "WaiverSpec",
    "build",
    "load_settings",
    "read_env",
    "read_project_file",
]

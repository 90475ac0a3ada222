"""The one settings object, and the defaults every source is layered on."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from readiness.model import DEFAULT_WEIGHTS as DEFAULT_WEIGHTS

FORMATS = ("terminal", "markdown", "json")
PARSERS = ("auto", "ast", "tree-sitter")
FAIL_ON = ("critical", "high")


@dataclass(frozen=True, slots=True)
class WaiverSpec:
    """A team's decision to accept a gap for now: practice id, why, until when."""

    practice: str
    reason: str
    expires: str | None = None  # ISO date (YYYY-MM-DD)


@dataclass(frozen=True, slots=True)
class ProbeSettings:
    """Defaults for live probes that a project may keep in its configuration.

    Only measurements and targets live here; permissions (``--allow-load``,
    ``--allow-burst``, ``--allow-writes``) are command-line flags only, so a
    repository can never make readiness load a service on its own.
    """

    thresholds: tuple[str, ...] | None = None  # None: the seed reports' targets
    users: int | None = None
    duration: str | None = None  # "30s"
    rate: str | None = None  # "200/s"
    timeout: str | None = None  # per request, "5s"


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a run can be told. Precedence: CLI > env > project file > defaults."""

    formats: tuple[str, ...] = ("terminal",)
    out: str | None = None
    fail_under: float | None = None
    fail_on: str | None = None
    max_file_bytes: int = 1_000_000
    max_files: int = 100_000
    max_yaml_nodes: int = 100_000
    cache: bool = True
    cache_dir: str | None = None
    python_parser: str = "auto"
    jobs: int = 0  # 0 = choose from the CPU count and the tree size
    exclude: tuple[str, ...] = ()
    disable: tuple[str, ...] = ()
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    waivers: tuple[WaiverSpec, ...] = ()
    debug: bool = False
    progress: bool = True
    probe: ProbeSettings = field(default_factory=ProbeSettings)


SETTING_NAMES = tuple(f.name for f in fields(Settings))

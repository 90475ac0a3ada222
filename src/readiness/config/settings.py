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


SETTING_NAMES = tuple(f.name for f in fields(Settings))

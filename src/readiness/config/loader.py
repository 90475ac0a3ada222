"""Read settings from their sources and merge them with tested precedence.

CLI options > environment (``READINESS_*``) > ``.readiness.toml`` or
``[tool.readiness]`` in the target's ``pyproject.toml`` > defaults. Every value is
validated here, so the rest of the program can trust a ``Settings``.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from readiness.config.settings import (
    DEFAULT_WEIGHTS,
    FAIL_ON,
    FORMATS,
    PARSERS,
    SETTING_NAMES,
    ProbeSettings,
    Settings,
    WaiverSpec,
)
from readiness.errors import ConfigError

ENV_PREFIX = "READINESS_"
FILE_KEYS = (
    "formats", "fail_under", "fail_on", "max_file_bytes", "max_files", "max_yaml_nodes",
    "python_parser", "exclude", "disable", "weights", "waivers", "cache", "probe",
)
PROBE_KEYS = ("thresholds", "users", "duration", "rate", "timeout")


def load_settings(
    root: Path | None,
    cli: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Merge every source into one validated ``Settings``."""
    merged: dict[str, Any] = {}
    if root is not None:
        merged.update(read_project_file(root))
    merged.update(read_env(env or {}))
    merged.update({k: v for k, v in (cli or {}).items() if v is not None})
    return build(merged)


# The assessed repository configures its own review, so it must not be able to lift the
# limits that protect readiness from that same repository's files.
PROJECT_CEILINGS = {"max_file_bytes": 10_000_000, "max_files": 500_000,
                    "max_yaml_nodes": 1_000_000}


def read_project_file(root: Path) -> dict[str, Any]:
    """``.readiness.toml`` (whole file) or ``[tool.readiness]`` of ``pyproject.toml``,
    with the resource limits it may set capped by ``PROJECT_CEILINGS``."""
    values = _read_project_file(root)
    for name, ceiling in PROJECT_CEILINGS.items():
        if name in values:
            number = _as_int(name.replace("_", "-"), values[name], 1)
            if number > ceiling:
                raise ConfigError(
                    f"{name.replace('_', '-')} = {number} in the project's configuration is above "
                    f"{ceiling:,}; a repository cannot lift readiness's limits (use the "
                    f"--{name.replace('_', '-')} option)")
    return values


def _read_project_file(root: Path) -> dict[str, Any]:
    dedicated = root / ".readiness.toml"
    if dedicated.is_file():
        return _table(_read_toml(dedicated), dedicated.name)
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = _read_toml(pyproject)
        except ConfigError:
            text = pyproject.read_text(encoding="utf-8", errors="replace")
            if re.search(r"^\s*\[+\s*tool\.readiness", text, re.M):
                raise  # its readiness settings (a gate, waivers) would be silently lost
            return {}  # otherwise the target's problem, reported as a skipped file
        tool = data.get("tool", {})
        if isinstance(tool, dict) and isinstance(tool.get("readiness"), dict):
            return _table(tool["readiness"], "pyproject.toml [tool.readiness]")
    return {}


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc}") from exc


def _table(data: Mapping[str, Any], origin: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = key.replace("-", "_")
        if name == "format":
            name = "formats"
        if name not in FILE_KEYS:
            known = ", ".join(sorted(k.replace("_", "-") for k in FILE_KEYS))
            raise ConfigError(f"{origin}: unknown setting {key!r}; known: {known}")
        out[name] = value
    return out


def read_env(env: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in env.items():
        if not key.startswith(ENV_PREFIX):
            continue
        name = key[len(ENV_PREFIX):].lower()
        if name == "format":
            name = "formats"
        if name in ("weights", "waivers"):
            continue  # structured values live in the project file
        if name in SETTING_NAMES:
            out[name] = value
    return out


def _as_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ConfigError(f"{name}: expected true or false, got {value!r}")


def _as_int(name: str, value: Any, minimum: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name}: expected a whole number, got {value!r}") from None
    if number < minimum:
        raise ConfigError(f"{name}: must be at least {minimum}, got {number}")
    return number


def _as_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(p.strip() for p in value.split(",") if p.strip())
    if isinstance(value, (list, tuple)):
        return tuple(str(p).strip() for p in value if str(p).strip())
    raise ConfigError(f"expected a list or a comma-separated string, got {value!r}")


_FORMAT_NAME = re.compile(r"[a-z][a-z0-9_-]{0,31}")


def _formats(value: Any) -> tuple[str, ...]:
    """Format names. Built-ins are terminal, markdown and json; plugins may add others
    (entry-point group ``readiness.reporters``), so only the name's shape is checked here
    and the CLI checks that a reporter by that name is installed."""
    names = _as_list(value)
    for name in names:
        if not _FORMAT_NAME.fullmatch(name):
            raise ConfigError(f"format: {name!r} is not a format name; built-in formats are "
                              f"{', '.join(FORMATS)}")
    if not names:
        raise ConfigError("format: give at least one of " + ", ".join(FORMATS))
    return tuple(dict.fromkeys(names))


def _weights(value: Any) -> dict[str, float]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"weights: expected a table like {{critical = 10}}, got {value!r}")
    out = dict(DEFAULT_WEIGHTS)
    for key, weight in value.items():
        if key not in DEFAULT_WEIGHTS:
            raise ConfigError(f"weights: unknown priority {key!r}")
        try:
            out[key] = float(weight)
        except (TypeError, ValueError):
            raise ConfigError(f"weights.{key}: expected a number, got {weight!r}") from None
        if out[key] < 0:
            raise ConfigError(f"weights.{key}: must not be negative")
    return out


def _waivers(value: Any) -> tuple[WaiverSpec, ...]:
    if not isinstance(value, list):
        raise ConfigError("waivers: expected a list of tables with practice, reason, expires")
    out: list[WaiverSpec] = []
    for index, item in enumerate(value):
        if not isinstance(item, Mapping):
            raise ConfigError(f"waivers[{index}]: expected a table")
        practice = str(item.get("practice", "")).strip()
        reason = str(item.get("reason", "")).strip()
        if not practice or not reason:
            raise ConfigError(f"waivers[{index}]: both 'practice' and 'reason' are required")
        expires = item.get("expires")
        if expires is not None:
            if isinstance(expires, dt.date):
                expires = expires.isoformat()
            try:
                dt.date.fromisoformat(str(expires))
            except ValueError:
                raise ConfigError(
                    f"waivers[{index}].expires: expected a date YYYY-MM-DD, got {expires!r}"
                ) from None
            expires = str(expires)
        out.append(WaiverSpec(practice, reason, expires))
    return tuple(out)


def _probe(value: Any) -> ProbeSettings:
    """The ``[tool.readiness.probe]`` table: thresholds and load shape, no permissions."""
    if not isinstance(value, Mapping):
        raise ConfigError("probe: expected a table ([tool.readiness.probe])")
    changes: dict[str, Any] = {}
    for key, item in value.items():
        name = key.replace("-", "_")
        if name not in PROBE_KEYS:
            hint = " (permissions are command-line flags only)" if name.startswith("allow") \
                else ""
            raise ConfigError(f"probe: unknown setting {key!r}{hint}; known: "
                              f"{', '.join(PROBE_KEYS)}")
        if name == "thresholds":
            if isinstance(item, str):
                item = [item]
            if not isinstance(item, list) or not all(isinstance(x, str) for x in item):
                raise ConfigError("probe.thresholds: expected a list of strings such as "
                                  "[\"p(95)<100ms\"]")
            changes[name] = tuple(item)
        elif name == "users":
            changes[name] = _as_int("probe.users", item, 1)
        else:
            if not isinstance(item, (str, int, float)) or isinstance(item, bool):
                raise ConfigError(f"probe.{key}: expected a string such as \"30s\" or "
                                  "\"200/s\"")
            changes[name] = str(item)
    return replace(ProbeSettings(), **changes)


def build(values: Mapping[str, Any]) -> Settings:
    """Validate raw values (from any source) into a ``Settings``."""
    settings = Settings()
    changes: dict[str, Any] = {}
    for name, value in values.items():
        if name == "formats":
            changes[name] = _formats(value)
        elif name == "out":
            changes[name] = str(value)
        elif name == "fail_under":
            try:
                score = float(value)
            except (TypeError, ValueError):
                raise ConfigError(f"fail-under: expected a score 0-100, got {value!r}") from None
            if not 0 <= score <= 100:
                raise ConfigError(f"fail-under: expected a score 0-100, got {score}")
            changes[name] = score
        elif name == "fail_on":
            if str(value) not in FAIL_ON:
                raise ConfigError(f"fail-on: expected one of {', '.join(FAIL_ON)}, got {value!r}")
            changes[name] = str(value)
        elif name == "max_file_bytes":
            changes[name] = _as_int("max-file-bytes", value, 1024)
        elif name == "max_files":
            changes[name] = _as_int("max-files", value, 1)
        elif name == "max_yaml_nodes":
            changes[name] = min(_as_int("max-yaml-nodes", value, 100), 10_000_000)
        elif name == "jobs":
            changes[name] = _as_int("jobs", value, 0)
        elif name in ("cache", "debug", "progress"):
            changes[name] = _as_bool(name, value)
        elif name == "cache_dir":
            changes[name] = str(value)
        elif name == "python_parser":
            if str(value) not in PARSERS:
                raise ConfigError(
                    f"python-parser: expected one of {', '.join(PARSERS)}, got {value!r}"
                )
            changes[name] = str(value)
        elif name in ("exclude", "disable"):
            changes[name] = _as_list(value)
        elif name == "weights":
            changes[name] = _weights(value)
        elif name == "waivers":
            changes[name] = _waivers(value)
        elif name == "probe":
            changes[name] = value if isinstance(value, ProbeSettings) else _probe(value)
        else:
            raise ConfigError(f"unknown setting {name!r}")
    return replace(settings, **changes)

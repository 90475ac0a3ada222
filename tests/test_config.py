"""Settings precedence (CLI > env > project file > defaults) and validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from readiness.config import Settings, load_settings
from readiness.errors import ConfigError


def _project(tmp_path: Path, text: str, name: str = "pyproject.toml") -> Path:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_defaults() -> None:
    settings = load_settings(None)
    assert settings == Settings()
    assert settings.formats == ("terminal",)


def test_precedence_cli_over_env_over_file(tmp_path: Path) -> None:
    root = _project(tmp_path, "[tool.readiness]\nfail-under = 50\nmax-files = 10\n"
                              "format = ['json']\n")
    from_file = load_settings(root)
    assert (from_file.fail_under, from_file.max_files, from_file.formats) == (50, 10, ("json",))
    from_env = load_settings(root, env={"READINESS_FAIL_UNDER": "60"})
    assert from_env.fail_under == 60 and from_env.max_files == 10
    from_cli = load_settings(root, cli={"fail_under": 70}, env={"READINESS_FAIL_UNDER": "60"})
    assert from_cli.fail_under == 70


def test_dedicated_file_wins_over_pyproject(tmp_path: Path) -> None:
    _project(tmp_path, "[tool.readiness]\nfail-under = 50\n")
    _project(tmp_path, "fail-under = 80\n", ".readiness.toml")
    assert load_settings(tmp_path).fail_under == 80


def test_waivers_and_weights_from_file(tmp_path: Path) -> None:
    root = _project(tmp_path, """
[tool.readiness]
weights = { critical = 20 }
[[tool.readiness.waivers]]
practice = "rel.circuit-breaker"
reason = "single dependency, accepted for the beta"
expires = 2027-03-31
""")
    settings = load_settings(root)
    assert settings.weights["critical"] == 20 and settings.weights["low"] == 2.5
    assert settings.waivers[0].practice == "rel.circuit-breaker"
    assert settings.waivers[0].expires == "2027-03-31"


@pytest.mark.parametrize(("text", "message"), [
    ("[tool.readiness]\nfail-under = 'high'\n", "fail-under"),
    ("[tool.readiness]\nformat = ['P D F']\n", "not a format name"),
    ("[tool.readiness]\nnonsense = 1\n", "unknown setting"),
    ("[tool.readiness]\nweights = { urgent = 1 }\n", "unknown priority"),
    ("[[tool.readiness.waivers]]\npractice = 'rel.timeouts'\n", "reason"),
    ("[[tool.readiness.waivers]]\npractice = 'a.b'\nreason = 'x'\nexpires = 'soon'\n", "date"),
])
def test_invalid_values_are_config_errors(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(_project(tmp_path, text))


def test_invalid_env_value(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="max-files"):
        load_settings(tmp_path, env={"READINESS_MAX_FILES": "lots"})


def test_broken_pyproject_of_the_target_is_not_a_config_error(tmp_path: Path) -> None:
    assert load_settings(_project(tmp_path, "[project\n")) == Settings()


def test_broken_dedicated_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read configuration"):
        load_settings(_project(tmp_path, "x = [\n", ".readiness.toml"))

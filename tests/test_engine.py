"""The engine: rule isolation, waivers, the cache, plugins and the gate."""

from __future__ import annotations

from pathlib import Path

import pytest

from readiness.config import Settings, WaiverSpec
from readiness.engine import assess, gate
from readiness.facts import RepoFacts
from readiness.model import Status
from readiness.practices.registry import Outcome, Registry, builtin_practices, practice
from tests.helpers import EXAMPLE


def _quiet(**kwargs: object) -> Settings:
    return Settings(progress=False, **kwargs)  # type: ignore[arg-type]


def test_a_crashing_rule_becomes_an_error_finding(make_repo) -> None:
    def boom(facts: RepoFacts) -> Outcome:
        """Why it matters: x
        What counts as evidence: x
        What makes it partial: x
        How to satisfy: x"""
        raise RuntimeError("rule bug")

    registry = Registry(builtin_practices())
    decorated = practice("ops.crashy-test", "Crashy", priority="L", effort="L", applies="ALL",
                         recommendation="nothing to recommend here at all")(boom)
    assert decorated is boom
    from readiness.practices import registry as registry_module

    crashy = registry_module._BUILTIN.pop()  # keep the global catalog clean
    registry = Registry([*builtin_practices(), crashy])
    root = make_repo({"app.py": "x = 1\n"})
    result = assess(root, _quiet(cache=False), registry=registry)
    finding = result.finding("ops.crashy-test")
    assert finding.status == Status.ERROR
    assert "rule bug" in finding.message
    assert result.summary.counts["error"] == 1
    with pytest.raises(RuntimeError):
        assess(root, _quiet(cache=False, debug=True), registry=registry)


def test_waivers_attach_and_warn(make_repo) -> None:
    client = "import requests\n\ndef f(u):\n    return requests.get(u)\n"
    root = make_repo({"app/client.py": client})
    settings = _quiet(cache=False, waivers=(
        WaiverSpec("rel.timeouts", "vendor SDK fix pending", "2999-01-01"),
        WaiverSpec("rel.circuit-breaker", "old", "2001-01-01"),
        WaiverSpec("no.such-practice", "typo"),
    ))
    result = assess(root, settings)
    timeouts = result.finding("rel.timeouts")
    assert timeouts.waived and timeouts.status == Status.MISSING
    assert all("rel.timeouts" not in reason for reason in result.summary.decision_reasons)
    assert any("expired" in w for w in result.warnings)
    assert any("no.such-practice" in w for w in result.warnings)
    assert gate(result, _quiet(fail_on="critical")) == [] or all(
        "rel.timeouts" not in r for r in gate(result, _quiet(fail_on="critical")))


def test_second_run_is_served_from_the_cache(tmp_path: Path) -> None:
    """An unchanged tree: the second run reuses the first run's findings."""
    cache_dir = tmp_path / "cache"
    first = assess(EXAMPLE, _quiet(cache_dir=str(cache_dir)))
    second = assess(EXAMPLE, _quiet(cache_dir=str(cache_dir)))
    python_files = first.stats["python_files"]
    assert first.stats["run_cache"] == "miss"
    assert first.stats["cache"]["misses"] == python_files
    assert second.stats["run_cache"] == "hit"
    assert [(f.practice, f.status, f.evidence, f.anti_patterns, f.message)
            for f in first.findings] == \
        [(f.practice, f.status, f.evidence, f.anti_patterns, f.message)
         for f in second.findings]
    assert first.summary == second.summary
    assert first.skipped == second.skipped and first.applicability == second.applicability


def test_one_changed_file_reparses_only_that_file(tmp_path: Path) -> None:
    """A changed tree runs the rules again, but reuses the parse of unchanged files."""
    import shutil

    root = tmp_path / "service"
    shutil.copytree(EXAMPLE, root)
    cache_dir = tmp_path / "cache"
    first = assess(root, _quiet(cache_dir=str(cache_dir)))
    notify = root / "app" / "notify.py"
    notify.write_text(notify.read_text().replace("json={", "timeout=5, json={"))
    second = assess(root, _quiet(cache_dir=str(cache_dir)))
    assert second.stats["run_cache"] == "miss"
    assert second.stats["cache"]["misses"] == 1
    assert second.stats["cache"]["hits"] == first.stats["python_files"] - 1
    assert first.finding("rel.timeouts").anti_patterns
    assert not second.finding("rel.timeouts").anti_patterns


def test_a_corrupt_cache_is_ignored_with_a_warning(tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    (cache_dir / "facts-v2.sqlite").write_bytes(b"this is not a database" * 100)
    result = assess(EXAMPLE, _quiet(cache_dir=str(cache_dir)))
    assert any("cache disabled" in w for w in result.warnings)
    assert result.summary.counts["implemented"] > 0


def test_disabled_practice_is_reported_unknown_and_blocks_ready() -> None:
    """Disabling a practice never hides it: it stays in the report as unknown, with a warning,
    and a disabled critical practice keeps the decision from being "ready"."""
    result = assess(EXAMPLE, _quiet(cache=False, disable=("rel.timeouts",)))
    finding = result.finding("rel.timeouts")
    assert finding.status == Status.UNKNOWN
    assert "disabled" in finding.message
    assert len(result.findings) == len(Registry.default().ids())
    assert any("rel.timeouts" in w for w in result.warnings)
    assert "critical practice could not be checked: rel.timeouts" in \
        result.summary.decision_reasons


def test_project_file_cannot_lift_safety_limits(tmp_path: Path) -> None:
    from readiness.config import load_settings
    from readiness.errors import ConfigError

    (tmp_path / ".readiness.toml").write_text("max-yaml-nodes = 1000000000000\n")
    with pytest.raises(ConfigError, match="cannot lift"):
        load_settings(tmp_path)


def test_gate_reasons() -> None:
    result = assess(EXAMPLE, _quiet(cache=False))
    assert gate(result, _quiet(fail_under=0)) == []
    reasons = gate(result, _quiet(fail_under=100))
    assert reasons and "below --fail-under 100" in reasons[0]


def test_parse_cache_stays_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past its entry limit the cache drops the least recently used entries."""
    from readiness.facts import cache as cache_module

    monkeypatch.setattr(cache_module, "MAX_ENTRIES", 8)
    store = cache_module.FactCache(tmp_path)
    for index in range(12):
        store.put(f"k{index}", {"n": index})
    store.flush()
    store.prefetch([f"k{i}" for i in range(12)])
    assert 0 < sum(store.get(f"k{i}") is not None for i in range(12)) <= 8
    store.close()

"""Third-party practices and reporters, installed as a real distribution on sys.path.

The test writes a tiny package plus a ``.dist-info`` with entry points, the way pip
would, so importlib.metadata finds it exactly as it finds an installed plugin.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import pytest

from readiness.practices.registry import Registry
from readiness.report import reporters
from tests.helpers import EXAMPLE, run_cli

PLUGIN = '''
from readiness.practices.registry import build_practice, implemented, missing


def check_changelog(facts):
    """The repository keeps a changelog.

    Why it matters:
        Operators need to know what changed in a release.

    What counts as evidence:
        A CHANGELOG.md file.

    What makes it partial:
        Nothing; it exists or it does not.

    How to satisfy:
        Add CHANGELOG.md and update it with every release.
    """
    found = facts.glob("CHANGELOG.md", production=None)
    if found:
        return implemented("A changelog is kept.", [facts.evidence(found[0], 1)])
    return missing("No CHANGELOG.md found.")


def practices():
    return [build_practice(check_changelog, "ops.changelog-demo", "Changelog kept",
                           priority="L", effort="L", applies="ALL",
                           recommendation="Keep a CHANGELOG.md updated with every release.",
                           statuses="implemented missing")]


class CountReporter:
    name = "count"
    extension = "txt"

    def render(self, assessment):
        return f"{len(assessment.findings)} findings\\n"
'''


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "readiness_demo_plugin.py").write_text(PLUGIN, encoding="utf-8")
    info = site / "readiness_demo_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: readiness-demo-plugin\n"
                                   "Version: 0.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(
        "[readiness.practices]\ndemo = readiness_demo_plugin:practices\n\n"
        "[readiness.reporters]\ncount = readiness_demo_plugin:CountReporter\n",
        encoding="utf-8")
    monkeypatch.syspath_prepend(str(site))
    importlib.invalidate_caches()
    yield
    sys.modules.pop("readiness_demo_plugin", None)


@pytest.mark.usefixtures("plugin")
def test_plugin_practice_is_registered_and_runs() -> None:
    registry = Registry.default()
    assert "ops.changelog-demo" in registry
    run = run_cli("assess", str(EXAMPLE), "-f", "json", "--no-progress", "--no-cache")
    findings = {f["practice"]: f for f in json.loads(run.out)["findings"]}
    assert findings["ops.changelog-demo"]["status"] == "missing"
    explained = run_cli("rules", "explain", "ops.changelog-demo")
    assert "Operators need to know what changed" in explained.out


@pytest.mark.usefixtures("plugin")
def test_plugin_reporter_is_a_format() -> None:
    assert "count" in reporters()
    run = run_cli("assess", str(EXAMPLE), "-f", "count", "--no-progress", "--no-cache")
    assert run.code == 0, run.err
    assert run.out.strip().endswith("findings")

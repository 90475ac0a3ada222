"""scripts/new_practice.py writes a practice that registers, and fixtures that fail
until they are filled in."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.helpers import ROOT


def test_scaffold_creates_module_registration_and_failing_fixtures(tmp_path: Path) -> None:
    copy = tmp_path / "project"
    shutil.copytree(ROOT / "scripts", copy / "scripts")
    shutil.copytree(ROOT / "src", copy / "src", ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "tests" / "fixtures" / "practices").mkdir(parents=True)
    result = subprocess.run(
        [sys.executable, str(copy / "scripts" / "new_practice.py"), "ops.changelog-kept",
         "Changelog kept", "--priority", "L", "--effort", "L"],
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    module = copy / "src" / "readiness" / "practices" / "operations" / "changelog_kept.py"
    assert "How to satisfy:" in module.read_text()
    init = (copy / "src" / "readiness" / "practices" / "operations" / "__init__.py").read_text()
    assert "changelog_kept" in init
    expects = sorted((copy / "tests" / "fixtures" / "practices" / "ops.changelog-kept")
                     .glob("*/expect.toml"))
    assert [p.parent.name for p in expects] == ["implemented", "missing", "na", "partial"]
    assert all('status = "todo"' in p.read_text() for p in expects)
    listed = subprocess.run(
        [sys.executable, "-c", "from readiness.practices.registry import Registry;"
         "print('ops.changelog-kept' in Registry.default(plugins=False))"],
        capture_output=True, text=True, timeout=60, env={"PYTHONPATH": str(copy / "src")})
    assert listed.stdout.strip() == "True", listed.stderr


def test_scaffold_refuses_a_bad_id(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "new_practice.py"),
                             "Bad Id", "x"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "not <category>.<kebab-name>" in result.stderr

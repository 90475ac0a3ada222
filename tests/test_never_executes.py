"""readiness reads the code it assesses and never imports, runs or evaluates it.

Every planted file would create a marker if Python imported or ran it, if a shell
ran it, if YAML constructed its tags, or if a build backend were invoked.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def _planted(root: Path, markers: Path) -> None:
    def writer(name: str) -> str:
        return f"open({str(markers / name)!r}, 'w').write('ran')\n"

    files = {
        "app/__init__.py": writer("package-init"),
        "app/main.py": "import requests\n" + writer("module-top-level") +
                       "def handler():\n    return requests.get('http://x', timeout=1)\n",
        "app/__main__.py": writer("dunder-main"),
        "conftest.py": writer("conftest"),
        "tests/conftest.py": writer("tests-conftest"),
        "tests/test_app.py": writer("test-module") + "def test_x():\n    assert True\n",
        "setup.py": writer("setup-py"),
        "sitecustomize.py": writer("sitecustomize"),
        "usercustomize.py": writer("usercustomize"),
        "build_backend.py": writer("build-backend"),
        "pyproject.toml": "[build-system]\nrequires = []\nbuild-backend = 'build_backend'\n"
                          "backend-path = ['.']\n[project]\nname = 'planted'\n",
        "scripts/start.sh": f"#!/bin/sh\ntouch {markers / 'shell'}\n",
        "Dockerfile": f"FROM python:3.12-slim\nRUN touch {markers / 'docker'}\n"
                      "CMD [\"sh\", \"scripts/start.sh\"]\n",
        "Makefile": f"all:\n\ttouch {markers / 'make'}\n",
        "deploy/job.yaml": f"x: !!python/object/apply:os.system ['touch {markers / 'yaml'}']\n",
        "notebooks/train.ipynb": json.dumps({"cells": [{"cell_type": "code", "source": [
            writer("notebook")]}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}),
        "app/settings.py": "DEBUG = __import__('os').system("
                           f"'touch {markers / 'eval'}') == 0\n",
    }
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    (root / "scripts" / "start.sh").chmod(0o755)


def test_assess_never_executes_the_target(tmp_path: Path) -> None:
    root = tmp_path / "target"
    markers = tmp_path / "markers"
    markers.mkdir()
    _planted(root, markers)
    out = tmp_path / "out"
    for cwd in (root, tmp_path):
        result = subprocess.run(
            [sys.executable, "-m", "readiness", "assess", str(root), "--format",
             "json,markdown,terminal", "--out", str(out), "--no-progress", "--no-cache"],
            cwd=cwd, capture_output=True, text=True, timeout=120,
        )
        assert result.returncode in (0, 1), result.stderr
        assert (out / "target.json").is_file()
    assert sorted(p.name for p in markers.iterdir()) == []


def test_rules_explain_and_schema_touch_nothing(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "readiness", "schema"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert list(tmp_path.iterdir()) == []

"""Every output format: the JSON contract and schema, and golden files for all three.

Golden files live in tests/fixtures/golden/. After an intended change of output,
regenerate them with ``READINESS_UPDATE_GOLDEN=1 python -m pytest tests/test_reports.py``
and review the diff like any other change.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import replace
from pathlib import Path

import pytest

from readiness.config import Settings
from readiness.engine import assess
from readiness.model import Assessment
from readiness.report import MarkdownReporter, TerminalReporter, to_dict
from tests.conftest import FIXTURES, PRACTICE_FIXTURES
from tests.helpers import EXAMPLE, assert_valid_report

GOLDEN = FIXTURES / "golden"
UPDATE = os.environ.get("READINESS_UPDATE_GOLDEN") == "1"


def _assess(root: Path) -> Assessment:
    return assess(root, Settings(cache=False, progress=False))


def _stable_json(assessment: Assessment) -> str:
    document = to_dict(assessment)
    document["target"].update({"path": "<path>", "commit": None, "assessed_at": "<time>"})
    document["stats"] = {}
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _stable_text(text: str) -> str:
    text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "<time>", text)
    text = re.sub(r"`[0-9a-f]{12}`", "`<commit>`", text)
    text = re.sub(r"Assessed \d+ files in [\d.]+s\.", "Assessed N files in Xs.", text)
    return re.sub(r"\| Assessed path \| `[^`]*` \|", "| Assessed path | `<path>` |", text)


def _check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if UPDATE or not path.exists():
        if not UPDATE:
            pytest.fail(f"golden file {path} is missing; create it with READINESS_UPDATE_GOLDEN=1")
        path.write_text(actual, encoding="utf-8")
        return
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{name} differs from its golden file (see module docstring)"


@pytest.fixture(scope="module")
def example() -> Assessment:
    """The bundled example, with the run-specific target fields made constant."""
    assessment = _assess(EXAMPLE)
    target = replace(assessment.target, path="examples/prediction-api", commit=None,
                     assessed_at="2026-01-01T00:00:00Z")
    return replace(assessment, target=target)


def test_golden_json(example: Assessment) -> None:
    _check_golden("example.json", _stable_json(example))


def test_golden_markdown(example: Assessment) -> None:
    markdown = MarkdownReporter(link_root="..").render(example)
    _check_golden("example.md", _stable_text(markdown))


def test_golden_terminal(example: Assessment) -> None:
    text = TerminalReporter(verbose=True).render(example, width=120)
    _check_golden("example.txt", _stable_text(text))


def test_json_contract_invariants(example: Assessment) -> None:
    document = to_dict(example)
    assert_valid_report(document)
    for item in document["findings"]:
        if item["status"] in ("implemented", "partial"):
            assert item["evidence"], item["practice"]
            for evidence in item["evidence"]:
                assert not evidence["path"].startswith("/")
                assert (EXAMPLE / evidence["path"]).is_file(), evidence
                assert evidence["line"] >= 1
        if item["status"] == "missing":
            assert item["evidence"] == []
    counts = document["summary"]["counts"]
    assert sum(counts.values()) == len(document["findings"])


def test_fingerprints_are_stable_under_line_shifts(tmp_path: Path) -> None:
    source = (PRACTICE_FIXTURES / "rel.timeouts" / "implemented" / "repo")
    first = _assess(source)
    shifted = tmp_path / "shifted"
    for path in source.rglob("*"):
        if path.is_file():
            target = shifted / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            text = path.read_text(encoding="utf-8")
            target.write_text("\n\n\n" + text if path.suffix == ".py" else text,
                              encoding="utf-8")
    second = _assess(shifted)
    before = {f.practice: f.fingerprint for f in first.findings}
    after = {f.practice: f.fingerprint for f in second.findings}
    assert before["rel.timeouts"] == after["rel.timeouts"]
    assert first.finding("rel.timeouts").evidence[0].line + 3 == \
        second.finding("rel.timeouts").evidence[0].line


def _fixture_roots() -> list[Path]:
    return sorted(PRACTICE_FIXTURES.glob("*/*/repo"))[::7]


@pytest.mark.parametrize("root", _fixture_roots(), ids=lambda p: f"{p.parts[-3]}/{p.parts[-2]}")
def test_every_report_validates_against_the_schema(root: Path) -> None:
    assessment = _assess(root)
    assert_valid_report(to_dict(assessment))
    MarkdownReporter().render(assessment)
    TerminalReporter().render(assessment)

"""Every practice, on fixture repositories written for each status it can return.

A case is ``tests/fixtures/practices/<practice-id>/<case>/`` holding ``repo/`` (a
small repository) and ``expect.toml``::

    status = "partial"                 # the status the practice must return
    evidence = ["app/main.py:12"]      # each must be among the finding's evidence
    anti_patterns = ["app/main.py:20"] # each must be among its anti-pattern hits
    not_evidence = ["app/main.py:30"]  # optional: lines that must not be cited
    message = "fixed delay"            # optional regex the message must match
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from readiness.practices.registry import Registry, run_practice
from tests.conftest import PRACTICE_FIXTURES, facts_for

REGISTRY = Registry.default(plugins=False)


def _cases() -> list[tuple[str, Path]]:
    out = []
    for practice_dir in sorted(PRACTICE_FIXTURES.iterdir()) if PRACTICE_FIXTURES.exists() else []:
        for case in sorted(practice_dir.iterdir()):
            if (case / "expect.toml").is_file():
                out.append((practice_dir.name, case))
    return out


CASES = _cases()


@pytest.mark.parametrize(("practice_id", "case"), CASES,
                         ids=[f"{p}/{c.name}" for p, c in CASES])
def test_fixture_case(practice_id: str, case: Path) -> None:
    """The practice returns the expected status with the expected evidence lines."""
    expect = tomllib.loads((case / "expect.toml").read_text(encoding="utf-8"))
    assert practice_id in REGISTRY, f"fixture for unregistered practice {practice_id}"
    facts = facts_for(case / "repo")
    finding = run_practice(REGISTRY.get(practice_id), facts, debug=True)
    detail = f"{finding.status.value}: {finding.message}"
    assert expect["status"] == finding.status.value, detail
    locations = {e.location for e in finding.evidence}
    for wanted in expect.get("evidence", []):
        assert wanted in locations, f"{wanted} not in evidence {sorted(locations)} ({detail})"
    for unwanted in expect.get("not_evidence", []):
        assert unwanted not in locations, f"{unwanted} must not be evidence ({detail})"
    anti_locations = {a.evidence.location for a in finding.anti_patterns}
    for wanted in expect.get("anti_patterns", []):
        assert wanted in anti_locations, f"{wanted} not in anti-patterns {sorted(anti_locations)}"
    if "message" in expect:
        assert re.search(expect["message"], finding.message), detail
    if finding.status.value in ("implemented", "partial"):
        assert finding.evidence, "implemented/partial must carry evidence"
    if finding.status.value == "missing":
        assert not finding.evidence, "missing must not carry evidence"

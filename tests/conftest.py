"""Shared fixtures: fixture repositories on disk, and a one-call way to assess them."""

from __future__ import annotations

from pathlib import Path

import pytest

from readiness.config import Settings
from readiness.facts import RepoFacts, collect

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
PRACTICE_FIXTURES = FIXTURES / "practices"


def facts_for(root: Path, **settings: object) -> RepoFacts:
    """Facts of a tree, with the parse cache off so tests never share state."""
    return collect(root, Settings(cache=False, progress=False, **settings))  # type: ignore[arg-type]


@pytest.fixture
def make_repo(tmp_path: Path):
    """Write a small repository from a {relative path: text or bytes} mapping."""

    def build(files: dict[str, str | bytes], name: str = "repo") -> Path:
        root = tmp_path / name
        for rel, content in files.items():
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8")
        root.mkdir(parents=True, exist_ok=True)
        return root

    return build

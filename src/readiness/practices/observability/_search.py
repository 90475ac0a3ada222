"""Evidence searches the observability rules share: calls, used classes, file kinds."""

from __future__ import annotations

import re

from readiness.facts import RepoFacts
from readiness.facts.python.records import ClassDef, ModuleFacts
from readiness.model import Evidence
from readiness.practices.helpers import call_ev

CONFIG_KINDS = ("python", "yaml", "ini", "json", "toml")
DEPLOY_KINDS = ("dockerfile", "yaml", "shell", "text", "env", "toml")


def calls_ev(facts: RepoFacts, *patterns: str, note: str = "") -> list[Evidence]:
    """Evidence for every call matching ``patterns``, with ``note``."""
    return [call_ev(facts, m, c, note=note) for m, c in facts.calls(*patterns)]


def class_is_used(facts: RepoFacts, module: ModuleFacts, cls: ClassDef) -> bool:
    """A class is used when it is instantiated, or named in a config (dictConfig, LOGGING)."""
    if facts.calls(f"*.{cls.name}"):
        return True
    for hit in facts.grep(rf"\b{re.escape(cls.name)}\b", kinds=CONFIG_KINDS, limit=50):
        if hit.path == module.path and cls.line <= hit.line <= cls.end_line:
            continue
        if re.match(rf"class\s+{re.escape(cls.name)}\b", hit.text):
            continue
        if hit.text.startswith(("import ", "from ")):
            continue
        return True
    return False

"""Whole-run memo: findings stored by the fingerprint of the tree and of the rules.

Rules are pure functions of the facts, and the facts are a pure function of the
files, so when neither the tree (paths, contents, skip reasons), the settings that
shape the facts, nor readiness's own code changed, the findings of the last run
are the findings of this one. This is what makes a second run over an unchanged
tree near-instant; any change to any file falls back to the full run (per-file
parse results are still reused). Stored beside the parse cache, as JSON.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
import zlib
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from readiness import CATALOG_VERSION, __version__
from readiness.config import Settings
from readiness.facts.cache import code_fingerprint, default_cache_dir, environment_fingerprint
from readiness.model import AntiPatternHit, Evidence, Finding, PracticeMeta, Status
from readiness.practices.registry import Registry

SCHEMA = "CREATE TABLE IF NOT EXISTS runs (key TEXT PRIMARY KEY, payload BLOB NOT NULL)"
KEEP = 64  # most recent runs kept


def run_key(tree_fingerprint: str, settings: Settings, registry: Registry) -> str:
    """Everything findings depend on, hashed: the tree, the rules' code and the catalog,
    and the settings that change what facts are collected or which rules run."""
    parts = [
        __version__, CATALOG_VERSION, code_fingerprint(), environment_fingerprint(),
        _plugin_versions(), tree_fingerprint,
        settings.python_parser, str(settings.max_yaml_nodes), str(settings.max_file_bytes),
        ",".join(sorted(settings.disable)), ",".join(registry.ids()),
    ]
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def _plugin_versions() -> str:
    """Distributions providing practices or reporters, with their versions: a plugin's
    new release must not be answered with findings its old rules made."""
    found = []
    for group in ("readiness.practices", "readiness.reporters"):
        for entry in entry_points(group=group):
            dist = entry.dist
            found.append(f"{group}:{entry.name}:{dist.name if dist else '?'}="
                         f"{dist.version if dist else '?'}")
    return ",".join(sorted(found))


def _evidence_out(evidence: Evidence) -> dict[str, Any]:
    return {"path": evidence.path, "line": evidence.line, "snippet": evidence.snippet,
            "end_line": evidence.end_line, "source": evidence.source, "note": evidence.note}


def _evidence_in(data: dict[str, Any]) -> Evidence:
    return Evidence(data["path"], data["line"], data["snippet"], data["end_line"],
                    data["source"], data["note"])


def encode(findings: list[Finding]) -> list[dict[str, Any]]:
    return [{
        "practice": f.practice, "status": f.status.value, "message": f.message,
        "evidence": [_evidence_out(e) for e in f.evidence],
        "anti_patterns": [{"message": a.message, "severity": a.severity,
                           "evidence": _evidence_out(a.evidence)} for a in f.anti_patterns],
        "error": f.error, "extra": f.extra,
    } for f in findings]


def decode(records: list[dict[str, Any]], metas: dict[str, PracticeMeta]) -> list[Finding]:
    return [Finding(
        metas[r["practice"]], Status(r["status"]), r["message"],
        tuple(_evidence_in(e) for e in r["evidence"]),
        tuple(AntiPatternHit(a["message"], _evidence_in(a["evidence"]), a["severity"])
              for a in r["anti_patterns"]),
        None, r["error"], r["extra"],
    ) for r in records]


class RunStore:
    """get/put of JSON payloads by run key; inert (never failing a run) on any problem."""

    def __init__(self, directory: Path | None, enabled: bool = True) -> None:
        self.problem: str | None = None
        self._db: sqlite3.Connection | None = None
        if not enabled:
            return
        try:
            directory = directory or default_cache_dir()
            directory.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(directory / "runs-v1.sqlite"), timeout=2.0)
            self._db.execute(SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            self.problem = f"run cache disabled: {exc}"
            self._db = None

    def get(self, key: str) -> dict[str, Any] | None:
        if self._db is None:
            return None
        try:
            row = self._db.execute("SELECT payload FROM runs WHERE key = ?", (key,)).fetchone()
            if row is None:
                return None
            value: dict[str, Any] = json.loads(zlib.decompress(row[0]))
            return value
        except (sqlite3.Error, zlib.error, ValueError):
            return None

    def put(self, key: str, payload: dict[str, Any]) -> None:
        if self._db is None:
            return
        blob = zlib.compress(json.dumps(payload, separators=(",", ":")).encode("utf-8"), 1)
        try:
            with self._db:
                self._db.execute("INSERT OR REPLACE INTO runs (key, payload) VALUES (?, ?)",
                                 (key, blob))
                self._db.execute("DELETE FROM runs WHERE rowid NOT IN "
                                 "(SELECT rowid FROM runs ORDER BY rowid DESC LIMIT ?)", (KEEP,))
        except sqlite3.Error as exc:
            self.problem = f"run cache not written: {exc}"

    def close(self) -> None:
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None

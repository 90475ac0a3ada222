"""Parse results cached by content hash, so a second run over an unchanged tree is quick.

One SQLite file in the user's cache directory (``$READINESS_CACHE_DIR``,
``$XDG_CACHE_HOME/readiness`` or ``~/.cache/readiness``). Keys are the SHA-256 of
a file's bytes plus the extractor's version and parser choice, so an edited file,
a new readiness or another ``--python-parser`` never reads a stale entry. Values
are compressed JSON. Any cache problem (read-only disk, a corrupt file, another
process holding a lock) turns the cache off for the run; it never fails a run.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import sys
import time
import zlib
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

SCHEMA = ("CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, payload BLOB NOT NULL, "
          "used INTEGER NOT NULL)")
MAX_ENTRIES = 200_000  # about 2 GB of JSON at worst; typically a few hundred MB


@lru_cache(maxsize=8)
def code_fingerprint(subpackage: str = "") -> str:
    """A short hash of readiness's own source files under ``subpackage`` (names, sizes,
    modification times): cached results are tied to the code that produced them."""
    base = Path(__file__).resolve().parent.parent
    directory = base / subpackage if subpackage else base
    digest = hashlib.sha256()
    for path in sorted(directory.rglob("*.py")):
        try:
            info = path.stat()
        except OSError:
            continue
        digest.update(f"{path.relative_to(base)}:{info.st_size}:{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


@lru_cache(maxsize=1)
def environment_fingerprint() -> str:
    """The interpreter and parser libraries: ``ast`` differs between Python versions and
    tree-sitter between releases, and the cache directory is shared by every virtualenv."""
    parts = [".".join(map(str, sys.version_info[:3])), sys.implementation.name]
    for distribution in ("tree-sitter", "tree-sitter-python", "PyYAML", "pathspec"):
        try:
            parts.append(f"{distribution}={metadata.version(distribution)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{distribution}=none")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def default_cache_dir() -> Path:
    explicit = os.environ.get("READINESS_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "readiness"


class FactCache:
    """Get and put JSON-able values by key; silently inert when disabled or broken."""

    def __init__(self, directory: Path | None, enabled: bool = True) -> None:
        self.enabled = enabled
        self.problem: str | None = None
        self.hits = 0
        self.misses = 0
        self._pending: list[tuple[str, bytes]] = []
        self._db: sqlite3.Connection | None = None
        self._known: dict[str, bytes] = {}
        self._used: list[str] = []  # keys read this run, marked as recently used on flush
        if not enabled:
            return
        directory = directory or default_cache_dir()
        try:
            directory.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(directory / "facts-v2.sqlite"), timeout=2.0)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            self._disable(f"cache disabled: {exc}")

    def _disable(self, reason: str) -> None:
        self.problem = reason
        self.enabled = False
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
        self._db = None

    def prefetch(self, keys: list[str]) -> None:
        """Load many entries in a few queries (one query per file would dominate a warm run)."""
        if not self.enabled or self._db is None or not keys:
            return
        try:
            for start in range(0, len(keys), 500):
                chunk = keys[start:start + 500]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT key, payload FROM entries WHERE key IN ({marks})", chunk
                ).fetchall()
                self._known.update({k: v for k, v in rows})
        except sqlite3.Error as exc:
            self._disable(f"cache disabled: {exc}")

    def get(self, key: str) -> Any | None:
        if not self.enabled:
            return None
        blob = self._known.get(key)
        if blob is None:
            self.misses += 1
            return None
        try:
            value = json.loads(zlib.decompress(blob))
        except (zlib.error, ValueError):
            self.misses += 1
            return None
        self.hits += 1
        self._used.append(key)
        return value

    def put(self, key: str, value: Any) -> None:
        if not self.enabled:
            return
        blob = zlib.compress(json.dumps(value, separators=(",", ":")).encode("utf-8"), 1)
        self._pending.append((key, blob))

    def flush(self) -> None:
        if not self.enabled or self._db is None:
            return
        now = int(time.time())
        try:
            if self._pending or self._used:
                with self._db:
                    self._db.executemany(
                        "INSERT OR REPLACE INTO entries (key, payload, used) VALUES (?, ?, ?)",
                        [(key, blob, now) for key, blob in self._pending])
                    self._db.executemany("UPDATE entries SET used = ? WHERE key = ?",
                                         [(now, key) for key in self._used])
                    self._prune()
            self._pending.clear()
            self._used.clear()
        except sqlite3.Error as exc:
            self._disable(f"cache disabled: {exc}")

    def _prune(self) -> None:
        """Keep the cache bounded: past MAX_ENTRIES, drop the least recently used quarter."""
        assert self._db is not None
        (count,) = self._db.execute("SELECT COUNT(*) FROM entries").fetchone()
        if count > MAX_ENTRIES:
            self._db.execute("DELETE FROM entries WHERE key IN (SELECT key FROM entries "
                             "ORDER BY used LIMIT ?)", (count - MAX_ENTRIES * 3 // 4,))

    def close(self) -> None:
        self.flush()
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None

"""File references in report text: links, backticked paths, bare ``dir/file.py:12-30``.

Only the text is parsed here; whether a reference exists (and stays inside the
repository) is the judge's question, asked through the engine's source tree, so
nothing in this package ever opens a path a report names.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from readiness.model import FileReference
from readiness.verify.document import Inline

_EXTENSIONS = (
    "py", "pyi", "ipynb", "yaml", "yml", "toml", "json", "cfg", "ini", "txt", "md", "rst",
    "sh", "sql", "conf", "env", "lock", "js", "ts", "tsx", "jsx", "go", "html", "j2", "tf",
)
_NAMES = ("Dockerfile", "Makefile", "Procfile", "Jenkinsfile", "docker-compose.yml")
# Absolute paths a report may cite; an API route (/api/v1/items) is not one of them.
_SYSTEM_PATH = re.compile(r"^(~/|/(etc|home|usr|var|tmp|root|opt|srv|proc|sys|dev|mnt|Users|"
                          r"private|Library)/)\S+$")
_LINE_SUFFIX = re.compile(r"(?::|#L)(\d+)(?:\s*[-–]\s*L?(\d+))?$")
_PATHLIKE = re.compile(
    r"(?<![\w/.@-])((?:\.{0,2}/)?(?:[\w.-]+/)+(?:[\w.-]+\.(?:" + "|".join(_EXTENSIONS) +
    r")|Dockerfile[\w.-]*)(?::\d+(?:-\d+)?)?)(?![\w/])")


def _looks_like_path(text: str) -> bool:
    if not text or " " in text or len(text) > 300 or "://" in text:
        return False
    if any(char in text for char in "()=,;'\"<>{}$*?|"):
        return False
    if text.startswith(("../", "./")) and len(text) > 3:
        return True  # explicitly relative: a path whatever its name
    if _SYSTEM_PATH.match(text):
        return True  # absolute, so marked "outside the repository" and never read
    base = _LINE_SUFFIX.sub("", text).rstrip("/")
    name = base.rsplit("/", 1)[-1]
    if name in _NAMES or name.startswith("Dockerfile"):
        return True
    if "." in name and name.rsplit(".", 1)[1].lower() in _EXTENSIONS:
        return "/" in base or not name[0].isupper() or name.count(".") == 1
    return text.endswith("/") and "/" in text.rstrip("/") and not text.startswith("/")


def parse_reference(raw: str) -> FileReference:
    """One reference: the path and the optional ``:line`` / ``:start-end`` / ``#L1-L9``."""
    text = unquote(raw.strip())
    line = end = None
    match = _LINE_SUFFIX.search(text)
    path = text
    if match:
        line = int(match.group(1))
        end = int(match.group(2)) if match.group(2) else None
        path = text[:match.start()]
    if path.startswith("./"):
        path = path[2:]
    return FileReference(text=raw.strip(), path=path, line=line, end_line=end)


def references(inline: Inline) -> tuple[FileReference, ...]:
    """Every file reference in an inline run, in order, without duplicates."""
    found: list[FileReference] = []
    seen: set[str] = set()

    def add(raw: str) -> None:
        ref = parse_reference(raw)
        key = f"{ref.path}:{ref.line}:{ref.end_line}"
        if ref.path and key not in seen:
            seen.add(key)
            found.append(ref)

    link_texts = set()
    for href, label in inline.links:
        if href.lower().startswith("file:"):
            add(re.sub(r"^file:(//[^/]*)?", "", href, flags=re.I) or "/")  # marked, never read
            link_texts.add(label)
            continue
        if re.match(r"^[a-z][a-z0-9+.-]*:", href, re.I) and not re.match(r"^[a-z]:[\\/]", href,
                                                                          re.I):
            continue  # http:, https:, mailto: ... are not files
        if href.startswith("#") or not href:
            continue
        add(href)
        link_texts.add(label)
    for code in inline.code:
        if code in link_texts:
            continue
        if _looks_like_path(code):
            add(code)
    for match in _PATHLIKE.finditer(inline.text):
        candidate = match.group(1)
        if not any(candidate in label for label in link_texts) and _looks_like_path(candidate):
            add(candidate)
    return tuple(found)

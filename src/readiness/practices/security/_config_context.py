"""Where a setting is written: development or production, settings class, compose."""

from __future__ import annotations

import re
from collections.abc import Iterator

from readiness.facts import RepoFacts
from readiness.facts.classify import is_compose
from readiness.facts.yaml_facts import YList, YMap

SETTINGS_CLASS = re.compile(r"(?i)(settings|config|configuration|conf|env|environment)$")
_DEV_PATH = re.compile(r"(?i)(^|[/_.\-])(dev|development|local|test|testing|debug|example|"
                       r"sample|demo|ci)([/_.\-]|$)")
_DEV_CLASS = re.compile(r"^(Dev|Development|Local|Test|Testing|Debug|Ci)[A-Z_]|"
                        r"(Dev|Development|Local|Test|Testing|Debug)(Config|Settings)?$")
EXAMPLE_FILE = re.compile(r"(?i)(example|sample|template|dist|tpl|default|skel|stub)")


def dev_context(path: str, class_name: str | None = None) -> bool:
    """Development/test settings: a dev-named file or directory, or a Dev*/Test* class."""
    return bool(_DEV_PATH.search(path)) or bool(class_name and _DEV_CLASS.search(class_name))


def class_kinds(facts: RepoFacts) -> dict[tuple[str, str], tuple[str, ...]]:
    """The bases of every class, by (path, class name)."""
    def build() -> dict[tuple[str, str], tuple[str, ...]]:
        return {(m.path, c.name): c.bases for m, c in facts.classes()}

    return facts.memo("security_code.class_bases", build)


def is_settings_class(facts: RepoFacts, path: str, class_name: str) -> bool:
    """A settings class: named like one (Settings, Config, Env...) or based on a Settings class."""
    bases = class_kinds(facts).get((path, class_name), ())
    return bool(SETTINGS_CLASS.search(class_name)) or any("Settings" in b for b in bases)


def dev_compose(facts: RepoFacts, path: str) -> bool:
    """A development compose file: dev-named, or a sibling of a production-named one."""
    name = path.rsplit("/", 1)[-1]
    if dev_context(name):
        return True
    if PROD_PATH.search(name):
        return False
    folder = path.rsplit("/", 1)[0] if "/" in path else ""
    return any(PROD_PATH.search(p.rsplit("/", 1)[-1]) and
               (p.rsplit("/", 1)[0] if "/" in p else "") == folder
               for p in facts.paths() if is_compose(p))


def yaml_pairs(node: object, depth: int = 0) -> Iterator[tuple[str, str, int]]:
    """(key, scalar value, line) for mapping entries, ``KEY=VALUE`` list items and
    Kubernetes ``{name:, value:}`` env entries, anywhere in a document."""
    if depth > 40:
        return
    if isinstance(node, YMap):
        name, value = node.get("name"), node.get("value")
        if isinstance(name, str) and isinstance(value, (str, int)) and not isinstance(value, bool):
            yield name, str(value), node.line_of("value")
        for key, child in node.items():
            if isinstance(child, (str, int)) and not isinstance(child, bool) and \
                    isinstance(key, str):
                yield key, str(child), node.line_of(key)
            else:
                yield from yaml_pairs(child, depth + 1)
    elif isinstance(node, YList):
        for index, item in enumerate(node):
            if isinstance(item, str) and "=" in item:
                key, _, value = item.partition("=")
                yield key.strip(), value.strip(), node.line_of(index)
            else:
                yield from yaml_pairs(item, depth + 1)


def origins_wildcard(text: str | None) -> bool:
    """Whether an origins or hosts value lists ``"*"``."""
    if text is None:
        return False
    return bool(re.search(r"[\"']\*[\"']", text))


PROD_PATH = re.compile(r"(?i)(^|[/_.\-])(prod|production|live)([/_.\-]|$)")
PROD_CLASS = re.compile(r"^(Prod|Production|Live)[A-Z_]|(Prod|Production)(Config|Settings)?$")

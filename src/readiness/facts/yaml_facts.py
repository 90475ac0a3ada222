"""YAML with line numbers, through a safe loader, with guards against hostile input.

Only plain data is constructed (maps, lists, strings, numbers, booleans, null,
timestamps as text); a tag such as ``!!python/object`` or CloudFormation's
``!Ref`` is kept as its text. Before anything is built, the composed node graph is
measured with aliases expanded: a "billion laughs" document is refused with a
reason instead of being walked by rules that would expand it.
"""

from __future__ import annotations

from typing import Any

import yaml

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_DEPTH = 200
_BRACKET_LIMIT = 500


class YamlRejected(ValueError):
    """The document is unsafe or too large to use; the message says why."""


class YMap(dict[Any, Any]):
    """A YAML mapping that remembers the line of itself and of each key."""

    line: int
    key_lines: dict[Any, int]

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class YList(list[Any]):
    """A YAML sequence that remembers the line of itself and of each item."""

    line: int
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if 0 <= index < len(self.item_lines) else self.line


_SCALAR = yaml.SafeLoader("")  # only its scalar constructors are used


def _scalar(node: yaml.ScalarNode) -> Any:
    tag = node.tag
    if tag in ("tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
               "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"):
        try:
            return _SCALAR.construct_object(node, deep=False)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError):
            return node.value
    return node.value  # timestamps, binary, custom and python tags: their text


def _max_bracket_depth(text: str) -> int:
    depth = best = 0
    for char in text:
        if char in "[{":
            depth += 1
            if depth > best:
                best = depth
                if best > _BRACKET_LIMIT:
                    return best
        elif char in "]}":
            depth = max(0, depth - 1)
    return best


def _expanded_size(node: yaml.Node, limit: int) -> int:
    """Node count with aliases expanded; raises YamlRejected past ``limit`` or on a cycle."""
    memo: dict[int, int] = {}
    active: set[int] = set()

    def size(current: yaml.Node, depth: int) -> int:
        key = id(current)
        if key in memo:
            return memo[key]
        if key in active:
            raise YamlRejected("recursive YAML alias")
        if depth > MAX_DEPTH:
            raise YamlRejected(f"YAML nested deeper than {MAX_DEPTH} levels")
        active.add(key)
        total = 1
        if isinstance(current, yaml.MappingNode):
            for k, v in current.value:
                total += size(k, depth + 1) + size(v, depth + 1)
                if total > limit:
                    break
        elif isinstance(current, yaml.SequenceNode):
            for item in current.value:
                total += size(item, depth + 1)
                if total > limit:
                    break
        active.discard(key)
        if total > limit:
            raise YamlRejected(
                f"YAML has more than {limit} nodes once aliases are expanded (alias bomb?)"
            )
        memo[key] = total
        return total

    return size(node, 0)


def _build(node: yaml.Node, depth: int = 0) -> Any:
    if depth > MAX_DEPTH:
        raise YamlRejected(f"YAML nested deeper than {MAX_DEPTH} levels")
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node)
    if isinstance(node, yaml.SequenceNode):
        seq = YList(_build(item, depth + 1) for item in node.value)
        seq.line = node.start_mark.line + 1
        seq.item_lines = [item.start_mark.line + 1 for item in node.value]
        return seq
    if isinstance(node, yaml.MappingNode):
        mapping = YMap()
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                merged = _build(value_node, depth + 1)
                sources = merged if isinstance(merged, list) else [merged]
                for source in sources:
                    if isinstance(source, YMap):
                        for k, v in source.items():
                            mapping.setdefault(k, v)
                            mapping.key_lines.setdefault(k, source.line_of(k))
                continue
            key = _build(key_node, depth + 1)
            try:
                hash(key)
            except TypeError:
                key = str(key)
            mapping[key] = _build(value_node, depth + 1)
            mapping.key_lines[key] = key_node.start_mark.line + 1
        return mapping
    return None


def load_yaml(text: str, max_nodes: int = 100_000) -> list[Any]:
    """All documents of a YAML stream, with line numbers; raises YamlRejected or yaml.YAMLError."""
    if _max_bracket_depth(text) > _BRACKET_LIMIT:
        raise YamlRejected(f"YAML flow collections nested deeper than {_BRACKET_LIMIT} levels")
    docs: list[Any] = []
    budget = max_nodes
    for node in yaml.compose_all(text, Loader=_Loader):
        if node is None:
            continue
        budget -= _expanded_size(node, budget)
        docs.append(_build(node))
    return docs

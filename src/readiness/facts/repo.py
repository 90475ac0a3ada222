"""RepoFacts: everything readiness learned about a tree, and the queries rules use.

Rules never re-read files: they ask ``facts.calls("requests.get")``,
``facts.imports("pybreaker")``, ``facts.routes()``, ``facts.grep(...)``. Indexes
are built once, lazily, so 52 rules over a 200,000-line tree stay cheap.

Name patterns used by the query helpers:
``requests.get`` matches exactly; ``requests.*`` matches anything under
``requests``; ``*.create_all`` matches any name ending in ``.create_all`` (or
equal to ``create_all``).
"""

from __future__ import annotations

import ast
import bisect
import fnmatch
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

from readiness.facts.classify import PRODUCTION, TEST, is_ci_config, is_compose
from readiness.facts.deps import Requirement
from readiness.facts.dockerfile import Dockerfile
from readiness.facts.python.ast_extract import parse_tree, source_lines
from readiness.facts.python.records import (
    Assign,
    Call,
    ClassDef,
    Except,
    Function,
    Import,
    ModuleFacts,
)
from readiness.facts.python.routes import Route, routes_in
from readiness.facts.textsearch import may_match, required_literals
from readiness.facts.yaml_facts import YMap
from readiness.model import Evidence, Skipped, clip

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: str
    kind: str | None
    role: str
    size: int
    text: str | None = None  # None when the file was not read

    @property
    def production(self) -> bool:
        return self.role == PRODUCTION


@dataclass(frozen=True, slots=True)
class Hit:
    """A line that matched a text search."""

    path: str
    line: int
    text: str  # the stripped line
    match: str = ""  # the matched substring


@dataclass(frozen=True, slots=True)
class K8sObject:
    path: str
    kind: str
    name: str
    line: int
    doc: YMap


def name_matches(name: str, pattern: str) -> bool:
    if pattern.endswith(".*"):
        return name == pattern[:-2] or name.startswith(pattern[:-1])
    if pattern.startswith("*."):
        return name == pattern[2:] or name.endswith(pattern[1:])
    if "*" in pattern:
        return fnmatch.fnmatchcase(name, pattern) or fnmatch.fnmatchcase(_leaf(name), pattern)
    return name == pattern


def _leaf(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def _top(name: str) -> str:
    return name.split(".", 1)[0]


@dataclass
class RepoFacts:
    """Facts of one tree. Built by ``readiness.facts.collect``; read-only for rules."""

    root: str
    files: dict[str, SourceFile]
    python: dict[str, ModuleFacts]
    notebooks: dict[str, ModuleFacts] = field(default_factory=dict)
    yaml_docs: dict[str, list[Any]] = field(default_factory=dict)
    dockerfiles_by_path: dict[str, Dockerfile] = field(default_factory=dict)
    toml_docs: dict[str, dict[str, Any]] = field(default_factory=dict)
    requirements: list[Requirement] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)

    # ---------------------------------------------------------------- files
    def role(self, path: str) -> str:
        item = self.files.get(path)
        return item.role if item else PRODUCTION

    @cached_property
    def _roles(self) -> dict[str, str]:
        return {path: item.role for path, item in self.files.items()}

    def _wanted(self, path: str, production: bool | None) -> bool:
        """Whether ``path`` is selected: production files (True), test files (False), all
        (None). Called in every query's inner loop, so it reads a precomputed table."""
        if production is None:
            return True
        role = self._roles.get(path, PRODUCTION)
        return role == PRODUCTION if production else role == TEST

    def paths(self, production: bool | None = True) -> list[str]:
        return [p for p in self.files if self._wanted(p, production)]

    def glob(self, *patterns: str, production: bool | None = True) -> list[str]:
        """Paths matching any shell pattern, tried on the whole path and on the file name."""
        out = []
        for path in self.files:
            if not self._wanted(path, production):
                continue
            name = path.rsplit("/", 1)[-1]
            if any(fnmatch.fnmatchcase(path, p) or fnmatch.fnmatchcase(name, p)
                   for p in patterns):
                out.append(path)
        return out

    def text(self, path: str) -> str | None:
        item = self.files.get(path)
        return item.text if item else None

    @cached_property
    def _line_cache(self) -> dict[str, list[str]]:
        return {}

    def lines(self, path: str) -> list[str]:
        """The file's lines as Python numbers them (\\n, \\r\\n or \\r end a line; a form
        feed does not), so that ``line(path, n)`` is the line ``ast`` calls n."""
        cached = self._line_cache.get(path)
        if cached is None:
            cached = [line.rstrip("\r\n") for line in source_lines(self.text(path) or "")]
            self._line_cache[path] = cached
        return cached

    def line(self, path: str, number: int) -> str:
        lines = self.lines(path)
        return lines[number - 1].strip() if 0 < number <= len(lines) else ""

    def evidence(self, path: str, line: int, note: str = "", end_line: int | None = None,
                 snippet: str | None = None) -> Evidence:
        """Evidence at ``path:line`` with the source line as its snippet."""
        text = snippet if snippet is not None else self.line(path, line)
        return Evidence(path, line, clip(text), end_line=end_line, note=note)

    # --------------------------------------------------------------- python
    def modules(self, production: bool | None = True) -> Iterator[ModuleFacts]:
        for path, module in self.python.items():
            if self._wanted(path, production):
                yield module

    def module(self, path: str) -> ModuleFacts | None:
        return self.python.get(path)

    @cached_property
    def _call_index(self) -> tuple[dict[str, list[tuple[ModuleFacts, Call]]],
                                   dict[str, list[tuple[ModuleFacts, Call]]]]:
        by_leaf: dict[str, list[tuple[ModuleFacts, Call]]] = {}
        by_top: dict[str, list[tuple[ModuleFacts, Call]]] = {}
        for module in self.python.values():
            for call in module.calls:
                if not call.name:
                    continue
                by_leaf.setdefault(_leaf(call.name), []).append((module, call))
                by_top.setdefault(_top(call.name), []).append((module, call))
        return by_leaf, by_top

    def calls(self, *patterns: str, production: bool | None = True,
              scope: str | None = None) -> list[tuple[ModuleFacts, Call]]:
        """Calls whose resolved name matches any pattern, in file and line order."""
        by_leaf, by_top = self._call_index
        seen: set[int] = set()
        out: list[tuple[ModuleFacts, Call]] = []
        for pattern in patterns:
            if pattern.endswith(".*"):
                candidates = by_top.get(_top(pattern[:-2]), [])
            else:
                candidates = by_leaf.get(_leaf(pattern), [])
            for module, call in candidates:
                if id(call) in seen or not self._wanted(module.path, production):
                    continue
                if scope is not None and call.scope != scope:
                    continue
                if name_matches(call.name, pattern):
                    seen.add(id(call))
                    out.append((module, call))
        out.sort(key=lambda mc: (mc[0].path, mc[1].line))
        return out

    def calls_in(self, module: ModuleFacts, scope: str) -> list[Call]:
        """Calls made directly inside one function (by qualname) of a module."""
        return [c for c in module.calls if c.scope == scope]

    @cached_property
    def _import_index(self) -> dict[str, list[tuple[ModuleFacts, Import]]]:
        index: dict[str, list[tuple[ModuleFacts, Import]]] = {}
        for module in self.python.values():
            for imp in module.imports:
                index.setdefault(imp.top, []).append((module, imp))
        return index

    def imports(self, *prefixes: str, production: bool | None = True
                ) -> list[tuple[ModuleFacts, Import]]:
        """Imports of any module under the given dotted prefixes (``flask`` matches
        ``flask.views``; ``flask_limiter`` does not match ``flask``)."""
        out: list[tuple[ModuleFacts, Import]] = []
        for prefix in prefixes:
            for module, imp in self._import_index.get(_top(prefix), []):
                if not self._wanted(module.path, production):
                    continue
                qualified = imp.qualified.lstrip(".")
                if qualified == prefix or qualified.startswith(prefix + ".") or \
                        imp.module == prefix or imp.module.startswith(prefix + "."):
                    out.append((module, imp))
        out.sort(key=lambda mi: (mi[0].path, mi[1].line))
        return out

    def imported(self, *prefixes: str, production: bool | None = True) -> bool:
        return bool(self.imports(*prefixes, production=production))

    def functions(self, production: bool | None = True
                  ) -> Iterator[tuple[ModuleFacts, Function]]:
        for module in self.modules(production):
            for function in module.functions:
                yield module, function

    def classes(self, production: bool | None = True) -> Iterator[tuple[ModuleFacts, ClassDef]]:
        for module in self.modules(production):
            for cls in module.classes:
                yield module, cls

    def subclasses(self, *bases: str, production: bool | None = True
                   ) -> list[tuple[ModuleFacts, ClassDef]]:
        """Classes with a base matching any pattern (resolved names, see ``name_matches``)."""
        return [(m, c) for m, c in self.classes(production)
                if any(name_matches(b, p) for b in c.bases for p in bases)]

    def assigns(self, target: str | re.Pattern[str], production: bool | None = True
                ) -> list[tuple[ModuleFacts, Assign]]:
        """Assignments whose target (as written) matches a regex (full match, case-sensitive)."""
        regex = re.compile(target) if isinstance(target, str) else target
        return [(m, a) for m in self.modules(production) for a in m.assigns
                if regex.fullmatch(a.target)]

    def excepts(self, production: bool | None = True) -> Iterator[tuple[ModuleFacts, Except]]:
        for module in self.modules(production):
            for handler in module.excepts:
                yield module, handler

    def find_functions(self, name: str, production: bool | None = True
                       ) -> list[tuple[ModuleFacts, Function]]:
        """Functions named ``name`` (the last part of a qualname) anywhere in the tree."""
        return [(m, f) for m, f in self.functions(production) if f.name == name]

    def function_at(self, path: str, qualname: str) -> Function | None:
        module = self.python.get(path)
        if module is None:
            return None
        for function in module.functions:
            if function.qualname == qualname:
                return function
        return None

    def syntax_tree(self, path: str) -> ast.Module | None:
        """The ``ast`` of one production module, for the few rules that need expression-level
        data flow the records do not keep (how a string reaching ``execute()`` was built).

        This parses that module a second time, on demand and once per run, so rules call it
        only for modules holding a sink they must judge. None when ``ast`` cannot read it
        (newer syntax, syntax errors): rules then fall back to the records."""

        def build() -> ast.Module | None:
            text = self.text(path)
            if text is None or path not in self.python:
                return None
            try:
                return parse_tree(text, path)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                return None

        return self.memo(f"syntax_tree:{path}", build)

    @cached_property
    def _routes(self) -> list[Route]:
        out: list[Route] = []
        for module in self.python.values():
            out.extend(routes_in(module))
        return out

    def routes(self, production: bool | None = True) -> list[Route]:
        return [r for r in self._routes if self._wanted(r.file, production)]

    def names_used(self, production: bool | None = True) -> set[str]:
        """Every identifier or attribute name read anywhere (for dead-config checks)."""
        out: set[str] = set()
        for module in self.modules(production):
            out |= module.names
        return out

    # ------------------------------------------------------------------ text
    @cached_property
    def _line_starts(self) -> dict[str, list[int]]:
        return {}

    def _line_number(self, path: str, text: str, offset: int) -> int:
        starts = self._line_starts.get(path)
        if starts is None:
            starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
            self._line_starts[path] = starts
        return bisect.bisect_right(starts, offset)

    def grep(self, pattern: str | re.Pattern[str], *, kinds: Iterable[str] | None = None,
             production: bool | None = True, paths: Iterable[str] | None = None,
             flags: int = 0, limit: int = 200) -> list[Hit]:
        """Lines matching a regex in read text files (optionally of some kinds or paths)."""
        regex = re.compile(pattern, flags) if isinstance(pattern, str) else pattern
        literals, ignore_case = required_literals(regex)
        wanted_kinds = set(kinds) if kinds is not None else None
        candidates = list(paths) if paths is not None else list(self.files)
        out: list[Hit] = []
        for path in candidates:
            item = self.files.get(path)
            if item is None or item.text is None:
                continue
            if wanted_kinds is not None and item.kind not in wanted_kinds:
                continue
            if not self._wanted(path, production):
                continue
            lowered = self._lowered(path, item.text) if ignore_case and literals else None
            if not may_match(item.text, lowered, literals, ignore_case):
                continue
            for match in regex.finditer(item.text):
                number = self._line_number(path, item.text, match.start())
                out.append(Hit(path, number, self.line(path, number), match.group(0)))
                if len(out) >= limit:
                    return out
        return out

    def _lowered(self, path: str, text: str) -> str:
        cache = self._lower_cache
        lowered = cache.get(path)
        if lowered is None:
            lowered = text.lower()
            cache[path] = lowered
        return lowered

    @cached_property
    def _lower_cache(self) -> dict[str, str]:
        return {}

    # ---------------------------------------------------------------- deploy
    def dockerfiles(self, production: bool | None = True) -> list[Dockerfile]:
        return [d for p, d in self.dockerfiles_by_path.items() if self._wanted(p, production)]

    def yaml(self, production: bool | None = True) -> Iterator[tuple[str, Any]]:
        """(path, document) for every parsed YAML document."""
        for path, docs in self.yaml_docs.items():
            if self._wanted(path, production):
                for doc in docs:
                    yield path, doc

    def compose_services(self, production: bool | None = True
                         ) -> list[tuple[str, str, YMap]]:
        """(path, service name, service mapping) from docker compose files."""
        out: list[tuple[str, str, YMap]] = []
        for path, doc in self.yaml(production):
            if not is_compose(path) or not isinstance(doc, YMap):
                continue
            services = doc.get("services")
            if isinstance(services, YMap):
                for name, service in services.items():
                    if isinstance(service, YMap):
                        out.append((path, str(name), service))
        return out

    def k8s_objects(self, *kinds: str, production: bool | None = True) -> list[K8sObject]:
        out: list[K8sObject] = []
        for path, doc in self.yaml(production):
            if not isinstance(doc, YMap) or "apiVersion" not in doc or "kind" not in doc:
                continue
            kind = str(doc.get("kind"))
            if kinds and kind not in kinds:
                continue
            metadata = doc.get("metadata")
            name = str(metadata.get("name", "")) if isinstance(metadata, YMap) else ""
            out.append(K8sObject(path, kind, name, doc.line_of("kind"), doc))
        return out

    def ci_files(self) -> list[str]:
        return [p for p in self.files if is_ci_config(p)]

    def ci_documents(self) -> list[tuple[str, Any]]:
        return [(p, doc) for p, docs in self.yaml_docs.items() if is_ci_config(p) for doc in docs]

    def requirement(self, *names: str) -> list[Requirement]:
        """Declared dependencies (requirements, pyproject, Pipfile) by normalised name."""
        wanted = {n.lower().replace("_", "-") for n in names}
        return [r for r in self.requirements if r.name in wanted]

    # ---------------------------------------------------------- memoisation
    @cached_property
    def _memo(self) -> dict[str, Any]:
        return {}

    def memo(self, key: str, build: Callable[[], T]) -> T:
        """Compute a derived index once per RepoFacts (rules stay pure: same facts,
        same value)."""
        if key not in self._memo:
            self._memo[key] = build()
        value: T = self._memo[key]
        return value

    # --------------------------------------------------------- applicability
    @cached_property
    def applicability(self) -> dict[str, tuple[bool, tuple[str, ...]]]:
        from readiness.facts.applicability import compute

        return compute(self)

    def applies(self, name: str) -> bool:
        return self.applicability.get(name, (False, ()))[0]

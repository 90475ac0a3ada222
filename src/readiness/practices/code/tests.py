"""code.tests: the project has automated tests that exercise its own code."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field

from readiness.facts import RepoFacts
from readiness.facts.python.records import Function, ModuleFacts
from readiness.model import AntiPatternHit, Evidence
from readiness.practices.helpers import call_ev
from readiness.practices.registry import Outcome, anti, implemented, missing, partial, practice

_MIN_TESTS = 10
_SKIP_DECORATOR = re.compile(r"^(pytest\.mark\.skip|unittest\.skip|\w*\.skip)$")
_TRIVIAL_BODY = re.compile(r"^\s*(assert\s+(True|1|not\s+False)\s*|pass|\.\.\.)\s*$")
_INTEGRATION = ("*.TestClient", "*.testclient.TestClient", "testcontainers.*",
                "*.AsyncClient", "*.test_client", "*.APIClient", "*.LiveServerTestCase")


def app_module_names(facts: RepoFacts) -> set[str]:
    """Names a test could import the project's own code by: every directory and module
    name on the path of a production Python file, minus standard-library and declared
    third-party names (a local ``logging.py`` must not make ``import logging`` count)."""
    names: set[str] = set()
    for module in facts.modules():
        parts = module.path.removesuffix(".py").split("/")
        names.update(p for p in parts if p.isidentifier() and p != "__init__")
    external = set(sys.stdlib_module_names) | {r.name.replace("-", "_")
                                               for r in facts.requirements}
    return names - external


def _imports_app(module: ModuleFacts, app_names: set[str]) -> bool:
    for imp in module.imports:
        qualified = imp.qualified
        if qualified.startswith(".."):
            return True  # reaches out of the test package
        if qualified.startswith("."):
            continue
        if imp.top in app_names:
            return True
    return False


def _is_test_function(function: Function) -> bool:
    if not function.name.startswith("test"):
        return False
    return not any(d.name.endswith("fixture") or d.raw.endswith("fixture")
                   for d in function.decorators)


def _unconditional_skip(decorators: Iterable[object]) -> bool:
    for decorator in decorators:
        name = getattr(decorator, "name", "") or getattr(decorator, "raw", "")
        if _SKIP_DECORATOR.match(name) or name.endswith(("mark.skip", "unittest.skip")):
            return True
    return False


def _module_skipped(facts: RepoFacts, module: ModuleFacts) -> int | None:
    """Line of a module-level unconditional skip (``pytestmark = pytest.mark.skip``,
    ``pytest.skip(..., allow_module_level=True)``), or None."""
    for call in module.calls:
        if not call.scope and call.name.endswith("skip") and \
                (call.has_kwarg("allow_module_level") or call.name == "pytest.skip"):
            return call.line
    for assign in module.assigns:
        if assign.target == "pytestmark" and re.search(r"mark\.skip\b(?!if)", assign.value):
            return assign.line
    return None


@dataclass
class _TestTally:
    total: int = 0
    app: int = 0
    trivial: int = 0
    skipped: int = 0
    first: list[tuple[int, Evidence]] = field(default_factory=list)  # (tests, first test)
    #   of each file importing the application, so the largest files can be shown first
    other: list[Evidence] = field(default_factory=list)  # tests that import no app code
    skip_sites: list[Evidence] = field(default_factory=list)


def _tally_tests(facts: RepoFacts) -> _TestTally:
    tally = _TestTally()
    app_names = app_module_names(facts)
    for module in facts.modules(production=False):
        tests = [f for f in module.functions if _is_test_function(f)]
        if not tests:
            continue
        imports_app = _imports_app(module, app_names)
        skip_line = _module_skipped(facts, module)
        skipped_classes = {c.name for c in module.classes if _unconditional_skip(c.decorators)}
        for function in tests:
            tally.total += 1
            if imports_app:
                tally.app += 1
            if skip_line is not None or function.class_name in skipped_classes or \
                    _unconditional_skip(function.decorators):
                tally.skipped += 1
            if _is_trivial(facts, module.path, function):
                tally.trivial += 1
        first = facts.evidence(module.path, tests[0].line)
        if imports_app:
            tally.first.append((len(tests), first))
        else:
            tally.other.append(first)
        if skip_line is not None:
            tally.skip_sites.append(facts.evidence(module.path, skip_line))
    return tally


def _is_trivial(facts: RepoFacts, path: str, function: Function) -> bool:
    body = facts.lines(path)[function.line:function.end_line]
    statements = [line for line in body if line.strip() and not line.strip().startswith(
        ("#", '"""', "'''", "@", "def ", "async def "))]
    return len(statements) <= 1 and all(_TRIVIAL_BODY.match(s) for s in statements)


@practice(
    "code.tests", "Automated tests", priority="C", effort="M", applies="ALL",
    statuses="implemented partial missing",
    sources=("S1", "S4", "FOW stab", "MLTS I2"),
    aliases=("tests", "unit tests", "test suite", "integration tests", "testing",
             "automated tests", "automated testing", "test coverage"),
    recommendation="Add a pytest suite under `tests/` that imports the application: unit tests "
                   "for the domain code and API tests through the framework's test client.",
)
def check_tests(facts: RepoFacts) -> Outcome:
    """The project has automated tests that exercise its own code.

    Why it matters:
        Without tests every change is a gamble and every refactoring is deferred;
        a test suite is what lets a team deploy often without breaking production.

    What counts as evidence:
        Test functions (`test_*` in test files and directories: `tests/`,
        `test_*.py`, `*_test.py`) in modules that import the project's own code,
        at least 10 of them. API tests (TestClient, test_client, APIClient) and
        integration tests (testcontainers) are shown as supporting evidence.

    What makes it partial:
        Fewer than 10 tests; tests that never import the application (scripts
        hitting a running server); a suite that is mostly trivial (`assert True`).
        Module-level skips covering most tests cap the status at partial.

    How to satisfy:
        `tests/test_items.py` with `from app.main import app` and
        `client = TestClient(app)`, covering each route and the domain logic,
        run by CI.
    """
    tally = _tally_tests(facts)
    antis: list[AntiPatternHit] = []
    if tally.total and tally.skipped * 2 > tally.total:
        antis = [anti(f"{tally.skipped} of {tally.total} tests are skipped unconditionally", e)
                 for e in tally.skip_sites[:5]]
    support = [call_ev(facts, m, c) for m, c in facts.calls(*_INTEGRATION, production=False)][:3]
    if tally.total == 0:
        return missing("No test functions were found (looked for test_* functions in tests/, "
                       "test_*.py and *_test.py files).", antis)
    biggest = [ev for _count, ev in sorted(tally.first, key=lambda item: -item[0])]
    evidence = [*biggest[:6], *support]
    real = tally.app - tally.trivial
    if tally.app >= _MIN_TESTS and real * 2 > tally.app:
        return implemented(f"{tally.app} test functions in {len(tally.first)} file(s) import "
                           "the application code.", evidence, antis)
    if tally.app:
        reason = (f"only {tally.app} test function(s) import the application"
                  if tally.app < _MIN_TESTS else
                  f"{tally.trivial} of {tally.app} tests are trivial")
        return partial(f"Tests exist but {reason}.", evidence, antis)
    return partial(f"{tally.total} test function(s) exist but none imports the application "
                   "code.", [*tally.other[:5], *support], antis)

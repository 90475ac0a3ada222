"""scale.load-testing: the service is load-tested against explicit thresholds."""

from __future__ import annotations

import re

from readiness.facts import RepoFacts
from readiness.facts.classify import DOCS, EXAMPLE, VENDOR
from readiness.model import Evidence
from readiness.practices.helpers import dedupe, func_ev, with_note
from readiness.practices.registry import Outcome, implemented, missing, partial, practice
from readiness.practices.web import app_context

_K6_THRESHOLD = re.compile(r"\bthresholds\s*:")
_LOAD_TOOL = re.compile(r"\blocust\s+-|\bk6\s+run\b|\bartillery\s+run\b|\bvegeta\s+attack\b|"
                        r"\bwrk\s+-|\bhey\s+-[nzc]\b|\bab\s+-n\b|grafana/(run-)?k6-action|"
                        r"--benchmark-(only|autosave|compare|json|save)|\bgatling\b|\bjmeter\s+-n")
_LOCUST_GATE = re.compile(r"process_exit_code\s*=|--check-(fail-ratio|avg-response-time|"
                          r"p\d+|rps)|check_fail_ratio|check_avg_response_time")
_DOC_RESULT = re.compile(r"(?i)\b(load|stress|soak|spike)[ -]?test(s|ed|ing)?\b[^#]{0,300}?"
                         r"\b\d+(\.\d+)?\s*(ms|req/s|rps|requests/s(ec)?|concurrent users)\b")


def _load_files(facts: RepoFacts) -> tuple[list[Evidence], list[Evidence]]:
    """(scripts, thresholds) over production and test code (load tests often live in
    ``tests/``), excluding docs, examples and vendored code."""
    scripts: list[Evidence] = []
    thresholds: list[Evidence] = []
    wanted = [p for p in facts.paths(production=None)
              if facts.role(p) not in (DOCS, EXAMPLE, VENDOR)]
    for module, imp in facts.imports("locust", production=None):
        if module.path in wanted:
            scripts.append(facts.evidence(module.path, imp.line, note="Locust scenario"))
            gate = _LOCUST_GATE.search(facts.text(module.path) or "")
            if gate:
                text = facts.text(module.path) or ""
                thresholds.append(facts.evidence(module.path,
                                                 text.count("\n", 0, gate.start()) + 1))
    for path in wanted:
        item = facts.files.get(path)
        if item is None or item.text is None:
            continue
        if item.kind == "js" and re.search(r"from\s+[\"']k6", item.text):
            scripts.append(facts.evidence(path, 1, note="k6 script"))
            match = _K6_THRESHOLD.search(item.text)
            if match:
                thresholds.append(facts.evidence(path, item.text.count("\n", 0,
                                                                       match.start()) + 1))
        elif item.kind == "yaml" and re.search(r"^\s*scenarios\s*:", item.text, re.M) and \
                re.search(r"^\s*config\s*:", item.text, re.M) and "target" in item.text:
            scripts.append(facts.evidence(path, 1, note="Artillery scenario"))
            match = re.search(r"^\s*ensure\s*:", item.text, re.M)
            if match:
                thresholds.append(facts.evidence(path, item.text.count("\n", 0,
                                                                       match.start()) + 1))
    for module, function in facts.functions(production=None):
        if any(p.name == "benchmark" for p in function.params) and module.path in wanted:
            scripts.append(func_ev(facts, module, function, note="pytest-benchmark"))
            break
    return dedupe(scripts), dedupe(thresholds)


def _load_runs(facts: RepoFacts) -> tuple[list[Evidence], list[Evidence]]:
    """(automated runs in CI, manual runs in Makefiles and scripts)."""
    automated: list[Evidence] = []
    manual: list[Evidence] = []
    ci = set(facts.ci_files())
    for hit in facts.grep(_LOAD_TOOL, kinds=("yaml", "text", "shell", "toml"), production=None,
                          limit=50):
        if hit.text.lstrip().startswith("#"):
            continue
        ev = facts.evidence(hit.path, hit.line)
        if hit.path in ci:
            automated.append(with_note(ev, "run in CI"))
            if re.search(r"--check-|--benchmark-compare-fail|thresholds", hit.text):
                automated.append(ev)
        else:
            manual.append(with_note(ev, "run by hand"))
    return automated, manual


@practice(
    "scale.load-testing", "Load tests with thresholds", priority="M", effort="M",
    applies="HTTP", sources=("S0", "S2", "S3", "FOW perf"),
    aliases=("load testing", "load test", "performance testing", "stress testing", "locust",
             "k6"),
    recommendation="Write a load test (Locust, k6, Artillery) for the main user paths with "
                   "pass/fail thresholds (`p(95)<300`, error rate < 1 %) and run it in CI or "
                   "on a schedule against a staging environment.",
)
def check_load_testing(facts: RepoFacts) -> Outcome:
    """The service is load-tested against explicit latency and error thresholds, regularly.

    Why it matters:
        Capacity is unknown until it is measured; a load test with thresholds turns
        "it feels fast" into a number that fails a build when a change makes the
        service slower or less reliable under concurrency.

    What counts as evidence:
        Locust files, k6 scripts, Artillery scenarios, pytest-benchmark tests (test
        directories included); thresholds (k6 `thresholds`, Artillery `ensure`,
        Locust `--check-fail-ratio`/`process_exit_code`, `--benchmark-compare-fail`);
        a CI job or schedule that runs them.

    What makes it partial:
        Scripts without thresholds or that are only run by hand (Makefile, README),
        or load-test results reported in the documentation only.

    How to satisfy:
        Add `k6` with `thresholds: {http_req_duration: ["p(95)<300"],
        http_req_failed: ["rate<0.01"]}` and a scheduled CI job running it against
        staging.
    """
    scripts, thresholds = _load_files(facts)
    automated, manual = _load_runs(facts)
    if scripts:
        if thresholds and automated:
            return implemented("Load tests with thresholds run automatically in CI.",
                               [*scripts[:3], *thresholds[:2], *automated[:2]])
        lacking = [] if thresholds else ["no pass/fail thresholds"]
        if not automated:
            lacking.append("never run automatically")
        return partial(f"Load-test scripts exist, but {' and '.join(lacking)}.",
                       [*scripts[:3], *thresholds[:2], *automated[:2], *manual[:2]])
    docs = facts.grep(_DOC_RESULT, kinds=("markdown",), production=None, limit=3)
    if docs:
        return partial("Load-test results appear in the documentation only; no script is in "
                       "the repository.", [facts.evidence(h.path, h.line) for h in docs])
    return missing("No load tests found (looked for Locust, k6, Artillery, pytest-benchmark "
                   "and load tools in CI).", context=app_context(facts))

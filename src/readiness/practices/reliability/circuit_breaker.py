"""rel.circuit-breaker: calls to a failing dependency are cut off quickly."""

from __future__ import annotations

import re

from readiness.facts import RepoFacts
from readiness.model import Evidence
from readiness.practices.helpers import call_ev, dedupe, definition_source
from readiness.practices.registry import Outcome, implemented, missing, partial, practice

_BREAKER_LIBS = ("pybreaker", "aiobreaker", "circuitbreaker", "purgatory")


@practice(
    "rel.circuit-breaker", "Circuit breaker on outbound dependencies", priority="H", effort="M",
    applies="OUT", sources=("S1", "S3", "FOW ft"), aliases=("circuit breaker", "breaker"),
    recommendation="Wrap calls to each remote dependency in a circuit breaker (pybreaker, "
                   "aiobreaker, `@circuit`) with a failure threshold and a recovery timeout, "
                   "and serve a fallback while it is open.",
)
def check_circuit_breaker(facts: RepoFacts) -> Outcome:
    """Calls to a failing dependency are cut off quickly instead of piling up.

    Why it matters:
        When a dependency is down, every call waits for its timeout; a breaker fails
        fast after a few failures, gives the dependency room to recover, and lets
        the service degrade instead of collapsing.

    What counts as evidence:
        pybreaker/aiobreaker/purgatory breakers or `@circuit` applied to calls; a
        custom breaker class with closed/open/half-open states, a failure threshold
        and a recovery timeout that is instantiated and consulted; Istio
        `outlierDetection`.

    What makes it partial:
        A breaker defined (or imported) but wrapping no call.

    How to satisfy:
        `breaker = pybreaker.CircuitBreaker(fail_max=5, reset_timeout=30)` and decorate
        the client function with `@breaker`, or call through `breaker.call(...)`.
    """
    used: list[Evidence] = []
    defined: list[Evidence] = []
    breaker_names: set[str] = set()
    for module, call in facts.calls(*(f"{lib}.*" for lib in _BREAKER_LIBS)):
        if call.leaf in ("CircuitBreaker", "CircuitBreakerFactory", "circuit"):
            defined.append(call_ev(facts, module, call))
        if call.leaf == "circuit" or call.name.endswith(".circuit"):
            used.append(call_ev(facts, module, call, note="decorator"))
    for module in facts.modules():
        for assign in module.assigns:
            if assign.call and assign.call.split(".")[0] in _BREAKER_LIBS:
                breaker_names.add(assign.target.split(".")[-1])
    custom = [(m, c) for m, c in facts.classes() if re.search(r"(Circuit)?Breaker$", c.name)]
    for module, cls in custom:
        body = definition_source(facts, module.path, cls)
        if re.search(r"half[-_ ]?open|HALF_OPEN", body, re.I) and re.search(r"open", body, re.I):
            defined.append(facts.evidence(module.path, cls.line, note="custom breaker class"))
            breaker_names.add(cls.name)
            for user_module, call in facts.calls(f"*.{cls.name}", cls.name):
                if user_module.path != module.path or call.scope != cls.name:
                    breaker_names.add(call.name)
    for module in facts.modules():
        for function in module.functions:
            for decorator in function.decorators:
                if decorator.raw.split(".")[-1] in breaker_names:
                    used.append(facts.evidence(module.path, decorator.line, note="decorator"))
        for call in module.calls:
            receiver = call.raw.rsplit(".", 1)[0] if "." in call.raw else ""
            head = receiver.split(".")[-1].split("[")[0]
            if call.leaf in ("call", "call_async", "record_failure", "record_success",
                             "allow_request", "can_execute", "is_open", "before_call",
                             "on_failure", "on_success", "can_request", "allow") and \
                    (head in breaker_names or "breaker" in receiver.lower()):
                used.append(call_ev(facts, module, call))
    istio = [facts.evidence(h.path, h.line) for h in
             facts.grep(r"^\s*outlierDetection:", kinds=("yaml",), flags=re.M, limit=5)]
    if used or istio:
        return implemented("A circuit breaker guards outbound calls.",
                           dedupe([*used[:6], *istio[:3], *defined[:3]]))
    if defined:
        return partial("A circuit breaker is defined but no call goes through it.", defined[:5])
    imported = [facts.evidence(m.path, i.line) for m, i in facts.imports(*_BREAKER_LIBS)]
    if imported:
        return partial("A circuit-breaker library is imported but no breaker is created.",
                       imported[:3])
    return missing("No circuit breaker found (looked for pybreaker, aiobreaker, circuitbreaker, "
                   "purgatory, custom open/half-open breaker classes and Istio "
                   "outlierDetection).")

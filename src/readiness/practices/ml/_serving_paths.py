"""The prediction path: routes that reach a model and the functions that serve it.

Calls are followed from each route handler, three levels deep, by name within
the repository, to a ``predict``-style call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from readiness.facts import RepoFacts
from readiness.facts.python.records import Call, Function, ModuleFacts
from readiness.facts.python.routes import Route
from readiness.practices.helpers import calls_inside, modules_for
from readiness.practices.training_code import training_units

_PREDICT_LEAVES = frozenset({"predict", "predict_proba", "predict_log_proba",
                             "decision_function", "forecast"})


def _is_prediction(call: Call) -> bool:
    return call.leaf in _PREDICT_LEAVES or call.name.endswith("InferenceSession().run")


def _callees(facts: RepoFacts, module: ModuleFacts, call: Call
             ) -> list[tuple[ModuleFacts, Function]]:
    """Repository functions a call may go to: same-module functions (and methods) with the
    call's last name, or the function of the module its dotted name points at."""
    leaf = call.leaf
    out = [(module, f) for f in module.functions if f.name == leaf]
    if "." in call.name and not out:
        for other in modules_for(facts, call.name.rsplit(".", 1)[0]):
            out.extend((other, f) for f in other.functions if f.name == leaf)
    return out


@dataclass
class Reach:
    """What a handler reaches: the functions it runs and the first prediction call."""

    functions: list[tuple[ModuleFacts, Function]] = field(default_factory=list)
    prediction: tuple[ModuleFacts, Call] | None = None


def reach(facts: RepoFacts, module: ModuleFacts, function: Function, depth: int = 3) -> Reach:
    out = Reach()
    seen: set[tuple[str, str]] = set()
    frontier = [(module, function)]
    for _ in range(depth + 1):
        following: list[tuple[ModuleFacts, Function]] = []
        for mod, fn in frontier:
            if (mod.path, fn.qualname) in seen:
                continue
            seen.add((mod.path, fn.qualname))
            out.functions.append((mod, fn))
            for call in calls_inside(mod, fn):
                if out.prediction is None and _is_prediction(call):
                    out.prediction = (mod, call)
                following.extend(_callees(facts, mod, call))
        frontier = following
    return out


_SERVING_WORD = re.compile(r"(?i)^(predict\w*|infer\w*|scor(e|ing)\w*|classif\w*|forecast\w*)$")


def _named_for_serving(route: Route) -> bool:
    """A route whose model call we could not follow, but whose name says it serves one:
    the handler's name starts with predict/infer/score/classify/forecast, or the last path
    segment is such a word. Deleting or editing stored predictions is not serving."""
    if set(route.methods) <= {"DELETE", "PUT", "PATCH"}:
        return False
    segments = [p for p in route.path.strip("/").split("/") if p and not p.startswith(("{", "<"))]
    last = segments[-1] if segments else ""
    name = route.function.name if route.function else ""
    return bool(re.match(r"(?i)(predict|infer|scor(e|ing)|classif|forecast)", name) or
                (_SERVING_WORD.match(last) and not route.path.rstrip("/").endswith("}")))


def prediction_routes(facts: RepoFacts) -> list[tuple[Route, Reach]]:
    """HTTP routes that run a model (or are named for it)."""
    def build() -> list[tuple[Route, Reach]]:
        out = []
        for route in facts.routes():
            module = facts.module(route.file)
            if module is None or route.function is None:
                continue
            reached = reach(facts, module, route.function)
            if reached.prediction is not None or (_named_for_serving(route) and
                                                  facts.applies("ML")):
                out.append((route, reached))
        return out
    return facts.memo("ml.prediction_routes", build)


_TRAINING_PATH = re.compile(r"(^|/)(train\w*|training|notebooks?|experiments?|eval\w*|"
                            r"benchmark\w*)(/|\.py$)")
_SERVING_PATH = re.compile(r"(?i)predict|inference|serv(e|ing)|scor(e|ing)")


def serving_functions(facts: RepoFacts) -> list[tuple[ModuleFacts, Function]]:
    """Functions on the prediction path: reached from prediction routes, or defined in
    serving modules (by path, or modules that call a model) that are not training code."""
    def build() -> list[tuple[ModuleFacts, Function]]:
        training = {u.path for u in training_units(facts)}
        out: dict[tuple[str, str], tuple[ModuleFacts, Function]] = {}
        for _, reached in prediction_routes(facts):
            for module, function in reached.functions:
                if module.path not in training:
                    out[(module.path, function.qualname)] = (module, function)
        for module in facts.modules():
            if module.path in training or _TRAINING_PATH.search(module.path):
                continue
            if _SERVING_PATH.search(module.path) or any(_is_prediction(c) for c in module.calls):
                for function in module.functions:
                    out.setdefault((module.path, function.qualname), (module, function))
        return list(out.values())
    return facts.memo("ml.serving_functions", build)

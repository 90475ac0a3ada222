"""How training calls are read: splits, estimator classes, data arguments, helpers."""

from __future__ import annotations

from readiness.facts import RepoFacts
from readiness.facts.python.records import Call, Function, ModuleFacts
from readiness.practices.helpers import modules_for

SPLIT_LEAVES = frozenset({"train_test_split", "random_split"})
CV_LEAVES = frozenset({"cross_val_score", "cross_validate", "cross_val_predict",
                        "learning_curve", "validation_curve", "permutation_test_score"})


def scopes(module: ModuleFacts) -> dict[str, list[Call]]:
    """Calls of each function (by qualname; "" for module level), in line order."""
    out: dict[str, list[Call]] = {}
    for call in module.calls:
        out.setdefault(call.scope, []).append(call)
    for calls in out.values():
        calls.sort(key=lambda c: c.line)
    return out


def first_arg(call: Call, *names: str) -> str | None:
    if call.args and not call.args[0].startswith("*"):
        return call.args[0]
    for name in names:
        value = call.kwarg(name)
        if value is not None:
            return value
    return None


def is_pass_through(call: Call) -> bool:
    """``train_test_split(*args, **kwargs)`` inside a wrapper: the wrapper's callers decide."""
    return all(a.startswith("*") for a in call.args) and call.has_kwarg("**")


def split_wrappers(module: ModuleFacts) -> frozenset[str]:
    """Names of functions of this module that only forward to ``train_test_split``."""
    return frozenset(c.scope.rsplit(".", 1)[-1] for c in module.calls
                     if c.leaf == "train_test_split" and c.scope and is_pass_through(c))


def is_split(call: Call, wrappers: frozenset[str] = frozenset()) -> bool:
    return (call.leaf in SPLIT_LEAVES and not is_pass_through(call)) or \
        (call.leaf in wrappers and "." not in call.name)


def ctor_class(name: str) -> str | None:
    """``sklearn.preprocessing.StandardScaler`` -> ``StandardScaler`` (a constructor call
    is recognised by its capitalised leaf)."""
    leaf = name.rsplit(".", 1)[-1]
    return leaf if leaf[:1].isupper() else None


def receiver_class(call: Call) -> str | None:
    """The class a method is called on, when the facts resolved the receiver to a
    constructor (``sklearn.preprocessing.StandardScaler().fit_transform``)."""
    receiver = call.receiver
    if not receiver.endswith("()"):
        return None
    return ctor_class(receiver[:-2])


def resolve_function(facts: RepoFacts, module: ModuleFacts, call: Call
                     ) -> tuple[ModuleFacts, Function] | None:
    """The repository function a call goes to: same module by name, or the module the
    dotted name points at (``training.features.build`` -> ``training/features.py``)."""
    if "." not in call.name:
        for function in module.functions:
            if function.qualname == call.name:
                return module, function
        return None
    dotted, leaf = call.name.rsplit(".", 1)
    for other in modules_for(facts, dotted):
        for function in other.functions:
            if function.qualname == leaf:
                return other, function
    return None

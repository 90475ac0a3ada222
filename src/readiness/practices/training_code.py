"""The training code the ML rules share: modules that import an ML library and fit.

Notebooks stand in for it only when no such module exists (status rule 1);
their line numbers count code cells, so their evidence is built here.
"""

from __future__ import annotations

from dataclasses import dataclass

from readiness.facts import RepoFacts
from readiness.facts.applicability import ML_LIBS
from readiness.facts.classify import PRODUCTION
from readiness.facts.python.records import Call, ModuleFacts
from readiness.model import Evidence, clip
from readiness.practices.helpers import call_ev

TRAINING_LIBS = (*ML_LIBS, "flaml", "pycaret", "lazypredict", "optuna", "lightning",
                 "pytorch_lightning", "imblearn")
_TRAINING_LEAVES = frozenset({"fit", "fit_transform", "fit_resample", "partial_fit", "backward",
                              "train_test_split", "fit_predict", "compare_models"})


@dataclass(frozen=True)
class TrainingUnit:
    """A module (or notebook) that trains models."""

    path: str
    module: ModuleFacts
    notebook: bool


def training_units(facts: RepoFacts) -> list[TrainingUnit]:
    """Production modules that import an ML library and fit something; notebooks only when
    there are none (status rule 1)."""
    return facts.memo("mlh.training_units", lambda: _find_training_units(facts))


def ml_modules(facts: RepoFacts) -> list[TrainingUnit]:
    """Every module (or notebook, in notebook mode) that imports an ML library: estimators
    are often configured in one module and fitted in another."""
    def build() -> list[TrainingUnit]:
        units = training_units(facts)
        if any(u.notebook for u in units):
            return units
        paths = {m.path for m, _ in facts.imports(*TRAINING_LIBS)}
        return [TrainingUnit(m.path, m, False) for m in facts.modules() if m.path in paths]
    return facts.memo("mlh.ml_modules", build)


def _find_training_units(facts: RepoFacts) -> list[TrainingUnit]:
    ml_paths = {m.path for m, _ in facts.imports(*TRAINING_LIBS)}
    units = [TrainingUnit(m.path, m, False) for m in facts.modules()
             if m.path in ml_paths and any(c.leaf in _TRAINING_LEAVES for c in m.calls)]
    if units:
        return units
    tops = {lib.split(".", 1)[0] for lib in TRAINING_LIBS}
    for path, module in sorted(facts.notebooks.items()):
        if facts.role(path) != PRODUCTION:
            continue
        if any(i.top in tops for i in module.imports) and \
                any(c.leaf in _TRAINING_LEAVES for c in module.calls):
            units.append(TrainingUnit(path, module, True))
    return units


def unit_ev(facts: RepoFacts, unit: TrainingUnit, call: Call, note: str = "") -> Evidence:
    """Evidence for a call; notebook lines count the notebook's code cells, so the snippet
    is rebuilt from the call rather than read from the JSON file."""
    if not unit.notebook:
        return call_ev(facts, unit.path, call, note=note)
    text = clip(f"{call.raw}({', '.join(call.args + tuple(f'{k}={v}' for k, v in call.kwargs))})")
    tail = "line counted in the notebook's code cells"
    return facts.evidence(unit.path, call.line, note=f"{note}; {tail}" if note else tail,
                          snippet=text)

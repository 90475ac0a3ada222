"""mlh.stratified-split: classifier splits keep the class proportions."""

from __future__ import annotations

import re

from readiness.facts import RepoFacts
from readiness.facts.applicability import TS_LIBS
from readiness.facts.python.records import Call
from readiness.model import Evidence
from readiness.practices.helpers import is_none, per_site
from readiness.practices.ml_hygiene._training_calls import (
    CV_LEAVES,
    ctor_class,
    is_split,
    split_wrappers,
)
from readiness.practices.registry import Outcome, missing, practice
from readiness.practices.training_code import TrainingUnit, ml_modules, unit_ev

_CLASSIFICATION = re.compile(r"Classifier\b|LogisticRegression|\bSVC\b|NaiveBayes|GaussianNB|"
                             r"classification_report|accuracy_score|roc_auc_score|f1_score|"
                             r"confusion_matrix|precision_score|recall_score|binary:logistic|"
                             r"multi:softprob|BCELoss|CrossEntropyLoss|predict_proba|"
                             r"BCEWithLogitsLoss|NLLLoss|categorical_crossentropy|"
                             r"binary_crossentropy|"
                             r"[\"']classification[\"']|\bclassif")


def classification_text(facts: RepoFacts, unit: TrainingUnit) -> bool:
    text = facts.text(unit.path) or ""
    return bool(_CLASSIFICATION.search(text))


def ts_module(unit: TrainingUnit) -> bool:
    if any(i.qualified.lstrip(".").startswith(lib) or i.module.startswith(lib)
           for i in unit.module.imports for lib in TS_LIBS):
        return True
    return any(c.leaf == "TimeSeriesSplit" for c in unit.module.calls)


_STRATIFIED = frozenset({"StratifiedKFold", "StratifiedShuffleSplit", "StratifiedGroupKFold",
                         "RepeatedStratifiedKFold"})
_UNSTRATIFIED = frozenset({"KFold", "ShuffleSplit", "GroupKFold", "GroupShuffleSplit",
                           "RepeatedKFold"})
_STRATIFYING_HELPER = re.compile(r"(?i)stratif\w*split|split\w*stratif")
_SEARCHES = frozenset({"GridSearchCV", "RandomizedSearchCV", "HalvingGridSearchCV",
                       "HalvingRandomSearchCV"})


def _classification_units(facts: RepoFacts) -> list[TrainingUnit]:
    return [u for u in ml_modules(facts) if classification_text(facts, u) and not ts_module(u)]


def _stratify_site(call: Call, wrappers: frozenset[str]) -> tuple[bool, str] | None:
    """(stratified, note) for a split or CV call in classification code, or None."""
    if _STRATIFYING_HELPER.search(call.leaf):
        return True, "project helper that stratifies"
    if is_split(call, wrappers):
        if call.leaf == "random_split":
            return False, "random_split is not stratified"
        if (call.kwarg("shuffle") or "").strip() == "False":
            return None  # a chronological holdout: not this practice's business
        value = call.kwarg("stratify")
        if value is None:
            return (True, "options passed through **kwargs") if call.has_kwarg("**") else \
                (False, "split without stratify=")
        return (not is_none(value)), "" if not is_none(value) else "stratify=None"
    cls = ctor_class(call.name)
    if cls in _STRATIFIED:
        return True, ""
    if cls in _UNSTRATIFIED:
        return False, f"{cls} does not stratify"
    if call.leaf in CV_LEAVES or cls in _SEARCHES:
        cv = call.kwarg("cv")
        if cv is None or re.fullmatch(r"\d+", cv.strip()):
            return True, "integer cv stratifies folds for classifiers"
    return None


def stratify_sites(facts: RepoFacts) -> list[tuple[Evidence, bool]]:
    sites = []
    for unit in _classification_units(facts):
        wrappers = split_wrappers(unit.module)
        for call in unit.module.calls:
            if _STRATIFYING_HELPER.search(call.scope.rsplit(".", 1)[-1]):
                continue  # the split inside a stratifying helper is counted at its callers
            verdict = _stratify_site(call, wrappers)
            if verdict is not None:
                ok, note = verdict
                sites.append((unit_ev(facts, unit, call, note=note), ok))
    return sites


def _stratify_applies(facts: RepoFacts) -> bool:
    """CLF and not TS; in a repository that does both, the classification code that is not
    time-series code still has to stratify."""
    if not facts.applies("CLF"):
        return False
    if not facts.applies("TS"):
        return True
    return bool(stratify_sites(facts))


@practice(
    "mlh.stratified-split", "Stratified splits", priority="M", effort="L",
    applies="CLF and not TS", when=_stratify_applies, sources=("S4",),
    aliases=("stratified split", "stratify", "stratification", "StratifiedKFold"),
    recommendation="Pass `stratify=y` to `train_test_split` and use `StratifiedKFold` (or "
                   "`StratifiedShuffleSplit`) for cross-validation of classifiers.",
)
def check_stratified_split(facts: RepoFacts) -> Outcome:
    """Classifier splits keep the class proportions in every train, test and CV fold.

    Why it matters:
        With rare classes an unstratified split can leave a fold with few or no positive
        examples: metrics swing from run to run and the test score misrepresents the
        model.

    What counts as evidence:
        In classification code (not time-series code): `train_test_split(...,
        stratify=y)`, `StratifiedKFold`, `StratifiedShuffleSplit`,
        `StratifiedGroupKFold`, and integer `cv=` in `cross_val_score`/`GridSearchCV`
        (scikit-learn stratifies those folds for classifiers).

    What makes it partial:
        Per-site rule: implemented when at least 90 % of the splits stratify, partial
        when at least one does; `KFold`, `ShuffleSplit`, `random_split` or a
        `train_test_split` without `stratify=` count against it.

    How to satisfy:
        `train_test_split(X, y, test_size=0.2, stratify=y, random_state=SEED)` and
        `StratifiedKFold(n_splits=5, shuffle=True, random_state=SEED)`.
    """
    sites = stratify_sites(facts)
    if not sites:
        return missing("Classifiers are trained, but no train/test split or cross-validation "
                       "was found in the classification code.")
    return per_site(sites, what="classification splits", good="are stratified",
                    bad="not stratified")

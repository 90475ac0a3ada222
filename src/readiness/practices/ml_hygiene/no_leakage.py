"""mlh.no-leakage: preprocessing learns only from training data."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from readiness.facts import RepoFacts
from readiness.facts.python.records import Assign, Call, ModuleFacts
from readiness.model import Evidence, Severity
from readiness.practices.helpers import call_ev, dedupe
from readiness.practices.ml_hygiene._training_calls import (
    CV_LEAVES,
    SPLIT_LEAVES,
    first_arg,
    is_split,
    receiver_class,
    resolve_function,
    scopes,
    split_wrappers,
)
from readiness.practices.registry import Outcome, anti, implemented, missing, partial, practice
from readiness.practices.training_code import TrainingUnit, training_units, unit_ev

_PREPROCESSORS = frozenset({
    "StandardScaler", "MinMaxScaler", "RobustScaler", "MaxAbsScaler", "Normalizer",
    "QuantileTransformer", "PowerTransformer", "SimpleImputer", "KNNImputer",
    "IterativeImputer", "LabelEncoder", "OneHotEncoder", "OrdinalEncoder", "TargetEncoder",
    "LabelBinarizer", "MultiLabelBinarizer", "KBinsDiscretizer", "SelectKBest",
    "SelectPercentile", "SelectFromModel", "RFE", "RFECV", "VarianceThreshold",
    "GenericUnivariateSelect", "SequentialFeatureSelector", "PCA", "TruncatedSVD",
    "KernelPCA", "FactorAnalysis", "FastICA", "TfidfVectorizer", "CountVectorizer",
    "DictVectorizer", "WOEEncoder", "CatBoostEncoder", "BinaryEncoder", "LeaveOneOutEncoder",
    "JamesSteinEncoder", "MEstimateEncoder", "CountEncoder",
})
_PIPELINES = frozenset({"Pipeline", "ColumnTransformer", "make_pipeline",
                        "make_column_transformer", "FeatureUnion"})
_LABEL_ENCODERS = frozenset({"LabelEncoder", "LabelBinarizer"})
_PREPROCESSOR_NAME = re.compile(r"(?i)(scaler|imputer|encoder|selector|vectori[sz]er|\bpca\b|"
                                r"normali[sz]er|discreti[sz]er|preprocessor)")
_PIPELINE_NAME = re.compile(r"(?i)(pipeline|\bpipe\b|column_?transformer)")
_TEST_DATA = re.compile(r"(?i)(^|[^a-z])(test|holdout)([^a-z]|$)")
_TRAIN_DATA = re.compile(r"(?i)(^|[^a-z])(train(ing)?|tr|trn|fold)([^a-z]|$)")
_TARGET_DATA = re.compile(r"(?i)(^|[^a-z])(y|target|labels?|class(es)?|outcome)([^a-z]|$)")
_FIT_LEAVES = frozenset({"fit", "fit_transform", "partial_fit"})
_RESAMPLE_LEAVES = frozenset({"fit_resample", "fit_sample"})


def fit_kind(call: Call) -> str | None:
    """``preprocessor``, ``pipeline``, ``resampler`` or ``model`` for a fitting call."""
    if call.leaf in _RESAMPLE_LEAVES:
        return "resampler"
    if call.leaf not in _FIT_LEAVES:
        return None
    cls = receiver_class(call)
    if cls in _PIPELINES:
        return "pipeline"
    if cls in _PREPROCESSORS:
        return "preprocessor"
    if cls is None:
        receiver = call.raw.rsplit(".", 1)[0] if "." in call.raw else ""
        if _PIPELINE_NAME.search(receiver):
            return "pipeline"
        if _PREPROCESSOR_NAME.search(receiver):
            return "preprocessor"
    return "model"


def _label_encoding_target(call: Call, data: str) -> bool:
    return receiver_class(call) in _LABEL_ENCODERS and bool(_TARGET_DATA.search(data))


@dataclass
class _LeakReport:
    leaks: list[tuple[Evidence, str]]
    safe: list[Evidence]
    splits: list[Evidence]


def _helper_fits(facts: RepoFacts, module: ModuleFacts, call: Call
                 ) -> list[tuple[ModuleFacts, Call]]:
    """Preprocessing fitted on whole data inside a repository helper called before a split
    (the helper itself must not split)."""
    target = resolve_function(facts, module, call)
    if target is None:
        return []
    other, function = target
    body = [c for c in other.calls if c.scope == function.qualname]
    if any(is_split(c) for c in body):
        return []
    out = []
    for inner in body:
        kind = fit_kind(inner)
        data = first_arg(inner, "X", "x") or ""
        if kind in ("preprocessor", "pipeline", "resampler") and data and \
                not _TRAIN_DATA.search(data) and not _label_encoding_target(inner, data):
            out.append((other, inner))
    return out


_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")


def _names(text: str) -> set[str]:
    return set(_IDENTIFIER.findall(text))


def _target_names(target: str) -> tuple[set[str], bool]:
    """Names bound by an assignment target, and whether it rebinds plain names (``X = ...``
    replaces X; ``df["a"] = ...`` only modifies df)."""
    plain = re.fullmatch(r"[\w\s,()\[\]]*", target) is not None and "[" not in target
    if plain:
        return _names(target), True
    root = _IDENTIFIER.match(target.strip())
    return ({root.group(0)} if root else set()), False


def _flows_into(call: Call, seeds: set[str], split: Call, assigns: list[Assign]) -> bool:
    """Whether data touched by ``call`` (its fitted output, its input, its receiver) reaches
    the split's input, following the assignments in between (a rebinding from untouched
    data ends the trail). Keeps unrelated experiments in one notebook apart."""
    tainted = set(seeds)
    for assign in assigns:
        if assign.line == call.line:
            tainted |= _target_names(assign.target)[0]
    for assign in assigns:
        if not call.line < assign.line < split.line:
            continue
        names, rebinds = _target_names(assign.target)
        if _names(assign.value) & tainted:
            tainted |= names
        elif rebinds:
            tainted -= names
    split_data = first_arg(split) or " ".join(v for _, v in split.kwargs)
    return bool(_names(split_data) & tainted)


def _roots(*texts: str | None) -> set[str]:
    out = set()
    for text in texts:
        match = _IDENTIFIER.match((text or "").strip())
        if match:
            out.add(match.group(0))
    return out


def _scope_leaks(facts: RepoFacts, unit: TrainingUnit, calls: list[Call], assigns: list[Assign],
                 wrappers: frozenset[str], report: _LeakReport) -> None:
    for call in calls:
        data = first_arg(call, "X", "x", "raw_documents")
        kind = fit_kind(call)
        if kind and data and _TEST_DATA.search(data) and not _TRAIN_DATA.search(data):
            report.leaks.append((unit_ev(facts, unit, call), "fitted on test data"))
    split_calls = [c for c in calls if is_split(c, wrappers) or c.leaf in CV_LEAVES]
    if not split_calls:
        return
    report.splits.append(unit_ev(facts, unit, split_calls[0], note="split"))
    for call in calls:
        later = next((c for c in split_calls if c.line > call.line), None)
        earlier_inputs = {first_arg(c) for c in split_calls
                          if c.line < call.line and c.leaf in SPLIT_LEAVES} - {None}
        kind = fit_kind(call)
        data = first_arg(call, "X", "x", "raw_documents") or ""
        if kind in ("preprocessor", "pipeline", "resampler") and data:
            if _TEST_DATA.search(data) or _label_encoding_target(call, data):
                continue
            what = "oversampling" if kind == "resampler" else "preprocessing"
            receiver = call.raw.rsplit(".", 1)[0] if "." in call.raw else ""
            if later is not None and not _TRAIN_DATA.search(data) and \
                    _flows_into(call, _roots(data, receiver), later, assigns):
                report.leaks.append((unit_ev(facts, unit, call),
                                     f"{what} fitted on the full data before the split "
                                     f"at line {later.line}"))
            elif data in earlier_inputs:
                report.leaks.append((unit_ev(facts, unit, call),
                                     f"{what} fitted on `{data}`, the data that was split"))
            elif earlier_inputs or later is None:
                report.safe.append(unit_ev(facts, unit, call,
                                           note=f"{kind} fitted after the split"))
        elif later is not None and not unit.notebook and "(" not in call.receiver:
            fits = _helper_fits(facts, unit.module, call)
            if fits and _flows_into(call, _roots(*call.args), later, assigns):
                for other, inner in fits:
                    report.leaks.append((call_ev(facts, other, inner),
                                         f"preprocessing fitted on the full data in a helper "
                                         f"called before the split at {unit.path}:"
                                         f"{later.line}"))
        if call.leaf in CV_LEAVES and _PIPELINE_NAME.search(first_arg(call) or ""):
            report.safe.append(unit_ev(facts, unit, call, note="cross-validated pipeline"))


def _leak_report(facts: RepoFacts) -> _LeakReport:
    report = _LeakReport([], [], [])
    for unit in training_units(facts):
        wrappers = split_wrappers(unit.module)
        assigns: dict[str, list[Assign]] = {}
        for assign in sorted(unit.module.assigns, key=lambda a: a.line):
            assigns.setdefault(assign.scope, []).append(assign)
        for scope, calls in scopes(unit.module).items():
            _scope_leaks(facts, unit, calls, assigns.get(scope, []), wrappers, report)
    return report


@practice(
    "mlh.no-leakage", "Leakage-safe preprocessing", priority="C", effort="L", applies="MLT",
    sources=("S4",), aliases=("data leakage", "leakage", "train/test contamination",
                                    "sklearn pipeline"),
    recommendation="Split first, then fit scalers, imputers, encoders, selectors and "
                   "resamplers on the training split only: put them in a scikit-learn "
                   "`Pipeline`/`ColumnTransformer` (imblearn `Pipeline` for SMOTE) and fit "
                   "the pipeline on `X_train`.",
)
def check_no_leakage(facts: RepoFacts) -> Outcome:
    """Preprocessing learns only from training data, so evaluation scores are honest.

    Why it matters:
        A scaler, imputer, encoder or feature selector fitted on the whole data set
        before the train/test split (or SMOTE run before it) lets test rows shape the
        training features: the reported accuracy is inflated and the model disappoints
        in production.

    What counts as evidence:
        In each training function, calls in line order: `train_test_split` (or a
        cross-validation call) first, then preprocessing fitted on the training split
        (`scaler.fit_transform(X_train)`), or a `Pipeline`/`ColumnTransformer` fitted on
        `X_train` or cross-validated as a whole. Helpers called before the split are
        followed one level deep.

    What makes it partial:
        Training code without any train/test split or cross-validation, and
        preprocessing fitted on data that is not named as training data, where leakage
        can be neither shown nor ruled out (separately loaded training data, fitted as
        `X_train`, counts as implemented). Fitting preprocessing on the full `X` before
        the split (also inside a helper such as `load_and_preprocess()`), resampling
        before the split, re-fitting on the data that was split, or fitting anything on
        test data forces the status to missing.

    How to satisfy:
        `X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y)`, then
        `make_pipeline(StandardScaler(), model).fit(X_train, y_train)`; use
        `imblearn.pipeline.Pipeline` when oversampling.
    """
    units = training_units(facts)
    report = _leak_report(facts)
    antis = [anti(f"Leakage: {why}", ev, Severity.FORCE_MISSING)
             for ev, why in _unique_leaks(report.leaks)]
    if antis:
        return missing(f"{len(antis)} leakage site(s): preprocessing, resampling or fitting "
                       "sees data it will later be evaluated on.", antis)
    if report.splits:
        detail = (f"{len(report.safe)} preprocessing fit(s) use the training split or a "
                  "pipeline" if report.safe else "no preprocessing is fitted on the full data")
        return implemented(f"{len(report.splits)} training function(s) split the data before "
                           f"fitting; {detail}.", dedupe([*report.safe[:6], *report.splits[:6]]))
    fits = [(u, c) for u in units for c in u.module.calls if fit_kind(c)]
    on_train = [unit_ev(facts, u, c, note="fitted on training data") for u, c in fits
                if _TRAIN_DATA.search(first_arg(c, "X", "x") or "")]
    unclear = [unit_ev(facts, u, c) for u, c in fits
               if fit_kind(c) != "model" and not _TRAIN_DATA.search(first_arg(c, "X", "x") or "")]
    if on_train and not unclear:
        return implemented("Training and evaluation data are kept apart (separate training "
                           "data, no split call); everything is fitted on the training data.",
                           on_train[:6])
    if fits:
        return partial("Models are trained, but no train/test split or cross-validation was "
                       "found, so leakage-safe preprocessing cannot be shown.",
                       [*unclear[:6], *[unit_ev(facts, u, c) for u, c in fits[:6]]])
    return missing("No training code with a train/test split was found.")


def _unique_leaks(leaks: Iterable[tuple[Evidence, str]]) -> list[tuple[Evidence, str]]:
    seen: set[tuple[str, int]] = set()
    out = []
    for ev, why in leaks:
        if (ev.path, ev.line) not in seen:
            seen.add((ev.path, ev.line))
            out.append((ev, why))
    return out

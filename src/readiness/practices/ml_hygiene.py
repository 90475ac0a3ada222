"""ML hygiene practices: training code that does not leak, is seeded and stratifies its splits.

All three rules read the same "training code": production Python modules that import an
ML library and fit something. Notebooks (their code cells) stand in for it only when no
such module exists (catalog status rule 1). The analysis follows each training function's
calls in line order (``Call.scope`` names the enclosing function), and follows calls to
helper functions of the repository one level deep, because preprocessing is often done
in a ``load_and_preprocess()`` helper that runs before the split.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from readiness.facts import RepoFacts
from readiness.facts.applicability import ML_LIBS, TS_LIBS
from readiness.facts.classify import PRODUCTION
from readiness.facts.python.records import Assign, Call, Function, ModuleFacts
from readiness.model import Evidence, Severity, clip
from readiness.practices.helpers import call_ev, dedupe, is_none, per_site
from readiness.practices.registry import (
    Outcome,
    anti,
    implemented,
    missing,
    na,
    partial,
    practice,
)

# ------------------------------------------------------------------- training code

TRAINING_LIBS = (*ML_LIBS, "flaml", "pycaret", "lazypredict", "optuna", "lightning",
                 "pytorch_lightning", "imblearn")
_TRAINING_LEAVES = frozenset({"fit", "fit_transform", "fit_resample", "partial_fit", "backward",
                              "train_test_split", "fit_predict", "compare_models"})
SPLIT_LEAVES = frozenset({"train_test_split", "random_split"})
_CV_LEAVES = frozenset({"cross_val_score", "cross_validate", "cross_val_predict",
                        "learning_curve", "validation_curve", "permutation_test_score"})
_CLASSIFICATION = re.compile(r"Classifier\b|LogisticRegression|\bSVC\b|NaiveBayes|GaussianNB|"
                             r"classification_report|accuracy_score|roc_auc_score|f1_score|"
                             r"confusion_matrix|precision_score|recall_score|binary:logistic|"
                             r"multi:softprob|BCELoss|CrossEntropyLoss|predict_proba|"
                             r"BCEWithLogitsLoss|NLLLoss|categorical_crossentropy|"
                             r"binary_crossentropy|"
                             r"[\"']classification[\"']|\bclassif")


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


def modules_for(facts: RepoFacts, dotted: str) -> list[ModuleFacts]:
    """Production modules a dotted import name may refer to (``app.services.x`` ->
    ``app/services/x.py`` or ``src/app/services/x.py``)."""
    index = facts.memo("mlh.module_suffixes", lambda: _suffix_index(facts))
    return index.get(dotted.replace(".", "/") + ".py", [])


def _suffix_index(facts: RepoFacts) -> dict[str, list[ModuleFacts]]:
    index: dict[str, list[ModuleFacts]] = {}
    for module in facts.modules():
        parts = module.path.split("/")
        for start in range(len(parts)):
            index.setdefault("/".join(parts[start:]), []).append(module)
    return index


def classification_text(facts: RepoFacts, unit: TrainingUnit) -> bool:
    text = facts.text(unit.path) or ""
    return bool(_CLASSIFICATION.search(text))


def ts_module(unit: TrainingUnit) -> bool:
    if any(i.qualified.lstrip(".").startswith(lib) or i.module.startswith(lib)
           for i in unit.module.imports for lib in TS_LIBS):
        return True
    return any(c.leaf == "TimeSeriesSplit" for c in unit.module.calls)


# ------------------------------------------------------------------------ leakage

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
    split_calls = [c for c in calls if is_split(c, wrappers) or c.leaf in _CV_LEAVES]
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
        if call.leaf in _CV_LEAVES and _PIPELINE_NAME.search(first_arg(call) or ""):
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
    sources=("S4",), aliases=("data leakage", "leakage", "train/test contamination"),
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


# -------------------------------------------------------------------------- seeds

_SEED_KWARGS = ("random_state", "seed", "random_seed", "rng", "session_id")
_GLOBAL_SEEDS = ("numpy.random.seed", "random.seed", "torch.manual_seed", "torch.cuda.manual_seed",
                 "torch.cuda.manual_seed_all", "torch.random.manual_seed",
                 "tensorflow.random.set_seed", "tensorflow.set_random_seed",
                 "tensorflow.keras.utils.set_random_seed", "keras.utils.set_random_seed",
                 "*.seed_everything", "*.set_seed", "*.set_random_seed",
                 "torch.use_deterministic_algorithms")
_TORCH_SEEDS = re.compile(r"(^torch\.(cuda\.|random\.)?manual_seed(_all)?$|seed_everything$|"
                          r"(^|\.)set_seed$|set_random_seed$)")
_TF_SEEDS = re.compile(r"(^tensorflow\..*set_(random_)?seed$|^keras\..*set_random_seed$|"
                       r"seed_everything$|(^|\.)set_seed$|set_random_seed$)")
_NUMPY_SEEDS = re.compile(r"(^numpy\.random\.seed$|seed_everything$|(^|\.)set_seed$|"
                          r"set_random_seed$)")
# Estimators whose result depends on a random number generator by default.
_RANDOM_ESTIMATORS = frozenset({
    "RandomForestClassifier", "RandomForestRegressor", "ExtraTreesClassifier",
    "ExtraTreesRegressor", "GradientBoostingClassifier", "GradientBoostingRegressor",
    "HistGradientBoostingClassifier", "HistGradientBoostingRegressor", "AdaBoostClassifier",
    "AdaBoostRegressor", "BaggingClassifier", "BaggingRegressor", "IsolationForest",
    "RandomTreesEmbedding", "DecisionTreeClassifier", "DecisionTreeRegressor",
    "ExtraTreeClassifier", "ExtraTreeRegressor", "MLPClassifier", "MLPRegressor",
    "SGDClassifier", "SGDRegressor", "SGDOneClassSVM", "Perceptron",
    "PassiveAggressiveClassifier", "PassiveAggressiveRegressor", "KMeans", "MiniBatchKMeans",
    "BisectingKMeans", "GaussianMixture", "BayesianGaussianMixture", "TSNE", "TruncatedSVD",
    "NMF", "LatentDirichletAllocation", "RandomizedSearchCV", "ShuffleSplit",
    "StratifiedShuffleSplit", "GroupShuffleSplit", "RepeatedKFold", "RepeatedStratifiedKFold",
    "SMOTE", "ADASYN", "BorderlineSMOTE", "SVMSMOTE", "SMOTENC", "RandomOverSampler",
    "RandomUnderSampler", "BalancedRandomForestClassifier", "BalancedBaggingClassifier",
    "EasyEnsembleClassifier", "RUSBoostClassifier", "LinearSVC", "LinearSVR",
    "HalvingRandomSearchCV",
})
# Estimators that are random only with some options (``name -> (kwarg, regex of values)``).
_CONDITIONAL = {
    "LogisticRegression": ("solver", re.compile(r"sag|saga|liblinear")),
    "SVC": ("probability", re.compile(r"True")),
    "NuSVC": ("probability", re.compile(r"True")),
    "Ridge": ("solver", re.compile(r"sag|saga")),
    "Lasso": ("selection", re.compile(r"random")),
    "ElasticNet": ("selection", re.compile(r"random")),
    "PCA": ("svd_solver", re.compile(r"randomized|arpack")),
}
_SHUFFLING_FOLDS = frozenset({"KFold", "StratifiedKFold", "GroupKFold", "StratifiedGroupKFold"})
# Gradient-boosting libraries seed themselves with a fixed default: a seed is shown as
# evidence, its absence is not blamed.
_FIXED_DEFAULT_SEED = frozenset({"XGBClassifier", "XGBRegressor", "XGBRanker", "LGBMClassifier",
                                 "LGBMRegressor", "LGBMRanker", "CatBoostClassifier",
                                 "CatBoostRegressor"})


def _seeded_kwarg(facts: RepoFacts, call: Call, unit: TrainingUnit,
                  keys: tuple[str, ...] = _SEED_KWARGS) -> bool | None:
    """True/False when the call states its seed; None when it passes ``**options`` that
    cannot be read (then the site is not blamed)."""
    for key in keys:
        value = call.kwarg(key)
        if value is not None:
            return not is_none(value)
    spread = call.kwarg("**")
    if spread is None:
        return False
    seed_key = re.compile("|".join(rf"[\"']{k}[\"']|\b{k}\s*=" for k in keys))
    for assign in _assigns_of(unit.module, spread.strip(), call):
        if seed_key.search(_options_text(facts, unit, assign, call)):
            return True
    return None


def _assigns_of(module: ModuleFacts, name: str, call: Call) -> list[Assign]:
    """Assignments building the ``**options`` dict, earlier in the same function."""
    return [a for a in module.assigns
            if (a.target == name or a.target.startswith(name + "["))
            and a.scope == call.scope and a.line <= call.line]


def _options_text(facts: RepoFacts, unit: TrainingUnit, assign: Assign, call: Call) -> str:
    """The source from an options assignment up to the call (the recorded value is
    clipped to one line, a dict literal usually spans several)."""
    if unit.notebook:
        return assign.value
    lines = facts.lines(unit.path)[assign.line - 1:min(call.line - 1, assign.line + 40)]
    return "\n".join(lines) or assign.value


def _calls_seed_helper(facts: RepoFacts, unit: TrainingUnit, pattern: re.Pattern[str]) -> bool:
    """The module seeds directly, or calls a repository function that does."""
    if any(pattern.search(c.name) for c in unit.module.calls):
        return True
    helpers = facts.memo("mlh.seed_helpers", lambda: _seed_helpers(facts))
    names = {c.leaf for c in unit.module.calls}
    return any(name in names and pattern.search(seed) for name, seed in helpers)


def _seed_helpers(facts: RepoFacts) -> list[tuple[str, str]]:
    out = []
    for _, call in facts.calls(*_GLOBAL_SEEDS):
        if call.scope:
            out.append((call.scope.rsplit(".", 1)[-1], call.name))
    return out


def _estimator_site(facts: RepoFacts, call: Call, unit: TrainingUnit, numpy_seeded: bool
                    ) -> tuple[bool, str] | None:
    """(complies, note) for a randomised estimator/splitter constructor, or None."""
    cls = ctor_class(call.name)
    if cls is None:
        return None
    if cls in _SHUFFLING_FOLDS:
        if "True" not in (call.kwarg("shuffle") or ""):
            return None
    elif cls in _CONDITIONAL:
        key, values = _CONDITIONAL[cls]
        if not values.search(call.kwarg(key) or "") and not call.has_kwarg(*_SEED_KWARGS):
            return None
    elif cls in _FIXED_DEFAULT_SEED:
        if not call.has_kwarg(*_SEED_KWARGS, "**"):
            return None
    elif cls not in _RANDOM_ESTIMATORS:
        return None
    seeded = _seeded_kwarg(facts, call, unit)
    if seeded is None:
        return True, "options passed through **kwargs"
    if not seeded and numpy_seeded and cls not in _FIXED_DEFAULT_SEED:
        return True, "global NumPy seed"
    return seeded, f"{cls} without random_state" if not seeded else ""


def _split_site(facts: RepoFacts, call: Call, unit: TrainingUnit, numpy_seeded: bool,
                torch_seeded: bool) -> tuple[bool, str]:
    if call.leaf == "random_split":
        return call.has_kwarg("generator") or torch_seeded, "random_split without a generator"
    if (call.kwarg("shuffle") or "").strip() == "False":
        return True, "unshuffled split"
    seeded = _seeded_kwarg(facts, call, unit, ("random_state",))
    if seeded is None or seeded:
        return True, ""
    return numpy_seeded, "split without random_state"


def _framework_sites(facts: RepoFacts, unit: TrainingUnit) -> list[tuple[Evidence, bool]]:
    """Deep-learning training loops and AutoML runs, which need their own seeds."""
    sites = []
    module = unit.module
    if module.imports_module("torch") or module.imports_module("lightning") or \
            module.imports_module("pytorch_lightning"):
        loop = next((c for c in module.calls if c.leaf == "backward"
                     or (c.leaf == "DataLoader" and "True" in (c.kwarg("shuffle") or ""))
                     or c.name.endswith("Trainer().fit")), None)
        if loop is not None:
            ok = _calls_seed_helper(facts, unit, _TORCH_SEEDS)
            sites.append((unit_ev(facts, unit, loop, note="" if ok else
                                  "PyTorch training without torch.manual_seed"), ok))
    if module.imports_module("tensorflow") or module.imports_module("keras"):
        fit = next((c for c in module.calls if c.leaf == "fit" and (
            c.name.startswith(("tensorflow.", "keras.", "tf_keras.")) or
            receiver_class(c) is None)), None)
        if fit is not None:
            ok = _calls_seed_helper(facts, unit, _TF_SEEDS)
            sites.append((unit_ev(facts, unit, fit, note="" if ok else
                                  "Keras training without tf.random.set_seed"), ok))
    for call in module.calls:
        if call.name.endswith("AutoML().fit") or call.name == "flaml.AutoML().fit":
            seeded = _seeded_kwarg(facts, call, unit, ("seed",))
            sites.append((unit_ev(facts, unit, call), seeded is not False))
        elif call.leaf == "setup" and module.imports_module("pycaret"):
            seeded = _seeded_kwarg(facts, call, unit, ("session_id",))
            sites.append((unit_ev(facts, unit, call), seeded is not False))
        elif call.name == "optuna.create_study":
            sites.append((unit_ev(facts, unit, call), call.has_kwarg("sampler", "**")))
    return sites


def seed_sites(facts: RepoFacts) -> tuple[list[tuple[Evidence, bool]], list[Evidence]]:
    """(randomised call sites with whether each is seeded, global seed calls)."""
    sites: list[tuple[Evidence, bool]] = []
    seeds: list[Evidence] = []
    training_paths = {u.path for u in training_units(facts)}
    for unit in ml_modules(facts):
        module = unit.module
        numpy_seeded = _calls_seed_helper(facts, unit, _NUMPY_SEEDS)
        torch_seeded = _calls_seed_helper(facts, unit, _TORCH_SEEDS)
        wrappers = split_wrappers(module)
        for call in module.calls:
            if any(_matches(call.name, p) for p in _GLOBAL_SEEDS):
                seeds.append(unit_ev(facts, unit, call))
                continue
            if is_split(call, wrappers):
                ok, note = _split_site(facts, call, unit, numpy_seeded, torch_seeded)
                sites.append((unit_ev(facts, unit, call, note="" if ok else note), ok))
                continue
            verdict = _estimator_site(facts, call, unit, numpy_seeded)
            if verdict is not None:
                ok, note = verdict
                sites.append((unit_ev(facts, unit, call, note=note), ok))
        if unit.path in training_paths:
            sites.extend(_framework_sites(facts, unit))
    return sites, seeds


def _matches(name: str, pattern: str) -> bool:
    if pattern.startswith("*."):
        return name == pattern[2:] or name.endswith(pattern[1:])
    return name == pattern


@practice(
    "mlh.seeds", "Seeds and determinism", priority="H", effort="L", applies="MLT",
    sources=("S4", "MLTS I1"), aliases=("seed", "seeds", "random_state", "reproducibility",
                                        "determinism"),
    recommendation="Pass `random_state=` to every split, CV splitter and randomised "
                   "estimator, and seed the frameworks once at start-up "
                   "(`np.random.seed`, `random.seed`, `torch.manual_seed`, "
                   "`tf.random.set_seed` or `seed_everything`).",
)
def check_seeds(facts: RepoFacts) -> Outcome:
    """Training runs are reproducible: every source of randomness is seeded.

    Why it matters:
        Without seeds two runs on the same data give different models and metrics, so a
        regression cannot be told from noise, a bug cannot be reproduced, and a model
        cannot be rebuilt for an audit.

    What counts as evidence:
        Each randomised site in ML code: `train_test_split`/`random_split`, shuffling or
        random CV splitters (`KFold(shuffle=True)`, `ShuffleSplit`), estimators that are
        random by default (random forests, gradient boosting, MLP, SGD, k-means, SMOTE,
        `RandomizedSearchCV`; `LogisticRegression` only with sag/saga/liblinear, `SVC`
        only with `probability=True`), PyTorch/Keras training loops, FLAML, PyCaret and
        Optuna runs. A site complies with `random_state=`/`seed=`, a global
        `np.random.seed` (for scikit-learn), `torch.manual_seed`/`seed_everything` (for
        PyTorch) or `tf.random.set_seed` (for Keras). XGBoost, LightGBM and CatBoost seed
        themselves with a fixed default, so their missing seed is not blamed.

    What makes it partial:
        Per-site rule: implemented when at least 90 % of the sites are seeded, partial
        when at least one is (typically: scikit-learn seeded, PyTorch unseeded).

    How to satisfy:
        `random_state=SEED` on splits and estimators, and one `set_seed(SEED)` helper
        that calls `random.seed`, `np.random.seed` and `torch.manual_seed`.
    """
    sites, seeds = seed_sites(facts)
    if not sites:
        if seeds:
            return implemented("Global seeds are set; no other randomised site was found.",
                               seeds[:6])
        return na("No randomised split, estimator or training loop was found, so there is "
                  "nothing to seed.")
    outcome = per_site(sites, what="randomised training sites", good="are seeded",
                       bad="not seeded")
    unseeded = [f"{e.note} ({e.location})" for e, ok in sites if not ok and e.note][:3]
    if unseeded:
        outcome.message += " Unseeded: " + "; ".join(unseeded) + "."
    outcome.evidence = dedupe([*outcome.evidence, *seeds[:4]]) if outcome.evidence else []
    return outcome


# --------------------------------------------------------------- stratified split

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
    if call.leaf in _CV_LEAVES or cls in _SEARCHES:
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

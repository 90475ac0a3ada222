"""mlh.seeds: training runs are reproducible; every source of randomness is seeded."""

from __future__ import annotations

import re

from readiness.facts import RepoFacts
from readiness.facts.python.records import Assign, Call, ModuleFacts
from readiness.model import Evidence
from readiness.practices.helpers import dedupe, is_none, per_site
from readiness.practices.ml_hygiene._training_calls import (
    ctor_class,
    is_split,
    receiver_class,
    split_wrappers,
)
from readiness.practices.registry import Outcome, implemented, na, practice
from readiness.practices.training_code import TrainingUnit, ml_modules, training_units, unit_ev

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

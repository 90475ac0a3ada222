"""ml.explainability: predictions about people come with the factors behind them."""

from __future__ import annotations

import re

from readiness.facts import RepoFacts
from readiness.facts.python.records import Call, ModuleFacts
from readiness.model import AntiPatternHit
from readiness.practices.helpers import call_ev
from readiness.practices.registry import Outcome, anti, implemented, missing, partial, practice
from readiness.practices.training_code import training_units

_EXPLAINERS = ("shap.*", "lime.*", "captum.*", "interpret.*", "dice_ml.*",
               "alibi.explainers.*", "eli5.*", "*.permutation_importance",
               "*.explain_instance", "*.shap_values")
_TABULAR_LIBS = ("sklearn", "xgboost", "lightgbm", "catboost", "pycaret", "flaml", "autogluon",
                 "h2o", "imblearn", "tabpfn", "lazypredict", "statsmodels")
_NON_TREE = re.compile(r"^(LogisticRegression\w*|LinearRegression|Ridge\w*|Lasso\w*|"
                       r"ElasticNet\w*|SVC|SVR|NuSVC|LinearSVC|LinearSVR|KNeighbors\w+|"
                       r"GaussianNB|MultinomialNB|BernoulliNB|MLPClassifier|MLPRegressor|"
                       r"SGDClassifier|SGDRegressor)$")


def _about_individuals(facts: RepoFacts) -> bool:
    """MLS about individuals: a served model with personal data, or a tabular model (the
    kind that scores people: risk, fraud, churn, credit; scikit-learn-style libraries or a
    pickled/joblib artefact) other than pure forecasting."""
    if not facts.applies("MLS"):
        return False
    if facts.applies("PII"):
        return True
    tabular = facts.imported(*_TABULAR_LIBS) or bool(facts.calls("joblib.load", "pickle.load"))
    return tabular and (facts.applies("CLF") or not facts.applies("TS"))


def _tree_explainer_mismatch(facts: RepoFacts, explainers: list[tuple[ModuleFacts, Call]]
                             ) -> list[AntiPatternHit]:
    """``shap.TreeExplainer`` while the training code also produces non-tree models, for
    which it raises (and is often swallowed, leaving explanations empty)."""
    trees = [(m, c) for m, c in explainers if c.name == "shap.TreeExplainer"]
    if not trees:
        return []
    non_tree = [(u, c) for u in training_units(facts) for c in u.module.calls
                if _NON_TREE.match(c.leaf) and "." in c.name]
    if not non_tree:
        return []
    unit, model = non_tree[0]
    return [anti(f"TreeExplainer only explains tree models, but the training code also "
                 f"produces {model.leaf} ({unit.path}:{model.line})",
                 call_ev(facts, m, c)) for m, c in trees]


@practice(
    "ml.explainability", "Prediction explanations", priority="M", effort="M",
    applies="MLS about individuals", when=_about_individuals, sources=("S1", "S4"),
    aliases=("explainability", "explanations", "shap", "interpretability"),
    recommendation="Explain predictions about people with SHAP/LIME (or permutation "
                   "importance for a global view) and return the top factors with each "
                   "prediction or from an explanation endpoint.",
)
def check_explainability(facts: RepoFacts) -> Outcome:
    """Predictions about people come with the factors that drove them.

    Why it matters:
        A risk score, fraud flag or credit decision about a person must be explainable
        to that person and to reviewers; explanations also reveal a model leaning on
        the wrong features.

    What counts as evidence:
        Explainer calls in production code: shap, lime, captum, interpret, dice-ml,
        alibi explainers, eli5 or `permutation_importance`, whose output is returned
        with predictions or saved with the model.

    What makes it partial:
        Explainer libraries imported but never called, or used only in notebooks. A
        `shap.TreeExplainer` while the training code also produces non-tree models
        (for which it fails) caps the status at partial.

    How to satisfy:
        Build a `shap.Explainer(model, background)` once at start-up and return the
        top three contributions with each prediction.
    """
    explainers = facts.calls(*_EXPLAINERS)
    if explainers:
        antis = _tree_explainer_mismatch(facts, explainers)
        return implemented(f"Explanations are computed in production code "
                           f"({len(explainers)} call(s)).",
                           [call_ev(facts, m, c) for m, c in explainers[:6]], antis)
    imports = facts.imports("shap", "lime", "captum", "interpret", "dice_ml", "alibi", "eli5")
    if imports:
        return partial("Explainer libraries are imported but never called.",
                       [facts.evidence(m.path, i.line) for m, i in imports[:4]])
    notebooks = [(path, c) for path, module in sorted(facts.notebooks.items())
                 for c in module.calls if re.match(r"(shap|lime|captum|interpret)\.", c.name)
                 or c.leaf == "permutation_importance"]
    if notebooks:
        return partial("Explanations exist only in notebooks.",
                       [facts.evidence(p, c.line, snippet=c.raw,
                                       note="line counted in the notebook's code cells")
                        for p, c in notebooks[:4]])
    importances = facts.grep(r"feature_importances_|coef_\b", kinds=("python",), limit=3)
    return missing("No per-prediction or model explanations found (looked for shap, lime, "
                   "captum, interpret, permutation_importance); built-in feature importances "
                   "alone are not explanations.",
                   context=[facts.evidence(h.path, h.line) for h in importances])

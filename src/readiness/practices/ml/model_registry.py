"""ml.model-registry: every trained model is a distinct version with its metadata."""

from __future__ import annotations

import re
from dataclasses import dataclass

from readiness.facts import RepoFacts
from readiness.facts.python.records import Call, ModuleFacts
from readiness.model import AntiPatternHit, Evidence
from readiness.practices.helpers import call_ev, dedupe, definition_source
from readiness.practices.registry import Outcome, anti, implemented, missing, partial, practice

_MLFLOW_REGISTER = ("mlflow.register_model", "*.create_registered_model",
                    "*.create_model_version", "*.set_registered_model_alias",
                    "*.transition_model_version_stage", "*.get_model_version_by_alias",
                    "*.get_latest_versions")
_MLFLOW_STAGED = ("*.set_registered_model_alias", "*.transition_model_version_stage",
                  "*.get_model_version_by_alias", "*.get_latest_versions")
_OTHER_REGISTRIES = ("wandb.Artifact", "*.link_model", "*.use_model", "bentoml.*",
                     "sagemaker.*", "*.create_model_package", "*.create_model_package_group")
_VERSION_KEY = re.compile(r"[\"'](model_)?version[\"']\s*:|\bmodel_version\s*=")
_CONSTANT_VERSION = re.compile(r"[\"'](model_)?version[\"']\s*:\s*[\"'][^\"'{}]*[\"']|"
                               r"\bmodel_version\s*=\s*[\"'][^\"'{}]*[\"']")
_TIME_KEY = re.compile(r"[\"'](trained_at|training_date|trained_on|created_at|saved_at|"
                       r"registered_at|timestamp|train_date)[\"']\s*:|\btrained_at\s*=")
_METRIC_KEY = re.compile(r"(?i)metric|[\"'](accuracy|f1\w*|roc_auc|auc|rmse|mae|r2|mape|"
                         r"precision|recall)[\"']\s*:")
_LINEAGE_KEY = re.compile(r"[\"'](feature_names|features|feature_columns|feature_list|"
                          r"data_hash|dataset_hash|data_fingerprint|dataset_fingerprint|sha256|"
                          r"checksum|data_version|git_sha|commit|library_versions|"
                          r"sklearn_version|python_version)[\"']\s*:|"
                          r"\b(feature_names|feature_columns|dataset_fingerprint|data_hash)\s*=")
_PERSIST = re.compile(r"json\.dump|yaml\.(safe_)?dump|\.write_text\(|\.to_json\(|log_dict\(|"
                      r"\.add\(|\.insert\(|\.model_dump_json\(")
_MODEL_FILE = re.compile(r"[\"'][^\"'{}]*\.(pkl|pickle|joblib|onnx|pt|pth|h5|keras|safetensors|"
                         r"cbm|ubj|json|bin|model|skops|sav)[\"']")
_VERSIONED = re.compile(r"(?i)\{[^}]*(version|ver\b|timestamp|\bts\b|time|date|run_id|uuid|"
                        r"hash|sha|stamp)[^}]*\}|strftime|isoformat")
_MODEL_OBJECT = re.compile(r"(?i)model|clf|estimator|pipeline|pipe\b|regressor|classifier|"
                           r"booster|\bnet\b|champion|best")
_SERIALISER = re.compile(r"(?i)^(save|dump|export|serialize|serialise|to_disk|checkpoint)")
_SAVE_PATH_ARG = {"joblib.dump": 1, "torch.save": 1, "skops.io.dump": 1, "cloudpickle.dump": 1,
                  "dill.dump": 1}


@dataclass
class _ModelSave:
    evidence: Evidence
    path_text: str


def _model_saves(facts: RepoFacts) -> list[_ModelSave]:
    """Calls that write a model artefact, with the text of the path they write to."""
    out = []
    for module in facts.modules():
        methods = {f.qualname for f in module.functions
                   if f.class_name and _SERIALISER.search(f.name)}
        for call in module.calls:
            if call.scope in methods:
                continue  # a model's own save(dir) method: its caller chooses the directory
            path_text = _save_path(module, call)
            if path_text is not None:
                out.append(_ModelSave(call_ev(facts, module, call), path_text))
    return out


def _save_path(module: ModuleFacts, call: Call) -> str | None:
    if call.name in _SAVE_PATH_ARG:
        index = _SAVE_PATH_ARG[call.name]
        model_like = call.name == "torch.save" or bool(_MODEL_OBJECT.search(call.args[0]))
        if len(call.args) <= index or not model_like:
            return None
        return _resolve_text(module, call, call.args[index])
    if call.leaf in ("save_model", "save_pretrained") or \
            (call.leaf == "save" and _MODEL_OBJECT.search(call.raw.rsplit(".", 1)[0])):
        target = call.args[0] if call.args else call.kwarg("path") or call.kwarg("fname")
        return _resolve_text(module, call, target) if target else None
    return None


def _resolve_text(module: ModuleFacts, call: Call, text: str) -> str:
    """A bare name is replaced by the value it was last given in the same function."""
    name = text.strip()
    if not re.fullmatch(r"[A-Za-z_]\w*", name):
        return text
    assigned = [a for a in module.assigns if a.target == name and a.scope == call.scope
                and a.line <= call.line]
    return assigned[-1].value if assigned else text


def _overwrites(saves: list[_ModelSave]) -> list[AntiPatternHit]:
    hits = []
    for save in saves:
        match = _MODEL_FILE.search(save.path_text)
        if match and not _VERSIONED.search(save.path_text):
            hits.append(anti(f"model artefact written to a fixed path ({match.group(0)}): each "
                             "run overwrites the previous model", save.evidence))
    return hits


def _mlflow_registry(facts: RepoFacts) -> tuple[list[Evidence], bool]:
    """(evidence of MLflow model registration, whether versions are promoted by alias or
    stage or loaded through ``models:/`` URIs)."""
    mlflow_paths = {m.path for m, _ in facts.imports("mlflow")}
    evidence = [call_ev(facts, m, c) for m, c in facts.calls(*_MLFLOW_REGISTER)
                if m.path in mlflow_paths]
    evidence += [call_ev(facts, m, c) for m, c in facts.calls("*.log_model")
                 if c.has_kwarg("registered_model_name")]
    staged = any(m.path in mlflow_paths for m, _ in facts.calls(*_MLFLOW_STAGED))
    uris = facts.grep(r"[\"']models:/[^\"']+", kinds=("python",), limit=3)
    if evidence and uris:
        staged = True
        evidence += [facts.evidence(h.path, h.line, note="loads from the registry")
                     for h in uris]
    return dedupe(evidence), staged


def _other_registries(facts: RepoFacts) -> list[Evidence]:
    out = []
    for module, call in facts.calls(*_OTHER_REGISTRIES):
        if call.name == "wandb.Artifact" and "model" not in " ".join(
                [*call.args[1:2], call.kwarg("type") or ""]):
            continue
        if call.name.startswith("sagemaker.") and "ModelPackage" not in call.name and \
                not call.has_kwarg("model_package_group_name"):
            continue
        if call.name.startswith("bentoml.") and not re.search(r"save_model|models\.",
                                                               call.name):
            continue
        out.append(call_ev(facts, module, call))
    for path in facts.glob("dvc.yaml", "*.dvc"):
        text = facts.text(path) or ""
        if re.search(r"(?i)model|\.(pkl|joblib|onnx|pt|h5)\b", text + path):
            out.append(facts.evidence(path, 1, note="model tracked by DVC"))
    return out


@dataclass
class _CustomRegistry:
    evidence: Evidence
    lineage: bool
    constant_version: bool


def _custom_registries(facts: RepoFacts) -> list[_CustomRegistry]:
    """Functions persisting a model record with a version, a training time and metrics."""
    out = []
    for module, function in facts.functions():
        text = definition_source(facts, module.path, function)
        if not (_VERSION_KEY.search(text) and _TIME_KEY.search(text)
                and _METRIC_KEY.search(text) and _PERSIST.search(text)):
            continue
        lines = text.splitlines()
        line = next(i for i, t in enumerate(lines) if _VERSION_KEY.search(t))
        out.append(_CustomRegistry(
            facts.evidence(module.path, function.line + line, note="model record"),
            bool(_LINEAGE_KEY.search(text)), bool(_CONSTANT_VERSION.search(text))))
    return out


@practice(
    "ml.model-registry", "Versioned models with metadata", priority="H", effort="M",
    applies="ML", sources=("S1", "S0", "S2", "S4", "MLTS M1", "MLTS I7"),
    aliases=("model registry", "model versioning", "model version", "mlflow registry"),
    recommendation="Register every trained model as a new version (MLflow Model Registry "
                   "with `champion`/`candidate` aliases, W&B, SageMaker, BentoML or DVC), or "
                   "write versioned artefacts with a record of version, trained_at, metrics, "
                   "features and a data hash; never overwrite `model.pkl` in place.",
)
def check_model_registry(facts: RepoFacts) -> Outcome:
    """Every trained model is kept as a distinct version with the metadata to trust it.

    Why it matters:
        To roll back, compare or audit a model you need to know which artefact is
        serving, when and on what data it was trained and how it scored. An artefact
        overwritten in place loses the previous model and every answer to those
        questions.

    What counts as evidence:
        MLflow registration (`registered_model_name=`, `register_model`,
        `create_model_version`) with aliases/stages or `models:/` URIs; W&B model
        artefacts, SageMaker model packages, BentoML models, DVC-tracked models; or a
        custom registry: a record persisted with the version, `trained_at`, metrics and
        lineage (features, data hash, library versions).

    What makes it partial:
        MLflow runs that log models without registering them, versions carried only in
        file names, a registry record with thin metadata or a hard-coded version. A
        model written to a fixed path (`best_model.pkl`), overwritten on every run,
        caps the status at partial.

    How to satisfy:
        `mlflow.sklearn.log_model(model, "model", registered_model_name="churn")`, then
        `client.set_registered_model_alias("churn", "champion", version)` and serve
        `models:/churn@champion`.
    """
    saves = _model_saves(facts)
    antis = _overwrites(saves)
    mlflow, staged = _mlflow_registry(facts)
    others = _other_registries(facts)
    if mlflow or others:
        how = "with aliases/stages" if staged else "registered"
        return implemented(f"Models are versioned in a registry ({how}).",
                           [*mlflow[:6], *others[:4]], antis)
    records = _custom_registries(facts)
    full = [r for r in records if r.lineage and not r.constant_version]
    if full:
        return implemented("A model record with version, training time, metrics and lineage "
                           "is persisted.", [r.evidence for r in full[:4]], antis)
    if records:
        why = "a hard-coded version" if any(r.constant_version for r in records) else \
            "no lineage (features, data hash, library versions)"
        return partial(f"A custom model record (version, trained_at, metrics) is written, "
                       f"but with {why}.", [r.evidence for r in records[:4]], antis)
    logged = [call_ev(facts, m, c) for m, c in facts.calls(
        "mlflow.*.log_model", "mlflow.log_artifact", "mlflow.log_artifacts", "mlflow.autolog",
        "mlflow.*.autolog", "*.MLflowLoggerCallback", "*.MLFlowLogger", "*.MLflowCallback")]
    versioned = [s.evidence for s in saves if _VERSIONED.search(s.path_text)]
    if logged or versioned:
        what = "logged to MLflow runs without registration" if logged else \
            "versioned by file name only"
        return partial(f"Models are {what}.", [*logged[:4], *versioned[:4]], antis)
    return missing("No model registry or versioned model record found (looked for MLflow "
                   "registration, W&B/SageMaker/BentoML/DVC and a persisted record with "
                   "version, trained_at and metrics).", antis)

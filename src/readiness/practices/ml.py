"""AI/ML infrastructure practices: model registry, drift detection, explanations and the
validation of prediction inputs.

Serving code is found by following calls from each HTTP route (three levels deep, by
name, within the repository) to a ``predict``-style call; training code is shared with
``ml_hygiene``. Rules read facts only; text searches are confined to function bodies the
facts located.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from readiness.facts import RepoFacts
from readiness.facts.python.records import Assign, Call, ClassDef, Function, ModuleFacts, Param
from readiness.facts.python.routes import Route
from readiness.model import AntiPatternHit, Evidence
from readiness.practices.helpers import call_ev, dedupe, func_ev, route_ev
from readiness.practices.ml_hygiene import modules_for, training_units
from readiness.practices.registry import (
    Outcome,
    anti,
    implemented,
    missing,
    partial,
    practice,
)

# ------------------------------------------------------------------ shared: code paths

_PREDICT_LEAVES = frozenset({"predict", "predict_proba", "predict_log_proba",
                             "decision_function", "forecast"})
_PREDICT_ROUTE = re.compile(r"(?i)predict|infer|scor(e|ing)\b|classif|forecast")


def _source(facts: RepoFacts, path: str, function: Function) -> str:
    return "\n".join(facts.lines(path)[function.line - 1:function.end_line])


def _body_calls(module: ModuleFacts, function: Function) -> list[Call]:
    qual = function.qualname
    return [c for c in module.calls if c.scope == qual or c.scope.startswith(qual + ".")]


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
            for call in _body_calls(mod, fn):
                if out.prediction is None and _is_prediction(call):
                    out.prediction = (mod, call)
                following.extend(_callees(facts, mod, call))
        frontier = following
    return out


def prediction_routes(facts: RepoFacts) -> list[tuple[Route, Reach]]:
    """HTTP routes that run a model (or are named for it)."""
    def build() -> list[tuple[Route, Reach]]:
        out = []
        for route in facts.routes():
            module = facts.module(route.file)
            if module is None or route.function is None:
                continue
            reached = reach(facts, module, route.function)
            named = _PREDICT_ROUTE.search(f"{route.path} {route.function.name}")
            if reached.prediction is not None or (named and facts.applies("ML")):
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


# ------------------------------------------------------------- serving input validation

_RANGED_FIELD = re.compile(r"\b(ge|gt|le|lt|min_length|max_length|pattern|regex|multiple_of|"
                           r"max_digits|min_items|max_items|validate)\s*=")
_MARSHMALLOW_FIELD = re.compile(r"^marshmallow\.fields\.|^fields\.")
_RANGED_TYPE = re.compile(r"\b(con(int|float|str|decimal|list)|Literal|Positive\w*|Negative\w*|"
                          r"NonNegative\w*|NonPositive\w*|bool|EmailStr|UUID\d?|datetime|date|"
                          r"HttpUrl|AnyUrl)\b")
_UNTYPED = re.compile(r"^\s*(Optional\[)?\s*(Any|dict|Dict|object|Json|List\[Any\]|list)\b")
_CONTAINER = re.compile(r"^\s*(Optional\[)?\s*(list|List|dict|Dict|Sequence|tuple|Tuple)\b")
_COLUMN_CHECK = re.compile(r"not\s+in\s+[\w.\[\]'\"]*columns\b|set\([\w.\[\]'\"]*columns\)|"
                           r"columns\.difference\(|\.issubset\(|feature_names_in_|"
                           r"missing_(cols|columns|features)\s*=")
_DTYPE_CHECK = re.compile(r"\.dtypes?\b|is_\w+_dtype\(|api\.types\.|DataFrameSchema|"
                          r"pandera|\.validate\(\s*\w+\s*,\s*lazy")
_PYDANTIC_BASES = ("pydantic.BaseModel", "*.BaseModel", "sqlmodel.SQLModel", "*.Schema")
_SCALAR = re.compile(r"^\s*(Optional\[)?\s*(int|float|str|bool|Decimal)\b")
_NOT_PAYLOAD = re.compile(r"(Optional\[)?(\w+\.)*(Request|Response|\w*Session|BackgroundTasks|"
                          r"User|WebSocket|HTTPConnection)\]?")


@dataclass
class ModelShape:
    """How well a request model describes its features."""

    fields: int = 0
    ranged: int = 0
    typed: int = 0

    def add(self, other: ModelShape) -> None:
        self.fields += other.fields
        self.ranged += other.ranged
        self.typed += other.typed


def _pydantic_classes(facts: RepoFacts) -> dict[str, list[tuple[ModuleFacts, ClassDef]]]:
    """Request-model classes by name, including subclasses of project base models."""
    def build() -> dict[str, list[tuple[ModuleFacts, ClassDef]]]:
        found = {c.name: [(m, c)] for m, c in facts.subclasses(*_PYDANTIC_BASES)}
        grew = True
        while grew:
            grew = False
            for module, cls in facts.classes():
                if cls.name not in found and \
                        any(b.rsplit(".", 1)[-1] in found for b in cls.bases):
                    found[cls.name] = [(module, cls)]
                    grew = True
        for module, cls in facts.classes():
            if cls.name in found and (module, cls) not in found[cls.name]:
                found[cls.name].append((module, cls))
        return found
    return facts.memo("ml.pydantic_classes", build)


def _find_model(facts: RepoFacts, module: ModuleFacts, name: str
                ) -> tuple[ModuleFacts, ClassDef] | None:
    candidates = _pydantic_classes(facts).get(name, [])
    for other, cls in candidates:
        if other.path == module.path:
            return other, cls
    for imp in module.imports:
        if imp.alias == name:
            suffix = imp.module.lstrip(".").replace(".", "/") + ".py"
            for other, cls in candidates:
                if other.path.endswith(suffix):
                    return other, cls
    return candidates[0] if candidates else None


def _enum_names(facts: RepoFacts) -> set[str]:
    return facts.memo("ml.enum_names", lambda: {
        c.name for _, c in facts.subclasses("enum.Enum", "enum.IntEnum", "enum.StrEnum",
                                            "*.Enum")})


def _validated_fields(module: ModuleFacts, cls: ClassDef) -> set[str]:
    """Fields named in ``@field_validator("a", "b")``/``@validator`` of the class."""
    out: set[str] = set()
    for function in module.functions:
        if function.class_name != cls.name:
            continue
        for decorator in function.decorators:
            if decorator.leaf in ("field_validator", "validator"):
                out |= {a.strip("\"'") for a in decorator.args}
    return out


def _fields(module: ModuleFacts, cls: ClassDef) -> list[Assign]:
    """Annotated fields (Pydantic) and ``fields.X(...)`` declarations (marshmallow)."""
    return [a for a in module.assigns
            if a.class_name == cls.name and cls.line <= a.line <= cls.end_line
            and (a.annotation or _MARSHMALLOW_FIELD.match(a.call or ""))
            and not a.target.startswith("_") and a.target not in ("model_config", "Config")
            and "ClassVar" not in (a.annotation or "")]


def _field_type(assign: Assign) -> str:
    """The annotation, or the marshmallow field class (``Integer``) standing in for it."""
    if assign.annotation:
        return assign.annotation
    return (assign.call or "").rsplit(".", 1)[-1]


def model_shape(facts: RepoFacts, module: ModuleFacts, cls: ClassDef, depth: int = 0
                ) -> ModelShape:
    shape = ModelShape()
    validated = _validated_fields(module, cls)
    enums = _enum_names(facts)
    for assign in _fields(module, cls):
        annotation = _field_type(assign)
        nested = [n for n in re.findall(r"[A-Za-z_]\w*", annotation)
                  if n in _pydantic_classes(facts)]
        if nested and depth < 2:
            inner = _find_model(facts, module, nested[0])
            if inner is not None:
                shape.add(model_shape(facts, inner[0], inner[1], depth + 1))
                continue
        shape.fields += 1
        if not _UNTYPED.search(annotation) and not _CONTAINER.search(annotation):
            shape.typed += 1
        if _RANGED_FIELD.search(assign.value) or _RANGED_TYPE.search(annotation) or \
                assign.target in validated or \
                any(n in enums for n in re.findall(r"\w+", annotation)):
            shape.ranged += 1
    return shape


@dataclass
class InputSite:
    evidence: Evidence
    grade: str  # "good" | "weak" | "bad"
    schema: Evidence | None = None  # the request model's definition


def _grade_model(shape: ModelShape) -> tuple[str, str]:
    if shape.fields == 0 or shape.typed == 0:
        return "bad", "untyped payload (a dict or a list of numbers, no per-feature schema)"
    if shape.ranged * 2 >= shape.fields:
        return "good", f"{shape.ranged} of {shape.fields} features typed and ranged"
    return "weak", f"typed request model, {shape.ranged} of {shape.fields} features ranged"


def _schema_check(facts: RepoFacts, functions: Iterable[tuple[ModuleFacts, Function]]
                  ) -> tuple[str, Evidence] | None:
    """The strongest data-frame schema check among these functions: ``strong`` (columns and
    dtypes, or pandera) or ``presence`` (column names only)."""
    best: tuple[str, Evidence] | None = None
    for module, function in functions:
        text = _source(facts, module.path, function)
        body = text.split("\n", 1)[-1]
        if not _COLUMN_CHECK.search(body) and "DataFrameSchema" not in body:
            continue
        if _DTYPE_CHECK.search(body):
            return "strong", func_ev(facts, module, function,
                                     note="checks columns and dtypes")
        if best is None:
            best = ("presence", func_ev(facts, module, function,
                                        note="checks column presence only"))
    return best


def _payload_params(route: Route) -> list[Param]:
    return [p for p in route.params
            if p.annotation and not _NOT_PAYLOAD.fullmatch(p.annotation.strip())
            and "Depends(" not in (p.default or "")]


def _route_site(facts: RepoFacts, route: Route, reached: Reach) -> InputSite:
    module = facts.module(route.file)
    ev = route_ev(facts, route)
    if module is None:
        return InputSite(ev, "bad")
    params = _payload_params(route)
    if any("UploadFile" in (p.annotation or "") for p in params) or \
            any(c.leaf in ("file_uploader",) or "request.files" in c.raw
                for m, f in reached.functions for c in _body_calls(m, f)):
        check = _schema_check(facts, reached.functions)
        if check is None:
            return InputSite(_note(ev, "upload not checked against the training schema"), "bad")
        grade = "good" if check[0] == "strong" else "weak"
        return InputSite(_note(check[1], f"upload at {ev.location}: {check[1].note}"), grade)
    shape = ModelShape()
    scalars = []
    schema: Evidence | None = None
    for param in params:
        names = re.findall(r"[A-Za-z_]\w*", param.annotation or "")
        model = next((found for n in names if (found := _find_model(facts, module, n))), None)
        if model is not None:
            shape.add(model_shape(facts, model[0], model[1]))
            schema = schema or facts.evidence(model[0].path, model[1].line,
                                              note="request model")
        elif _SCALAR.search(param.annotation or ""):
            scalars.append(param)
    for param in scalars:
        shape.fields += 1
        shape.typed += 1
        if _RANGED_FIELD.search(param.default or ""):
            shape.ranged += 1
    if shape.fields == 0:
        model = _model_in_body(facts, module, reached)
        if model is not None:
            shape = model_shape(facts, model[0], model[1])
            schema = facts.evidence(model[0].path, model[1].line, note="request model")
    grade, note = _grade_model(shape)
    return InputSite(_note(ev, note), grade, schema if grade != "bad" else None)


def _model_in_body(facts: RepoFacts, module: ModuleFacts, reached: Reach
                   ) -> tuple[ModuleFacts, ClassDef] | None:
    """A request model built inside the handler (``Model(**request.json)``,
    ``Model.model_validate(...)``), for frameworks without typed parameters."""
    if not reached.functions:
        return None
    handler_module, handler = reached.functions[0]
    for call in _body_calls(handler_module, handler):
        if call.leaf in ("model_validate", "parse_obj", "parse_raw", "model_validate_json"):
            name = call.raw.rsplit(".", 1)[0]
        elif call.has_kwarg("**"):
            name = call.raw  # Model(**payload)
        elif call.leaf in ("load", "validate") and call.receiver.endswith("()"):
            name = call.receiver[:-2].rsplit(".", 1)[-1]  # PredictSchema().load(request.json)
        else:
            continue
        found = _find_model(facts, module, name) if name[:1].isupper() else None
        if found is not None:
            return found
    return None


def _note(ev: Evidence, note: str) -> Evidence:
    return Evidence(ev.path, ev.line, ev.snippet, ev.end_line, ev.source, note=note)


_NONE_DEFAULT = re.compile(r"if\s+(\w+)\s+is\s+None\s*:")
_LITERAL_VALUE = r"\s*=\s*(-?\d+(\.\d+)?|[\"'][^\"']*[\"'])\s*(#.*)?$"


def silent_fills(facts: RepoFacts) -> list[AntiPatternHit]:
    """Missing features replaced by constants on the prediction path."""
    hits = []
    for module, function in serving_functions(facts):
        for call in _body_calls(module, function):
            if call.leaf == "reindex" and call.has_kwarg("fill_value"):
                hits.append(anti("missing features silently filled (`reindex(fill_value=)`)",
                                 call_ev(facts, module, call)))
            elif call.leaf == "fillna" and _is_constant_fill(call):
                hits.append(anti("missing features silently filled (`fillna` with a "
                                 "constant)", call_ev(facts, module, call)))
        hits.extend(_none_defaults(facts, module, function))
    unique: dict[tuple[str, int], AntiPatternHit] = {}
    for hit in hits:
        unique.setdefault((hit.evidence.path, hit.evidence.line), hit)
    return list(unique.values())


def _is_constant_fill(call: Call) -> bool:
    value = call.args[0] if call.args else call.kwarg("value")
    return value is not None and re.fullmatch(r"-?\d+(\.\d+)?|[\"'][^\"']*[\"']",
                                              value.strip()) is not None


def _none_defaults(facts: RepoFacts, module: ModuleFacts, function: Function
                   ) -> list[AntiPatternHit]:
    """``if value is None: value = 0.0`` while a feature vector is built."""
    lines = facts.lines(module.path)[function.line - 1:function.end_line]
    text = "\n".join(lines)
    if not re.search(r"(?i)feature", text):
        return []
    out = []
    for index, line in enumerate(lines):
        match = _NONE_DEFAULT.search(line)
        if not match:
            continue
        assigned = re.compile(rf"^\s*{re.escape(match.group(1))}{_LITERAL_VALUE}")
        for offset, following in enumerate(lines[index + 1:index + 6], start=1):
            if assigned.search(following):
                number = function.line + index + offset
                out.append(anti("missing feature values silently replaced by a constant",
                                facts.evidence(module.path, number)))
                break
    return out


def _dataframe_checks(facts: RepoFacts) -> tuple[str, Evidence] | None:
    return _schema_check(facts, serving_functions(facts))


@practice(
    "ml.serving-input-validation", "Prediction input schema", priority="C", effort="M",
    applies="MLS", sources=("S4", "S0", "MLTS D1", "MLTS Mon2"),
    aliases=("input validation", "prediction input validation", "request schema",
             "schema validation"),
    recommendation="Describe every model feature in the request model with its type and "
                   "range (`Field(ge=..., le=...)`, `Literal[...]`), and check uploaded "
                   "files against the saved training schema (columns and dtypes), answering "
                   "4xx with the offending columns; never fill missing features with 0.",
)
def check_serving_input_validation(facts: RepoFacts) -> Outcome:
    """Inputs to the model are checked against the schema it was trained on.

    Why it matters:
        A model returns a confident answer for any numbers it is given: a swapped
        column, a unit change or an out-of-range value silently becomes a wrong
        prediction. Validation at the boundary turns that into a 4xx the caller can fix.

    What counts as evidence:
        Each prediction route (a route whose handler reaches a `predict`-style call,
        three calls deep, or is named for prediction): a Pydantic request model whose
        features are typed and mostly ranged (`Field(ge=, le=)`, `Literal`, enums,
        validators); for uploads, a check of the columns and dtypes against the training
        schema (or pandera). Without prediction routes (Streamlit, workers), a
        data-frame check of columns and dtypes on the prediction path.

    What makes it partial:
        Per-route rule: implemented when at least 90 % of the prediction routes are
        fully validated, partial when one is at least typed or column-checked. Typed
        models without ranges and column-presence-only checks are partial. Filling
        missing features with constants on the prediction path (`reindex(fill_value=)`,
        `fillna(0)`, `if v is None: v = 0`) caps the status at partial.

    How to satisfy:
        One request model per model: `age: int = Field(ge=15, le=60)`, `department:
        Literal["cs", "ee"]`; for files compare `df.columns` and `df.dtypes` with the
        feature list saved at training time and reject mismatches with a 422.
    """
    antis = silent_fills(facts)
    routes = prediction_routes(facts)
    if routes:
        sites = [_route_site(facts, route, reached) for route, reached in routes]
        good = dedupe([e for s in sites if s.grade == "good"
                       for e in (s.evidence, s.schema) if e is not None])
        weak = dedupe([e for s in sites if s.grade == "weak"
                       for e in (s.evidence, s.schema) if e is not None])
        bad = [_note(s.evidence, s.evidence.note or "no input schema")
               for s in sites if s.grade == "bad"]
        grades = [s.grade for s in sites]
        summary = (f"{grades.count('good')} of {len(sites)} prediction route(s) validate "
                   f"typed, ranged features; {grades.count('weak')} only partly; "
                   f"{grades.count('bad')} not at all.")
        if grades.count("good") >= 0.9 * len(sites):
            return implemented(summary, [*good[:8], *weak[:4], *bad[:4]], antis)
        if good or weak:
            return partial(summary, [*good[:6], *weak[:6], *bad[:4]], antis)
        return missing(summary, antis, context=bad[:5])
    check = _dataframe_checks(facts)
    if check is not None and check[0] == "strong":
        return implemented("Prediction inputs are checked against the training schema "
                           "(columns and dtypes).", [check[1]], antis)
    if check is not None:
        return partial("Prediction inputs are checked for column presence only.",
                       [check[1]], antis)
    return missing("No request model or schema check of prediction inputs was found (looked "
                   "for Pydantic request models on prediction routes and column/dtype checks "
                   "on the prediction path).", antis)


# ----------------------------------------------------------------------- model registry

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
        text = _source(facts, module.path, function)
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


# ---------------------------------------------------------------------- drift detection

_DRIFT_LIBS = ("evidently.*", "alibi_detect.*", "nannyml.*", "whylogs.*", "deepchecks.*",
               "frouros.*", "river.drift.*")
_DRIFT_TESTS = ("scipy.stats.ks_2samp", "scipy.stats.wasserstein_distance",
                "scipy.spatial.distance.jensenshannon", "scipy.stats.anderson_ksamp",
                "scipy.stats.cramervonmises_2samp")
_PSI_NAME = re.compile(r"(?i)(^|_)psi($|_)|population_stability")
_REFERENCE = re.compile(r"(?i)(reference|baseline)[\w\-]*\.(json|parquet|csv|pkl|npz|joblib)|"
                        r"(reference|baseline)_(stats|data|profile|distribution)|"
                        r"build_\w*baseline|save_reference|drift_baseline")
_SCHEDULE = re.compile(r"(?i)\bcron\b|beat_schedule|add_job\(|schedule\.every|IntervalSchedule|"
                       r"CronSchedule|schedule_interval|\bschedule\s*[=:]|kind:\s*CronJob|"
                       r"\binterval\s*=")
_NOTIFY = re.compile(r"(?i)slack|pagerduty|opsgenie|\bsns\b|send_(mail|email|alert|"
                     r"notification)|notify\w*\(|webhook")


def _drift_computations(facts: RepoFacts) -> list[Evidence]:
    out = [call_ev(facts, m, c) for m, c in facts.calls(*_DRIFT_LIBS, *_DRIFT_TESTS)]
    called = {c.leaf for m in facts.modules() for c in m.calls}
    for module, function in facts.functions():
        if _PSI_NAME.search(function.name) and function.name in called and \
                "log(" in _source(facts, module.path, function):
            out.append(func_ev(facts, module, function, note="population stability index"))
    return dedupe(out)


def _drift_files(facts: RepoFacts) -> list[str]:
    return [h.path for h in facts.grep(r"(?i)drift", kinds=("python", "yaml", "shell", "text"),
                                       limit=400)]


def _drift_automation(facts: RepoFacts, files: set[str]) -> list[Evidence]:
    """A schedule in a file that is about drift, or drift computed on the prediction path."""
    out = [facts.evidence(h.path, h.line, note="scheduled")
           for h in facts.grep(_SCHEDULE, kinds=("python", "yaml", "shell", "text"),
                               paths=sorted(files), limit=20)
           if not h.text.startswith(("#", '"', "'"))][:5]
    serving = {(m.path, f.qualname) for m, f in serving_functions(facts)}
    for module, function in facts.functions():
        if (module.path, function.qualname) in serving and \
                re.search(r"(?i)drift", _source(facts, module.path, function)):
            out.append(func_ev(facts, module, function, note="runs on the prediction path"))
            break
    return out


def _drift_alerts(facts: RepoFacts, files: set[str]) -> list[Evidence]:
    out = [call_ev(facts, m, c, note="drift metric")
           for m, c in facts.calls("prometheus_client.Gauge", "prometheus_client.Counter",
                                   "prometheus_client.Histogram")
           if c.args and "drift" in c.args[0].lower()]
    for hit in facts.grep(r"(?i)alert", kinds=("yaml",), paths=sorted(files), limit=3):
        out.append(facts.evidence(hit.path, hit.line, note="alert rule"))
    for hit in facts.grep(_NOTIFY, kinds=("python",), paths=sorted(files), limit=3):
        out.append(facts.evidence(hit.path, hit.line, note="notification"))
    return out


@practice(
    "ml.drift-detection", "Drift monitoring", priority="H", effort="M", applies="MLS",
    sources=("S1", "S4", "S2", "MLTS Mon2", "MLTS Mon7"),
    aliases=("drift", "drift detection", "data drift", "concept drift"),
    recommendation="Store a reference profile of the training data, compare live inputs "
                   "against it on a schedule (evidently `DataDriftPreset`, alibi-detect "
                   "`KSDrift`, PSI/`ks_2samp`) and alert when drift crosses a threshold.",
)
def check_drift_detection(facts: RepoFacts) -> Outcome:
    """Live inputs are compared with the training distribution, automatically, with alerts.

    Why it matters:
        Models decay silently when the world changes: the service keeps answering with
        confidence while accuracy falls. Drift on inputs is the earliest signal, and it
        helps only if someone is told.

    What counts as evidence:
        Drift computed in production code (evidently, alibi-detect, nannyml, whylogs,
        deepchecks, `ks_2samp`/Wasserstein/Jensen-Shannon, a PSI function that is
        called), against a stored reference (a saved baseline or reference
        statistics), run automatically (a schedule in a drift file, or on the
        prediction path) and alerting (a drift metric, an alert rule or a
        notification).

    What makes it partial:
        Drift computed but run by hand, without a stored reference, or without an
        alert.

    How to satisfy:
        Save `reference.parquet` at training time, run an evidently report from a
        CronJob or Airflow task, export the drift share as a Prometheus gauge and alert
        on it.
    """
    computations = _drift_computations(facts)
    if not computations:
        return missing("No drift computation found (looked for evidently, alibi-detect, "
                       "nannyml, whylogs, deepchecks, ks_2samp and PSI functions); accuracy "
                       "thresholds on offline metrics are not drift detection.")
    files = set(_drift_files(facts))
    reference = [facts.evidence(h.path, h.line, note="stored reference")
                 for h in facts.grep(_REFERENCE, kinds=("python",), limit=3)]
    automation = _drift_automation(facts, files)
    alerts = _drift_alerts(facts, files)
    evidence = [*computations[:4], *reference[:2], *automation[:2], *alerts[:2]]
    lacking = [name for name, found in (("a stored reference", reference),
                                        ("a schedule", automation), ("alerting", alerts))
               if not found]
    if not lacking:
        return implemented("Drift is computed against a stored reference, automatically, "
                           "with alerting.", evidence)
    return partial(f"Drift is computed, but without {' or '.join(lacking)}.", evidence)


# ------------------------------------------------------------------------ explainability

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

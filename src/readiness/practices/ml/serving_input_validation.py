"""ml.serving-input-validation: model inputs are checked against the training schema."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from readiness.facts import RepoFacts
from readiness.facts.python.records import Call, ClassDef, Function, ModuleFacts, Param
from readiness.facts.python.routes import Route
from readiness.model import AntiPatternHit, Evidence
from readiness.practices.helpers import (
    call_ev,
    calls_inside,
    dedupe,
    dedupe_hits,
    definition_source,
    func_ev,
    route_ev,
    with_note,
)
from readiness.practices.ml._request_models import RANGED_FIELD, ModelShape, find_model, model_shape
from readiness.practices.ml._serving_paths import Reach, prediction_routes, serving_functions
from readiness.practices.registry import Outcome, anti, implemented, missing, partial, practice

_COLUMN_CHECK = re.compile(r"not\s+in\s+[\w.\[\]'\"]*columns\b|set\([\w.\[\]'\"]*columns\)|"
                           r"columns\.difference\(|\.issubset\(|feature_names_in_|"
                           r"missing_(cols|columns|features)\s*=")
_DTYPE_CHECK = re.compile(r"\.dtypes?\b|is_\w+_dtype\(|api\.types\.|DataFrameSchema|"
                          r"pandera|\.validate\(\s*\w+\s*,\s*lazy")

_SCALAR = re.compile(r"^\s*(Optional\[)?\s*(int|float|str|bool|Decimal)\b")
_NOT_PAYLOAD = re.compile(r"(Optional\[)?(\w+\.)*(Request|Response|\w*Session|BackgroundTasks|"
                          r"User|WebSocket|HTTPConnection)\]?")


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
        text = definition_source(facts, module.path, function)
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
                for m, f in reached.functions for c in calls_inside(m, f)):
        check = _schema_check(facts, reached.functions)
        if check is None:
            return InputSite(with_note(ev, "upload not checked against the training schema"), "bad")
        grade = "good" if check[0] == "strong" else "weak"
        return InputSite(with_note(check[1], f"upload at {ev.location}: {check[1].note}"), grade)
    shape = ModelShape()
    scalars = []
    schema: Evidence | None = None
    for param in params:
        names = re.findall(r"[A-Za-z_]\w*", param.annotation or "")
        model = next((found for n in names if (found := find_model(facts, module, n))), None)
        if model is not None:
            shape.add(model_shape(facts, model[0], model[1]))
            schema = schema or facts.evidence(model[0].path, model[1].line,
                                              note="request model")
        elif _SCALAR.search(param.annotation or ""):
            scalars.append(param)
    for param in scalars:
        shape.fields += 1
        shape.typed += 1
        if RANGED_FIELD.search(param.default or ""):
            shape.ranged += 1
    if shape.fields == 0:
        model = _model_in_body(facts, module, reached)
        if model is not None:
            shape = model_shape(facts, model[0], model[1])
            schema = facts.evidence(model[0].path, model[1].line, note="request model")
    grade, note = _grade_model(shape)
    return InputSite(with_note(ev, note), grade, schema if grade != "bad" else None)


def _model_in_body(facts: RepoFacts, module: ModuleFacts, reached: Reach
                   ) -> tuple[ModuleFacts, ClassDef] | None:
    """A request model built inside the handler (``Model(**request.json)``,
    ``Model.model_validate(...)``), for frameworks without typed parameters."""
    if not reached.functions:
        return None
    handler_module, handler = reached.functions[0]
    for call in calls_inside(handler_module, handler):
        if call.leaf in ("model_validate", "parse_obj", "parse_raw", "model_validate_json"):
            name = call.raw.rsplit(".", 1)[0]
        elif call.has_kwarg("**"):
            name = call.raw  # Model(**payload)
        elif call.leaf in ("load", "validate") and call.receiver.endswith("()"):
            name = call.receiver[:-2].rsplit(".", 1)[-1]  # PredictSchema().load(request.json)
        else:
            continue
        found = find_model(facts, module, name) if name[:1].isupper() else None
        if found is not None:
            return found
    return None


_NONE_DEFAULT = re.compile(r"if\s+(\w+)\s+is\s+None\s*:")
_LITERAL_VALUE = r"\s*=\s*(-?\d+(\.\d+)?|[\"'][^\"']*[\"'])\s*(#.*)?$"


def silent_fills(facts: RepoFacts) -> list[AntiPatternHit]:
    """Missing features replaced by constants on the prediction path."""
    hits = []
    for module, function in serving_functions(facts):
        for call in calls_inside(module, function):
            if call.leaf == "reindex" and call.has_kwarg("fill_value"):
                hits.append(anti("missing features silently filled (`reindex(fill_value=)`)",
                                 call_ev(facts, module, call)))
            elif call.leaf == "fillna" and _is_constant_fill(call):
                hits.append(anti("missing features silently filled (`fillna` with a "
                                 "constant)", call_ev(facts, module, call)))
        hits.extend(_none_defaults(facts, module, function))
    return dedupe_hits(hits)


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
             "schema validation", "prediction schema validation", "prediction schema"),
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
        bad = [with_note(s.evidence, s.evidence.note or "no input schema")
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

"""sec.input-validation: every route taking input parses it through a schema."""

from __future__ import annotations

import re

from readiness.facts import RepoFacts
from readiness.facts.python.records import ClassDef
from readiness.facts.python.routes import Route
from readiness.model import AntiPatternHit, Evidence
from readiness.practices.helpers import call_ev, dedupe, per_site
from readiness.practices.registry import Outcome, anti, missing, na, partial, practice
from readiness.practices.security._evidence import labelled_route_ev, spread
from readiness.practices.security._input_schemas import CONSTRAINT_KW, model_index, param_verdict
from readiness.practices.web import (
    Handler,
    app_context,
    auth_index,
    handler_text,
    is_dev_only,
    is_health_route,
    resolve_handler,
)

# Request bodies read by hand. Query strings are left out: they carry ids, flags and
# sort keys, and typed frameworks declare them as parameters.
_RAW_INPUT = re.compile(r"request\.(json\(\)|body\(\)|form\(\)|get_json\(|json\b|form\b|"
                        r"values\b|data\b|POST\b|body\b|stream\b|get_data\(|files\b|FILES\b)")
_VALIDATES = re.compile(r"(model_validate|parse_obj|parse_raw|validate_on_submit|\.validate\(|"
                        r"is_valid\(|\.load\(|Schema\(|Serializer\(|\w+Form\(|self\.form\(|"
                        r"TypeAdapter|jsonschema|validate_json|cleaned_data|\.validated_data|"
                        r"validate_request|parse_args\(|Spec\b|\w+Model\(\*\*|"
                        r"\w+(In|Create|Update|Request|Input|Payload|Schema)\(\*\*)")
_INPUT_DECORATORS = re.compile(r"(use_args|use_kwargs|\.arguments|\.input|expects_json|"
                               r"validate_json|validate_request|\bvalidate\b|accepts|"
                               r"marshal_with|\.expect|doc\(.*params|body\()", re.I)
_TYPED_FRAMEWORKS = ("fastapi", "starlette", "litestar", "unknown")


def _typed_route_verdict(facts: RepoFacts, route: Route, handler: Handler) -> bool | None:
    function = handler.function
    assert function is not None
    aliases = auth_index(facts).aliases
    verdicts = [v for v in (param_verdict(facts, p, route, aliases) for p in function.params)
                if v is not None]
    text = handler_text(facts, handler)
    if _RAW_INPUT.search(text):
        verdicts.append(bool(_VALIDATES.search(text)))
    if not verdicts:
        return None
    return all(verdicts)


def _text_route_verdict(facts: RepoFacts, route: Route, handler: Handler) -> bool | None:
    """Flask/Django/class views: reads request data, and validates it or not."""
    text = handler_text(facts, handler)
    decorators = handler.function.decorators if handler.function else ()
    if handler.cls is not None:
        decorators = (*decorators, *handler.cls.decorators)
    if any(_INPUT_DECORATORS.search(d.raw) for d in decorators):
        return True
    raw = [line for line in text.splitlines() if _RAW_INPUT.search(line)]
    uses_form = re.search(r"\bform\b|Form\(|serializer", text)
    if not raw and not uses_form:
        return None
    if _VALIDATES.search(text) or re.search(r"\bform_class\b|serializer_class|"
                                            r"\bform\s*=\s*\w+Form\b", text):
        return True
    reads = [line for line in raw if not _MEMBERSHIP.search(line)]
    return all(_checked_read(line, text) for line in reads) if reads else None


# ``request.args.get("page", 1, type=int)``, ``int(request.GET["n"])``, ``request.body[:limit]``
_TYPED_READ = re.compile(r"type\s*=\s*(int|float|bool)\b|\b(int|float|bool|UUID)\(\s*request\.|"
                         r"request\.\w+\[\s*:|request\.\w+\.get\([^)]*\)\s*(==|!=|in\b|not in\b)")
# ``"refresh" in request.GET`` only tests for a flag; it reads no value.
_MEMBERSHIP = re.compile(r"[\"']\w+[\"']\s+(not\s+)?in\s+request\.\w+\s*(:|$|\)|and|or)")
_ASSIGNED = re.compile(r"^[ \t]*(\w+)\s*(:[^=]+)?=\s*[^=]")


def _checked_read(line: str, text: str) -> bool:
    """A request value that is typed, bounded, or checked against an allowlist
    (``x = request.POST.get("theme")`` then ``if x in ("dark", "light")``)."""
    if _TYPED_READ.search(line):
        return True
    match = _ASSIGNED.match(line)
    if not match:
        return False
    name = re.escape(match.group(1))
    return bool(re.search(rf"\b(int|float|UUID|Decimal|fromisoformat|validate\w*|clean\w*|"
                          rf"parse\w*)\(\s*{name}\b|\b{name}\s+(not\s+)?in\s+[\[(\w]|"
                          rf"\b{name}\s*(==|!=)|len\(\s*{name}\s*\)", text))


def _route_validation(facts: RepoFacts, route: Route) -> bool | None:
    handler = resolve_handler(facts, route)
    if handler is None:
        return None
    if handler.function is not None and handler.cls is None and \
            route.framework in _TYPED_FRAMEWORKS and \
            any(p.annotation for p in handler.function.params):
        return _typed_route_verdict(facts, route, handler)
    return _text_route_verdict(facts, route, handler)


def _schemas_used(facts: RepoFacts, handler: Handler) -> list[Evidence]:
    """Where the models, forms or schemas a validated handler uses are defined."""
    models = model_index(facts)
    annotations = " ".join(f"{p.annotation or ''} {p.default or ''}" for p in
                           (handler.function.params if handler.function else ()))
    names = re.findall(r"\b([A-Z]\w+)\b", annotations)
    names += re.findall(r"\b([A-Z]\w*(?:Form|Schema|Serializer|Spec))\b",
                        handler_text(facts, handler))
    out = []
    for name in dict.fromkeys(names):
        found = models.classes.get(name)
        if found is None or (found[0].path == handler.module.path and found[1] == handler.cls):
            continue
        module, cls = found
        if _is_schema_class(cls) and (models.constrained(facts, name)[0] or
                                      re.search(r"(Form|Schema|Serializer)$", name)):
            out.append(facts.evidence(module.path, cls.line, note="validation schema"))
    return out


def _is_schema_class(cls: ClassDef) -> bool:
    return any(re.search(r"(BaseModel|SQLModel|Schema|Form|FlaskForm|Serializer|"
                         r"ModelSerializer|ModelForm)$", b) for b in cls.bases) or \
        bool(re.search(r"(Form|Schema|Serializer|Spec)$", cls.name))


def _handler_name(handler: Handler) -> str:
    if handler.function is not None:
        return handler.function.qualname
    return handler.cls.qualname if handler.cls is not None else ""


def _dynamic_code_on_input(facts: RepoFacts) -> list[AntiPatternHit]:
    hits = []
    handler_scopes = {(r.file, r.function.qualname) for r in facts.routes() if r.function}
    for module, call in facts.calls("eval", "exec", "builtins.eval", "builtins.exec"):
        text = " ".join(call.args)
        if (module.path, call.scope) in handler_scopes or \
                re.search(r"request|input|body|payload|params|query|form|data|user", text, re.I):
            hits.append(anti(f"{call.leaf}() on request data runs attacker-controlled code",
                             call_ev(facts, module, call)))
    return hits


def _schema_evidence(facts: RepoFacts) -> list[Evidence]:
    """Constrained models and forms anywhere (used when routes cannot be tied to them)."""
    out: list[Evidence] = []
    for module in facts.modules():
        for assign in module.assigns:
            if assign.class_name and (CONSTRAINT_KW.search(assign.value) and
                                      re.search(r"Field\(", assign.value)):
                out.append(facts.evidence(module.path, assign.line, note="constrained field"))
                break
    for module, call in facts.calls("*.validate_on_submit", "*.is_valid", "*.model_validate",
                                    "*.parse_obj"):
        out.append(call_ev(facts, module, call))
    return dedupe(out)


@practice(
    "sec.input-validation", "Schema-validated inputs", priority="C", effort="M", applies="HTTP",
    sources=("S0", "S1", "S4", "ASVS V2/V4"),
    aliases=("input validation", "validation", "pydantic", "schema validation"),
    recommendation="Accept request data only through schemas with bounds: Pydantic models with "
                   "`Field(max_length=, ge=, le=, pattern=)`, `Query(le=)`, WTForms/Django "
                   "forms or marshmallow/DRF serializers; never raw `request.json()` or `dict` "
                   "bodies.",
)
def check_input_validation(facts: RepoFacts) -> Outcome:
    """Every route that takes input parses it through a schema with bounds.

    Why it matters:
        Unvalidated input is the root of injection, mass assignment, crashes on
        wrong types and resource exhaustion with megabyte strings; a schema
        rejects bad requests with a 4xx before they reach business logic.

    What counts as evidence:
        Per route taking input: typed parameters and Pydantic/SQLModel models with
        constraints (`Field(max_length/ge/le/pattern)`, `constr`/`conint`,
        `EmailStr`, validators), `Query(le=)`, a form validated with
        `validate_on_submit()`/`is_valid()`, marshmallow `load`, DRF serializers,
        `Model.model_validate(request.json)`, webargs/flask-smorest decorators.

    What makes it partial:
        Status rule 5: implemented when at least 90 % of input routes validate,
        partial when at least one does. Bodies typed `dict`/`Any`, raw
        `request.json()`/`get_json()`, and models with only unbounded strings do
        not count. `eval`/`exec` on request data caps the status at partial.

    How to satisfy:
        Give every body a Pydantic model with `Field` bounds (lengths, ranges,
        patterns), bound query parameters with `Query(le=...)`, and validate forms
        before using their data.
    """
    antis = _dynamic_code_on_input(facts)
    routes = [r for r in facts.routes() if not is_health_route(r) and not is_dev_only(facts, r)]
    sites: list[tuple[Evidence, bool]] = []
    schemas: list[Evidence] = []
    seen: set[tuple[str, str]] = set()
    for route in routes:
        handler = resolve_handler(facts, route)
        key = (handler.module.path, _handler_name(handler)) if handler else (route.file,
                                                                            route.path)
        if key in seen:
            continue  # one handler served under several URL rules is one site
        seen.add(key)
        verdict = _route_validation(facts, route)
        if verdict is not None:
            sites.append((labelled_route_ev(facts, route), verdict))
            if verdict and handler is not None:
                schemas.extend(_schemas_used(facts, handler))
    if sites:
        outcome = per_site(sites, what="route handlers taking input", good="validate it "
                           "through a schema", bad="take raw or unbounded input")
        outcome.anti_patterns = antis
        if outcome.evidence:
            outcome.evidence = [*spread(schemas, 4), *outcome.evidence]
        if outcome.status.value == "missing":
            outcome.message += " Looked for constrained Pydantic models, forms and serializers."
        return outcome
    if routes:
        return na("No route takes client input (no bodies, query or form data).")
    schemas = _schema_evidence(facts)
    if schemas:
        return partial("Validation schemas exist (constrained models or forms), but no HTTP "
                       "route could be tied to them.", schemas[:5], antis)
    return missing("No validated inputs found: no routes with schemas and no constrained "
                   "models or validated forms.", antis, context=app_context(facts))

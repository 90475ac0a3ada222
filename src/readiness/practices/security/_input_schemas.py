"""Whether a route parameter is validated input: typed, constrained or raw."""

from __future__ import annotations

import re
from dataclasses import dataclass

from readiness.facts import RepoFacts
from readiness.facts.python.records import ClassDef, ModuleFacts, Param
from readiness.facts.python.routes import Route

_SKIP_PARAM_NAMES = frozenset({"self", "cls", "request", "req", "response", "background_tasks",
                               "db", "session", "websocket", "current_user", "user"})
_SKIP_ANNOTATION = re.compile(r"\b(Request|Response|BackgroundTasks|WebSocket|Session|"
                              r"AsyncSession|HTTPConnection|SecurityScopes|"
                              r"HTTPAuthorizationCredentials|HTTPBasicCredentials|Connection|"
                              r"UploadFile|File|Engine|Redis)\b")
_RAW_TYPES = re.compile(r"^(dict|Dict|Any|typing\.Any|object|Json|dict\[.*\]|Dict\[.*\]|"
                        r"Mapping\[.*\]|Body)$")
_TYPED_SCALARS = re.compile(r"^(int|float|bool|str|bytes|UUID|uuid\.UUID|date|datetime|time|"
                            r"Decimal|EmailStr|HttpUrl|AnyUrl|AnyHttpUrl|PositiveInt|"
                            r"NonNegativeInt|PositiveFloat|SecretStr|IPvAnyAddress|Path|"
                            r"conint|constr|confloat|conlist|Literal|None)$")
CONSTRAINT_KW = re.compile(r"\b(max_length|min_length|ge|gt|le|lt|pattern|regex|max_items|"
                            r"min_items|multiple_of|max_digits|decimal_places|strict|"
                            r"allow_inf_nan)\s*=")
_CONSTRAINED_TYPE = re.compile(r"\b(constr|conint|confloat|conlist|conset|condecimal|EmailStr|"
                               r"HttpUrl|AnyUrl|AnyHttpUrl|Literal|UUID4?|PositiveInt|"
                               r"NonNegativeInt|PositiveFloat|StringConstraints|IPvAnyAddress|"
                               r"StrictStr|StrictInt|Enum)\b")
_VALIDATOR_DECORATOR = re.compile(r"(field_validator|model_validator|validator|root_validator|"
                                  r"validates|validates_schema)$")


@dataclass
class ModelIndex:
    """Pydantic / SQLModel / dataclass models of the tree, by class name."""

    classes: dict[str, tuple[ModuleFacts, ClassDef]]

    def constrained(self, facts: RepoFacts, name: str, seen: frozenset[str] = frozenset()
                    ) -> tuple[bool, bool]:
        """(has a constraint or validator, has a bare ``str`` field), bases included."""
        found = self.classes.get(name)
        if found is None or name in seen:
            return False, False
        module, cls = found
        constrained = False
        bare_str = False
        for assign in module.assigns:
            if assign.class_name != cls.name or assign.scope != cls.qualname:
                continue
            annotation = assign.annotation or ""
            if CONSTRAINT_KW.search(assign.value) or _CONSTRAINED_TYPE.search(annotation) or \
                    re.search(r"Annotated\[.*(Field|Len|Gt|Ge|Lt|Le|MaxLen|MinLen)\(",
                              annotation):
                constrained = True
            elif re.search(r"\bstr\b", annotation):
                bare_str = True
            inner = [t for t in re.findall(r"[A-Z]\w+", annotation) if t in self.classes]
            for child in inner:
                if child != name:
                    c_con, c_str = self.constrained(facts, child, seen | {name})
                    constrained = constrained or c_con
                    bare_str = bare_str or c_str
        for function in module.functions:
            if function.class_name == cls.name and any(
                    _VALIDATOR_DECORATOR.search(d.raw.split("(")[0]) for d in function.decorators):
                constrained = True
        for base in cls.bases:
            base_name = base.rsplit(".", 1)[-1]
            if base_name in self.classes:
                b_con, b_str = self.constrained(facts, base_name, seen | {name})
                constrained = constrained or b_con
                bare_str = bare_str or b_str
        return constrained, bare_str


def model_index(facts: RepoFacts) -> ModelIndex:
    """The classes of the tree by name, indexed once per RepoFacts."""
    def build() -> ModelIndex:
        classes: dict[str, tuple[ModuleFacts, ClassDef]] = {}
        for module, cls in facts.classes():
            classes.setdefault(cls.name, (module, cls))
        return ModelIndex(classes)
    return facts.memo("security_access.models", build)


def _strip_annotation(annotation: str) -> tuple[str, str]:
    """(core type, metadata) of ``Annotated[X, Query(le=10)]``, ``Optional[X]``, ``X | None``."""
    text = annotation.strip()
    metadata = ""
    match = re.match(r"^(typing\.)?Annotated\[(.*)\]$", text, re.S)
    if match:
        inner = match.group(2)
        depth = 0
        for index, char in enumerate(inner):
            if char in "[(":
                depth += 1
            elif char in "])":
                depth -= 1
            elif char == "," and depth == 0:
                text, metadata = inner[:index].strip(), inner[index + 1:]
                break
        else:
            text = inner
    text = re.sub(r"^(typing\.)?Optional\[(.*)\]$", r"\2", text)
    parts = [p.strip() for p in text.split("|") if p.strip() != "None"]
    return (parts[0] if parts else text), metadata


def param_verdict(facts: RepoFacts, param: Param, route: Route, aliases: dict[str, str]
                   ) -> bool | None:
    """True: validated input; False: unvalidated input; None: not client input."""
    annotation = param.annotation or ""
    default = param.default or ""
    if annotation.strip() in aliases or re.search(r"\b(Depends|Security)\(", default + annotation) \
            or _SKIP_ANNOTATION.search(annotation) or \
            (not annotation and param.name in _SKIP_PARAM_NAMES):
        return None
    core, metadata = _strip_annotation(annotation)
    if not annotation:
        return not default.startswith(("Body(", "fastapi.Body("))  # an untyped query string
    if CONSTRAINT_KW.search(default + metadata):
        return True
    if _RAW_TYPES.match(core) or (re.search(r"\b(Any|Dict|dict)\b", core) and
                                  not re.search(r"\[(str|int),\s*(str|int|float|bool)\]", core)):
        return False
    container = re.match(r"^(list|List|Sequence|set|Set|tuple|Tuple)\[(.*)\]$", core)
    if container:
        core = container.group(2).split(",")[0].strip()
    if _TYPED_SCALARS.match(core) or core.startswith(("Literal[", "conint", "constr")):
        return True
    models = model_index(facts)
    name = core.rsplit(".", 1)[-1]
    if name in models.classes:
        cls = models.classes[name][1]
        if any(re.search(r"Enum$", b) for b in cls.bases):
            return True
        constrained, bare_str = models.constrained(facts, name)
        return constrained or not bare_str
    return True  # a library type: typed and parsed by the framework

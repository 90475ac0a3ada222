"""How well a prediction route's request model describes the model's features."""

from __future__ import annotations

import re
from dataclasses import dataclass

from readiness.facts import RepoFacts
from readiness.facts.python.records import Assign, ClassDef, ModuleFacts

RANGED_FIELD = re.compile(r"\b(ge|gt|le|lt|min_length|max_length|pattern|regex|multiple_of|"
                           r"max_digits|min_items|max_items|validate)\s*=")
_MARSHMALLOW_FIELD = re.compile(r"^marshmallow\.fields\.|^fields\.")
_RANGED_TYPE = re.compile(r"\b(con(int|float|str|decimal|list)|Literal|Positive\w*|Negative\w*|"
                          r"NonNegative\w*|NonPositive\w*|bool|EmailStr|UUID\d?|datetime|date|"
                          r"HttpUrl|AnyUrl)\b")
_UNTYPED = re.compile(r"^\s*(Optional\[)?\s*(Any|dict|Dict|object|Json|List\[Any\]|list)\b")
_CONTAINER = re.compile(r"^\s*(Optional\[)?\s*(list|List|dict|Dict|Sequence|tuple|Tuple)\b")

_PYDANTIC_BASES = ("pydantic.BaseModel", "*.BaseModel", "sqlmodel.SQLModel", "*.Schema")


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


def find_model(facts: RepoFacts, module: ModuleFacts, name: str
                ) -> tuple[ModuleFacts, ClassDef] | None:
    """The request model a name refers to from ``module``: defined there, imported, or any."""
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
            inner = find_model(facts, module, nested[0])
            if inner is not None:
                shape.add(model_shape(facts, inner[0], inner[1], depth + 1))
                continue
        shape.fields += 1
        if not _UNTYPED.search(annotation) and not _CONTAINER.search(annotation):
            shape.typed += 1
        if RANGED_FIELD.search(assign.value) or _RANGED_TYPE.search(annotation) or \
                assign.target in validated or \
                any(n in enums for n in re.findall(r"\w+", annotation)):
            shape.ranged += 1
    return shape

"""Python source generators for the synthetic benchmark repository.

Every choice goes through one ``random.Random``, so a seed fixes the output byte
for byte. The templates vary names, statement shapes and sizes on purpose: a tree
made of one file repeated would flatter the parse cache, the OS page cache and any
per-file memoisation, and would not look like the services readiness reviews.
Generated code only has to be syntactically valid Python 3.11 (nothing is run),
but it should read like real service code so the rules have something to match.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

Lines = list[str]

NOUNS = (
    "order", "invoice", "customer", "shipment", "payment", "refund", "account", "ledger",
    "product", "price", "coupon", "subscription", "plan", "tenant", "report", "export",
    "webhook", "notification", "message", "ticket", "review", "rating", "inventory",
    "warehouse", "supplier", "carrier", "quote", "contract", "document", "attachment",
    "audit", "metric", "forecast", "dataset", "batch", "schedule", "region", "currency",
    "discount", "cart", "address", "profile", "device", "permission", "team", "project",
    "comment", "label", "workflow", "asset", "claim", "policy", "premium", "loan", "transfer",
    "balance", "statement", "budget", "vendor", "receipt", "booking", "voucher", "parcel",
)
ADJECTIVES = (
    "recurring", "pending", "archived", "external", "internal", "scheduled", "draft",
    "partial", "bulk", "daily", "monthly", "regional", "primary", "shared", "legacy",
    "virtual", "manual", "priority", "trial", "deferred",
)
VERBS = (
    "load", "sync", "compute", "validate", "normalize", "reconcile", "enrich", "publish",
    "archive", "resolve", "estimate", "merge", "split", "aggregate", "dispatch", "refresh",
    "collect", "render", "score", "schedule", "notify", "export", "ingest", "transform",
    "apply", "check", "build", "prepare", "cancel", "approve", "expire", "rebalance",
)
AREAS = ("core", "ops", "reporting", "integrations", "admin", "public", "billing_rules",
         "partners", "compliance", "catalogue")
SUBAREAS = ("handlers", "policies", "adapters", "pipelines", "rules", "views")
UTIL_TOPICS = ("text", "dates", "money", "paging", "cache", "ids", "serialization",
               "validation", "files", "batching", "hashing", "formatting")
# name -> (SQLAlchemy column type, Python annotation)
FIELDS = {
    "name": ("String(120)", "str"),
    "status": ("String(32)", "str"),
    "amount": ("Numeric(12, 2)", "Decimal"),
    "quantity": ("Integer", "int"),
    "email": ("String(255)", "str"),
    "created_at": ("DateTime(timezone=True)", "dt.datetime"),
    "updated_at": ("DateTime(timezone=True)", "dt.datetime"),
    "active": ("Boolean", "bool"),
    "notes": ("Text", "str"),
    "external_id": ("String(64)", "str"),
    "score": ("Float", "float"),
    "currency": ("String(3)", "str"),
    "priority": ("Integer", "int"),
    "region": ("String(16)", "str"),
    "description": ("Text", "str"),
    "due_date": ("Date", "dt.date"),
    "version": ("Integer", "int"),
}
VARS = ("result", "total", "items", "record", "rows", "batch", "key", "summary", "prepared",
        "matched", "chunk", "normalized", "window", "retries", "deadline", "digest", "context",
        "extra", "state", "bucket", "entry", "snapshot", "pending", "errors", "stats", "cutoff")
KEYS = ("id", "name", "status", "amount", "total", "kind", "source", "items", "meta",
        "region", "currency", "created_at", "priority", "email", "tags", "version")
LOOP_VARS = ("item", "row", "entry", "line", "record", "chunk", "candidate", "event")
ERRORS = ("ValueError", "KeyError", "TypeError", "LookupError", "RuntimeError",
          "TimeoutError", "ConnectionError", "OSError", "PermissionError")
EXPRS = (
    '{a}.get("{k}")', "{a} or {b}", "len({a})", 'sum(getattr(x, "{k}", 0) for x in {a})',
    "str({a}).strip().lower()", "round(float({a}) * {f}, 2)", "dt.datetime.now(dt.UTC)",
    'str({a}).split(",")', "int({a}) + {n}", '{{"{k}": {a}, "{k2}": {b}}}', "max({a}, {b})",
    "[{a}, {b}]", "json.dumps({a}, default=str)",
    "hashlib.sha256(str({a}).encode()).hexdigest()",
    'Decimal(str({a})).quantize(Decimal("0.01"))', "{a} if {a} is not None else {b}",
    "sorted({a}, key=str)", "{{x: y for x, y in dict({a}).items() if y is not None}}",
    "tuple({a})[:{n}]", 'f"{k}-{{{a}}}"', "dt.timedelta(seconds={n})",
    '{a}["{k}"]', "min({n}, len({b}))", '"{k}" in {a}',
)
CONDS = (
    "{a} is None", "not {a}", "isinstance({a}, dict)", '"{k}" in {a}', "{a} and {b}",
    "len({a}) > {n}", "{a} != {b}", 'getattr({a}, "{k}", None) is not None',
    '{a} == "{k}"', "{a} > {n}",
)
CALLS = (
    "{a}.append({b})", '{a}.setdefault("{k}", []).append({b})', '{a}.pop("{k}", None)',
    "{a}.extend(sorted({b}, key=str))", '{a}.update({{"{k}": {b}}})', "{a}.clear()",
    'metrics.increment("{k}.{verb}")',
)
STD_IMPORTS = (
    "import contextlib", "import datetime as dt", "import hashlib", "import json",
    "import logging", "from collections.abc import Iterable, Mapping",
    "from decimal import Decimal", "from typing import Any",
)
PARAMS = (
    ("payload", "payload: dict[str, Any]"), ("item_id", "item_id: int"),
    ("records", "records: list[dict[str, Any]]"), ("name", "name: str"),
    ("amount", "amount: Decimal"), ("tenant", "tenant: str"), ("rows", "rows: Iterable[Any]"),
    ("since", "since: dt.datetime | None = None"), ("limit", "limit: int = 100"),
    ("strict", "strict: bool = False"), ("options", "options: Mapping[str, str] | None = None"),
    ("region", 'region: str = "eu-west-1"'),
)
RETURNS = ("dict[str, Any]", "list[dict[str, Any]]", "int", "str", "bool", "Decimal",
           "Any", "dict[str, Any] | None", "list[str]", "float")


def indent(lines: Sequence[str], level: int = 1) -> Lines:
    """Indent non-empty lines by four spaces per level (blank lines stay blank)."""
    pad = "    " * level
    return [pad + line if line else line for line in lines]


def plural(word: str) -> str:
    """English plural good enough for table and URL names."""
    if word.endswith("y") and word[-2:-1] not in ("a", "e", "i", "o", "u"):
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    return word + "s"


@dataclass(frozen=True)
class Entity:
    """A domain noun with the spellings the templates need."""

    snake: str
    camel: str
    fields: tuple[str, ...]

    @property
    def plural(self) -> str:
        return plural(self.snake)


@dataclass
class Service:
    """One service in the monorepo: its package, framework and the entities it owns."""

    name: str
    framework: str  # "fastapi" or "flask"
    entities: list[Entity] = field(default_factory=list)
    routers: list[str] = field(default_factory=list)  # dotted module paths under the package
    worker: bool = False

    @property
    def pkg(self) -> str:
        return self.name

    @property
    def src(self) -> str:
        return f"services/{self.name}/src/{self.name}"

    @property
    def tests(self) -> str:
        return f"services/{self.name}/tests"


def new_entity(rng: random.Random, taken: set[str]) -> Entity:
    """A fresh entity name (sometimes adjective + noun) not yet used by the service."""
    for _ in range(200):
        noun = rng.choice(NOUNS)
        snake = f"{rng.choice(ADJECTIVES)}_{noun}" if rng.random() < 0.35 else noun
        if snake not in taken:
            break
    else:
        snake = f"{rng.choice(NOUNS)}_{len(taken)}"
    taken.add(snake)
    camel = "".join(part.capitalize() for part in snake.split("_"))
    names = list(FIELDS)
    fields = tuple(sorted(rng.sample(names, rng.randint(3, 8)), key=names.index))
    return Entity(snake, camel, fields)


class BodyWriter:
    """Random statement blocks: the bulk of the synthetic code and its variety.

    Nesting is bounded (depth 3) so the output looks like service code rather than
    a fuzzer; ``match``, ``try`` and ``with`` appear so parsers see every construct.
    """

    def __init__(self, rng: random.Random, noun: str = "item") -> None:
        self.rng = rng
        self.noun = noun
        self.simple: list[tuple[Callable[[list[str], int, bool], Lines], int]] = [
            (self._assign, 6), (self._log, 2), (self._call, 2), (self._comprehension, 2),
            (self._dict_literal, 1), (self._guard, 1), (self._await, 1),
        ]
        self.compound: list[tuple[Callable[[list[str], int, bool], Lines], int]] = [
            (self._if, 3), (self._for, 2), (self._try, 2), (self._with, 1), (self._match, 1),
        ]

    def body(self, params: Sequence[str], *, is_async: bool = False,
             size: int | None = None) -> Lines:
        """A function body over ``params`` ending in a return."""
        names = list(params)
        lines: Lines = []
        if not names:
            names = ["payload"]
            lines.append("payload: dict[str, Any] = {}")
        count = size if size is not None else self.size()
        lines += self.block(names, 0, count, is_async)
        lines.append(f"return {self.expr(names)}")
        return lines

    def size(self) -> int:
        """Statements per function: mostly short, sometimes long."""
        return self.rng.randint(12, 30) if self.rng.random() < 0.08 else self.rng.randint(2, 8)

    def block(self, names: list[str], depth: int, count: int, is_async: bool) -> Lines:
        lines: Lines = []
        for _ in range(count):
            lines += self.statement(names, depth, is_async)
        return lines or ["pass"]

    def statement(self, names: list[str], depth: int, is_async: bool) -> Lines:
        options = self.simple + (self.compound if depth < 3 else [])
        makers = [maker for maker, _ in options]
        weights = [weight for _, weight in options]
        maker = self.rng.choices(makers, weights)[0]
        return maker(names, depth, is_async)

    def fill(self, template: str, names: Sequence[str]) -> str:
        """Fill a one-line template with in-scope names, keys and numbers."""
        k, k2 = self.rng.sample(KEYS, 2)
        return template.format(
            a=self.rng.choice(names), b=self.rng.choice(names), k=k, k2=k2,
            n=self.rng.randint(1, 500), f=round(self.rng.uniform(0.1, 3.0), 2),
            verb=self.rng.choice(VERBS),
        )

    def expr(self, names: Sequence[str]) -> str:
        return self.fill(self.rng.choice(EXPRS), names)

    def cond(self, names: Sequence[str]) -> str:
        return self.fill(self.rng.choice(CONDS), names)

    def nested(self, names: list[str], depth: int, is_async: bool) -> Lines:
        return indent(self.block(names, depth + 1, self.rng.randint(1, 3), is_async))

    def _assign(self, names: list[str], depth: int, is_async: bool) -> Lines:
        target = self.rng.choice(VARS)
        line = f"{target} = {self.expr(names)}"
        names.append(target)
        return [line]

    def _log(self, names: list[str], depth: int, is_async: bool) -> Lines:
        level = self.rng.choice(("debug", "info", "info", "warning"))
        verb = self.rng.choice(VERBS)
        return [f'logger.{level}("{verb} {self.noun} %s", {self.rng.choice(names)})']

    def _call(self, names: list[str], depth: int, is_async: bool) -> Lines:
        return [self.fill(self.rng.choice(CALLS), names)]

    def _comprehension(self, names: list[str], depth: int, is_async: bool) -> Lines:
        target = self.rng.choice(VARS)
        form = self.rng.choice((
            "[x for x in {a} if x]", "{{str(k): v for k, v in dict({a}).items()}}",
            "sorted({{x for x in {a}}}, key=str)", "any(x is None for x in {a})",
            "list(map(str, {a}))", '[getattr(x, "{k}", None) for x in {a}]',
        ))
        line = f"{target} = {self.fill(form, names)}"
        names.append(target)
        return [line]

    def _dict_literal(self, names: list[str], depth: int, is_async: bool) -> Lines:
        target = self.rng.choice(VARS)
        keys = self.rng.sample(KEYS, self.rng.randint(2, 5))
        lines = [f"{target} = {{"] + [f'    "{k}": {self.expr(names)},' for k in keys] + ["}"]
        names.append(target)
        return lines

    def _guard(self, names: list[str], depth: int, is_async: bool) -> Lines:
        error = self.rng.choice(("ValueError", "LookupError", "PermissionError"))
        key = self.rng.choice(KEYS)
        value = self.rng.choice(names)
        return [f"if {self.cond(names)}:",
                f'    raise {error}(f"invalid {key}: {{{value}!r}}")']

    def _await(self, names: list[str], depth: int, is_async: bool) -> Lines:
        if not is_async:
            return self._assign(names, depth, is_async)
        target = self.rng.choice(VARS)
        value = self.rng.choice(names)
        line = self.rng.choice((
            f'{target} = await client.get(f"/{plural(self.noun)}/{{{value}}}")',
            f"{target} = await asyncio.gather(*(fetch_one(x) for x in {value}))",
            f"{target} = await asyncio.wait_for(queue.get(), timeout={self.rng.randint(1, 30)})",
        ))
        names.append(target)
        if self.rng.random() < 0.3:
            return [f"await asyncio.sleep({round(self.rng.uniform(0.01, 2.0), 2)})", line]
        return [line]

    def _if(self, names: list[str], depth: int, is_async: bool) -> Lines:
        lines = [f"if {self.cond(names)}:", *self.nested(names, depth, is_async)]
        if self.rng.random() < 0.3:
            lines += [f"elif {self.cond(names)}:", *self.nested(names, depth, is_async)]
        if self.rng.random() < 0.5:
            lines += ["else:", *self.nested(names, depth, is_async)]
        return lines

    def _for(self, names: list[str], depth: int, is_async: bool) -> Lines:
        item = self.rng.choice(LOOP_VARS)
        source = self.rng.choice(names)
        if self.rng.random() < 0.3:
            header = f"for index, {item} in enumerate({source}):"
            names.append("index")
        else:
            header = f"for {item} in {source}:"
        names.append(item)
        lines = [header]
        if self.rng.random() < 0.3:
            lines += [f"    if not {item}:", "        continue"]
        lines += self.nested(names, depth, is_async)
        if self.rng.random() < 0.15:
            lines += [f"    if {self.cond(names)}:", "        break"]
        return lines

    def _try(self, names: list[str], depth: int, is_async: bool) -> Lines:
        lines = ["try:", *self.nested(names, depth, is_async)]
        first, second = self.rng.sample(ERRORS, 2)
        style = self.rng.choices((0, 1, 2, 3), (4, 3, 1, 2))[0]
        if style == 0:
            lines += [f"except ({first}, {second}) as exc:",
                      f'    logger.warning("{self.noun} step failed: %s", exc)',
                      f'    raise RuntimeError("{self.rng.choice(VERBS)} failed") from exc']
        elif style == 1:
            target = self.rng.choice(VARS)
            lines += [f"except {first}:", f'    logger.exception("{self.noun} lookup failed")',
                      f"    {target} = None"]
            names.append(target)
        elif style == 2:
            lines += ["except Exception:  # noqa: BLE001", "    pass"]
        else:
            lines += [f"except {first} as exc:", *indent(self.block(names, depth + 1, 1, False)),
                      "    raise"]
        if self.rng.random() < 0.2:
            lines += ["finally:", f'    logger.debug("{self.noun} step done")']
        return lines

    def _with(self, names: list[str], depth: int, is_async: bool) -> Lines:
        value = self.rng.choice(names)
        header, bound = self.rng.choice((
            (f'with open({value}, encoding="utf-8") as fh:', "fh"),
            ("with lock:", None),
            ("with contextlib.suppress(KeyError, ValueError):", None),
            (f'with tracer.start_as_current_span("{self.noun}") as span:', "span"),
            ("with session.begin():", None),
        ))
        if bound:
            names.append(bound)
        return [header, *self.nested(names, depth, is_async)]

    def _match(self, names: list[str], depth: int, is_async: bool) -> Lines:
        patterns = ('"pending"', '"active"', '"failed"', "None", "0", '{"kind": kind}',
                    "[first, *rest]", "int() | float()")
        lines = [f"match {self.rng.choice(names)}:"]
        for pattern in self.rng.sample(patterns, self.rng.randint(1, 3)):
            lines += indent([f"case {pattern}:",
                             *indent(self.block(names, depth + 2, self.rng.randint(1, 2),
                                                is_async))])
        lines += indent(["case _:", *indent(self.block(names, depth + 2, 1, is_async))])
        return lines


class CodeWriter:
    """Functions, classes and module framing on top of ``BodyWriter``."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def bodies(self, noun: str) -> BodyWriter:
        return BodyWriter(self.rng, noun)

    def params(self, low: int = 0, high: int = 4) -> list[tuple[str, str]]:
        """Random parameters, required ones first so the signature is valid."""
        chosen = self.rng.sample(PARAMS, self.rng.randint(low, high))
        return sorted(chosen, key=lambda p: "=" in p[1])

    def function(self, name: str, noun: str, *, method: bool = False,
                 decorators: Sequence[str] = (), is_async: bool | None = None) -> Lines:
        """A function (or method) with a random signature and body."""
        if is_async is None:
            is_async = self.rng.random() < 0.15
        params = self.params()
        signature = ", ".join((["self"] if method else []) + [text for _, text in params])
        prefix = "async def" if is_async else "def"
        head = [*decorators, f"{prefix} {name}({signature}) -> {self.rng.choice(RETURNS)}:"]
        doc = [f'"""{self.docline(name, noun)}"""'] if self.rng.random() < 0.4 else []
        body = self.bodies(noun).body([p for p, _ in params], is_async=is_async)
        return head + indent(doc + body)

    def docline(self, name: str, noun: str) -> str:
        words = name.strip("_").replace("_", " ")
        return self.rng.choice((
            f"{words.capitalize()} for one {noun}.",
            f"{words.capitalize()}; callers retry on ConnectionError.",
            f"Return the {noun} data after {words}.",
            f"{words.capitalize()} (kept small so it can be unit tested).",
        ))

    def klass(self, name: str, noun: str, methods: int, bases: str = "") -> Lines:
        """A class with an ``__init__`` and ``methods`` random methods."""
        head = f"class {name}({bases}):" if bases else f"class {name}:"
        init = ["def __init__(self, session: Any, settings: Any | None = None) -> None:",
                "    self.session = session", "    self.settings = settings",
                f"    self._cache: dict[str, Any] = {{}}  # per {noun} instance"]
        members: Lines = [f'"""{noun.replace("_", " ").capitalize()} operations."""', "", *init]
        used: set[str] = set()
        for _ in range(methods):
            verb = self.rng.choice(VERBS)
            method = f"{'_' if self.rng.random() < 0.2 else ''}{verb}_{noun}"
            if method in used:
                method = f"{method}_{len(used)}"
            used.add(method)
            members += ["", *self.function(method, noun, method=True)]
        return [head, *indent(members)]

    def module(self, doc: str, imports: Sequence[str], body: Sequence[str],
               *, std: bool = True) -> str:
        """Assemble a module: docstring, imports, logger, then ``body``."""
        lines = [f'"""{doc}"""', ""]
        if self.rng.random() < 0.6:
            lines += ["from __future__ import annotations", ""]
        if std:
            lines += list(STD_IMPORTS)
        if imports:
            lines += ["", *imports]
        if std:
            lines += ["", "logger = logging.getLogger(__name__)"]
        lines += ["", "", *body]
        return "\n".join(lines).rstrip() + "\n"


def join_blocks(blocks: Sequence[Lines]) -> Lines:
    """Top-level definitions separated by two blank lines, as in PEP 8."""
    lines: Lines = []
    for block in blocks:
        if lines:
            lines += ["", ""]
        lines += block
    return lines

"""data.indexes: the columns queries join, filter and sort on are indexed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from readiness.facts import RepoFacts
from readiness.facts.python.records import Call
from readiness.model import Evidence
from readiness.practices.helpers import call_ev, dedupe, is_true, with_note
from readiness.practices.registry import Outcome, implemented, missing, partial, practice

_COLUMN_CALLS = ("*.Column", "*.mapped_column", "sqlmodel.Field", "*.db.Column")
_INDEX_CALLS = ("sqlalchemy.Index", "*.Index", "*.create_index", "*.AddIndex",
                "*.UniqueConstraint", "*.PrimaryKeyConstraint")
_CREATE_INDEX = re.compile(r"CREATE\s+(UNIQUE\s+)?INDEX\b[^;\"']*?\bON\s+[\"`]?(\w+)[\"`]?\s*"
                           r"\(([^)]*)\)", re.I)
_CREATE_TABLE = re.compile(r"CREATE\s+TABLE\s+(IF\s+NOT\s+EXISTS\s+)?[\"`]?(\w+)", re.I)
_SQL_PK = re.compile(r"^[ \t]*[\"`]?(\w+)[\"`]?[ \t]+\w+[^,\n]*\b(PRIMARY\s+KEY|UNIQUE)\b",
                     re.I | re.M)
_SQL_FK = re.compile(r"FOREIGN\s+KEY\s*\(\s*[\"`]?(\w+)|"
                     r"^[ \t]*(?!FOREIGN\b|CONSTRAINT\b)[\"`]?(\w+)[\"`]?[ \t]+\w+[^,\n]*"
                     r"\bREFERENCES\b", re.I | re.M)
_SQL_WHERE_COL = re.compile(r"\b(?:WHERE|AND)\s+(?:\w+\()?[\"`]?(\w+)[\"`]?\)?\s*(?:=|<|>|IN\b)",
                            re.I)
_SQL_ORDER_COL = re.compile(r"\bORDER\s+BY\s+(?:\w+\()?[\"`]?(\w+)", re.I)
_SQL_SYSTEM = re.compile(r"sqlite_master|sqlite_schema|information_schema|pg_catalog|\bpg_\w+",
                         re.I)
_ORM_QUERY = ("*.filter", "*.where", "*.order_by", "*.filter_by", "*.join", "*.outerjoin")
_ORM_REF = re.compile(r"\b([A-Z]\w*)\.(\w+)\b")


@dataclass
class _Column:
    model: str
    name: str
    evidence: Evidence
    indexed: bool
    foreign_key: bool


@dataclass
class _Schema:
    explicit: list[Evidence] = field(default_factory=list)  # secondary indexes declared
    unique: list[Evidence] = field(default_factory=list)
    tables: list[Evidence] = field(default_factory=list)
    columns: dict[tuple[str, str], _Column] = field(default_factory=dict)
    indexed_names: set[str] = field(default_factory=set)
    unindexed: list[Evidence] = field(default_factory=list)
    idle_foreign_keys: list[Evidence] = field(default_factory=list)  # never queried


def _column_flags(call: Call) -> tuple[bool, bool, str]:
    """(foreign key, indexed, kind of index declared) of an ORM column call."""
    if call.name.startswith("django"):
        foreign = call.leaf in ("ForeignKey", "OneToOneField")
        explicit = is_true(call.kwarg("db_index"))
        unique = is_true(call.kwarg("unique")) or is_true(call.kwarg("primary_key"))
        indexed = explicit or unique or (foreign and call.kwarg("db_index") != "False")
    else:
        text = " ".join(call.args)
        foreign = "ForeignKey(" in text or call.has_kwarg("foreign_key")
        explicit = is_true(call.kwarg("index"))
        unique = is_true(call.kwarg("unique")) or is_true(call.kwarg("primary_key"))
        indexed = explicit or unique
    kind = "explicit" if explicit else "unique" if is_true(call.kwarg("unique")) else ""
    return foreign, indexed, kind


def _model_columns(facts: RepoFacts, schema: _Schema) -> None:
    """Columns declared in ORM model classes, with whether each is indexed."""
    sites = {(m.path, c.line): c for m, c in facts.calls(*_COLUMN_CALLS, "django.db.models.*")}
    for module in facts.modules():
        for assign in module.assigns:
            if not assign.class_name or \
                    assign.scope.split(".")[-1] != assign.class_name.split(".")[-1]:
                continue  # only class-level column declarations
            call = sites.get((module.path, assign.line))
            if call is None:
                continue
            foreign, indexed, kind = _column_flags(call)
            ev = facts.evidence(module.path, assign.line)
            if kind == "explicit":
                schema.explicit.append(ev)
            elif kind == "unique":
                schema.unique.append(ev)
            name = assign.target.split(".")[-1]
            model = assign.class_name.split(".")[-1]
            schema.columns[(model, name)] = _Column(model, name, ev, indexed, foreign)


def _index_declarations(facts: RepoFacts, schema: _Schema) -> None:
    for module, call in facts.calls(*_INDEX_CALLS):
        if call.leaf == "Index" and not (call.name.startswith(("sqlalchemy", "django"))
                                         or call.raw in ("Index", "db.Index", "sa.Index",
                                                         "models.Index")):
            continue
        text = " ".join(call.args) + " " + " ".join(v for _, v in call.kwargs)
        names = [a or b for a, b in re.findall(r"[\"'](\w+)[\"']|\.(\w+)\b", text)]
        schema.indexed_names.update(names[1:] if call.leaf in ("Index", "create_index")
                                    else names)
        ev = call_ev(facts, module, call)
        if call.leaf in ("UniqueConstraint", "PrimaryKeyConstraint"):
            schema.unique.append(ev)
        else:
            schema.explicit.append(ev)
    for module, assign in facts.assigns(r"indexes|index_together|unique_together"):
        if assign.class_name:
            schema.explicit.append(facts.evidence(module.path, assign.line))
            schema.indexed_names.update(re.findall(r"[\"'](\w+)[\"']", assign.value))
    for hit in facts.grep(_CREATE_INDEX, kinds=("python", "sql"), limit=200):
        match = _CREATE_INDEX.search(hit.match)
        if match:
            schema.indexed_names.update(re.findall(r"\w+", match.group(3)))
        schema.explicit.append(facts.evidence(hit.path, hit.line))


def _queried_columns(facts: RepoFacts) -> dict[tuple[str, str], Evidence]:
    """(model, column) pairs that queries filter, join or sort on, with the first query
    site: ORM ``filter/where/order_by/join`` arguments (model known) and raw SQL
    WHERE/ORDER BY (model "" : only the column name is known)."""
    found: dict[tuple[str, str], Evidence] = {}
    for module, call in facts.calls(*_ORM_QUERY):
        pairs = list(_ORM_REF.findall(" ".join(call.args)))
        if call.leaf == "filter_by":
            model = call.raw.split(".")[0]
            pairs += [(model, key) for key, _ in call.kwargs if key != "**"]
        for model, name in pairs:
            found.setdefault((model, name), call_ev(facts, module, call,
                                                    note=f"query on {name}"))
    for hit in facts.grep(r"\b(WHERE|ORDER\s+BY)\b", kinds=("python", "sql"), flags=re.I,
                          limit=400):
        if _SQL_SYSTEM.search(hit.text):
            continue
        for match in (*_SQL_ORDER_COL.finditer(hit.text), *_SQL_WHERE_COL.finditer(hit.text)):
            found.setdefault(("", match.group(1)),
                             facts.evidence(hit.path, hit.line, note=f"query on {match.group(1)}"))
    return found


def _sql_schema(facts: RepoFacts, schema: _Schema) -> tuple[set[str], list[tuple[str, Evidence]]]:
    """Primary-key columns and (column, site) foreign keys of tables created in raw SQL."""
    keys: set[str] = set()
    fks: list[tuple[str, Evidence]] = []
    for hit in facts.grep(_CREATE_TABLE, kinds=("python", "sql"), limit=200):
        schema.tables.append(facts.evidence(hit.path, hit.line))
    for path in sorted({e.path for e in schema.tables}):
        text = facts.text(path) or ""
        keys.update(m.group(1) for m in _SQL_PK.finditer(text))
        for match in _SQL_FK.finditer(text):
            column = match.group(1) or match.group(2)
            line = text.count("\n", 0, match.start(1) if match.group(1) else match.start(2)) + 1
            fks.append((column, facts.evidence(path, line)))
    return keys, fks


def _query_path_gaps(facts: RepoFacts, schema: _Schema, keys: set[str],
                     sql_fks: list[tuple[str, Evidence]]) -> None:
    """Foreign keys and queried columns that no index covers. A foreign key nobody
    queries is reported in the message but does not make the row partial."""
    queried = _queried_columns(facts)
    queried_names = {name for _, name in queried}
    covered = schema.indexed_names | keys
    foreign = [(c.model, c.name, c.evidence) for c in schema.columns.values()
               if c.foreign_key and not c.indexed]
    foreign += [("", name, ev) for name, ev in sql_fks]
    flagged: set[tuple[str, str]] = set()
    for model, name, ev in foreign:
        if name in covered:
            continue
        if (model, name) in queried or (not model and name in queried_names):
            flagged.add((model, name))
            schema.unindexed.append(with_note(ev, f"foreign key {name} is queried, unindexed"))
        else:
            schema.idle_foreign_keys.append(with_note(ev, f"foreign key {name} unindexed"))
    for (model, name), site in queried.items():
        if (model, name) in flagged or name in covered:
            continue
        column = schema.columns.get((model, name))
        if model and column is not None and not column.indexed:
            schema.unindexed.append(with_note(site, f"{model}.{name} is queried but not "
                                                     "indexed"))
        elif not model and schema.tables and not any(n == name for _, n in schema.columns):
            schema.unindexed.append(with_note(site, f"{name} is queried but not indexed"))


def _collect_schema(facts: RepoFacts) -> _Schema:
    schema = _Schema()
    _index_declarations(facts, schema)
    _model_columns(facts, schema)
    keys, sql_fks = _sql_schema(facts, schema)
    _query_path_gaps(facts, schema, keys, sql_fks)
    schema.unindexed = dedupe(schema.unindexed)
    schema.explicit = dedupe(schema.explicit)
    return schema


@practice(
    "data.indexes", "Indexes on query paths", priority="H", effort="L", applies="SQL",
    sources=("S1", "S3", "S2"), aliases=("indexes", "indexing", "database indexes"),
    recommendation="Index the foreign keys and columns your queries filter, join or sort on "
                   "(`index=True`, `Index(...)`, `db_index=True`, `op.create_index`).",
)
def check_indexes(facts: RepoFacts) -> Outcome:
    """Columns used to join, filter and sort are indexed.

    Why it matters:
        Without an index a query scans the whole table: fine with a hundred rows,
        a timeout with a million. Foreign keys are joined and filtered on
        constantly, and most databases (PostgreSQL, SQLite) do not index them
        automatically.

    What counts as evidence:
        `index=True`/`db_index=True` on columns, `Index(...)`, Django `Meta.indexes`,
        `op.create_index`, `CREATE INDEX` in SQL, with every column that ORM queries
        (`filter`, `where`, `order_by`, `join`, `filter_by`) or raw SQL (`WHERE`,
        `ORDER BY`) use covered by an index, a primary key or a unique constraint
        (Django indexes its ForeignKeys by itself).

    What makes it partial:
        A foreign key or a filtered/sorted column on a query path without an index,
        or a schema whose only indexes are primary keys and unique constraints.
        Unindexed foreign keys that no query uses are listed but do not lower the
        status.

    How to satisfy:
        Add `index=True` to the foreign-key columns and to the columns used in
        `filter/where/order_by`, or composite `Index(...)` entries in
        `__table_args__`, and ship them in a migration.
    """
    schema = _collect_schema(facts)
    has_schema = bool(schema.columns or schema.tables)
    if not schema.explicit and not has_schema:
        return missing("No table definitions or index declarations found in the repository "
                       "(looked for ORM models, CREATE TABLE/INDEX and migrations).")
    gaps = schema.unindexed
    idle = schema.idle_foreign_keys
    idle_note = f"; {len(idle)} unindexed foreign key(s) are not queried" if idle else ""
    if not schema.explicit:
        anchor = schema.unique or [c.evidence for c in schema.columns.values()] or schema.tables
        return partial("Only primary keys and unique constraints are indexed; no secondary "
                       "index is declared.", [*anchor[:4], *gaps[:4]])
    if gaps:
        return partial(f"{len(schema.explicit)} index declaration(s), but {len(gaps)} column(s) "
                       f"on query paths have no index{idle_note}.",
                       [*schema.explicit[:4], *gaps[:6]])
    return implemented(f"{len(schema.explicit)} index declaration(s); the columns queries "
                       f"filter and sort on are covered{idle_note}.",
                       [*schema.explicit[:6], *idle[:3]])

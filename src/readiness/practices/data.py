"""Data-layer practices: migrations, indexes, connection pools, caching, job queues."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from readiness.facts import RepoFacts
from readiness.facts.classify import is_ci_config, is_compose
from readiness.facts.python.records import Call, Function, ModuleFacts
from readiness.facts.repo import Hit
from readiness.model import AntiPatternHit, Evidence, Severity
from readiness.practices.helpers import call_ev, dedupe, func_ev, is_none, is_true
from readiness.practices.registry import (
    Outcome,
    anti,
    implemented,
    missing,
    partial,
    practice,
)
from readiness.practices.web import app_anchor

# ------------------------------------------------------------------ shared queries

_APP_FACTORIES = ("fastapi.FastAPI", "flask.Flask", "starlette.applications.Starlette",
                  "quart.Quart", "litestar.Litestar", "sanic.Sanic", "aiohttp.web.Application")
_CLI_DECORATOR = re.compile(r"(^|\.)(command|group|callback)$|^click\.|^typer\.")
_LAUNCHED_SCRIPT = re.compile(r"^(docker[-_])?(entrypoint|prestart|pre[-_]start|start|startup|boot|"
                              r"release|deploy|run|init|launch|migrate)([-_](server|app|web|api|"
                              r"prod|production|container))?(\.(sh|bash))?$", re.I)
_CI_DEPLOY_PATH = re.compile(r"deploy|release|publish|production|(^|/)cd[-_.]", re.I)
_CI_DEPLOY_TEXT = re.compile(r"\bdeploy", re.I)
_SETUP_TOML = ("fly.toml", "railway.toml", "render.toml", "nixpacks.toml", "app.toml")


def _with_note(item: Evidence, note: str) -> Evidence:
    return Evidence(item.path, item.line, item.snippet, item.end_line, item.source, note=note)


def _function_text(facts: RepoFacts, path: str, function: Function) -> str:
    return "\n".join(facts.lines(path)[function.line - 1:function.end_line])


def _is_cli_command(function: Function) -> bool:
    """Click/Typer/Flask CLI commands run by hand, not on every deploy."""
    return any(_CLI_DECORATOR.search(d.raw) for d in function.decorators)


def _enclosing(facts: RepoFacts, path: str, scope: str) -> Function | None:
    """The outermost function (or method) holding a call: nested helpers and callbacks
    run when their parent runs, so liveness is judged on the parent."""
    parts = scope.split(".") if scope else []
    for end in range(1, len(parts) + 1):
        function = facts.function_at(path, ".".join(parts[:end]))
        if function is not None:
            return function
    return None


def _is_referenced(facts: RepoFacts, function: Function) -> bool:
    """Whether production code ever reads the function's name (a cheap liveness test:
    code nobody calls is a definition, not use; status rule 2)."""
    names = facts.memo("data.names_used", lambda: facts.names_used())
    if function.name not in names:
        return False
    return function.class_name is None or function.class_name in names


def _is_deploy_file(facts: RepoFacts, path: str) -> bool:
    """Files whose commands run when the service is deployed or its container starts."""
    item = facts.files.get(path)
    if item is None or item.text is None:
        return False
    name = path.rsplit("/", 1)[-1]
    if item.kind == "dockerfile" or item.kind == "ini":
        return True
    if item.kind == "text":
        return name.startswith("Procfile")
    if item.kind == "toml":
        return name in _SETUP_TOML
    if item.kind == "yaml":
        if is_ci_config(path):
            return bool(_CI_DEPLOY_PATH.search(path) or _CI_DEPLOY_TEXT.search(item.text))
        return not _is_dev_compose(path)
    if item.kind == "shell":
        return _script_is_launched(facts, path)
    return False


def _is_dev_compose(path: str) -> bool:
    name = path.rsplit("/", 1)[-1].lower()
    return is_compose(path) and bool(re.search(r"override|dev|local|debug", name))


def _script_is_launched(facts: RepoFacts, path: str) -> bool:
    """A shell script counts when a deploy file starts it or its name says it is a start
    script (entrypoint.sh, prestart.sh, release.sh...)."""
    name = path.rsplit("/", 1)[-1]
    if _LAUNCHED_SCRIPT.search(name):
        return True
    pattern = re.compile(re.escape(name))
    for hit in facts.grep(pattern, kinds=("dockerfile", "yaml", "text", "ini", "shell"), limit=20):
        if hit.path != path:
            return True
    return False


def _deploy_hits(facts: RepoFacts, pattern: re.Pattern[str], limit: int = 20) -> list[Hit]:
    """Lines matching ``pattern`` in deploy-time files (Dockerfiles, compose, k8s, Procfile,
    deploy CI jobs, start scripts, uWSGI/supervisor ini), comment lines excluded."""
    hits = facts.grep(pattern, kinds=("dockerfile", "shell", "yaml", "text", "ini", "toml"),
                      limit=400)
    out = [h for h in hits if not h.text.lstrip().startswith(("#", ";"))
           and _is_deploy_file(facts, h.path)]
    return out[:limit]


def _startup_functions(facts: RepoFacts) -> set[tuple[str, str]]:
    """(path, qualname) of functions that run when the web application starts: lifespans,
    startup handlers, app factories, and the functions they call (two hops)."""
    return facts.memo("data.startup_functions", lambda: _build_startup(facts))


def _build_startup(facts: RepoFacts) -> set[tuple[str, str]]:
    roots: set[tuple[str, str]] = set()
    hook_names: set[str] = set()
    for _module, call in facts.calls(*_APP_FACTORIES):
        for key in ("lifespan", "on_startup"):
            value = call.kwarg(key)
            if value:
                hook_names.update(re.findall(r"[A-Za-z_]\w*", value))
    for _module, call in facts.calls("*.add_event_handler"):
        if call.args and "startup" in call.args[0] and len(call.args) > 1:
            hook_names.add(call.args[1].split(".")[-1])
    for module, function in facts.functions():
        for decorator in function.decorators:
            args = " ".join(decorator.args)
            if (decorator.raw.endswith("on_event") and "startup" in args) or \
                    decorator.raw.endswith(("before_first_request", "before_serving",
                                            "on_startup")):
                roots.add((module.path, function.qualname))
        if function.name in hook_names or function.name in ("lifespan", "create_app",
                                                              "startup", "on_startup"):
            roots.add((module.path, function.qualname))
    found = set(roots)
    frontier = set(roots)
    for _ in range(2):
        called: set[str] = set()
        for path, qualname in frontier:
            source = facts.module(path)
            if source is None:
                continue
            for call in source.calls:
                if call.scope == qualname or call.scope.startswith(qualname + "."):
                    called.add(call.leaf)
        frontier = {(m.path, f.qualname) for m, f in facts.functions()
                    if f.name in called and not _is_cli_command(f)} - found
        found |= frontier
    return found


def _creates_app_at_module_level(module: ModuleFacts) -> bool:
    return any(c.scope == "" and c.name in _APP_FACTORIES for c in module.calls)


def _runs_at_startup(facts: RepoFacts, module: ModuleFacts, call: Call) -> bool:
    if call.scope == "":
        return _creates_app_at_module_level(module)
    startup = _startup_functions(facts)
    scope = call.scope
    while scope:
        if (module.path, scope) in startup:
            return True
        scope = scope.rsplit(".", 1)[0] if "." in scope else ""
    return False


# ------------------------------------------------------------------- migrations

_MIGRATE_COMMAND = re.compile(
    r"alembic\b[^\n]*?\bupgrade\b|\bflask\s+db\s+upgrade\b|manage\.py\W+migrate\b|"
    r"django-admin\s+migrate\b|\byoyo\s+apply\b|\bflyway\b[^\n]*\bmigrate\b|"
    r"\baerich\s+upgrade\b|\bpiccolo\s+migrations\s+forwards\b|\bmigrate\s+-path\b|"
    r"\bsqlx\s+migrate\s+run\b|\bdbmate\s+(up|migrate)\b")
_VERSION_TABLE = re.compile(r"schema_migrations|schema_version|user_version|migration_history|"
                            r"applied_migrations|migrations_applied|"
                            r"CREATE\s+TABLE[^(]*\bmigrations\b", re.I)
_RUNNER_NAME = re.compile(r"^(apply|run|perform|upgrade)_(db_|database_|schema_)?migrations?$|"
                          r"^migrate(_db|_database|_schema)?$")
_SQL_MIGRATION = re.compile(r"(^|/)(migrations?|db/migrate|sql/migrations?)/[^/]*\.sql$|"
                            r"(^|/)V\d+(_\d+)*__\w+\.sql$", re.I)


@dataclass
class _Migrations:
    versions: list[Evidence] = field(default_factory=list)
    empty_downgrades: int = 0
    alembic_revisions: int = 0
    setup_only: list[Evidence] = field(default_factory=list)  # alembic env/ini, no revisions
    runs: list[Evidence] = field(default_factory=list)  # run on deploy or on start
    manual: list[Evidence] = field(default_factory=list)  # CLI commands run by hand
    antis: list[AntiPatternHit] = field(default_factory=list)


def _alembic_revisions(facts: RepoFacts, found: _Migrations) -> None:
    for module in facts.modules():
        targets = {a.target for a in module.assigns if a.scope == ""}
        if not {"revision", "down_revision"} <= targets:
            continue
        upgrade = next((f for f in module.functions if f.name == "upgrade"), None)
        if upgrade is None:
            continue
        found.alembic_revisions += 1
        found.versions.append(func_ev(facts, module, upgrade, note="Alembic revision"))
        downgrade = next((f for f in module.functions if f.name == "downgrade"), None)
        if downgrade is None or _body_is_empty(facts, module.path, downgrade):
            found.empty_downgrades += 1
        for call in module.calls:
            if call.scope == "upgrade" and call.leaf in ("drop_table", "drop_column"):
                found.antis.append(anti("destructive schema change in an upgrade (check "
                                        "data is migrated first)",
                                        call_ev(facts, module, call), Severity.REVIEW))


def _body_is_empty(facts: RepoFacts, path: str, function: Function) -> bool:
    lines = facts.lines(path)[function.line:function.end_line]
    code = [ln.strip() for ln in lines if ln.strip() and not ln.strip().startswith("#")]
    code = [c for c in code if not (c.startswith(('"""', "'''")) and len(c) > 3)]
    return all(c in ("pass", "...", '"""', "'''") for c in code)


def _django_migrations(facts: RepoFacts, found: _Migrations) -> None:
    for module, cls in facts.subclasses("django.db.migrations.Migration", "*.migrations.Migration"):
        if "/migrations/" in f"/{module.path}":
            found.versions.append(facts.evidence(module.path, cls.line, note="Django migration"))
    for module, call in facts.calls("django.db.migrations.RemoveField",
                                    "django.db.migrations.DeleteModel"):
        found.antis.append(anti("destructive schema change (check data is migrated first)",
                                call_ev(facts, module, call), Severity.REVIEW))


def _sql_migrations(facts: RepoFacts, found: _Migrations) -> None:
    for path in facts.paths():
        if _SQL_MIGRATION.search(path):
            found.versions.append(facts.evidence(path, 1, note="SQL migration"))


def _custom_runners(facts: RepoFacts, found: _Migrations) -> None:
    """Hand-written versioned migrations: a runner function beside a version table."""
    runners: set[str] = set()
    for module, function in facts.functions():
        if not _RUNNER_NAME.match(function.name) or _is_cli_command(function):
            continue
        if _VERSION_TABLE.search(facts.text(module.path) or ""):
            runners.add(function.name)
            found.versions.append(func_ev(facts, module, function,
                                          note="versioned migration runner"))
    if not runners:
        return
    for module, call in facts.calls(*(f"*.{name}" for name in runners)):
        caller = _enclosing(facts, module.path, call.scope)
        if caller is not None and caller.name in runners:
            continue
        _classify_run(facts, module, call, found, "applied when the app starts")


def _migration_runs(facts: RepoFacts, found: _Migrations) -> None:
    for hit in _deploy_hits(facts, _MIGRATE_COMMAND):
        found.runs.append(facts.evidence(hit.path, hit.line, note="migrations run on deploy"))
    for module, call in facts.calls("alembic.command.upgrade", "flask_migrate.upgrade",
                                    "django.core.management.call_command", "*.alembic.upgrade",
                                    "*.migrate.upgrade"):
        if call.leaf == "call_command" and "migrate" not in " ".join(call.args):
            continue
        _classify_run(facts, module, call, found, "migrations applied by code")


def _classify_run(facts: RepoFacts, module: ModuleFacts, call: Call, found: _Migrations,
                  note: str) -> None:
    """A migration call runs on start unless only CLI commands (run by hand) reach it."""
    ev = call_ev(facts, module, call)
    caller = _enclosing(facts, module.path, call.scope)
    if caller is not None and _only_by_hand(facts, caller, depth=2):
        found.manual.append(_with_note(ev, "reached only from a CLI command or not called"))
    else:
        found.runs.append(_with_note(ev, note))


def _only_by_hand(facts: RepoFacts, function: Function, depth: int) -> bool:
    """Whether a function is a CLI command, is never called, or is called only from CLI
    commands (following callers ``depth`` levels up)."""
    if _is_cli_command(function):
        return True
    inside = (function.qualname, function.qualname + ".")
    called_as = function.class_name if function.name == "__init__" and function.class_name \
        else function.name  # a constructor runs when its class is instantiated
    callers = [(m, c) for m, c in facts.calls(f"*.{called_as.split('.')[-1]}")
               if not (c.scope == inside[0] or c.scope.startswith(inside[1]))]
    if not callers:
        return called_as not in facts.memo("data.names_used", lambda: facts.names_used())
    for module, call in callers:
        caller = _enclosing(facts, module.path, call.scope)
        if caller is None:
            return False  # called at import time of a module
        if depth <= 0 or not _only_by_hand(facts, caller, depth - 1):
            return False
    return True


def _alembic_setup(facts: RepoFacts, found: _Migrations) -> None:
    for path in facts.glob("alembic.ini", "*/alembic/env.py", "alembic/env.py",
                           "*/migrations/env.py", "migrations/env.py"):
        found.setup_only.append(facts.evidence(path, 1, note="Alembic set up"))


def _schema_antis(facts: RepoFacts) -> list[AntiPatternHit]:
    antis: list[AntiPatternHit] = []
    for module, call in facts.calls("*.create_all", "*.run_sync"):
        if call.leaf == "run_sync" and not any("create_all" in a for a in call.args):
            continue
        if _runs_at_startup(facts, module, call):
            antis.append(anti("tables created with create_all() when the app starts, "
                              "bypassing migrations", call_ev(facts, module, call)))
    for module, call in facts.calls("*.drop_all"):
        antis.append(anti("drop_all() in application code can wipe the database",
                          call_ev(facts, module, call)))
    return antis


def _collect_migrations(facts: RepoFacts) -> _Migrations:
    found = _Migrations()
    _alembic_revisions(facts, found)
    _django_migrations(facts, found)
    _sql_migrations(facts, found)
    _custom_runners(facts, found)
    _migration_runs(facts, found)
    _alembic_setup(facts, found)
    found.antis.extend(_schema_antis(facts))
    found.versions = dedupe(found.versions)
    found.runs = dedupe(found.runs)
    return found


@practice(
    "data.migrations", "Versioned migrations run on deploy", priority="H", effort="L",
    applies="SQL", sources=("S1", "S0", "S3", "12F-XII"),
    aliases=("migrations", "schema migrations", "alembic", "database migrations"),
    recommendation="Keep the schema in versioned migrations (Alembic, Django) and apply them "
                   "on every deploy (`alembic upgrade head` in the entrypoint, a release "
                   "phase, a k8s Job or a CD step) instead of `create_all()` at startup.",
)
def check_migrations(facts: RepoFacts) -> Outcome:
    """The database schema changes through versioned migrations applied on every deploy.

    Why it matters:
        Without versioned migrations every environment drifts to its own schema;
        `create_all()` never alters an existing table, so a new column silently
        never reaches production. Migrations that nobody runs on deploy fail the
        first request that needs them.

    What counts as evidence:
        Alembic revisions (`revision`/`down_revision` with `upgrade()`), Django
        `migrations/0*.py`, SQL migration files (Flyway `V1__*.sql`, yoyo), or a
        versioned runner with a version table; plus a command that applies them on
        deploy: `alembic upgrade head`, `manage.py migrate`, `flask db upgrade` in a
        Dockerfile, start script, compose/k8s file, Procfile, uWSGI hook or deploy
        job, or a runner called when the app starts.

    What makes it partial:
        Migrations that are only applied by hand (a CLI command, a README step), an
        Alembic setup without revisions, or revisions whose `downgrade()` are all
        `pass`. `create_all()` at app startup and `drop_all()` cap the status at
        partial; `op.drop_table`/`op.drop_column` in an upgrade are flagged for review.

    How to satisfy:
        Generate revisions with `alembic revision --autogenerate`, run
        `alembic upgrade head` in the container entrypoint or a pre-deploy job, and
        remove `create_all()` from the application's startup.
    """
    found = _collect_migrations(facts)
    antis = found.antis
    if not found.versions:
        if found.setup_only:
            return partial("Alembic is set up but there are no migration revisions.",
                           found.setup_only[:3], antis)
        anchor = [a.evidence for a in antis if a.severity == Severity.CAP.value]
        return missing("No versioned migrations found (looked for Alembic revisions, Django "
                       "migrations, SQL migration files and versioned migration runners).",
                       antis, context=anchor[:3])
    count = len(found.versions)
    if not found.runs:
        where = " (only by a CLI command)" if found.manual else ""
        return partial(f"{count} versioned migration(s), but nothing applies them on deploy"
                       f"{where}.", [*found.versions[:4], *found.manual[:2]], antis)
    if found.alembic_revisions and found.empty_downgrades == found.alembic_revisions:
        return partial(f"{count} migration(s) applied on deploy, but no revision can be "
                       "rolled back (every downgrade() is empty).",
                       [*found.versions[:3], *found.runs[:3]], antis)
    return implemented(f"{count} versioned migration(s), applied on deploy or start.",
                       [*found.versions[:3], *found.runs[:3]], antis)


# ----------------------------------------------------------------------- indexes

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
            schema.unindexed.append(_with_note(ev, f"foreign key {name} is queried, unindexed"))
        else:
            schema.idle_foreign_keys.append(_with_note(ev, f"foreign key {name} unindexed"))
    for (model, name), site in queried.items():
        if (model, name) in flagged or name in covered:
            continue
        column = schema.columns.get((model, name))
        if model and column is not None and not column.indexed:
            schema.unindexed.append(_with_note(site, f"{model}.{name} is queried but not "
                                                     "indexed"))
        elif not model and schema.tables and not any(n == name for _, n in schema.columns):
            schema.unindexed.append(_with_note(site, f"{name} is queried but not indexed"))


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


# ------------------------------------------------------------ connection pooling

_ENGINES = ("sqlalchemy.create_engine", "sqlalchemy.ext.asyncio.create_async_engine",
            "sqlmodel.create_engine", "*.create_async_engine", "sqlalchemy.engine.create_engine")
_POOL_KEYS = ("pool_size", "max_overflow", "pool_pre_ping", "pool_recycle", "pool_timeout",
              "pool_use_lifo")
_POOLS = ("asyncpg.create_pool", "psycopg_pool.*", "psycopg2.pool.*", "aiomysql.create_pool",
          "aiopg.create_pool", "sqlalchemy.pool.QueuePool")
_MONGO = ("pymongo.MongoClient", "motor.motor_asyncio.AsyncIOMotorClient")
_DIRECT = ("sqlite3.connect", "psycopg2.connect", "psycopg.connect",
           "psycopg.AsyncConnection.connect", "pymysql.connect", "asyncpg.connect",
           "mysql.connector.connect", "MySQLdb.connect", "aiosqlite.connect",
           "oracledb.connect", "pyodbc.connect")
_CONN_MAX_AGE = re.compile(r"(^\s*CONN_MAX_AGE\s*=|[\"']CONN_MAX_AGE[\"']\s*:)\s*(?P<value>.*)$|"
                           r"conn_max_age\s*=\s*(?P<kw>.*)$", re.M)
_POOL_SETTING = re.compile(r"SQLALCHEMY_(ENGINE_OPTIONS|POOL_SIZE|POOL_RECYCLE|MAX_OVERFLOW|"
                           r"POOL_PRE_PING)\s*[=:]|[\"'](pool_size|pool_pre_ping|pool_recycle|"
                           r"max_overflow)[\"']\s*:|[\"']pool[\"']\s*:\s*(True|\{)|"
                           r"maxPoolSize=\d|max_pool_size\s*[=:]\s*\d")


def _route_scopes(facts: RepoFacts) -> set[tuple[str, str]]:
    return {(r.file, r.function.qualname) for r in facts.routes() if r.function is not None}


def _in_handler(call: Call, path: str, handlers: set[tuple[str, str]]) -> bool:
    scope = call.scope
    while scope:
        if (path, scope) in handlers:
            return True
        scope = scope.rsplit(".", 1)[0] if "." in scope else ""
    return False


def _conn_max_age(text: str) -> int | None:
    """Seconds a Django connection lives, from the value text: a literal, or the default
    of an environment lookup (``envint("DB_CONN_MAX_AGE", "0")``); None when unknown."""
    text = text.strip().rstrip(",").strip()
    if text.startswith("None"):
        return 10**9  # persistent connections
    numbers = re.findall(r"(?<![\w.])(\d+)(?![\w.])", text)
    return int(numbers[-1]) if numbers else None


@dataclass
class _Pools:
    tuned: list[Evidence] = field(default_factory=list)
    defaults: list[Evidence] = field(default_factory=list)
    direct: list[Evidence] = field(default_factory=list)
    antis: list[AntiPatternHit] = field(default_factory=list)


def _engine_pools(facts: RepoFacts, pools: _Pools, handlers: set[tuple[str, str]]) -> None:
    bouncer = bool(facts.grep(r"pgbouncer|pgcat|odyssey|rds-?proxy", kinds=(
        "yaml", "dockerfile", "ini", "env", "python", "terraform"), limit=1))
    for module, call in facts.calls(*_ENGINES):
        ev = call_ev(facts, module, call)
        text = " ".join(v for _, v in call.kwargs)
        if "NullPool" in text and not bouncer:
            pools.antis.append(anti("NullPool opens a new connection for every checkout", ev))
        if _in_handler(call, module.path, handlers):
            pools.antis.append(anti("engine created inside a request handler", ev))
        if call.has_kwarg(*_POOL_KEYS) or ("NullPool" in text and bouncer):
            pools.tuned.append(ev)
        elif call.has_kwarg("**"):
            pools.tuned.append(_with_note(ev, "pool options passed through **kwargs"))
        else:
            pools.defaults.append(_with_note(ev, "library default pool"))
    for module, call in facts.calls("flask_sqlalchemy.SQLAlchemy"):
        ev = call_ev(facts, module, call)
        if call.has_kwarg("engine_options"):
            pools.tuned.append(ev)
        else:
            pools.defaults.append(_with_note(ev, "Flask-SQLAlchemy default pool"))


def _other_pools(facts: RepoFacts, pools: _Pools, handlers: set[tuple[str, str]]) -> None:
    for module, call in facts.calls(*_POOLS):
        pools.tuned.append(call_ev(facts, module, call))
    for module, call in facts.calls("databases.Database"):
        ev = call_ev(facts, module, call)
        if call.has_kwarg("min_size", "max_size"):
            pools.tuned.append(ev)
        else:
            pools.defaults.append(_with_note(ev, "driver default pool"))
    for module, call in facts.calls(*_MONGO):
        ev = call_ev(facts, module, call)
        if call.has_kwarg("maxPoolSize", "minPoolSize", "maxIdleTimeMS"):
            pools.tuned.append(ev)
        else:
            pools.defaults.append(_with_note(ev, "driver default pool"))
        if _in_handler(call, module.path, handlers):
            pools.antis.append(anti("client created inside a request handler", ev))
    for module, call in facts.calls(*_DIRECT):
        ev = call_ev(facts, module, call, note="a new connection, no pool")
        pools.direct.append(ev)
        if _in_handler(call, module.path, handlers):
            pools.antis.append(anti("connection opened inside a request handler", ev))
    for hit in facts.grep(_POOL_SETTING, kinds=("python", "env", "yaml", "ini", "toml"),
                          limit=10):
        pools.tuned.append(facts.evidence(hit.path, hit.line))
    for hit in facts.grep(r"image:\s*\S*(pgbouncer|pgcat|odyssey)", kinds=("yaml",), limit=2):
        pools.tuned.append(facts.evidence(hit.path, hit.line, note="connection pooler"))


def _django_pools(facts: RepoFacts, pools: _Pools) -> None:
    databases = [facts.evidence(m.path, a.line) for m, a in facts.assigns(r"DATABASES")
                 if not a.scope]
    ages = facts.grep(_CONN_MAX_AGE, kinds=("python",), limit=10)
    for hit in ages:
        match = _CONN_MAX_AGE.search(hit.text)
        value = (match.group("value") or match.group("kw")) if match else None
        seconds = _conn_max_age(value) if value else None
        ev = facts.evidence(hit.path, hit.line)
        if seconds:
            pools.tuned.append(ev)
        else:
            pools.defaults.append(_with_note(ev, "connections closed after each request "
                                                 "(CONN_MAX_AGE defaults to 0)"))
    if databases and not ages:
        pools.defaults.extend(_with_note(e, "CONN_MAX_AGE not set: a new connection per "
                                            "request") for e in databases[:2])


@practice(
    "data.connection-pooling", "Tuned connection pool", priority="H", effort="L",
    applies="DB", sources=("S0", "S1", "S2", "S3", "AWS PERF"),
    aliases=("connection pool", "connection pooling", "pool"),
    recommendation="Create one engine per process with an explicit pool "
                   "(`pool_size`, `max_overflow`, `pool_pre_ping=True`, `pool_recycle`), "
                   "or set Django `CONN_MAX_AGE` > 0, and never open connections per request.",
)
def check_connection_pooling(facts: RepoFacts) -> Outcome:
    """Database connections come from a pool sized and health-checked for the service.

    Why it matters:
        Opening a connection costs a TCP and TLS handshake plus authentication on
        every request; an untuned pool runs out under load or hands out connections
        the database already closed, turning a failover into a burst of errors.

    What counts as evidence:
        `create_engine(...)` with `pool_size`, `max_overflow`, `pool_pre_ping`,
        `pool_recycle` or `pool_timeout`; `SQLALCHEMY_ENGINE_OPTIONS`;
        `asyncpg.create_pool`, psycopg_pool, `databases.Database(min_size=)`;
        Django `CONN_MAX_AGE` > 0; PgBouncer; MongoDB `maxPoolSize`.

    What makes it partial:
        An engine or client that relies on the library's default pool, or Django
        with `CONN_MAX_AGE` unset or 0. An engine, client or connection created in a
        request handler, or `NullPool` without a pooler, caps the status at partial.
        Only direct driver connections (`sqlite3.connect`, `psycopg2.connect`)
        without any pool count as missing.

    How to satisfy:
        `create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True,
        pool_recycle=1800)` once per process, sized so that replicas x workers x
        pool stays below the database's connection limit.
    """
    pools = _Pools()
    handlers = _route_scopes(facts)
    _engine_pools(facts, pools, handlers)
    _other_pools(facts, pools, handlers)
    _django_pools(facts, pools)
    tuned = dedupe(pools.tuned)
    defaults = dedupe(pools.defaults)
    if tuned:
        return implemented(f"Connection pool configured explicitly ({len(tuned)} site(s)).",
                           [*tuned[:5], *defaults[:3]], pools.antis)
    if defaults:
        return partial("Connections are pooled with the library's defaults only (no size, "
                       "pre-ping or recycle settings).", defaults[:6], pools.antis)
    return missing("No connection pool found: connections are opened directly without a "
                   "pool." if pools.direct else "No database engine, pool or client "
                   "configuration found.", pools.antis, context=pools.direct[:5])


# ----------------------------------------------------------------------- caching

_SHARED_BACKEND = re.compile(
    r"django_redis|django\.core\.cache\.backends\.(redis|memcached)|RedisCache|"
    r"PyMemcacheCache|PyLibMCCache|MemcachedCache|[\"'](redis|memcached|saslmemcached)[\"']|"
    r"RedisBackend|MemcacheBackend|Cache\.REDIS|Cache\.MEMCACHED|CACHE_REDIS_URL|"
    r"dogpile\.cache\.(redis|memcached)|cache\.setup\(\s*[\"']redis")
_TTL_SETTING = re.compile(r"CACHE_DEFAULT_TIMEOUT|[\"']TIMEOUT[\"']\s*:|CACHE_TTL|cache_ttl",
                          re.I)
_INVALIDATE = ("*.delete_memoized", "*.delete_many", "*.cache_clear", "*.invalidate",
               "*.invalidate_cache", "*.expire_cache")
_DATA_FRAME = re.compile(r"(?i)data(set|frame)?|\bdf\b|frame|csv|parquet|table|load|read")


@dataclass
class _Caches:
    shared: list[Evidence] = field(default_factory=list)  # shared store (redis/memcached) use
    backend: list[Evidence] = field(default_factory=list)  # shared backend configured
    framework: list[Evidence] = field(default_factory=list)  # cache layer, backend configurable
    local: list[Evidence] = field(default_factory=list)  # per-process caches
    ttl: list[Evidence] = field(default_factory=list)
    invalidation: list[Evidence] = field(default_factory=list)
    antis: list[AntiPatternHit] = field(default_factory=list)


def _cached_function_names(facts: RepoFacts) -> set[str]:
    """Functions wrapped by a cache decorator (their ``.clear()``/``.cache_clear()``
    calls are invalidation)."""
    return {f.name for _, f in facts.functions()
            if any(re.search(r"cache|memoize|lru", d.raw) for d in f.decorators)}


def _data_params(function: Function) -> list[str]:
    return [p.name for p in function.params if p.name not in ("self", "cls")]


def _decorated_caches(facts: RepoFacts, caches: _Caches) -> None:
    flask_caching = facts.imported("flask_caching")
    for module, function in facts.functions():
        for decorator in function.decorators:
            name = decorator.name or decorator.raw
            ev = facts.evidence(module.path, decorator.line)
            leaf = name.rsplit(".", 1)[-1]
            if name in ("functools.lru_cache", "functools.cache", "cachetools.cached",
                        "cachetools.func.ttl_cache", "cachetools.func.lru_cache",
                        "async_lru.alru_cache"):
                _local_cache(caches, function, decorator, ev)
            elif name.startswith("streamlit.") and leaf == "cache_data":
                _streamlit_cache(caches, function, decorator, ev)
            elif flask_caching and leaf in ("memoize", "cached") and \
                    not name.startswith(("functools", "cachetools", "aiocache")):
                caches.framework.append(_with_note(ev, "Flask-Caching"))
                if decorator.has_kwarg("timeout"):
                    caches.ttl.append(ev)
            elif name.startswith(("fastapi_cache", "aiocache", "cashews")) and \
                    leaf in ("cache", "cached"):
                caches.framework.append(ev)
                if decorator.has_kwarg("expire", "ttl") or decorator.args:
                    caches.ttl.append(ev)
            elif name.startswith("django.views.decorators.cache") and leaf == "cache_page":
                caches.framework.append(ev)
                caches.ttl.append(ev)


def _local_cache(caches: _Caches, function: Function, decorator: Call, ev: Evidence) -> None:
    if not _data_params(function):
        return  # a zero-argument cached function is a lazy singleton, not a data cache
    unbounded = decorator.name == "functools.cache" or is_none(decorator.kwarg("maxsize")) or \
        (decorator.args and decorator.args[0].strip() == "None")
    caches.local.append(_with_note(ev, "per-process cache"))
    if "ttl" in decorator.name or decorator.name == "cachetools.cached":
        caches.ttl.append(ev)
    if unbounded:
        caches.antis.append(anti("unbounded per-process cache (maxsize=None) grows without "
                                 "limit", ev))


def _streamlit_cache(caches: _Caches, function: Function, decorator: Call, ev: Evidence) -> None:
    caches.local.append(_with_note(ev, "Streamlit per-process cache"))
    if decorator.has_kwarg("ttl"):
        caches.ttl.append(ev)
    frames = _DATA_FRAME.search(function.name) or _DATA_FRAME.search(function.returns or "")
    if frames and not decorator.has_kwarg("max_entries"):
        caches.antis.append(anti("st.cache_data without max_entries on a function returning "
                                 "data frames", ev))


def _store_caches(facts: RepoFacts, caches: _Caches) -> None:
    """Redis/memcached reads and writes with a TTL, in code that something calls."""
    store_modules = {m.path for m, _ in facts.imports("redis", "aioredis", "pymemcache",
                                                      "aiomcache")}
    layer_modules = {m.path for m, _ in facts.imports("django.core.cache", "flask_caching")}
    writes = facts.calls("*.setex", "*.psetex", "*.set", "*.set_many", "*.add", "*.expire")
    for module, call in writes:
        if module.path not in store_modules | layer_modules:
            continue
        ttl = call.leaf in ("setex", "psetex", "expire") or \
            call.has_kwarg("ex", "px", "timeout", "expire", "ttl") or \
            (call.leaf in ("set", "add", "set_many") and len(call.args) >= 3)
        if call.leaf in ("set", "add", "set_many", "expire") and \
                not (ttl and module.path in store_modules) and "cache" not in call.raw.lower():
            continue
        function = _enclosing(facts, module.path, call.scope)
        if function is not None and not _is_referenced(facts, function):
            continue  # written by code nothing calls
        ev = call_ev(facts, module, call)
        (caches.shared if module.path in store_modules else caches.framework).append(ev)
        if ttl:
            caches.ttl.append(ev)
    for module, call in facts.calls("*.delete", "*.delete_many", "*.unlink", "*.clear"):
        if module.path in store_modules | layer_modules and "cache" in call.raw.lower():
            caches.invalidation.append(call_ev(facts, module, call))


def _cache_config(facts: RepoFacts, caches: _Caches) -> bool:
    """Whether a shared cache backend is configured; records config evidence."""
    shared = False
    for hit in facts.grep(_SHARED_BACKEND, kinds=("python", "env", "yaml", "ini", "toml"),
                          limit=10):
        if hit.text.lstrip().startswith("#") or not re.search("cache", hit.text, re.I):
            continue
        shared = True
        caches.backend.append(facts.evidence(hit.path, hit.line, note="shared cache backend"))
    for hit in facts.grep(_TTL_SETTING, kinds=("python", "env", "ini", "yaml"), limit=5):
        if not hit.text.lstrip().startswith("#"):
            caches.ttl.append(facts.evidence(hit.path, hit.line))
    return shared


@practice(
    "data.caching", "Shared cache with TTL and invalidation", priority="M", effort="M",
    applies="HTTP or DB", sources=("S1", "S2", "S3", "S0"),
    aliases=("caching", "cache", "redis cache", "response cache"),
    recommendation="Cache expensive reads in a shared store (Redis, memcached) with a TTL, "
                   "and delete or refresh the entries when the underlying data is written.",
)
def check_caching(facts: RepoFacts) -> Outcome:
    """Expensive reads are cached in a shared store, with expiry and invalidation on writes.

    Why it matters:
        A cache takes repeated reads off the database and cuts latency; without a TTL
        or invalidation it serves stale data, and a per-process cache is duplicated,
        inconsistent across workers and lost on every restart.

    What counts as evidence:
        Redis/memcached writes with a TTL (`setex`, `set(ex=)`) in code that is
        called; Flask-Caching `@cache.memoize/cached`, fastapi-cache `@cache(expire=)`,
        aiocache, Django `cache_page`/`CACHES` with a Redis or memcached backend;
        a TTL setting (`CACHE_DEFAULT_TIMEOUT`) and invalidation calls
        (`delete_memoized`, `cache.delete`).

    What makes it partial:
        Only per-process caches (`lru_cache` with arguments, cachetools,
        `st.cache_data`), or a cache layer without TTL or invalidation. An unbounded
        `lru_cache(maxsize=None)` or `st.cache_data` on data frames without
        `max_entries` caps the status at partial. `lru_cache` on zero-argument
        functions (settings singletons) is not a data cache and is ignored.

    How to satisfy:
        Put a Redis-backed cache in front of expensive queries with an explicit TTL
        and delete the key in the code path that writes the data.
    """
    caches = _Caches()
    _decorated_caches(facts, caches)
    _store_caches(facts, caches)
    cached_functions = _cached_function_names(facts)
    for module, call in facts.calls(*_INVALIDATE, "*.clear"):
        if "cache" in call.raw.lower() or call.leaf == "delete_memoized" or \
                call.raw.split(".")[0] in cached_functions:
            caches.invalidation.append(call_ev(facts, module, call))
    backend_shared = _cache_config(facts, caches) if (caches.framework or caches.shared) else False
    fresh = bool(caches.ttl or caches.invalidation)
    proof = [*caches.ttl[:2], *caches.invalidation[:2]]
    used_shared = caches.shared
    if (used_shared or (caches.framework and backend_shared)) and fresh:
        return implemented("Shared cache in use with expiry or invalidation.",
                           [*(used_shared or caches.framework)[:3], *caches.backend[:2], *proof],
                           caches.antis)
    if caches.framework and caches.ttl and caches.invalidation:
        return implemented("A cache layer (configurable backend) is applied with a default "
                           "TTL and invalidation on writes.",
                           [*caches.framework[:3], *proof], caches.antis)
    if used_shared or caches.framework:
        return partial("A cache is used but without a TTL or invalidation on writes, or only "
                       "on a per-process backend.",
                       [*(used_shared or caches.framework)[:4], *proof], caches.antis)
    if caches.local:
        return partial("Only per-process caches: each worker holds its own copy and loses it "
                       "on restart.", [*caches.local[:4], *proof], caches.antis)
    return missing("No data cache found (looked for Redis/memcached with TTL, Flask-Caching, "
                   "fastapi-cache, aiocache, Django cache and per-process caches with "
                   "arguments).", caches.antis)


# --------------------------------------------------------------------- job queue

_QUEUE_LIBS = ("celery", "rq", "dramatiq", "arq", "huey", "taskiq", "kombu", "pika", "aio_pika",
               "kafka", "aiokafka", "confluent_kafka", "google.cloud.pubsub", "nats",
               "faststream", "django_q", "procrastinate", "saq")
_PRODUCERS = ("*.delay", "*.apply_async", "*.send_task", "*.enqueue", "*.enqueue_call",
              "*.enqueue_in", "*.enqueue_at", "*.enqueue_job", "*.kiq", "*.send_with_options",
              "*.basic_publish", "*.produce", "*.send_and_wait", "*.send_message",
              "*.async_task")
_QUEUE_WORKER = re.compile(
    r"celery\b[^\n]*\bworker\b|\brq\s*worker\b|\brqworker\b|\bdramatiq\s+\w|\barq\s+\w|"
    r"huey_consumer|\btaskiq\s+worker\b|\bfaust\b[^\n]*\bworker\b|\bqcluster\b|"
    r"procrastinate\s+worker|\bsaq\s+\w|^worker:", re.M)
_DAEMON = re.compile(r"attach-daemon\s*=|^\[program:", re.M)
_WORKER_COMMAND = re.compile(f"{_QUEUE_WORKER.pattern}|{_DAEMON.pattern}", re.M)
_OFFLOAD = ("threading.Thread", "*.add_task", "*.run_in_executor", "*.submit",
            "concurrent.futures.ThreadPoolExecutor", "concurrent.futures.ProcessPoolExecutor",
            "multiprocessing.Process", "subprocess.Popen", "asyncio.create_task",
            "asyncio.ensure_future", "anyio.to_thread.run_sync", "starlette.concurrency.*")
_ROW_LOOP = re.compile(r"^[ \t]*(async\s+)?for\b[^\n]*\bin\b[^\n]*(iterrows|itertuples|reader|"
                       r"rows|records|lines|splitlines|\bdf\b|frame|chunk|items\(\)|\.to_dict)",
                       re.M)
_UPLOAD_MARK = re.compile(r"\bUploadFile\b|request\.files|request\.FILES|read_csv|csv\.reader|"
                          r"DictReader|read_excel|file_uploader")


@dataclass
class _Queue:
    producers: list[Evidence] = field(default_factory=list)
    workers: list[Evidence] = field(default_factory=list)
    daemons: list[Evidence] = field(default_factory=list)  # DB-polling worker processes
    offload: list[Evidence] = field(default_factory=list)
    antis: list[AntiPatternHit] = field(default_factory=list)


def _queue_producers(facts: RepoFacts, queue: _Queue) -> None:
    if not facts.imported(*_QUEUE_LIBS) and not facts.grep(r"client\(\s*[\"']sqs[\"']",
                                                           kinds=("python",), limit=1):
        return
    for module, call in facts.calls(*_PRODUCERS):
        if call.leaf in ("produce", "send_message") and not re.search(
                r"kafka|producer|sqs|queue", call.name, re.I):
            continue
        queue.producers.append(call_ev(facts, module, call))
    actors = {f.name for _, f in facts.functions()
              if any(d.raw.endswith(("actor", "task", "shared_task")) for d in f.decorators)}
    for module, call in facts.calls("*.send"):
        if call.raw.split(".")[0] in actors:
            queue.producers.append(call_ev(facts, module, call))


def _queue_workers(facts: RepoFacts, queue: _Queue) -> None:
    for hit in _deploy_hits(facts, _WORKER_COMMAND):
        ev = facts.evidence(hit.path, hit.line, note="worker process declared")
        if _QUEUE_WORKER.search(hit.text):
            queue.workers.append(ev)
        elif _polling_command(facts, hit.text):
            queue.daemons.append(ev)
    for path, name, service in facts.compose_services():
        if re.search(r"worker|consumer|celery|queue", name, re.I) and "command" in service:
            queue.workers.append(facts.evidence(path, service.line_of("command"),
                                                note=f"compose service {name}"))
    for obj in facts.k8s_objects("Deployment", "StatefulSet"):
        if re.search(r"worker|consumer", obj.name, re.I):
            queue.workers.append(facts.evidence(obj.path, obj.line, note=f"k8s {obj.name}"))
    imported = {imp.qualified.lstrip(".") for m in facts.modules() for imp in m.imports} | \
        {imp.module.lstrip(".") for m in facts.modules() for imp in m.imports}
    for module in facts.modules():
        stem = module.path.rsplit("/", 1)[-1].removesuffix(".py")
        dotted = module.path.removesuffix(".py").replace("/", ".")
        if not re.search(r"worker|consumer", stem, re.I) or \
                any(name in (dotted, stem) or name.endswith("." + stem)
                    for name in imported):
            continue  # a module the web app imports is a task module, not an entrypoint
        for imp in module.imports:
            if imp.top in _QUEUE_LIBS or (imp.name or "") in ("celery", "huey", "broker",
                                                               "queue", "dramatiq"):
                queue.workers.append(facts.evidence(module.path, imp.line,
                                                    note="worker entrypoint module"))
                break


def _polling_command(facts: RepoFacts, line: str) -> bool:
    """A daemon command that runs a repo command which loops over queued work."""
    words = re.findall(r"[\w-]+", line.split("=", 1)[-1])
    for word in words:
        for path in facts.glob(f"{word}.py", f"*/{word}.py"):
            text = facts.text(path) or ""
            if re.search(r"^\s*while\b", text, re.M):
                return True
    return False


def _handler_sources(facts: RepoFacts) -> list[tuple[str, Function, str]]:
    """(path, handler, text including one hop of called functions) for upload handlers."""
    out: list[tuple[str, Function, str]] = []
    for route in facts.routes():
        function = route.function
        if function is None:
            continue
        text = _function_text(facts, route.file, function)
        uploads = any(p.annotation and "UploadFile" in p.annotation for p in function.params)
        if not uploads and not (route.writes and _UPLOAD_MARK.search(text)):
            continue
        out.append((route.file, function, text))
    return out


def _batch_loops(facts: RepoFacts) -> list[tuple[Evidence, Evidence]]:
    """(loop site, handler) pairs: upload handlers that process rows inline."""
    found: list[tuple[Evidence, Evidence]] = []
    for path, handler, text in _handler_sources(facts):
        handler_ev = func_ev(facts, path, handler)
        loop = _ROW_LOOP.search(text)
        if loop:
            line = handler.line + text.count("\n", 0, loop.start())
            found.append((facts.evidence(path, line, note="rows processed in the handler"),
                          handler_ev))
            continue
        module = facts.module(path)
        called = {c.leaf for c in module.calls if c.scope.startswith(handler.qualname)} \
            if module else set()
        for other, function in facts.functions():
            if function.name not in called or function.name == handler.name:
                continue
            body = _function_text(facts, other.path, function)
            loop = _ROW_LOOP.search(body)
            if loop:
                line = function.line + body.count("\n", 0, loop.start())
                found.append((facts.evidence(other.path, line,
                                             note=f"rows processed for {handler.name}()"),
                              handler_ev))
                break
    return found


def _offloading(facts: RepoFacts, queue: _Queue, include_tasks: bool) -> None:
    for module, call in facts.calls(*_OFFLOAD):
        if call.leaf == "submit" and "executor" not in call.raw.lower() and \
                "pool" not in call.raw.lower():
            continue
        if not include_tasks and call.name in ("asyncio.create_task", "asyncio.ensure_future"):
            continue
        if call.name == "subprocess.Popen" and "python" not in " ".join(call.args).lower() \
                and "executable" not in " ".join(call.args):
            continue
        queue.offload.append(call_ev(facts, module, call, note="in-process background work"))
    for module, function in facts.functions():
        if any(p.annotation and "BackgroundTasks" in p.annotation for p in function.params):
            queue.offload.append(func_ev(facts, module, function, note="BackgroundTasks"))


def _needs_job_queue(facts: RepoFacts) -> bool:
    """HTTP services that do batch or long work: a queue library, explicit background
    threads/tasks, a declared worker, or an upload handler that loops over rows."""
    if not facts.applies("HTTP"):
        return False
    if facts.applies("Q"):
        return True
    queue = _Queue()
    _offloading(facts, queue, include_tasks=False)
    if queue.offload:
        return True
    _queue_workers(facts, queue)
    return bool(queue.daemons or queue.workers or _batch_loops(facts))


@practice(
    "data.job-queue", "Background queue for heavy work", priority="H", effort="M",
    applies="HTTP doing batch/long work", when=_needs_job_queue, sources=("S1", "S0", "S2"),
    aliases=("job queue", "task queue", "background jobs", "celery", "async processing"),
    recommendation="Move batch and long-running work out of request handlers into a queue "
                   "(Celery, RQ, Dramatiq, arq) with a worker process declared next to the "
                   "web service, and return a job id the client can poll.",
)
def check_job_queue(facts: RepoFacts) -> Outcome:
    """Slow or batch work runs in a worker fed by a queue, not inside the request.

    Why it matters:
        A handler that processes a whole file or sends mail inline holds a worker
        and a connection for seconds or minutes; a few such requests exhaust the
        server, hit proxy timeouts and lose the work when the process restarts.

    What counts as evidence:
        Enqueue calls (celery `.delay`/`.apply_async`, rq `enqueue`, dramatiq
        `.send`, arq `enqueue_job`, taskiq `.kiq`, Kafka/SQS producers) together with
        a worker that is declared: a `celery worker`/`rq worker` command in compose,
        Procfile, k8s or a start script, or a worker entrypoint module; or a
        long-running worker daemon (uWSGI `attach-daemon`, supervisor program) that
        polls a database-backed queue.

    What makes it partial:
        Only in-process background work (`BackgroundTasks`, threads, executors,
        `create_task`, detached subprocesses), or enqueue calls with no worker
        declared anywhere. An upload handler that loops over the rows of a file
        caps the status at partial.

    How to satisfy:
        Define the work as a task, enqueue it from the handler (`task.delay(id)`),
        answer 202 with the job id, and run `celery -A app worker` as its own
        service.
    """
    queue = _Queue()
    _queue_producers(facts, queue)
    _queue_workers(facts, queue)
    _offloading(facts, queue, include_tasks=True)
    for loop, handler in _batch_loops(facts):
        queue.antis.append(anti(f"batch loop inside a request handler ({handler.location})",
                                loop))
    producers = dedupe(queue.producers)
    workers = dedupe(queue.workers)
    if producers and workers:
        return implemented(f"Work is enqueued ({len(producers)} call site(s)) and a worker "
                           "is declared.", [*producers[:4], *workers[:3]], queue.antis)
    if queue.daemons:
        return implemented("A long-running worker process declared beside the web server "
                           "polls queued work.", [*queue.daemons[:3], *producers[:3]],
                           queue.antis)
    if producers:
        return partial("Work is enqueued but no worker process is declared (compose, Procfile, "
                       "k8s or a worker entrypoint).", producers[:5], queue.antis)
    if queue.offload or workers:
        return partial("Background work runs in-process only (threads, BackgroundTasks, "
                       "executors or subprocesses), without a durable queue.",
                       [*queue.offload[:5], *workers[:2]], queue.antis)
    anchor = app_anchor(facts)
    return missing("No job queue or background worker found; batch work runs inside request "
                   "handlers.", queue.antis, context=[anchor] if anchor else [])

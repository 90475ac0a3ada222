"""data.migrations: the schema changes through versioned migrations run on deploy."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from readiness.facts import RepoFacts
from readiness.facts.python.records import Call, Function, ModuleFacts
from readiness.model import AntiPatternHit, Evidence, Severity
from readiness.practices.data._call_graph import enclosing_function, is_cli_command, only_by_hand
from readiness.practices.data._deploy_files import deploy_hits
from readiness.practices.data._startup import runs_at_startup
from readiness.practices.helpers import call_ev, dedupe, func_ev, with_note
from readiness.practices.registry import Outcome, anti, implemented, missing, partial, practice

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
        if not _RUNNER_NAME.match(function.name) or is_cli_command(function):
            continue
        if _VERSION_TABLE.search(facts.text(module.path) or ""):
            runners.add(function.name)
            found.versions.append(func_ev(facts, module, function,
                                          note="versioned migration runner"))
    if not runners:
        return
    for module, call in facts.calls(*(f"*.{name}" for name in runners)):
        caller = enclosing_function(facts, module.path, call.scope)
        if caller is not None and caller.name in runners:
            continue
        _classify_run(facts, module, call, found, "applied when the app starts")


def _migration_runs(facts: RepoFacts, found: _Migrations) -> None:
    for hit in deploy_hits(facts, _MIGRATE_COMMAND):
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
    caller = enclosing_function(facts, module.path, call.scope)
    if caller is not None and only_by_hand(facts, caller, depth=2):
        found.manual.append(with_note(ev, "reached only from a CLI command or not called"))
    else:
        found.runs.append(with_note(ev, note))


def _alembic_setup(facts: RepoFacts, found: _Migrations) -> None:
    for path in facts.glob("alembic.ini", "*/alembic/env.py", "alembic/env.py",
                           "*/migrations/env.py", "migrations/env.py"):
        found.setup_only.append(facts.evidence(path, 1, note="Alembic set up"))


def _schema_antis(facts: RepoFacts) -> list[AntiPatternHit]:
    antis: list[AntiPatternHit] = []
    for module, call in facts.calls("*.create_all", "*.run_sync"):
        if call.leaf == "run_sync" and not any("create_all" in a for a in call.args):
            continue
        if runs_at_startup(facts, module, call):
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

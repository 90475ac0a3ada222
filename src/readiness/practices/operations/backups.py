"""ops.backups: the data is backed up on a schedule, off the host, and restorable."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from readiness.facts import RepoFacts
from readiness.facts.python.records import Call, ModuleFacts
from readiness.facts.yaml_facts import YMap
from readiness.model import AntiPatternHit, Evidence
from readiness.practices.helpers import dedupe
from readiness.practices.kubernetes import pod_containers
from readiness.practices.registry import Outcome, anti, implemented, missing, partial, practice
from readiness.practices.web import route_auth

_BACKUP_TOOL = re.compile(r"\b(pg_dump|pg_dumpall|pg_basebackup|mysqldump|mariadb-dump|"
                          r"mongodump|wal-g|wal-e|pgbackrest|barman|litestream\s+replicate|"
                          r"restic\s+backup|borg\s+create|velero\s+(backup|schedule)\s+create|"
                          r"redis-cli\s+[^\n]*\bBGSAVE|sqlite3\s+[^\n]*\.backup|"
                          r"xtrabackup|mariabackup)\b", re.I)
_BACKUP_IMAGE = re.compile(r"backup|wal-g|pgbackrest|barman|litestream|restic|borg", re.I)
_OFF_HOST = re.compile(r"\baws\s+s3\s+(cp|sync|mv)|\bs3://|\bgs://|\bgsutil\b|gcloud\s+storage|"
                       r"\brclone\b|\baz\s+storage\b|\bazcopy\b|upload_file|upload_fileobj|"
                       r"put_object|WALG_\w*(S3|GS|AZ)\w*|WALE_S3|repo\d*-(s3|gcs|azure)|"
                       r"barmanObjectStore|restic\s+-r\s+(s3|b2|gs|azure|sftp|rest)|"
                       r"\bscp\b|\brsync\b[^\n]*:", re.I)
_RESTORE = re.compile(r"\b(pg_restore|mongorestore|mysql\b[^\n]*<|psql\b[^\n]*(<|-f\s)|"
                      r"wal-g\s+backup-fetch|pgbackrest\s+[^\n]*restore|velero\s+restore|"
                      r"restic\s+restore|litestream\s+restore|borg\s+extract|"
                      r"gunzip\s+-c[^\n]*\|\s*(psql|mysql))", re.I)
_RESTORE_DOC = re.compile(r"^#+\s.*\brestor(e|ing)\b", re.I | re.M)
_SCHEDULE_LINE = re.compile(r"^\s*(@(daily|hourly|weekly|midnight)|(\S+\s+){5})\S*", re.M)
_IAC_RETENTION = re.compile(r"(backup_retention_period|backup_retention_days|"
                            r"BackupRetentionPeriod)\s*[=:]\s*\"?(\d+)")
_IAC_BACKUP = re.compile(r"resource\s+\"(aws_backup_plan|aws_backup_selection|"
                         r"google_sql_database_instance|azurerm_backup_policy_\w+|"
                         r"aws_dynamodb_table)\"|point_in_time_recovery|"
                         r"backup_configuration\s*\{|point_in_time_restore", re.I)
_BACKUP_KINDS = ("Schedule", "ScheduledBackup", "Backup")
_SCRIPT_KINDS = ("shell", "text", "yaml", "dockerfile", "ini", "toml", "json")
_SUBPROCESS = ("subprocess.*", "os.system", "os.popen", "asyncio.create_subprocess_exec",
               "asyncio.create_subprocess_shell", "sh.*", "plumbum.*", "pexpect.*")


@dataclass
class _Backups:
    scheduled: list[Evidence] = field(default_factory=list)  # runs on a schedule
    manual: list[Evidence] = field(default_factory=list)  # a backup command, no schedule
    off_host: list[Evidence] = field(default_factory=list)
    restore: list[Evidence] = field(default_factory=list)
    antis: list[AntiPatternHit] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.scheduled or self.manual)


def _k8s_backups(facts: RepoFacts, found: _Backups) -> None:
    for obj in facts.k8s_objects("CronJob"):
        for container in pod_containers(obj):
            text = _container_text(container)
            if _BACKUP_TOOL.search(text) or _BACKUP_IMAGE.search(str(container.get("image", ""))):
                found.scheduled.append(facts.evidence(obj.path, obj.line,
                                                      note=f"CronJob {obj.name}"))
                if _OFF_HOST.search(text):
                    found.off_host.append(facts.evidence(obj.path, obj.line))
    for obj in facts.k8s_objects(*_BACKUP_KINDS):
        api = str(obj.doc.get("apiVersion", ""))
        if re.search(r"velero|cnpg|postgresql|k8up|stash|kanister|percona|zalan", api):
            ev = facts.evidence(obj.path, obj.line, note=f"{obj.kind} ({api})")
            (found.scheduled if "Schedule" in obj.kind else found.manual).append(ev)
            found.off_host.append(ev)
    for obj in facts.k8s_objects("Cluster", "postgresql", "PerconaXtraDBCluster"):
        spec = obj.doc.get("spec")
        if isinstance(spec, YMap) and isinstance(spec.get("backup"), YMap):
            ev = facts.evidence(obj.path, spec.line_of("backup"), note="operator-managed backup")
            found.scheduled.append(ev)
            found.off_host.append(ev)


def _container_text(container: YMap) -> str:
    parts = []
    for key in ("command", "args"):
        value = container.get(key)
        parts.append(" ".join(str(v) for v in value) if isinstance(value, list) else
                     str(value or ""))
    return " ".join(parts)


def _compose_backups(facts: RepoFacts, found: _Backups) -> None:
    for path, name, service in facts.compose_services():
        image = str(service.get("image", ""))
        if _BACKUP_IMAGE.search(image) or _BACKUP_IMAGE.search(name):
            ev = facts.evidence(path, service.line, note=f"backup service {name}")
            found.scheduled.append(ev)  # backup sidecars run on their own schedule
            environment = str(service.get("environment", ""))
            if _OFF_HOST.search(environment) or re.search(r"S3|GCS|AZURE|BUCKET", environment):
                found.off_host.append(ev)


def _iac_backups(facts: RepoFacts, found: _Backups) -> None:
    for hit in facts.grep(_IAC_RETENTION, kinds=("terraform", "yaml", "json"), limit=10):
        match = _IAC_RETENTION.search(hit.text)
        if match and int(match.group(2)) > 0:
            ev = facts.evidence(hit.path, hit.line, note="managed database backups")
            found.scheduled.append(ev)
            found.off_host.append(ev)
    for hit in facts.grep(_IAC_BACKUP, kinds=("terraform",), limit=5):
        if "aws_dynamodb_table" in hit.text or "google_sql_database_instance" in hit.text:
            continue  # the resource alone says nothing about backups
        ev = facts.evidence(hit.path, hit.line, note="backup declared in IaC")
        found.scheduled.append(ev)
        found.off_host.append(ev)


def _script_backups(facts: RepoFacts, found: _Backups) -> None:
    """Backup commands in scripts, Makefiles, CI and Python subprocess calls; scheduled
    when the same file is a CI workflow with ``schedule:``, a crontab line or a celery
    beat entry, or when a schedule runs the script."""
    manifests = {o.path for o in facts.k8s_objects()}  # CronJobs are read structurally above
    sites = [(h.path, h.line) for h in facts.grep(_BACKUP_TOOL, kinds=_SCRIPT_KINDS, limit=20)
             if not h.text.lstrip().startswith("#") and h.path not in manifests]
    sites += [(m.path, c.line) for m, c in _backup_calls(facts)]
    for path, line in sites:
        text = facts.text(path) or ""
        scheduled = _file_is_scheduled(path, text) or _referenced_by_schedule(facts, path)
        ev = facts.evidence(path, line, note="" if scheduled else "no schedule found")
        (found.scheduled if scheduled else found.manual).append(ev)
        if _OFF_HOST.search(text):
            found.off_host.append(facts.evidence(path, _first_line(text, _OFF_HOST)))


def _command_text(module: ModuleFacts, call: Call) -> str:
    """The call's arguments, with a bare variable replaced by what the same function
    assigned to it (``cmd = f"pg_dump ..."; os.system(cmd)``)."""
    parts = list(call.args) + [v for _, v in call.kwargs]
    for argument, kind in zip(call.args, call.arg_kinds, strict=False):
        if kind == "name":
            parts += [a.value for a in module.assigns
                      if a.target == argument and a.scope == call.scope]
    return " ".join(parts)


def _backup_calls(facts: RepoFacts) -> list[tuple[ModuleFacts, Call]]:
    """Python code running a dump tool, or SQLite's online backup API."""
    calls = [(m, c) for m, c in facts.calls(*_SUBPROCESS)
             if _BACKUP_TOOL.search(_command_text(m, c))
             or re.search(r"[\"'](pg_dump|mysqldump|mongodump|pg_dumpall)[\"']", " ".join(c.args))]
    calls += facts.calls("sqlite3.connect().backup", "*.Connection.backup")
    return calls


def _file_is_scheduled(path: str, text: str) -> bool:
    name = path.rsplit("/", 1)[-1].lower()
    if re.search(r"^\s*schedule\s*:", text, re.M) and re.search(r"cron", text, re.I):
        return True
    if "cron" in name or name.endswith(".timer"):
        return True
    return bool(re.search(r"beat_schedule|crontab\(|add_job\([^)]*(cron|interval)", text))


def _referenced_by_schedule(facts: RepoFacts, path: str) -> bool:
    """A crontab, CI schedule or CronJob that runs this script."""
    base = path.rsplit("/", 1)[-1]
    if not base.endswith((".sh", ".py")):
        return False
    for hit in facts.grep(re.escape(base), kinds=("yaml", "text", "shell"), limit=10):
        text = facts.text(hit.path) or ""
        if hit.path != path and (_file_is_scheduled(hit.path, text) or
                                 _SCHEDULE_LINE.match(hit.text) or "CronJob" in text):
            return True
    return False


def _first_line(text: str, pattern: re.Pattern[str]) -> int:
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def _restore(facts: RepoFacts, found: _Backups) -> None:
    for hit in facts.grep(_RESTORE, kinds=(*_SCRIPT_KINDS, "markdown"), production=None,
                          limit=5):
        found.restore.append(facts.evidence(hit.path, hit.line))
    for module, call in facts.calls(*_SUBPROCESS):
        if re.search(r"pg_restore|mongorestore|[\"'](psql|mysql)[\"']", " ".join(call.args)):
            found.restore.append(facts.evidence(module.path, call.line))
    for hit in facts.grep(_RESTORE_DOC, kinds=("markdown",), production=None, limit=3):
        found.restore.append(facts.evidence(hit.path, hit.line, note="restore procedure"))
    for path in facts.glob("*restore*.sh", "*restore*.py", "*restore*.md", production=None):
        found.restore.append(facts.evidence(path, 1))


def _backup_routes(facts: RepoFacts, found: _Backups) -> None:
    for route in facts.routes():
        if re.search(r"backup|db[-_]?dump|export[-_]?db", route.path, re.I):
            ev = facts.evidence(route.file, route.line, note="backup endpoint")
            found.manual.append(ev)
            if route_auth(facts, route) is None:
                found.antis.append(anti("backup endpoint without authentication", ev))


@practice(
    "ops.backups", "Backups with tested restore", priority="C", effort="M", applies="DB",
    sources=("S0", "S1", "S2", "S3", "FOW cat", "AWS REL09"),
    aliases=("backups", "backup", "disaster recovery", "restore", "point-in-time recovery",
             "database backups", "backup strategy"),
    recommendation="Schedule database backups to storage off the database host (a CronJob "
                   "running pg_dump to S3, wal-g/pgBackRest, or managed backups with "
                   "`backup_retention_period` > 0) and keep a restore script or runbook "
                   "that is exercised regularly.",
)
def check_backups(facts: RepoFacts) -> Outcome:
    """The data the service keeps is backed up on a schedule, off the host, and restorable.

    Why it matters:
        A dropped table, a bad migration or a lost volume is unrecoverable without
        a recent backup stored elsewhere; a backup nobody has restored is a hope,
        not a plan.

    What counts as evidence:
        Scheduled backups: Kubernetes CronJobs running pg_dump/mysqldump/mongodump
        or wal-g/pgBackRest, Velero or CloudNativePG schedules, backup sidecar
        services in compose, IaC `backup_retention_period` > 0 or AWS Backup
        plans, backup scripts run by cron or a scheduled CI workflow. An off-host
        target (S3, GCS, Azure, rclone, remote rsync) and a restore script or a
        restore section in the docs complete it. Documentation alone never counts.

    What makes it partial:
        A backup command or endpoint without a schedule, backups kept on the same
        host (no off-host target), or no restore procedure. A backup endpoint
        without authentication caps the status at partial.

    How to satisfy:
        A `CronJob` running `pg_dump | gzip | aws s3 cp - s3://bucket/...` nightly
        (or managed backups with retention), plus `scripts/restore.sh` and a
        runbook section "Restore" that someone follows every quarter.
    """
    found = _Backups()
    _k8s_backups(facts, found)
    _compose_backups(facts, found)
    _iac_backups(facts, found)
    _script_backups(facts, found)
    _backup_routes(facts, found)
    if not found.any:
        prose = [facts.evidence(h.path, h.line, note="prose only") for h in facts.grep(
            r"(?i)\bbackups?\b", kinds=("markdown",), production=None, limit=3)]
        return missing("No scheduled backup, backup script or managed backup setting was found "
                       "(looked for CronJobs, pg_dump/wal-g/pgBackRest scripts, Velero, compose "
                       "backup services and IaC retention).", found.antis, context=prose)
    _restore(facts, found)
    mechanism = dedupe([*found.scheduled, *found.manual])
    evidence = dedupe([*mechanism[:5], *found.off_host[:2], *found.restore[:3]])
    gaps = []
    if not found.scheduled:
        gaps.append("backups are not scheduled")
    if not found.off_host:
        gaps.append("no off-host target (backups stay on the database host)")
    if not found.restore:
        gaps.append("no restore script or documented restore procedure")
    if not gaps:
        return implemented("Scheduled off-host backups with a restore procedure.", evidence,
                           found.antis)
    return partial("Backups exist but " + "; ".join(gaps) + ".", evidence, found.antis)

"""sec.audit-logging: security-relevant actions leave a record of who did what."""

from __future__ import annotations

import re

from readiness.facts import RepoFacts
from readiness.facts.python.records import Call, ClassDef, ModuleFacts
from readiness.model import AntiPatternHit, Evidence
from readiness.practices.helpers import call_ev, grep_ev
from readiness.practices.registry import Outcome, anti, implemented, missing, partial, practice
from readiness.practices.security._evidence import labelled_route_ev
from readiness.practices.web import handler_text, resolve_handler

_AUDIT_CLASS = re.compile(r"\w*(Audit|ActivityLog|ActionLog|UserActivity|AccessLog|"
                          r"SecurityEvent|EventLog|AuditTrail)\w*")
_ACTOR = re.compile(r"(?i)^(user(_?id)?|actor(_id)?|performed_by|created_by|changed_by|"
                    r"username|user_email|by_user|owner(_id)?|account(_id)?|principal)$")
_ACTION = re.compile(r"(?i)^(action|event|event_type|operation|verb|activity|kind|type)$")
_AUDIT_LIBS = ("auditlog", "simple_history", "sqlalchemy_continuum", "reversion", "pghistory",
               "easyaudit", "django_auditlog", "flask_audit", "postgresql_audit")
_LOGIN_SCOPE = re.compile(r"(?i)(login|logout|sign_?in|authenticate|token)")


def _audit_models(facts: RepoFacts) -> list[tuple[ModuleFacts, ClassDef, set[str]]]:
    out = []
    for module, cls in facts.classes():
        if not _AUDIT_CLASS.fullmatch(cls.name) or "Middleware" in cls.name or \
                any(b.endswith(("Exception", "Error", "Enum", "Handler")) for b in cls.bases):
            continue
        fields = {a.target for a in module.assigns
                  if a.class_name == cls.name and a.scope == cls.qualname}
        out.append((module, cls, fields))
    return out


def _audit_writes(facts: RepoFacts, names: set[str]) -> list[tuple[ModuleFacts, Call]]:
    patterns = [p for n in names for p in (n, f"*.{n}")]
    out = []
    for module, call in facts.calls(*patterns) if patterns else []:
        function = facts.function_at(module.path, call.scope) if call.scope else None
        if function is not None and function.class_name in names:
            continue
        out.append((module, call))
    return out


def _audit_loggers(facts: RepoFacts) -> list[Evidence]:
    names: set[str] = set()
    for module in facts.modules():
        for assign in module.assigns:
            if assign.call and assign.call.endswith(("getLogger", "get_logger")) and \
                    re.search(r"audit", assign.value, re.I):
                names.add(assign.target.split(".")[-1])
    out = []
    for module, call in facts.calls("*.info", "*.warning", "*.log", "*.msg"):
        receiver = call.raw.rsplit(".", 1)[0] if "." in call.raw else ""
        if receiver.split(".")[-1] in names:
            out.append(call_ev(facts, module, call, note="audit logger"))
    return out


def _editable_audit(facts: RepoFacts, model_names: set[str]) -> list[AntiPatternHit]:
    hits = []
    for route in facts.routes():
        if not ({"PUT", "PATCH", "DELETE"} & set(route.methods)) or route.function is None:
            continue
        handler = resolve_handler(facts, route)
        text = handler_text(facts, handler) if handler is not None else ""
        if any(re.search(rf"\b{re.escape(n)}\b", text) for n in model_names):
            hits.append(anti("audit records can be changed or deleted through the API",
                             labelled_route_ev(facts, route)))
    return hits


@practice(
    "sec.audit-logging", "Audit trail", priority="H", effort="M", applies="USERS or PII",
    sources=("S0", "S4", "T10 A09", "ASVS V16"),
    aliases=("audit log", "audit logging", "audit trail", "activity log"),
    recommendation="Record who did what to which resource, when, from where and with what "
                   "outcome (an append-only audit table or audit logger written on logins, "
                   "mutations and PII reads), or use django-auditlog / simple-history / "
                   "sqlalchemy-continuum.",
)
def check_audit_logging(facts: RepoFacts) -> Outcome:
    """Security-relevant actions leave an append-only record of who did what.

    Why it matters:
        Without an audit trail nobody can answer "who changed this grade / exported
        these records / logged in from there", which incident response and
        FERPA/HIPAA/GDPR accountability require (OWASP A09).

    What counts as evidence:
        An audit model (AuditLog, ActivityLog, AccessLog...) with actor and action
        fields that is written from request handlers; a dedicated audit logger
        that is used; django-auditlog, django-simple-history, sqlalchemy-continuum,
        django-reversion, pghistory.

    What makes it partial:
        An audit model without an actor or action field, one that is defined but
        never written, or written only on login events. Routes that update or
        delete audit rows cap the status at partial.

    How to satisfy:
        Create an `AuditLog(user_id, action, resource, ip, outcome, at)` table, write
        it in one helper called by every mutation, login and PII read, and never
        expose update/delete on it.
    """
    libraries = [facts.evidence(m.path, i.line, note="audit library")
                 for m, i in facts.imports(*_AUDIT_LIBS)]
    libraries += grep_ev(facts, r"[\"'](auditlog|simple_history|reversion|easyaudit|pghistory)"
                                 r"[\"']", limit=2, note="audit app installed")
    models = _audit_models(facts)
    names = {cls.name for _, cls, _ in models}
    antis = _editable_audit(facts, names)
    writes = _audit_writes(facts, names)
    loggers = _audit_loggers(facts)
    model_ev = [facts.evidence(m.path, c.line, note="audit model") for m, c, _ in models]
    if libraries:
        return implemented("An audit library records changes.", [*libraries[:3], *model_ev[:2]],
                           antis)
    complete = [(m, c) for m, c, fields in models
                if any(_ACTOR.match(f) for f in fields) and any(_ACTION.match(f) for f in fields)]
    write_ev = [call_ev(facts, m, c, note="audit record written") for m, c in writes]
    beyond_login = [e for (m, c), e in zip(writes, write_ev, strict=True)
                    if not _LOGIN_SCOPE.search(c.scope) and not _LOGIN_SCOPE.search(m.path)]
    if complete and beyond_login:
        return implemented(f"Audit records with actor and action are written at "
                           f"{len(write_ev)} site(s).", [*model_ev[:2], *write_ev[:6]], antis)
    if loggers and len(loggers) >= 2:
        return implemented(f"A dedicated audit logger is used at {len(loggers)} site(s).",
                           loggers[:6], antis)
    if write_ev and complete:
        return partial("Audit records are written only for authentication events.",
                       [*model_ev[:2], *write_ev[:4]], antis)
    if write_ev:
        return partial("Audit records are written but have no actor or action field.",
                       [*model_ev[:2], *write_ev[:4]], antis)
    if model_ev or loggers:
        return partial("An audit model or logger is defined but never written.",
                       [*model_ev[:3], *loggers[:2]], antis)
    return missing("No audit trail found (looked for audit tables/loggers written on "
                   "mutations and logins, and audit libraries).", antis)

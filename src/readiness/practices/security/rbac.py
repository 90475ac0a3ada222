"""sec.rbac: privileged actions check the caller's role or permissions."""

from __future__ import annotations

import re
from dataclasses import dataclass

from readiness.facts import RepoFacts
from readiness.facts.python.records import ClassDef, Function, ModuleFacts
from readiness.facts.textsearch import search
from readiness.model import Evidence
from readiness.practices.helpers import dedupe, definition_source, grep_ev
from readiness.practices.registry import Outcome, implemented, missing, na, partial, practice
from readiness.practices.security._evidence import PY, labelled_route_ev, spread

_ROLE_FIELD = re.compile(r"(?i)(roles?|user_?role|user_?type|account_?type|permissions?|"
                         r"groups?|primary_group|secondary_groups|access_level|scopes?|"
                         r"privileges?|membership)")
_FLAG_FIELD = re.compile(r"(?i)(is_?admin|is_?superuser|is_?staff|admin|superuser|is_?manager|"
                         r"is_?moderator)")
_ROLE_CLASS = re.compile(r"(Role|Roles|UserRole|Group|Permission|Membership|Member|"
                         r"Privilege|AccessLevel)")


def _is_persistent_model(cls: ClassDef) -> bool:
    return any(re.search(r"(Model|Base|SQLModel|Document|Table)$", b) for b in cls.bases) or \
        any(k == "table" for k, _ in cls.keywords)


def _role_models(facts: RepoFacts) -> tuple[list[Evidence], list[Evidence]]:
    """(role/permission fields or classes, boolean admin flags) of the data model.

    Role classes and fields of persistent models come first, then fields of other
    classes (schemas, forms)."""
    classes: list[Evidence] = []
    model_fields: list[Evidence] = []
    other_fields: list[Evidence] = []
    flags: list[Evidence] = []
    for module in facts.modules():
        persistent = {c.name for c in module.classes if _is_persistent_model(c)}
        for cls in module.classes:
            if _ROLE_CLASS.fullmatch(cls.name):
                classes.append(facts.evidence(module.path, cls.line, note="role model"))
        for assign in module.assigns:
            if not assign.class_name or assign.scope != assign.class_name:
                continue
            target = assign.target
            if _FLAG_FIELD.fullmatch(target):
                flags.append(facts.evidence(module.path, assign.line, note="admin flag"))
            elif _ROLE_FIELD.fullmatch(target) and not assign.value.startswith(("lambda", "(")):
                bucket = model_fields if assign.class_name in persistent else other_fields
                bucket.append(facts.evidence(module.path, assign.line, note="role field"))
    roles = [*classes, *model_fields, *other_fields]
    if facts.imported("django.contrib.auth"):
        roles += grep_ev(facts, r"[\"']django\.contrib\.auth[\"']", limit=1,
                          note="Django groups and permissions")
    for name in ("casbin", "flask_principal", "flask_security", "flask_allows", "flask_allows2",
                 "oso", "rolepermissions", "guardian", "fastapi_permissions"):
        roles += [facts.evidence(m.path, i.line, note=f"{name}")
                  for m, i in facts.imports(name)][:1]
    return dedupe(roles), dedupe(flags)


# Permission APIs enforce by themselves (decorators, dependencies, policy engines).
_PERMISSION_API = re.compile(
    r"(require_roles?\b|roles_required|roles_accepted|permission_required|has_perms?\(|"
    r"has_permission|require_permission|check_permission|allows\.requires|\bPermission\(|"
    r"\.enforce\(|PermissionRequiredMixin|has_role\(|RoleChecker|SecurityScopes|"
    r"Security\([^)]*scopes\s*=)")
# Role comparisons enforce only together with a refusal.
_ROLE_COMPARE = re.compile(
    r"(\.roles?\s*(==|!=|not\s+in\b|in\b)|\brole\s*(==|!=|not\s+in\b|in\b)|"
    r"\bin\s+[\w.]*\.(roles|permissions|scopes)\b|Role\.\w+\s*(==|!=)|"
    r"[\"']\w+[\"']\s+(not\s+)?in\s+[\w.]*(roles|permissions|scopes)\b)")
_FLAG_COMPARE = re.compile(r"\.(is_superuser|is_admin|is_staff|is_moderator|is_manager)\b")
_DENIAL = re.compile(r"(raise\s+[\w.]*(PermissionDenied|HTTPException|Forbidden|Unauthorized|"
                     r"AccessDenied|NotAuthorized|PermissionError)|abort\(\s*40[13]|"
                     r"HttpResponseForbidden|status_code\s*=\s*40[13]|HTTP_403|\b403\b|"
                     r"PermissionDenied)")

# LLM chat messages have roles too ("user", "assistant", "system"): not access control.
_CHAT_ROLE = re.compile(r"[\"'](assistant|system|tool|function|model|human|ai)[\"']")


@dataclass
class _Checks:
    role: list[Evidence]
    flag: list[Evidence]


def _function_sources(facts: RepoFacts) -> list[tuple[ModuleFacts, Function, str]]:
    return [(m, f, definition_source(facts, m.path, f))
            for m, f in facts.functions()]


def _enforcement(facts: RepoFacts) -> _Checks:
    """Role/permission checks and admin-flag checks that lead to a refusal.

    A function that compares a role (or uses a property derived from one, such as
    ``is_rw``) enforces it when it refuses (403, ``PermissionDenied``) itself or
    when a function calling it does."""
    checks = _Checks([], [])
    checks.role += [facts.evidence(h.path, h.line, note="permission check")
                    for h in facts.grep(_PERMISSION_API, kinds=PY, limit=40)
                    if not _looks_like_definition(h.text) and "(" in h.text and
                    not re.match(r"^[\w\[\]\"' .]+=\s*[\w.]+$", h.text.strip())]
    sources = _function_sources(facts)
    derived = {f.name for _, f, text in sources
               if f.class_name and f.end_line - f.line <= 6 and search(_ROLE_COMPARE, text)}
    derived_ref = re.compile(r"\.(" + "|".join(map(re.escape, sorted(derived))) + r")\b") \
        if derived else None
    denying = {f.name for _, f, text in sources if search(_DENIAL, text)}
    callers = _callers(facts)
    for module, function, text in sources:
        if function.name in derived:
            continue
        for regex, bucket, note in ((_ROLE_COMPARE, checks.role, "role check"),
                                    (derived_ref, checks.role, "role check"),
                                    (_FLAG_COMPARE, checks.flag, "admin-flag check")):
            match = search(regex, text) if regex is not None else None
            if match is None or _CHAT_ROLE.search(text[match.start():match.end() + 30]):
                continue
            refused = function.name in denying or \
                bool(callers.get(function.name, set()) & denying)
            if refused:
                line = function.line + text[:match.start()].count("\n")
                bucket.append(facts.evidence(module.path, line, note=note))
    return _Checks(dedupe(checks.role), dedupe(checks.flag))


def _callers(facts: RepoFacts) -> dict[str, set[str]]:
    """Function name -> names of the functions that call it (same tree)."""
    out: dict[str, set[str]] = {}
    for module in facts.modules():
        for call in module.calls:
            if call.scope:
                out.setdefault(call.raw.rsplit(".", 1)[-1], set()).add(
                    call.scope.rsplit(".", 1)[-1])
    return out


def _looks_like_definition(text: str) -> bool:
    """Field declarations and imports are not checks."""
    stripped = text.strip()
    return stripped.startswith(("import ", "from ", "#")) or \
        bool(re.match(r"^\w+\s*(:\s*[\w\[\], |.]+)?\s*=\s*(db\.|models\.|Column|mapped_column|"
                      r"Field|sa\.|\w*Field\()", stripped))


@practice(
    "sec.rbac", "Role/permission authorization", priority="H", effort="M",
    applies="USERS with >1 role",
    when=lambda facts: facts.applies("USERS"),
    sources=("S0", "S1", "S2", "T10 A01", "ASVS V8"),
    aliases=("rbac", "authorization", "roles", "permissions", "access control"),
    recommendation="Model roles or permissions explicitly (a role column, groups, a permission "
                   "table) and enforce them on every privileged route with a dependency or "
                   "decorator (`Depends(require_role(\"admin\"))`, `@permission_required`).",
)
def check_rbac(facts: RepoFacts) -> Outcome:
    """Privileged actions check the caller's role or permissions.

    Why it matters:
        Authentication says who is calling; authorization decides what they may
        do. Without it any logged-in user reaches admin functions and other
        users' data (OWASP A01, broken access control).

    What counts as evidence:
        A role/permission model (role column, Role/Group/Permission/Membership
        classes, Django groups and permissions, casbin, Flask-Principal/Allows)
        AND its enforcement: `require_role`/`permission_required`/`has_perm`,
        `allows.requires(...)`, DRF permission classes, role comparisons that
        refuse with 403 or `PermissionDenied`.

    What makes it partial:
        Only a boolean admin flag (`is_superuser`, `is_admin`) is checked, or roles
        are stored but never checked. Missing when administrative routes exist
        with no role or admin check at all; not applicable when the code has a
        single kind of user (no roles, flags, checks or admin routes).

    How to satisfy:
        Add a role (or permissions) to the user, write one `require_role(...)`
        dependency or decorator that raises 403, and apply it to every privileged
        route; check ownership for per-user resources.
    """
    roles, flags = _role_models(facts)
    checks = _enforcement(facts)
    if roles and checks.role:
        return implemented(f"Roles/permissions are modelled and enforced "
                           f"({len(checks.role)} check(s)).",
                           [*roles[:3], *spread(checks.role, 6)])
    if checks.role:
        return partial("Permission checks exist but no role or permission model was found.",
                       checks.role[:6])
    if checks.flag:
        return partial("Only an admin flag is enforced (e.g. is_superuser); there is no role "
                       "or permission model.", [*flags[:2], *checks.flag[:5]])
    if roles or flags:
        return partial("Roles or admin flags are stored but never checked before an action.",
                       [*roles[:3], *flags[:3]])
    admin_routes = [r for r in facts.routes() if _ADMIN_ROUTE.search(r.path) or
                    _ADMIN_ROUTE.search(r.handler)]
    if admin_routes:
        return missing("Administrative routes exist but no roles, permissions or admin checks "
                       "guard them (looked for role fields, Role/Group/Permission models, "
                       "permission decorators and dependencies, and role comparisons that "
                       "refuse with 403).",
                       context=[labelled_route_ev(facts, r) for r in admin_routes[:5]])
    return na("Users exist but there is a single kind of user: no roles, admin flags, "
              "permission checks or administrative routes.")


_ADMIN_ROUTE = re.compile(r"(^|[/_.])(admin|manage|management|moderat\w*|staff|superuser)"
                          r"([/_.]|$)", re.I)

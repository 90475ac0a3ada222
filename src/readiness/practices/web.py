"""Questions about HTTP routes that several practices ask.

Is a route protected by authentication? Which routes are health checks? Where
is the application object created (the anchor for absence findings)? Answers
come from decorators, FastAPI dependencies (direct, ``Annotated`` aliases and
router-level), class-based views and global auth hooks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from readiness.facts import RepoFacts
from readiness.facts.python.records import Call, ModuleFacts
from readiness.facts.python.routes import Route
from readiness.model import Evidence

AUTH_NAME = re.compile(
    r"(current_?user|current_?active|auth|token|jwt|login|verify|api_?key|require|permission|"
    r"principal|oauth|bearer|secur|admin|superuser|session_user|get_user|authenticated|"
    r"access|credential|identity|check_user|protected|roles?\b|staff)", re.I)
AUTH_DECORATOR = re.compile(
    r"(login_required|jwt_required|auth_required|token_required|requires_auth|"
    r"permission_required|admin_required|roles_required|roles_accepted|fresh_login_required|"
    r"api_key_required|require_login|staff_member_required|user_passes_test|verify_token|"
    r"requires\b|superuser_required|authenticated|protected|auth\.login_required|"
    r"permission_classes|has_permission|require_role|require_permission|check_auth)", re.I)
AUTH_SCHEMES = ("OAuth2PasswordBearer", "OAuth2AuthorizationCodeBearer", "HTTPBearer",
                "HTTPBasic", "APIKeyHeader", "APIKeyQuery", "APIKeyCookie", "OpenIdConnect",
                "HTTPDigest", "OAuth2")
AUTH_MIXINS = re.compile(r"(LoginRequiredMixin|PermissionRequiredMixin|UserPassesTestMixin|"
                         r"AccessMixin|StaffRequiredMixin|AuthRequired\w*)")
PUBLIC_ROUTE = re.compile(
    r"(^|/)(login|logout|signin|sign-in|signup|sign-up|register|token|refresh|"
    r"password-recovery|password[-_]reset|reset[-_]password|forgot[-_]password|"
    r"verify[-_]email|confirm|activate|callback|oauth|auth)(/|$|\{)", re.I)
HEALTH_SEGMENT = re.compile(
    r"^(health|healthz|healthcheck|health[-_]check|livez|live|liveness|ping|status|alive|"
    r"_health|heartbeat|ready|readyz|readiness|_ready|up)$", re.I)
READY_SEGMENT = re.compile(r"^(ready|readyz|readiness|_ready)$", re.I)
_DEPENDS = re.compile(r"\b(?:Depends|Security)\(\s*([A-Za-z_][\w.]*)")


def last_segment(path: str) -> str:
    parts = [p for p in path.strip().strip("/").split("/") if p]
    return parts[-1] if parts else ""


def is_health_route(route: Route) -> bool:
    return bool(HEALTH_SEGMENT.match(last_segment(route.path)))


def is_ready_route(route: Route) -> bool:
    return bool(READY_SEGMENT.match(last_segment(route.path)))


def is_public_route(route: Route) -> bool:
    """Routes meant to be reachable without credentials (login, signup, token, health)."""
    return bool(PUBLIC_ROUTE.search(route.path)) or is_health_route(route) or \
        bool(re.search(r"(^|/)(docs|redoc|openapi\.json|metrics|static|favicon\.ico)(/|$)",
                       route.path))


def health_routes(facts: RepoFacts) -> list[Route]:
    return [r for r in facts.routes() if is_health_route(r)]


def app_anchor(facts: RepoFacts) -> Evidence | None:
    """Where the web application object is created, to anchor an absence finding."""
    for module, call in facts.calls("fastapi.FastAPI", "flask.Flask", "starlette.*.Starlette",
                                    "starlette.applications.Starlette", "litestar.Litestar",
                                    "aiohttp.web.Application", "sanic.Sanic", "quart.Quart"):
        return facts.evidence(module.path, call.line)
    for path in facts.paths():
        if path.endswith(("settings.py", "wsgi.py", "asgi.py")):
            return facts.evidence(path, 1)
    return None


@dataclass(frozen=True)
class AuthIndex:
    """Where authentication is wired, computed once per RepoFacts."""

    schemes: frozenset[str]  # names bound to OAuth2PasswordBearer() & co
    auth_functions: frozenset[str]  # dependency functions that authenticate
    aliases: dict[str, str]  # Annotated alias name -> dependency function name
    protected_receivers: frozenset[tuple[str, str]]  # (module path, router variable)
    protected_modules: frozenset[str]  # module basenames included with auth dependencies
    global_auth: Evidence | None  # DRF default permissions, auth middleware


def _dependency_names(text: str) -> list[str]:
    return [m.split(".")[-1] for m in _DEPENDS.findall(text)]


def _is_auth_name(name: str) -> bool:
    return bool(AUTH_NAME.search(name))


def _build_auth_index(facts: RepoFacts) -> AuthIndex:
    schemes: set[str] = set()
    for module, assign in ((m, a) for m in facts.modules() for a in m.assigns):
        if assign.call and assign.call.rsplit(".", 1)[-1] in AUTH_SCHEMES:
            schemes.add(assign.target.split(".")[-1])
    auth_functions: set[str] = set()
    for _module, function in facts.functions():
        for param in function.params:
            text = f"{param.default or ''} {param.annotation or ''}"
            names = _dependency_names(text)
            if any(n in schemes or n.rsplit(".", 1)[-1] in AUTH_SCHEMES for n in names) or \
                    any(s in text for s in AUTH_SCHEMES):
                auth_functions.add(function.name)
    aliases: dict[str, str] = {}
    for module in facts.modules():
        for assign in module.assigns:
            if assign.scope or "Annotated" not in assign.value:
                continue
            names = _dependency_names(assign.value)
            if names:
                aliases[assign.target] = names[-1]
    # one more round: functions depending on an auth function or on an auth alias
    for _module, function in facts.functions():
        for param in function.params:
            names = _dependency_names(f"{param.default or ''} {param.annotation or ''}")
            alias = aliases.get((param.annotation or "").strip())
            if alias:
                names.append(alias)
            if any(n in auth_functions for n in names):
                auth_functions.add(function.name)
    protected: set[tuple[str, str]] = set()
    protected_modules: set[str] = set()
    for module in facts.modules():
        for assign in module.assigns:
            if assign.call and assign.call.endswith(("APIRouter", "Blueprint")) and \
                    _has_auth_dependency(assign.value, schemes, auth_functions):
                protected.add((module.path, assign.target))
        for call in module.calls:
            if call.leaf == "include_router" and _has_auth_dependency(
                    call.kwarg("dependencies") or "", schemes, auth_functions) and call.args:
                target = call.args[0]
                protected_modules.add(target.split(".")[0] if "." in target else target)
    global_auth = None
    for hit in facts.grep(r"DEFAULT_PERMISSION_CLASSES[\s\S]{0,200}?IsAuthenticated|"
                          r"LoginRequiredMiddleware", kinds=("python",), limit=1):
        global_auth = facts.evidence(hit.path, hit.line)
    return AuthIndex(frozenset(schemes), frozenset(auth_functions), aliases,
                     frozenset(protected), frozenset(protected_modules), global_auth)


def auth_index(facts: RepoFacts) -> AuthIndex:
    return facts.memo("web.auth_index", lambda: _build_auth_index(facts))


def _has_auth_dependency(text: str, schemes: set[str] | frozenset[str],
                         auth_functions: set[str] | frozenset[str]) -> bool:
    for name in _dependency_names(text):
        if name in schemes or name in auth_functions or _is_auth_name(name):
            return True
    return False


def route_auth(facts: RepoFacts, route: Route) -> Evidence | None:
    """Evidence that ``route`` requires authentication, or None when nothing shows it."""
    index = auth_index(facts)
    module = facts.module(route.file)
    # 1. decorator on the route itself (FastAPI dependencies=..., or Flask/Django decorators)
    if route.decorator is not None and _has_auth_dependency(
            route.decorator.kwarg("dependencies") or "", index.schemes, index.auth_functions):
        return facts.evidence(route.file, route.line, note="route dependency")
    function = route.function
    if function is not None:
        for decorator in function.decorators:
            name = decorator.name or decorator.raw
            if AUTH_DECORATOR.search(name) or AUTH_DECORATOR.search(decorator.raw):
                return facts.evidence(route.file, decorator.line, note="auth decorator")
        # 2. FastAPI parameters: Depends(get_current_user), Annotated aliases
        for param in function.params:
            text = f"{param.default or ''} {param.annotation or ''}"
            names = _dependency_names(text)
            alias = index.aliases.get((param.annotation or "").strip())
            if alias:
                names.append(alias)
            for name in names:
                if name in index.schemes or name in index.auth_functions or _is_auth_name(name):
                    return facts.evidence(route.file, function.line,
                                          note=f"depends on {name}")
            if any(s in text for s in AUTH_SCHEMES):
                return facts.evidence(route.file, function.line, note="security scheme")
        # 3. class-based views: MethodView.decorators, Django mixins, DRF permission_classes
        if function.class_name and module is not None:
            found = _class_auth(facts, module, function.class_name)
            if found is not None:
                return found
    if function is None and module is not None and route.handler:
        class_name = route.handler.split("(")[0].split(".")[0]
        for candidate in facts.modules():
            found = _class_auth(facts, candidate, class_name)
            if found is not None:
                return found
    # 4. router-level dependencies and include_router(..., dependencies=[auth])
    if (route.file, route.receiver) in index.protected_receivers:
        return facts.evidence(route.file, route.line, note="router dependency")
    stem = route.file.rsplit("/", 1)[-1].removesuffix(".py")
    if stem in index.protected_modules:
        return facts.evidence(route.file, route.line, note="included with auth dependency")
    # 5. blueprint-wide before_request hooks that check authentication
    if module is not None:
        hook = _before_request_auth(facts, module, route.receiver)
        if hook is not None:
            return hook
    if index.global_auth is not None and route.framework in ("django", "unknown"):
        return index.global_auth
    return None


def _class_auth(facts: RepoFacts, module: ModuleFacts, class_name: str) -> Evidence | None:
    for cls in module.classes:
        if cls.name != class_name:
            continue
        for base in cls.bases:
            if AUTH_MIXINS.search(base):
                return facts.evidence(module.path, cls.line, note="auth mixin")
        for assign in module.assigns:
            if assign.class_name != class_name or assign.scope != cls.qualname:
                continue
            if assign.target in ("decorators", "method_decorators") and \
                    AUTH_DECORATOR.search(assign.value):
                return facts.evidence(module.path, assign.line, note="view decorators")
            if assign.target == "permission_classes" and "AllowAny" not in assign.value and \
                    assign.value.strip() not in ("[]", "()"):
                return facts.evidence(module.path, assign.line, note="permission classes")
    return None


def _before_request_auth(facts: RepoFacts, module: ModuleFacts, receiver: str
                         ) -> Evidence | None:
    for function in module.functions:
        for decorator in function.decorators:
            if decorator.raw.endswith("before_request") and \
                    (not receiver or decorator.raw.startswith(receiver + ".")):
                body = "\n".join(facts.lines(module.path)[function.line - 1:function.end_line])
                if re.search(r"is_authenticated|current_user|login|abort\(\s*40[13]|"
                             r"Unauthorized|401|403|token", body):
                    return facts.evidence(module.path, decorator.line,
                                          note="before_request auth hook")
    return None


def handler_source(facts: RepoFacts, route: Route) -> str:
    """The text of a route's handler function (empty when it is not in the repo)."""
    if route.function is None:
        return ""
    lines = facts.lines(route.file)
    return "\n".join(lines[route.function.line - 1:route.function.end_line])


def calls_in_handler(facts: RepoFacts, route: Route) -> list[Call]:
    module = facts.module(route.file)
    if module is None or route.function is None:
        return []
    qual = route.function.qualname
    return [c for c in module.calls if c.scope == qual or c.scope.startswith(qual + ".")]

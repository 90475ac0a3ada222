"""Whether a route requires authentication, or is meant to be public or development-only."""

from __future__ import annotations

import re

from readiness.facts import RepoFacts
from readiness.facts.python.records import Call, ModuleFacts
from readiness.facts.python.routes import Route
from readiness.model import Evidence
from readiness.practices.helpers import definition_source
from readiness.practices.web.auth_index import (
    AuthIndex,
    auth_index,
    dependency_names,
    has_auth_dependency,
    is_auth_name,
    mentions_scheme,
)
from readiness.practices.web.handlers import Handler, resolve_handler

AUTH_DECORATOR = re.compile(
    r"(login_required|jwt_required|auth_required|token_required|requires_auth|"
    r"permission_required|admin_required|roles_required|roles_accepted|fresh_login_required|"
    r"api_key_required|require_login|staff_member_required|user_passes_test|verify_token|"
    r"requires\b|superuser_required|authenticated|protected|auth\.login_required|"
    r"permission_classes|has_permission|require_role|require_permission|check_auth|"
    r"authori[sz]ed?\b|authori[sz]e_\w+|login_manager\.|jwt_optional_not)", re.I)

AUTH_MIXINS = re.compile(r"(LoginRequiredMixin|PermissionRequiredMixin|UserPassesTestMixin|"
                         r"AccessMixin|StaffRequiredMixin|AuthRequired\w*)")

_PUBLIC_MARKERS = re.compile(r"\b(AllowAny|anonymous_required|allow_anonymous|public_route|"
                             r"public_endpoint|login_not_required|no_auth_required)\b")
_PUBLIC_HANDLER_WORDS = frozenset(("login", "logout", "signin", "signup", "register",
                                   "registration", "token", "refresh", "forgot", "activate",
                                   "activation", "callback"))


def is_declared_public(facts: RepoFacts, route: Route) -> bool:
    """The handler says it is public: DRF ``permission_classes = (AllowAny,)``,
    ``@anonymous_required``-style markers, or a login/signup/token/password-reset
    handler name (``def register``, ``class LoginAPIView``, ``reset_password_request``)."""
    handler = resolve_handler(facts, route)
    if handler is None:
        return False
    decorators = handler.function.decorators if handler.function is not None else ()
    if handler.cls is not None:
        decorators = (*decorators, *handler.cls.decorators)
        for assign in handler.module.assigns:
            if assign.class_name == handler.cls.name and assign.scope == handler.cls.qualname \
                    and assign.target in ("permission_classes", "decorators") and \
                    _PUBLIC_MARKERS.search(assign.value):
                return True
    if any(_PUBLIC_MARKERS.search(d.raw) or any(_PUBLIC_MARKERS.search(a) for a in d.args)
           for d in decorators):
        return True
    name = handler.function.name if handler.function is not None and handler.cls is None \
        else handler.cls.name if handler.cls is not None else ""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()
    words = set(spaced.split("_"))
    return bool(words & _PUBLIC_HANDLER_WORDS) or \
        ("reset" in words and "password" in words)


def is_dev_only(facts: RepoFacts, route: Route) -> bool:
    """The route's module is mounted only in development (``if ENV == "local":``)."""
    stem = route.file.rsplit("/", 1)[-1].removesuffix(".py")
    return stem in auth_index(facts).dev_only_modules


def _decorator_auth(facts: RepoFacts, path: str, decorators: tuple[Call, ...],
                    index: AuthIndex) -> Evidence | None:
    for decorator in decorators:
        name = decorator.name or decorator.raw
        leaf = decorator.raw.split("(")[0].rsplit(".", 1)[-1]
        if AUTH_DECORATOR.search(name) or AUTH_DECORATOR.search(decorator.raw) or \
                leaf in index.auth_decorators:
            return facts.evidence(path, decorator.line, note="auth decorator")
        if leaf == "method_decorator" and any(AUTH_DECORATOR.search(a) or a in
                                              index.auth_decorators for a in decorator.args):
            return facts.evidence(path, decorator.line, note="auth decorator")
    return None


def route_auth(facts: RepoFacts, route: Route) -> Evidence | None:
    """Evidence that ``route`` requires authentication, or None when nothing shows it."""
    index = auth_index(facts)
    module = facts.module(route.file)
    # 1. dependencies on the route declaration (FastAPI dependencies=...)
    if route.decorator is not None and has_auth_dependency(
            route.decorator.kwarg("dependencies") or "", index.schemes, index.auth_functions):
        return facts.evidence(route.file, route.line, note="route dependency")
    handler = resolve_handler(facts, route)
    if handler is not None:
        found = _handler_auth(facts, handler, index)
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


def _handler_auth(facts: RepoFacts, handler: Handler, index: AuthIndex) -> Evidence | None:
    path = handler.module.path
    function = handler.function
    if function is not None:
        found = _decorator_auth(facts, path, function.decorators, index)
        if found is not None:
            return found
        # 2. FastAPI parameters: Depends(get_current_user), Annotated aliases
        for param in function.params:
            text = f"{param.default or ''} {param.annotation or ''}"
            names = dependency_names(text)
            alias = index.aliases.get((param.annotation or "").strip())
            if alias:
                names.append(alias)
            for name in names:
                if name in index.schemes or name in index.auth_functions or is_auth_name(name):
                    return facts.evidence(path, function.line, note=f"depends on {name}")
            if mentions_scheme(text):
                return facts.evidence(path, function.line, note="security scheme")
    # 3. class-based views: MethodView.decorators, Django mixins, DRF permission_classes
    if handler.cls is not None:
        found = _class_auth(facts, handler.module, handler.cls.name)
        if found is not None:
            return found
    if function is not None and handler.cls is None:
        return _dispatch_auth(facts, handler, index)
    return None


def _dispatch_auth(facts: RepoFacts, handler: Handler, index: AuthIndex) -> Evidence | None:
    """A view that only dispatches to other views of its module (``if POST:
    return create(request)``) is protected when every view it calls is."""
    function = handler.function
    assert function is not None
    by_name = {f.name: f for f in handler.module.functions if "." not in f.qualname}
    called = [by_name[c.raw] for c in handler.module.calls
              if c.scope == function.qualname and c.raw in by_name]
    views = [f for f in called if f.params and f.params[0].name == "request"]
    if not views:
        return None
    evidence = [_decorator_auth(facts, handler.module.path, f.decorators, index) for f in views]
    if all(e is not None for e in evidence):
        return evidence[0]
    return None


def _class_auth(facts: RepoFacts, module: ModuleFacts, class_name: str) -> Evidence | None:
    index = auth_index(facts)
    for cls in module.classes:
        if cls.name != class_name:
            continue
        for base in cls.bases:
            if AUTH_MIXINS.search(base):
                return facts.evidence(module.path, cls.line, note="auth mixin")
        found = _decorator_auth(facts, module.path, cls.decorators, index)
        if found is not None:
            return found
        for assign in module.assigns:
            if assign.class_name != class_name or assign.scope != cls.qualname:
                continue
            if assign.target in ("decorators", "method_decorators") and \
                    (AUTH_DECORATOR.search(assign.value) or
                     any(re.search(rf"\b{re.escape(d)}\b", assign.value)
                         for d in index.auth_decorators)):
                return facts.evidence(module.path, assign.line, note="view decorators")
            if assign.target == "permission_classes" and "AllowAny" not in assign.value and \
                    assign.value.strip() not in ("[]", "()"):
                return facts.evidence(module.path, assign.line, note="permission classes")
        dispatch = next((f for f in module.functions if f.qualname == f"{cls.qualname}.dispatch"),
                        None)
        if dispatch is not None:
            found = _decorator_auth(facts, module.path, dispatch.decorators, index)
            if found is not None:
                return found
    return None


def _before_request_auth(facts: RepoFacts, module: ModuleFacts, receiver: str
                         ) -> Evidence | None:
    for function in module.functions:
        for decorator in function.decorators:
            if decorator.raw.endswith("before_request") and \
                    (not receiver or decorator.raw.startswith(receiver + ".")):
                body = definition_source(facts, module.path, function)
                if re.search(r"is_authenticated|current_user|login|abort\(\s*40[13]|"
                             r"Unauthorized|401|403|token", body):
                    return facts.evidence(module.path, decorator.line,
                                          note="before_request auth hook")
    return None

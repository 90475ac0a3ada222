"""Questions about HTTP routes that several practices ask.

Is a route protected by authentication? Which routes are health checks? Which
routes change state? Where is the application object created (the anchor for
absence findings)? Answers come from decorators (also the project's own auth
decorators), FastAPI dependencies (direct, ``Annotated`` aliases, router- and
app-level), class-based views (``MethodView.decorators``, mixins, DRF
``permission_classes``), handlers resolved across modules (Django URLconfs,
``view_func=views.x``), blueprint ``before_request`` hooks and global auth.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from readiness.facts import RepoFacts
from readiness.facts.python.records import Call, ClassDef, Function, ModuleFacts
from readiness.facts.python.routes import WRITE_METHODS, Route
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
    r"permission_classes|has_permission|require_role|require_permission|check_auth|"
    r"authori[sz]ed?\b|authori[sz]e_\w+|login_manager\.|jwt_optional_not)", re.I)
AUTH_SCHEMES = ("OAuth2PasswordBearer", "OAuth2AuthorizationCodeBearer", "HTTPBearer",
                "HTTPBasic", "APIKeyHeader", "APIKeyQuery", "APIKeyCookie", "OpenIdConnect",
                "HTTPDigest", "OAuth2")
_SCHEME_WORD = re.compile(r"\b(" + "|".join(AUTH_SCHEMES) + r")\b(?!\w)")
AUTH_MIXINS = re.compile(r"(LoginRequiredMixin|PermissionRequiredMixin|UserPassesTestMixin|"
                         r"AccessMixin|StaffRequiredMixin|AuthRequired\w*)")
# Segments that make a route public wherever they appear (/login/access-token) ...
PUBLIC_ROUTE = re.compile(
    r"(^|/)(login|logout|signin|sign-in|signup|sign-up|register|"
    r"password-recovery|password[-_]reset|reset[-_]password|forgot[-_]password|"
    r"verify[-_]email|confirm|activate)(/|$|\{|<)", re.I)
# ... and segments that do so only at the end (/auth/token, not /auth/users/{id}).
PUBLIC_LAST_SEGMENT = re.compile(r"^(token|refresh|callback|oauth|auth|authorize|jwks\.json|"
                                 r"\.well-known)$", re.I)
HEALTH_SEGMENT = re.compile(
    r"^(health|healthz|healthcheck|health[-_]check|livez|live|liveness|ping|status|alive|"
    r"_health|heartbeat|ready|readyz|readiness|_ready|up)$", re.I)
READY_SEGMENT = re.compile(r"^(ready|readyz|readiness|_ready)$", re.I)
_DEPENDS = re.compile(r"\b(?:Depends|Security)\(\s*([A-Za-z_][\w.]*)")
# What the body of a project-defined auth decorator or hook does.
_AUTH_BODY = re.compile(r"is_authenticated|current_user|abort\(\s*40[13]|Unauthorized|"
                        r"\b40[13]\b|PermissionDenied|HTTP_40[13]|redirect_to_login|"
                        r"login_url|api_key|Authorization|verify_jwt|decode_token|"
                        r"get_jwt_identity|request\.user\b")
_DEV_CONDITION = re.compile(r"\b(development|dev|local|debug|DEBUG|testing|TESTING)\b")
_HTTP_VERB_METHODS = ("get", "post", "put", "patch", "delete", "head", "options")
_EDITING_VIEWS = re.compile(r"(CreateView|UpdateView|DeleteView|FormView|ModelViewSet|"
                            r"GenericViewSet|ViewSet|CreateAPIView|UpdateAPIView|DestroyAPIView|"
                            r"ListCreateAPIView|RetrieveUpdate\w*APIView|FormMixin)$")
_READING_VIEWS = re.compile(r"(ListAPIView|RetrieveAPIView|ListView|DetailView|TemplateView|"
                            r"RedirectView|ReadOnlyModelViewSet)$")
# DRF handler names and the HTTP method each serves.
_DRF_ACTIONS = {"create": "POST", "update": "PUT", "partial_update": "PATCH",
                "destroy": "DELETE", "list": "GET", "retrieve": "GET"}
# Words in a handler that show it persists or changes something (split on "_" and ".").
_MUTATION_WORDS = frozenset((
    "add", "commit", "save", "delete", "remove", "create", "update", "insert", "upsert", "put",
    "set", "write", "send", "publish", "enqueue", "delay", "apply_async", "register", "upload",
    "execute", "flush", "merge", "patch", "store", "persist", "reset", "ban", "unban", "lock",
    "unlock", "move", "mark", "track", "untrack", "follow", "unfollow", "subscribe",
    "unsubscribe", "invite", "transfer", "import", "train", "retrain", "reload", "enable",
    "disable", "install", "uninstall", "activate", "deactivate", "approve", "reject", "revoke",
    "rotate", "rollback", "promote", "pause", "resume", "cancel", "bulk_create", "bulk_update",
    "destroy", "drop", "truncate", "rename", "assign", "grant", "hide", "unhide", "archive",
    "restore", "edit", "modify", "change", "toggle", "increment", "decrement", "insert_one",
    "insert_many", "update_one", "update_many", "delete_one", "delete_many", "replace_one",
    "rpush", "lpush", "hset", "incr", "expire", "setex", "trigger", "launch",
    "kill", "restart", "deploy", "notify", "refund", "charge", "checkout", "purchase", "purge",
    "migrate",
))
_RENDERS = re.compile(r"render_template\(|TemplateResponse\(|\brender\(|render_to_response\(")


# Names of routes that compute or look something up without changing state.
_READ_ONLY_WORDS = frozenset((
    "search", "preview", "render", "validate", "validation", "query", "find", "lookup",
    "calculate", "estimate", "predict", "prediction", "predictions", "score", "classify",
    "infer", "inference", "check", "verify", "parse", "convert", "format", "count", "export",
    "download", "compute", "evaluate", "explain", "summarize", "translate", "echo", "markdown",
    "quote", "simulate", "recommend", "forecast", "detect",
))


def last_segment(path: str) -> str:
    parts = [p for p in path.strip().strip("/").split("/") if p]
    return parts[-1] if parts else ""


def is_health_route(route: Route) -> bool:
    return bool(HEALTH_SEGMENT.match(last_segment(route.path)))


def is_ready_route(route: Route) -> bool:
    return bool(READY_SEGMENT.match(last_segment(route.path)))


def is_public_route(route: Route) -> bool:
    """Routes meant to be reachable without credentials (login, signup, token, health)."""
    fixed = [p for p in route.path.strip("/").split("/") if p and p[0] not in "{<"]
    last = fixed[-1] if fixed else ""
    return bool(PUBLIC_ROUTE.search(route.path)) or bool(PUBLIC_LAST_SEGMENT.match(last)) or \
        is_health_route(route) or \
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


# ------------------------------------------------------------------ handlers

@dataclass(frozen=True)
class Handler:
    """The code that serves a route: a function, a class-based view, or both
    (a method of a view class)."""

    module: ModuleFacts
    function: Function | None
    cls: ClassDef | None


def _module_index(facts: RepoFacts) -> dict[str, list[tuple[str, str]]]:
    """Dotted module names of the tree, indexed by their last component."""
    index: dict[str, list[tuple[str, str]]] = {}
    for path in facts.python:
        dotted = path.removesuffix(".py").replace("/", ".").removesuffix(".__init__")
        index.setdefault(dotted.rsplit(".", 1)[-1], []).append((dotted, path))
    return index


def module_path(facts: RepoFacts, dotted: str, from_path: str = "") -> str | None:
    """The file of a dotted module name (absolute, or relative to ``from_path``).

    Absolute names match by suffix, since a package root (``src/``, ``backend/``)
    is not part of the import name."""
    if dotted.startswith("."):
        level = len(dotted) - len(dotted.lstrip("."))
        base = from_path.split("/")[:-1]
        base = base[:len(base) - (level - 1)] if level > 1 else base
        rest = dotted.lstrip(".")
        dotted = ".".join([*base, *([rest] if rest else [])])
        exact = True
    else:
        exact = False
    index = facts.memo("web.module_index", lambda: _module_index(facts))
    best: str | None = None
    for candidate, path in index.get(dotted.rsplit(".", 1)[-1], []):
        if candidate == dotted:
            return path
        if not exact and candidate.endswith("." + dotted):
            best = best or path
    return best


def _definition(facts: RepoFacts, module: ModuleFacts, name: str) -> Handler | None:
    for function in module.functions:
        if function.qualname == name:
            return Handler(module, function, None)
    for cls in module.classes:
        if cls.qualname == name:
            return Handler(module, None, cls)
    return None


def resolve_name(facts: RepoFacts, module: ModuleFacts, expression: str) -> Handler | None:
    """Find the function or class an expression such as ``views.add``,
    ``View.as_view("x")`` or ``hc.front.views.index`` refers to."""
    expression = expression.split("(")[0].strip().removesuffix(".as_view")
    parts = [p for p in expression.split(".") if p]
    if not parts:
        return None
    local = _definition(facts, module, ".".join(parts))
    if local is not None:
        return local
    for imp in module.imports:
        if imp.alias != parts[0]:
            continue
        target = [*imp.qualified.split("."), *parts[1:]] if not imp.qualified.startswith(".") \
            else None
        if target is None:
            dots = imp.module[:len(imp.module) - len(imp.module.lstrip("."))]
            head = imp.module.lstrip(".")
            target_text = dots + ".".join(p for p in (head, imp.name or "", *parts[1:]) if p)
            return _resolve_dotted(facts, target_text, module.path)
        return _resolve_dotted(facts, ".".join(target), module.path)
    return None


def _resolve_dotted(facts: RepoFacts, dotted: str, from_path: str) -> Handler | None:
    dots = dotted[:len(dotted) - len(dotted.lstrip("."))]
    parts = dotted.lstrip(".").split(".")
    for cut in range(len(parts) - 1, 0, -1):
        path = module_path(facts, dots + ".".join(parts[:cut]), from_path)
        if path is None:
            continue
        module = facts.module(path)
        if module is not None:
            found = _definition(facts, module, ".".join(parts[cut:]))
            if found is not None:
                return found
    return None


def resolve_handler(facts: RepoFacts, route: Route) -> Handler | None:
    """The function or view class serving ``route``, possibly in another module."""
    module = facts.module(route.file)
    if module is None:
        return None
    if route.function is not None:
        cls = None
        if route.function.class_name:
            cls = next((c for c in module.classes if c.name == route.function.class_name), None)
        return Handler(module, route.function, cls)
    if not route.handler:
        return None
    return facts.memo(f"web.handler:{route.file}:{route.line}:{route.handler}",
                      lambda: resolve_name(facts, module, route.handler))


def class_methods(handler: Handler) -> list[Function]:
    if handler.cls is None:
        return []
    return [f for f in handler.module.functions if f.class_name == handler.cls.name and
            f.qualname.startswith(handler.cls.qualname + ".")]


def source_of(facts: RepoFacts, path: str, first: int, last: int) -> str:
    return "\n".join(facts.lines(path)[first - 1:last])


def handler_text(facts: RepoFacts, handler: Handler, methods: tuple[str, ...] = ()) -> str:
    """Source of a handler: the function, or the class (only the given HTTP methods
    of a class-based view when ``methods`` is given and the class defines them)."""
    path = handler.module.path
    if handler.function is not None:
        return source_of(facts, path, handler.function.line, handler.function.end_line)
    if handler.cls is None:
        return ""
    wanted = [f for f in class_methods(handler) if f.name.upper() in methods]
    if wanted:
        return "\n".join(source_of(facts, path, f.line, f.end_line) for f in wanted)
    return source_of(facts, path, handler.cls.line, handler.cls.end_line)


def route_methods(facts: RepoFacts, route: Route) -> tuple[str, ...]:
    """The HTTP methods a route really serves.

    ``ANY`` (Django URLconfs, ``add_url_rule`` of a class view) is narrowed from
    the handler: the verbs a view class defines, or for a function view whether it
    reads a request body or checks ``request.method``."""
    if "ANY" not in route.methods:
        return route.methods
    handler = resolve_handler(facts, route)
    if handler is None:
        return route.methods
    if handler.function is not None and handler.cls is None:
        return _function_view_methods(facts, handler)
    verbs = [f.name.upper() if f.name in _HTTP_VERB_METHODS else _DRF_ACTIONS[f.name]
             for f in class_methods(handler)
             if f.name in _HTTP_VERB_METHODS or f.name in _DRF_ACTIONS]
    bases = handler.cls.bases if handler.cls is not None else ()
    if any(_EDITING_VIEWS.search(b) for b in bases):
        verbs.append("POST")
    elif not verbs and any(_READING_VIEWS.search(b) for b in bases):
        verbs.append("GET")
    return tuple(dict.fromkeys(verbs)) or route.methods


def _function_view_methods(facts: RepoFacts, handler: Handler) -> tuple[str, ...]:
    function = handler.function
    assert function is not None
    names = " ".join(d.raw for d in function.decorators)
    if re.search(r"require_(GET|safe)\b", names):
        return ("GET",)
    if re.search(r"require_POST\b", names):
        return ("POST",)
    for decorator in function.decorators:
        if decorator.raw.endswith("require_http_methods") and decorator.args:
            found = tuple(m.upper() for m in re.findall(r"[\"'](\w+)[\"']", decorator.args[0]))
            if found:
                return found
    text = handler_text(facts, handler)
    if re.search(r"request\.(method|POST|FILES|body|form|get_json|json|data)\b", text):
        return ("GET", "POST")
    return ("GET",)


def route_writes(facts: RepoFacts, route: Route) -> bool:
    """Whether the route accepts a state-changing method (after narrowing ``ANY``)."""
    methods = route_methods(facts, route)
    return "ANY" in methods or bool(WRITE_METHODS & set(methods))


def changes_state(facts: RepoFacts, route: Route) -> bool:
    """A write-method route that may change state.

    A handler that calls something named like a write (save, commit, delete,
    update, send...) changes state. One with no such call is read-only only when
    it renders a page back (a search form) or its path or name says it computes
    (search, preview, predict...); otherwise, and when the handler cannot be
    read, the write method alone decides."""
    if not route_writes(facts, route):
        return False
    handler = resolve_handler(facts, route)
    if handler is None:
        return True
    methods = tuple(m for m in route_methods(facts, route) if m in WRITE_METHODS or m == "ANY")
    text = handler_text(facts, handler, methods)
    body = text.split("\n", 1)[-1] if handler.function is not None else text
    if _mutation_words(body):
        return True
    # no write in sight: a page rendered back (search forms) or a read-only name
    return not (_read_only_intent(route, handler) or _RENDERS.search(body))


def _read_only_intent(route: Route, handler: Handler) -> bool:
    """The route's path or handler name says it only reads or computes (search,
    preview, predict...). Without such a name, a write method is assumed to write."""
    names = [route.path]
    if handler.function is not None:
        names.append(handler.function.name)
    if handler.cls is not None:
        names.append(handler.cls.name)
    words: set[str] = set()
    for name in names:
        spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
        words.update(w.lower() for w in re.split(r"[^A-Za-z0-9]+", spaced) if w)
    return bool(words & _READ_ONLY_WORDS)


def _mutation_words(text: str) -> set[str]:
    tokens: set[str] = set()
    for identifier in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text):
        tokens.add(identifier.lower())
        tokens.update(part.lower() for part in identifier.split("_") if part)
    return tokens & _MUTATION_WORDS


# ---------------------------------------------------------------------- auth

@dataclass(frozen=True)
class AuthIndex:
    """Where authentication is wired, computed once per RepoFacts."""

    schemes: frozenset[str]  # names bound to OAuth2PasswordBearer() & co
    auth_functions: frozenset[str]  # dependency functions that authenticate
    aliases: dict[str, str]  # Annotated alias name -> dependency function name
    protected_receivers: frozenset[tuple[str, str]]  # (module path, router variable)
    protected_modules: frozenset[str]  # module basenames included with auth dependencies
    global_auth: Evidence | None  # DRF default permissions, auth middleware
    dev_only_modules: frozenset[str] = frozenset()  # routers mounted only in development
    auth_decorators: frozenset[str] = field(default_factory=frozenset)  # project decorators


def _dependency_names(text: str) -> list[str]:
    return [m.split(".")[-1] for m in _DEPENDS.findall(text)]


def _is_auth_name(name: str) -> bool:
    return bool(AUTH_NAME.search(name))


def _mentions_scheme(text: str) -> bool:
    return bool(_SCHEME_WORD.search(text))


def _build_auth_index(facts: RepoFacts) -> AuthIndex:
    schemes: set[str] = set()
    for _module, assign in ((m, a) for m in facts.modules() for a in m.assigns):
        if assign.call and assign.call.rsplit(".", 1)[-1] in AUTH_SCHEMES:
            schemes.add(assign.target.split(".")[-1])
    auth_functions: set[str] = set()
    for _module, function in facts.functions():
        for param in function.params:
            text = f"{param.default or ''} {param.annotation or ''}"
            names = _dependency_names(text)
            if any(n in schemes or n.rsplit(".", 1)[-1] in AUTH_SCHEMES for n in names) or \
                    _mentions_scheme(text):
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
            if assign.call and assign.call.endswith(("APIRouter", "Blueprint", "FastAPI")) and \
                    _has_auth_dependency(assign.value, schemes, auth_functions):
                protected.add((module.path, assign.target))
        for call in module.calls:
            if call.leaf == "include_router" and _has_auth_dependency(
                    call.kwarg("dependencies") or "", schemes, auth_functions) and call.args:
                protected_modules.add(_mounted_module(call.args[0]))
    global_auth = None
    for hit in facts.grep(r"DEFAULT_PERMISSION_CLASSES[\s\S]{0,200}?IsAuthenticated|"
                          r"LoginRequiredMiddleware", kinds=("python",), limit=1):
        global_auth = facts.evidence(hit.path, hit.line)
    return AuthIndex(frozenset(schemes), frozenset(auth_functions), aliases,
                     frozenset(protected), frozenset(protected_modules), global_auth,
                     _dev_only_modules(facts), _project_auth_decorators(facts))


def _mounted_module(argument: str) -> str:
    """``items.router`` -> ``items``; ``router`` -> ``router``."""
    return argument.split(".")[0] if "." in argument else argument


def _enclosing_if(facts: RepoFacts, path: str, line: int) -> str | None:
    """The ``if`` line directly enclosing ``line`` (by indentation), if any."""
    lines = facts.lines(path)
    if not 0 < line <= len(lines):
        return None
    own = len(lines[line - 1]) - len(lines[line - 1].lstrip())
    for number in range(line - 1, 0, -1):
        text = lines[number - 1]
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        indent = len(text) - len(text.lstrip())
        if indent < own:
            stripped = text.strip()
            return stripped if stripped.startswith(("if ", "elif ")) else None
    return None


def _dev_only_modules(facts: RepoFacts) -> frozenset[str]:
    """Routers or blueprints mounted only under a development/debug condition."""
    out: set[str] = set()
    for module, call in facts.calls("*.include_router", "*.register_blueprint", "*.mount"):
        if not call.args:
            continue
        condition = _enclosing_if(facts, module.path, call.line)
        if condition and _DEV_CONDITION.search(condition) and "not " not in condition and \
                "!=" not in condition:
            out.add(_mounted_module(call.args[-1] if call.leaf == "mount" else call.args[0]))
    return frozenset(out)


def _project_auth_decorators(facts: RepoFacts) -> frozenset[str]:
    """Decorators defined in the project whose wrapper checks credentials and
    refuses the request (401/403, PermissionDenied, redirect to login)."""
    out: set[str] = set()
    for module, function in facts.functions():
        if function.class_name or "." in function.qualname:
            continue
        inner = [f for f in module.functions
                 if f.qualname.startswith(function.qualname + ".")]
        if not inner:
            continue
        body = source_of(facts, module.path, function.line, function.end_line)
        if _AUTH_BODY.search(body) and re.search(r"\b(40[13]|PermissionDenied|Unauthorized|"
                                                 r"Forbidden|redirect|abort)", body):
            out.add(function.name)
    return frozenset(out)


def auth_index(facts: RepoFacts) -> AuthIndex:
    return facts.memo("web.auth_index", lambda: _build_auth_index(facts))


def _has_auth_dependency(text: str, schemes: set[str] | frozenset[str],
                         auth_functions: set[str] | frozenset[str]) -> bool:
    for name in _dependency_names(text):
        if name in schemes or name in auth_functions or _is_auth_name(name):
            return True
    return False


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
    if route.decorator is not None and _has_auth_dependency(
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
            names = _dependency_names(text)
            alias = index.aliases.get((param.annotation or "").strip())
            if alias:
                names.append(alias)
            for name in names:
                if name in index.schemes or name in index.auth_functions or _is_auth_name(name):
                    return facts.evidence(path, function.line, note=f"depends on {name}")
            if _mentions_scheme(text):
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

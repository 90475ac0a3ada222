"""Where authentication is wired in a repository, computed once per RepoFacts.

Security schemes, auth dependencies and their ``Annotated`` aliases, routers
included with auth dependencies, development-only routers and the project's
own auth decorators.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from readiness.facts import RepoFacts
from readiness.model import Evidence
from readiness.practices.helpers import definition_source

AUTH_NAME = re.compile(
    r"(current_?user|current_?active|auth|token|jwt|login|verify|api_?key|require|permission|"
    r"principal|oauth|bearer|secur|admin|superuser|session_user|get_user|authenticated|"
    r"access|credential|identity|check_user|protected|roles?\b|staff)", re.I)

AUTH_SCHEMES = ("OAuth2PasswordBearer", "OAuth2AuthorizationCodeBearer", "HTTPBearer",
                "HTTPBasic", "APIKeyHeader", "APIKeyQuery", "APIKeyCookie", "OpenIdConnect",
                "HTTPDigest", "OAuth2")
_SCHEME_WORD = re.compile(r"\b(" + "|".join(AUTH_SCHEMES) + r")\b(?!\w)")

_DEPENDS = re.compile(r"\b(?:Depends|Security)\(\s*([A-Za-z_][\w.]*)")
# What the body of a project-defined auth decorator or hook does.
_AUTH_BODY = re.compile(r"is_authenticated|current_user|abort\(\s*40[13]|Unauthorized|"
                        r"\b40[13]\b|PermissionDenied|HTTP_40[13]|redirect_to_login|"
                        r"login_url|api_key|Authorization|verify_jwt|decode_token|"
                        r"get_jwt_identity|request\.user\b")
_DEV_CONDITION = re.compile(r"\b(development|dev|local|debug|DEBUG|testing|TESTING)\b")


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


def dependency_names(text: str) -> list[str]:
    """The functions named in ``Depends(...)`` or ``Security(...)`` within ``text``."""
    return [m.split(".")[-1] for m in _DEPENDS.findall(text)]


def is_auth_name(name: str) -> bool:
    """A dependency name that suggests authentication (current_user, verify_token...)."""
    return bool(AUTH_NAME.search(name))


def mentions_scheme(text: str) -> bool:
    """Whether ``text`` names a FastAPI security scheme class."""
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
            names = dependency_names(text)
            if any(n in schemes or n.rsplit(".", 1)[-1] in AUTH_SCHEMES for n in names) or \
                    mentions_scheme(text):
                auth_functions.add(function.name)
    aliases: dict[str, str] = {}
    for module in facts.modules():
        for assign in module.assigns:
            if assign.scope or "Annotated" not in assign.value:
                continue
            names = dependency_names(assign.value)
            if names:
                aliases[assign.target] = names[-1]
    # one more round: functions depending on an auth function or on an auth alias
    for _module, function in facts.functions():
        for param in function.params:
            names = dependency_names(f"{param.default or ''} {param.annotation or ''}")
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
                    has_auth_dependency(assign.value, schemes, auth_functions):
                protected.add((module.path, assign.target))
        for call in module.calls:
            if call.leaf == "include_router" and has_auth_dependency(
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
        # a decorator returns the wrapper it defines (a function that registers error
        # handlers, say, defines inner functions but returns none of them)
        if not {f.name for f in inner} & {value.strip() for value in function.returns_values}:
            continue
        if re.search(r"(?i)anonymous|guest|public|logged_out|not_logged", function.name):
            continue  # keeps signed-in users out (login pages): the opposite of auth
        body = definition_source(facts, module.path, function)
        if _AUTH_BODY.search(body) and re.search(r"\b(40[13]|PermissionDenied|Unauthorized|"
                                                 r"Forbidden|redirect|abort)", body):
            out.add(function.name)
    return frozenset(out)


def auth_index(facts: RepoFacts) -> AuthIndex:
    """The repository's AuthIndex, built once per RepoFacts."""
    return facts.memo("web.auth_index", lambda: _build_auth_index(facts))


def has_auth_dependency(text: str, schemes: set[str] | frozenset[str],
                         auth_functions: set[str] | frozenset[str]) -> bool:
    """Whether a dependencies list depends on an auth scheme or an auth function."""
    for name in dependency_names(text):
        if name in schemes or name in auth_functions or is_auth_name(name):
            return True
    return False

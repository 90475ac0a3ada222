"""sec.authn: every route that changes state requires an authenticated caller."""

from __future__ import annotations

import re

from readiness.facts import RepoFacts
from readiness.facts.python.routes import Route
from readiness.model import AntiPatternHit, Evidence
from readiness.practices.helpers import call_ev, dedupe, definition_source, grep_ev
from readiness.practices.registry import Outcome, implemented, missing, partial, practice
from readiness.practices.security._authn_antipatterns import authn_antipatterns
from readiness.practices.security._evidence import labelled_route_ev, spread
from readiness.practices.web import (
    AUTH_SCHEMES,
    app_context,
    auth_index,
    changes_state,
    is_declared_public,
    is_dev_only,
    is_public_route,
    route_auth,
)


def _reviewed_routes(facts: RepoFacts) -> list[Route]:
    """Production routes a client can call that are not meant to be public
    (login/signup/token, health, docs, metrics, static) nor mounted only in development."""
    return [r for r in facts.routes() if not is_public_route(r) and not is_dev_only(facts, r)
            and not is_declared_public(facts, r) and not _django_admin(r)]


def _django_admin(route: Route) -> bool:
    """``path("admin/", admin.site.urls)``: Django's admin requires a staff login."""
    return route.handler.startswith(("admin.site.urls", "admin.site.get_urls"))


_UI_AUTH = ("streamlit_authenticator.*", "dash_auth.*", "*.st.login", "streamlit.login",
            "flask_httpauth.*", "streamlit.experimental_user", "authlib.integrations.*")


def _scheme_definitions(facts: RepoFacts) -> list[Evidence]:
    out = []
    for module in facts.modules():
        for assign in module.assigns:
            if assign.call and assign.call.rsplit(".", 1)[-1] in AUTH_SCHEMES:
                out.append(facts.evidence(module.path, assign.line, note="auth scheme"))
    return out[:3]


def _decorator_definitions(facts: RepoFacts) -> list[Evidence]:
    """Where the project's own authentication decorators are defined."""
    names = auth_index(facts).auth_decorators
    return [facts.evidence(m.path, f.line, note="auth decorator definition")
            for m, f in facts.functions() if f.name in names and "." not in f.qualname][:3]


def _ui_gate(facts: RepoFacts) -> list[Evidence]:
    """Authentication for apps without routes (Streamlit, Gradio, Dash)."""
    found = [call_ev(facts, m, c) for m, c in facts.calls(*_UI_AUTH)]
    found += [call_ev(facts, m, c) for m, c in facts.calls("*.launch")
              if c.has_kwarg("auth") and m.imports_module("gradio")]
    found += [facts.evidence(m.path, i.line) for m, i in
              facts.imports("streamlit_authenticator", "dash_auth")][:1]
    found += grep_ev(facts, r"\bst\.login\(|\bst\.user\.is_logged_in|"
                             r"\bst\.experimental_user\b", limit=3)
    return dedupe(found)


@practice(
    "sec.authn", "Authentication on non-public routes", priority="C", effort="M",
    applies="AUTHN", sources=("S0", "S1", "S2", "T10 A01/A07", "ASVS V6/V8"),
    aliases=("authentication", "authn", "auth", "login required", "api key", "oauth2", "oauth",
             "openid connect", "login"),
    recommendation="Require authentication on every state-changing route: a FastAPI "
                   "`Depends(get_current_user)` on the router, `@login_required` on views, DRF "
                   "`DEFAULT_PERMISSION_CLASSES`; compare API keys with `hmac.compare_digest` "
                   "and never seed accounts with default passwords.",
)
def check_authn(facts: RepoFacts) -> Outcome:
    """Every route that changes state requires an authenticated caller.

    Why it matters:
        An unauthenticated write route lets anyone on the network change data,
        trigger jobs or retrain models (OWASP A01/A07). Authentication is the
        precondition for every other access control.

    What counts as evidence:
        Per route: FastAPI `Depends`/`Security` on an `OAuth2PasswordBearer`,
        `HTTPBearer` or `APIKeyHeader` scheme (on the route, its router or the app),
        `@login_required`/`@jwt_required`/project decorators that refuse with
        401/403, `MethodView.decorators`, `LoginRequiredMixin`, DRF permission
        classes, blueprint `before_request` checks, an app-wide auth middleware, or a
        token/signature in the URL (magic links). Login, signup, token, password
        recovery, health, docs and development-only routes are exempt. Apps without
        routes (Streamlit, Gradio, Dash) need an auth gate (streamlit-authenticator,
        `st.login`, `launch(auth=...)`, dash-auth).

    What makes it partial:
        Status rule 5: implemented only when every state-changing route (a write
        method whose handler persists or changes something) is authenticated;
        partial when some routes are. A secret compared with `==`/`!=`, default
        credentials created in code, a DRF `AllowAny` default or an auth-off flag
        defaulting on cap the status at partial.

    How to satisfy:
        Put the authentication dependency on the router or app, mark the few public
        routes explicitly, compare keys with `hmac.compare_digest`, and create the
        first admin from environment variables.
    """
    antis = authn_antipatterns(facts)
    routes = _reviewed_routes(facts)
    if not routes:
        return _authn_without_routes(facts, antis)
    guarded: list[Evidence] = []
    open_writes: list[Route] = []
    open_reads = 0
    middleware = _middleware_auth(facts)
    for route in routes:
        found = route_auth(facts, route) or _capability_url(facts, route) or middleware
        if found is not None:
            guarded.append(found)
        elif changes_state(facts, route):
            open_writes.append(route)
        else:
            open_reads += 1
    flagged = [labelled_route_ev(facts, r, "state-changing route without authentication")
               for r in open_writes[:10]]
    if not guarded:
        context = flagged or app_context(facts)
        return missing(f"None of {len(routes)} non-public route(s) requires authentication "
                       f"({len(open_writes)} of them change state).", antis, context=context)
    evidence = spread([*_scheme_definitions(facts), *_decorator_definitions(facts), *guarded])
    reads = f"; {open_reads} read-only route(s) are open" if open_reads else ""
    if open_writes:
        return partial(f"{len(guarded)} of {len(routes)} non-public routes require "
                       f"authentication, but {len(open_writes)} state-changing route(s) are "
                       f"open{reads}.", [*evidence, *flagged], antis)
    return implemented(f"Every state-changing route is authenticated ({len(guarded)} of "
                       f"{len(routes)} non-public routes carry an auth check{reads}).",
                       evidence, antis)


_AUTH_MIDDLEWARE_NAME = re.compile(r"(Auth|Jwt|JWT|Token|ApiKey|APIKey|Login)\w*Middleware|"
                                   r"AuthenticationMiddleware")
_MIDDLEWARE_CHECK = re.compile(r"(Authorization|api[_-]?key|X-API-Key|Bearer|decode_token|"
                               r"verify_\w*token|jwt\.decode)", re.I)
_REFUSE = re.compile(r"\b40[13]\b|HTTP_40[13]|Unauthorized|Forbidden")


def _middleware_auth(facts: RepoFacts) -> Evidence | None:
    """An app-wide middleware that authenticates every request (public paths are
    usually listed inside it)."""
    for module, call in facts.calls("*.add_middleware", "*.Middleware"):
        if call.args and _AUTH_MIDDLEWARE_NAME.search(call.args[0]) and \
                "CORS" not in call.args[0]:
            return call_ev(facts, module, call, note="auth middleware")
    for module, function in facts.functions():
        if not any(d.raw.endswith(("middleware", "before_request", "before_app_request"))
                   for d in function.decorators):
            continue
        decorator = next(d for d in function.decorators
                         if d.raw.endswith(("middleware", "before_request",
                                            "before_app_request")))
        if decorator.raw.split(".")[0] not in ("app", "application", "api", "server"):
            continue
        body = definition_source(facts, module.path, function)
        if _MIDDLEWARE_CHECK.search(body) and _REFUSE.search(body):
            return facts.evidence(module.path, decorator.line, note="auth middleware")
    return None


def _class_level_auth(facts: RepoFacts) -> list[Evidence]:
    """permission_classes / auth mixins on view classes (DRF viewsets behind routers)."""
    out = []
    for module in facts.modules():
        for assign in module.assigns:
            if assign.class_name and assign.target == "permission_classes" and \
                    "AllowAny" not in assign.value and assign.value.strip() not in ("[]", "()"):
                out.append(facts.evidence(module.path, assign.line, note="permission classes"))
    return out


_CAPABILITY_PARAM = re.compile(r"[{<](\w+:)?(\w*(token|signed|signature|secret|hmac)\w*|"
                               r"\w*_key)[}>]", re.I)


def _capability_url(facts: RepoFacts, route: Route) -> Evidence | None:
    """A route whose URL carries a token or signature (magic links, signed
    unsubscribe links, per-resource keys) authenticates by that secret."""
    if _CAPABILITY_PARAM.search(route.path):
        return labelled_route_ev(facts, route, "secret token in the URL")
    return None


def _authn_without_routes(facts: RepoFacts, antis: list[AntiPatternHit]) -> Outcome:
    gate = _ui_gate(facts)
    if gate:
        return implemented("The app is behind an authentication gate.", gate[:5], antis)
    everywhere = auth_index(facts).global_auth or _middleware_auth(facts)
    if everywhere is not None:
        return implemented("Authentication is required globally (default permission classes "
                           "or an auth middleware).", [everywhere], antis)
    declared = _class_level_auth(facts)
    if declared:
        return partial("Views declare authentication, but their routes could not be mapped "
                       "to check that every state-changing one is covered.", declared[:5],
                       antis)
    ui = [facts.evidence(m.path, i.line) for m, i in
          facts.imports("streamlit", "gradio", "dash")][:1]
    return missing("No authentication found: no route-level checks and no login gate "
                   "(looked for streamlit-authenticator, st.login, Gradio launch(auth=), "
                   "dash-auth, Flask-HTTPAuth, OIDC clients).", antis,
                   context=ui or app_context(facts))

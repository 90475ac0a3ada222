"""Security & access practices: authentication, password hashing, JWT, authorization,
input validation, audit trail and security headers.

Route-level questions (is this route authenticated? does it change state?) are
answered by ``practices.web``; this module turns them into per-route tallies
(status rule 5) and adds the anti-patterns of each catalog row.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from readiness.facts import RepoFacts
from readiness.facts.python.records import Assign, Call, ClassDef, Function, ModuleFacts, Param
from readiness.facts.python.routes import Route
from readiness.facts.textsearch import search
from readiness.model import AntiPatternHit, Evidence, Severity
from readiness.practices.helpers import call_ev, dedupe, per_site
from readiness.practices.registry import (
    Outcome,
    anti,
    implemented,
    missing,
    na,
    partial,
    practice,
)
from readiness.practices.web import (
    AUTH_SCHEMES,
    Handler,
    app_anchor,
    auth_index,
    changes_state,
    handler_text,
    is_declared_public,
    is_dev_only,
    is_health_route,
    is_public_route,
    resolve_handler,
    route_auth,
    route_methods,
)

_PY = ("python",)


def _reviewed_routes(facts: RepoFacts) -> list[Route]:
    """Production routes a client can call that are not meant to be public
    (login/signup/token, health, docs, metrics, static) nor mounted only in development."""
    return [r for r in facts.routes() if not is_public_route(r) and not is_dev_only(facts, r)
            and not is_declared_public(facts, r) and not _django_admin(r)]


def _django_admin(route: Route) -> bool:
    """``path("admin/", admin.site.urls)``: Django's admin requires a staff login."""
    return route.handler.startswith(("admin.site.urls", "admin.site.get_urls"))


def _grep_ev(facts: RepoFacts, pattern: str | re.Pattern[str], kinds: tuple[str, ...] = _PY,
             limit: int = 20, note: str = "", flags: int = 0) -> list[Evidence]:
    return [facts.evidence(h.path, h.line, note=note)
            for h in facts.grep(pattern, kinds=kinds, limit=limit, flags=flags)]


def _spread(evidence: list[Evidence], limit: int = 10) -> list[Evidence]:
    """Up to ``limit`` items, one per file first, so a reader sees every place."""
    evidence = dedupe(evidence)
    first: list[Evidence] = []
    rest: list[Evidence] = []
    files: set[str] = set()
    for item in evidence:
        (rest if item.path in files else first).append(item)
        files.add(item.path)
    return [*first, *rest][:limit]


def _route_ev(facts: RepoFacts, route: Route, note: str = "") -> Evidence:
    label = f"{'/'.join(route_methods(facts, route))} {route.path or '/'}"
    return facts.evidence(route.file, route.line, note=f"{label}{': ' + note if note else ''}")


# ============================================================== sec.authn

_KEY_NAME = re.compile(r"(api[_-]?key|apikey|secret|token|signature|password|passwd|"
                       r"auth_?key|access_?key|_key\b|^key$)", re.I)
_SERVER_SECRET = re.compile(r"(settings\.|config\[|config\.|environ|getenv|\b[A-Z][A-Z0-9_]*"
                            r"(KEY|TOKEN|SECRET|PASSWORD)[A-Z0-9_]*\b)")
_OPERAND = r"[A-Za-z_][\w.]*(?:\([^()]{0,60}\)|\[[^\]]{1,40}\])?"
_COMPARE = re.compile(rf"(?P<left>{_OPERAND})\s*(?:==|!=)\s*(?P<right>{_OPERAND})")
_PASSWORD_SETTERS = ("*.hash_password", "*.get_password_hash", "*.generate_password_hash",
                     "*.make_password", "*.set_password", "*.create_superuser",
                     "*.create_user", "*.hashpw")
_AUTH_OFF_FLAG = re.compile(
    r"^[ \t]*(?P<name>[A-Z_]*(DISABLE_AUTH|AUTH_DISABLED|NO_AUTH|SKIP_AUTH|AUTH_OFF|"
    r"BYPASS_AUTH|AUTH_BYPASS)[A-Z_]*)\s*(:\s*\w+\s*)?=\s*(?P<value>.+)$", re.M)
_AUTH_ON_FLAG = re.compile(
    r"^[ \t]*(?P<name>[A-Z_]*(AUTH_ENABLED|ENABLE_AUTH|REQUIRE_AUTH|AUTH_REQUIRED)[A-Z_]*)"
    r"\s*(:\s*\w+\s*)?=\s*(?P<value>.+)$", re.M)
_UI_AUTH = ("streamlit_authenticator.*", "dash_auth.*", "*.st.login", "streamlit.login",
            "flask_httpauth.*", "streamlit.experimental_user", "authlib.integrations.*")
_STRONG_SECRET = re.compile(r"(api[_-]?key|apikey|secret|token|hmac|digest)", re.I)
_QUERY_EXPRESSION = re.compile(r"\.(where|filter|filter_by|having|join)\(|\bselect\(")
_EXPECTED = re.compile(r"(expected|computed|digest|hmac)", re.I)


def _is_secret_comparison(left: str, right: str) -> bool:
    """One side is a presented secret, the other a configured or computed one."""
    def leaf(text: str) -> str:  # "request.headers.get('X-Key')" -> "get('X-Key')"
        callee = text.split("(")[0]
        return callee.rsplit(".", 1)[-1] + text[len(callee):]

    for presented, stored in ((left, right), (right, left)):
        if _KEY_NAME.search(leaf(presented)) and (_SERVER_SECRET.search(stored) or
                                                  _EXPECTED.search(stored)):
            return True
    return bool(_STRONG_SECRET.search(leaf(left)) and _STRONG_SECRET.search(leaf(right)))


def _plain_key_comparisons(facts: RepoFacts) -> list[AntiPatternHit]:
    """``if key != settings.API_KEY``: a secret compared with ``==``/``!=`` leaks its
    value through timing; ``hmac.compare_digest`` compares in constant time."""
    hits: list[AntiPatternHit] = []
    for hit in facts.grep(r"[!=]=", kinds=_PY, limit=5000):
        line = hit.text
        if "compare_digest" in line or line.lstrip().startswith("#") or \
                _QUERY_EXPRESSION.search(line):
            continue  # a SQL expression (where/filter) compares in the database
        for match in _COMPARE.finditer(line):
            left, right = match.group("left"), match.group("right")
            if "None" in (left, right) or left.startswith("len") or right.startswith("len"):
                continue
            if _is_secret_comparison(left, right) and \
                    not re.search(r"type|kind|name|len|count|_id\b|confirm|repeat|again|retype|"
                              r"prefix|scheme|header|format|algorithm",
                              left + right, re.I):
                hits.append(anti("secret compared with ==/!= instead of hmac.compare_digest",
                                 facts.evidence(hit.path, hit.line)))
                break
    return hits


def _default_credentials(facts: RepoFacts) -> list[AntiPatternHit]:
    """Accounts created in code with a literal password (seed scripts, startup hooks)."""
    hits: list[AntiPatternHit] = []
    for module, call in facts.calls(*_PASSWORD_SETTERS):
        positional = list(zip(call.args, call.arg_kinds, strict=False))
        if call.leaf in ("create_user", "create_superuser"):
            positional = positional[2:3]  # (username, email, password)
        literal_arg = any(kind == "str" and len(text) > 2 for text, kind in positional)
        literal_kw = call.kwarg_kind("password") == "str" and len(call.kwarg("password") or "") > 2
        if literal_arg or literal_kw:
            hits.append(anti("account created with a literal default password (default "
                             "credentials)", call_ev(facts, module, call)))
    return hits


def _flag_default(value: str) -> str:
    """The default of a flag: ``getenv("X", "true")`` -> "true"; ``False`` -> "false"."""
    lookup = re.search(r"\bdefault\s*=\s*[\"']?([\w.]+)", value) or \
        re.search(r"(?:getenv|environ\.get|config)\([^,()]+,\s*[\"']?([\w.]+)", value)
    if lookup:
        return lookup.group(1).lower()
    literal = re.match(r"[\"']?([\w.]+)", value.strip())
    return literal.group(1).lower() if literal else ""


def _auth_switches(facts: RepoFacts) -> list[AntiPatternHit]:
    """A flag that turns authentication off and is on by default."""
    hits: list[AntiPatternHit] = []
    for regex, bad in ((_AUTH_OFF_FLAG, ("true", "1", "yes", "on")),
                       (_AUTH_ON_FLAG, ("false", "0", "no", "off"))):
        for hit in facts.grep(regex, kinds=(*_PY, "env", "yaml"), limit=20):
            match = regex.search(hit.text)
            if match and _flag_default(match.group("value")) in bad:
                hits.append(anti("authentication can be switched off and is off by default",
                                 facts.evidence(hit.path, hit.line)))
    return hits


def _drf_allow_any(facts: RepoFacts) -> list[AntiPatternHit]:
    return [anti("DRF DEFAULT_PERMISSION_CLASSES is AllowAny: every view is public unless it "
                 "opts in", facts.evidence(h.path, h.line))
            for h in facts.grep(r"DEFAULT_PERMISSION_CLASSES[\s\S]{0,120}?AllowAny",
                                kinds=_PY, limit=3)]


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
    found += _grep_ev(facts, r"\bst\.login\(|\bst\.user\.is_logged_in|"
                             r"\bst\.experimental_user\b", limit=3)
    return dedupe(found)


def _authn_antipatterns(facts: RepoFacts) -> list[AntiPatternHit]:
    return [*_plain_key_comparisons(facts), *_default_credentials(facts),
            *_auth_switches(facts), *_drf_allow_any(facts)]


@practice(
    "sec.authn", "Authentication on non-public routes", priority="C", effort="M",
    applies="AUTHN", sources=("S0", "S1", "S2", "T10 A01/A07", "ASVS V6/V8"),
    aliases=("authentication", "authn", "auth", "login required", "api key", "oauth2"),
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
    antis = _authn_antipatterns(facts)
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
    flagged = [_route_ev(facts, r, "state-changing route without authentication")
               for r in open_writes[:10]]
    if not guarded:
        anchor = app_anchor(facts)
        context = flagged or ([anchor] if anchor else [])
        return missing(f"None of {len(routes)} non-public route(s) requires authentication "
                       f"({len(open_writes)} of them change state).", antis, context=context)
    evidence = _spread([*_scheme_definitions(facts), *_decorator_definitions(facts), *guarded])
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
        body = "\n".join(facts.lines(module.path)[function.line - 1:function.end_line])
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
        return _route_ev(facts, route, "secret token in the URL")
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
    anchor = app_anchor(facts)
    ui = [facts.evidence(m.path, i.line) for m, i in
          facts.imports("streamlit", "gradio", "dash")][:1]
    return missing("No authentication found: no route-level checks and no login gate "
                   "(looked for streamlit-authenticator, st.login, Gradio launch(auth=), "
                   "dash-auth, Flask-HTTPAuth, OIDC clients).", antis,
                   context=ui or ([anchor] if anchor else []))


# ===================================================== sec.password-hashing

_ADAPTIVE_CALLS = (
    "bcrypt.hashpw", "bcrypt.checkpw", "bcrypt.gensalt", "passlib.*", "argon2.*",
    "werkzeug.security.generate_password_hash", "werkzeug.security.check_password_hash",
    "django.contrib.auth.hashers.*", "pwdlib.*", "hashlib.pbkdf2_hmac", "hashlib.scrypt",
    "flask_bcrypt.*", "*.generate_password_hash", "*.check_password_hash", "scrypt.*",
    "fastapi_users.password.*",
)
_WEAK_CONTEXT = re.compile(r"(md5|sha1|sha256|sha512|plaintext|hex_\w+|ldap_\w+|des_crypt|"
                           r"unix_disabled)", re.I)
_STRONG_CONTEXT = re.compile(r"(bcrypt|argon2|scrypt|pbkdf2)", re.I)
_PASSWORD_WORD = re.compile(r"(password|passwd|\bpwd\b|\bpw\b|passphrase)", re.I)
# ``user.password == form_password`` or ``filter_by(password=...)``: a stored password
# compared with (or looked up by) another value, so it is kept in plaintext.
_PLAINTEXT_COMPARE = re.compile(
    r"\b\w+\.(password|passwd|pwd)\s*(==|!=)\s*(?!None\b)[A-Za-z_][\w.\[\]\"']*|"
    r"\b[A-Za-z_][\w.\[\]\"']*\s*(==|!=)\s*\w+\.(password|passwd|pwd)\b(?!_)|"
    r"filter(_by)?\([^)]*\bpassword\s*=")


def _weak_password_hashes(facts: RepoFacts) -> list[AntiPatternHit]:
    hits: list[AntiPatternHit] = []
    for module, call in facts.calls("hashlib.md5", "hashlib.sha1", "hashlib.sha224",
                                    "hashlib.sha256", "hashlib.sha384", "hashlib.sha512",
                                    "hashlib.new", "hashlib.blake2b"):
        text = " ".join(call.args) + " " + _assigned_value(module, call)
        if _PASSWORD_WORD.search(text):
            hits.append(anti(f"{call.name} of a password: fast hashes are brute-forced offline",
                             call_ev(facts, module, call), Severity.FORCE_MISSING))
    for module, call in facts.calls("*.generate_password_hash"):
        method = call.kwarg("method") or (call.args[1] if len(call.args) > 1 else "")
        if re.search(r"plain|md5|sha1", method) and "pbkdf2" not in method:
            hits.append(anti("generate_password_hash with a fast or plain method",
                             call_ev(facts, module, call), Severity.FORCE_MISSING))
    for module, call in facts.calls("passlib.context.CryptContext", "*.CryptContext"):
        schemes = call.kwarg("schemes") or (call.args[0] if call.args else "")
        if _WEAK_CONTEXT.search(schemes) and not _STRONG_CONTEXT.search(schemes):
            hits.append(anti("CryptContext allows only fast or plaintext schemes",
                             call_ev(facts, module, call), Severity.FORCE_MISSING))
    for hit in facts.grep(r"PASSWORD_HASHERS\s*=\s*[\[(]\s*[\"'][\w.]*(MD5|SHA1|Unsalted|Crypt)"
                          r"\w*PasswordHasher", kinds=_PY, limit=3):
        hits.append(anti("the first Django password hasher is a fast hash",
                         facts.evidence(hit.path, hit.line), Severity.FORCE_MISSING))
    for hit in facts.grep(_PLAINTEXT_COMPARE, kinds=_PY, limit=20):
        if re.search(r"hash|confirm|repeat|new_password|password2|again|verify", hit.text, re.I):
            continue
        hits.append(anti("password compared or looked up in plaintext",
                         facts.evidence(hit.path, hit.line), Severity.FORCE_MISSING))
    return hits


def _assigned_value(module: ModuleFacts, call: Call) -> str:
    """What a bare-name argument was assigned in the same function (one step back)."""
    if not call.args or call.arg_kinds[0] not in ("name", "call", "attr"):
        return ""
    name = call.args[0].split(".")[0].split("(")[0]
    return " ".join(a.value for a in module.assigns
                    if a.scope == call.scope and a.target == name and a.line <= call.line)


_USER_PASSWORD = re.compile(r"(hashed_|raw_|plain_)?(password|passwd|pwd)(_hash|_digest)?")


def _handles_passwords(facts: RepoFacts) -> bool:
    """User passwords appear in a model or schema field or a function parameter
    (settings such as ``SMTP_PASSWORD`` are credentials, not user passwords)."""
    if facts.imported("django.contrib.auth"):
        return True
    if any(a.class_name for _, a in facts.assigns(_USER_PASSWORD)):
        return True
    return any(_USER_PASSWORD.fullmatch(p.name) for _, f in facts.functions() for p in f.params)


def _django_hashing(facts: RepoFacts) -> list[Evidence]:
    settings = _grep_ev(facts, r"^[ \t]*PASSWORD_HASHERS\s*=", limit=1, flags=re.M)
    if settings:
        return settings
    if facts.grep(r"[\"']django\.contrib\.auth[\"']", kinds=_PY, limit=1):
        uses = [call_ev(facts, m, c) for m, c in facts.calls(
            "*.set_password", "*.check_password", "*.create_user", "*.create_superuser",
            "django.contrib.auth.authenticate", "django.contrib.auth.login")]
        app = _grep_ev(facts, r"[\"']django\.contrib\.auth[\"']", limit=1,
                       note="django.contrib.auth (PBKDF2 by default)")
        return [*app, *uses[:3]]
    subclasses = facts.subclasses("django.contrib.auth.models.AbstractUser",
                                  "django.contrib.auth.models.AbstractBaseUser",
                                  "django.contrib.auth.base_user.AbstractBaseUser")
    return [facts.evidence(m.path, c.line, note="Django user model (PBKDF2 hasher)")
            for m, c in subclasses[:2]]


@practice(
    "sec.password-hashing", "Adaptive password hashing", priority="C", effort="L",
    applies="USERS", sources=("S1", "S3", "T10 A02", "ASVS V6/V11"),
    aliases=("password hashing", "bcrypt", "argon2", "hashed passwords"),
    recommendation="Hash passwords with an adaptive algorithm (argon2 or bcrypt via pwdlib, "
                   "passlib `CryptContext(schemes=[\"argon2\", \"bcrypt\"])`, werkzeug "
                   "`generate_password_hash`, Django hashers); never md5/sha* or plaintext.",
)
def check_password_hashing(facts: RepoFacts) -> Outcome:
    """Passwords are stored with a slow, salted, adaptive hash.

    Why it matters:
        A leaked table of md5/sha256 password hashes is cracked in hours on a GPU;
        argon2, bcrypt, scrypt and PBKDF2 make each guess expensive and salt every
        hash, so a leak does not become an account takeover.

    What counts as evidence:
        Calls to bcrypt, passlib `CryptContext` with bcrypt/argon2/scrypt/pbkdf2,
        argon2-cffi, pwdlib, werkzeug `generate_password_hash`/`check_password_hash`,
        `hashlib.pbkdf2_hmac`/`scrypt`, flask-bcrypt, or Django's auth
        (`django.contrib.auth`, `PASSWORD_HASHERS`, `AbstractUser`).

    What makes it partial:
        A hashing library that is imported or declared but never called. md5/sha1/
        sha256 applied to a password, a fast or plaintext scheme, or a password
        compared or looked up in plaintext force the status to missing.

    How to satisfy:
        `PasswordHash.recommended().hash(password)` (pwdlib) or
        `CryptContext(schemes=["argon2", "bcrypt"])`, and verify with the same
        context; rehash old hashes on login.
    """
    antis = _weak_password_hashes(facts)
    used = [call_ev(facts, m, c) for m, c in facts.calls(*_ADAPTIVE_CALLS)
            if not re.search(r"(md5|sha1)_crypt|plaintext", " ".join(c.args))]
    used += _django_hashing(facts)
    used = dedupe(used)
    if used:
        return implemented(f"Passwords go through an adaptive hash ({len(used)} site(s)).",
                           used[:8], antis)
    if not _handles_passwords(facts) and not antis:
        return na("User accounts exist but the code handles no passwords (authentication "
                  "is delegated).")
    imported = [facts.evidence(m.path, i.line) for m, i in facts.imports(
        "bcrypt", "passlib", "argon2", "pwdlib", "flask_bcrypt")]
    if imported:
        return partial("A password-hashing library is imported but never called.",
                       imported[:3], antis)
    return missing("Passwords are handled but no adaptive hashing was found (looked for "
                   "bcrypt, passlib, argon2, pwdlib, werkzeug generate_password_hash, "
                   "pbkdf2/scrypt and Django hashers).", antis)


# ================================================================ sec.jwt

_JWT_DECODE = ("jwt.decode", "jose.jwt.decode", "jose.jws.verify", "authlib.jose.jwt.decode",
               "jwt.api_jwt.decode", "jwt.PyJWT().decode", "joserfc.jwt.decode")
_JWT_ENCODE = ("jwt.encode", "jose.jwt.encode", "authlib.jose.jwt.encode", "jwt.api_jwt.encode",
               "joserfc.jwt.encode")
_TTL_NAME = re.compile(r"(?i)^(?!.*(refresh|reset|email|verif|invite|activation|password|"
                       r"remember|session|cache))[\w]*((token|jwt|access)\w*"
                       r"(expire|expiry|expires|expiration|lifetime|ttl|max_age|age))\w*$")
_UNIT = (("WEEK", 604800.0), ("DAY", 86400.0), ("HOUR", 3600.0), ("MIN", 60.0),
         ("SEC", 1.0))
_DAY = 86400.0
_FALLBACK = re.compile(r"(getenv|environ\.get|config)\(\s*[\"'][^\"']+[\"']\s*,\s*"
                       r"(default\s*=\s*)?[\"'][^\"']+[\"']")


def _seconds(text: str, name: str = "") -> float | None:
    """Evaluate a TTL written as arithmetic on literals or ``timedelta(...)``.

    Only numbers, + - * / and timedelta keyword arguments are understood; the
    expression is parsed, never executed."""
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError):
        return None
    value = _arith(node)
    if value is None:
        return None
    if isinstance(node, ast.Call):
        return value  # timedelta: already seconds
    factor = next((f for unit, f in _UNIT if unit in name.upper()), 1.0)
    return value * factor


def _arith(node: ast.expr) -> float | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and \
            not isinstance(node.value, bool):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _arith(node.operand)
        return -inner if inner is not None else None
    if isinstance(node, ast.BinOp):
        left, right = _arith(node.left), _arith(node.right)
        if left is None or right is None:
            return None
        if isinstance(node.op, ast.Mult):
            return left * right
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Div | ast.FloorDiv) and right:
            return left / right
        return None
    if isinstance(node, ast.Call) and _callee(node.func).endswith("timedelta"):
        total = 0.0
        units = {"weeks": 604800.0, "days": _DAY, "hours": 3600.0, "minutes": 60.0,
                 "seconds": 1.0}
        for index, arg in enumerate(node.args[:3]):
            value = _arith(arg)
            if value is None:
                return None
            total += value * (_DAY, 1.0, 1e-6)[index]
        for keyword in node.keywords:
            value = _arith(keyword.value)
            if value is None or keyword.arg not in units:
                return None
            total += value * units[keyword.arg]
        return total
    return None


def _callee(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_callee(node.value)}.{node.attr}"
    return ""


def _key_argument(call: Call) -> tuple[str, str] | None:
    """(text, kind) of the key passed to jwt.encode/decode."""
    for name in ("key", "secret", "secret_key"):
        value = call.kwarg(name)
        if value is not None:
            return value, call.kwarg_kind(name) or "other"
    if len(call.args) >= 2:
        return call.args[1], call.arg_kinds[1] if len(call.arg_kinds) > 1 else "other"
    return None


def _module_literal(module: ModuleFacts, name: str) -> Assign | None:
    for assign in module.assigns:
        if not assign.scope and assign.target == name and assign.value_kind == "str":
            return assign
    return None


def _settings_classes(facts: RepoFacts) -> set[str]:
    return {c.name for _, c in facts.subclasses("*BaseSettings", "pydantic.BaseSettings",
                                                 "pydantic_settings.BaseSettings")}


def _key_fallbacks(facts: RepoFacts, leaf: str) -> list[Evidence]:
    """Literal defaults behind a key name: ``getenv("K", "dev")`` or a Settings field
    ``SECRET_KEY: str = "dev"``."""
    out: list[Evidence] = []
    settings = _settings_classes(facts)
    for module, assign in facts.assigns(re.compile(re.escape(leaf), re.I)):
        if assign.class_name in settings and assign.value_kind == "str":
            out.append(facts.evidence(module.path, assign.line,
                                      note="literal default for the signing key"))
        elif _FALLBACK.search(assign.value):
            out.append(facts.evidence(module.path, assign.line,
                                      note="literal fallback for the signing key"))
    return out


@dataclass
class _JwtReview:
    good: list[Evidence]
    weak: list[Evidence]
    antis: list[AntiPatternHit]
    encodes: int = 0
    decodes: int = 0


def _review_key(facts: RepoFacts, module: ModuleFacts, call: Call, review: _JwtReview) -> None:
    key = _key_argument(call)
    if key is None:
        return
    text, kind = key
    ev = call_ev(facts, module, call)
    if kind == "str" or (kind == "name" and _module_literal(module, text) is not None):
        review.antis.append(anti("JWT signed/verified with a literal key", ev,
                                 Severity.FORCE_MISSING))
        return
    if _FALLBACK.search(text):
        review.weak.append(facts.evidence(ev.path, ev.line, note="key has a literal fallback"))
        return
    leaf = re.split(r"[.\[\]\"']+", text.strip("]\"' "))[-1] if text else ""
    if leaf and re.search(r"key|secret", leaf, re.I):
        review.weak.extend(_key_fallbacks(facts, leaf)[:2])


def _review_decode(facts: RepoFacts, module: ModuleFacts, call: Call, review: _JwtReview) -> None:
    review.decodes += 1
    ev = call_ev(facts, module, call)
    options = (call.kwarg("options") or "") + " " + (call.kwarg("verify") or "")
    if re.search(r"verify_signature[\"']?\s*:\s*False", options) or \
            (call.kwarg("verify") or "").strip() == "False":
        review.antis.append(anti("JWT decoded without verifying the signature", ev,
                                 Severity.FORCE_MISSING))
    algorithms = call.kwarg("algorithms")
    if algorithms is not None and re.search(r"[\"']none[\"']", algorithms, re.I):
        review.antis.append(anti("the 'none' algorithm is accepted", ev, Severity.FORCE_MISSING))
    if algorithms is None and not call.name.startswith(("authlib", "joserfc")) and \
            len(call.args) < 3:
        review.weak.append(facts.evidence(ev.path, ev.line,
                                          note="decode without an explicit algorithms list"))
    else:
        review.good.append(facts.evidence(ev.path, ev.line, note="explicit algorithms"))
    _review_key(facts, module, call, review)


def _review_encode(facts: RepoFacts, module: ModuleFacts, call: Call, review: _JwtReview) -> None:
    review.encodes += 1
    ev = call_ev(facts, module, call)
    algorithm = call.kwarg("algorithm") or (call.args[2] if len(call.args) > 2 else "")
    if re.search(r"[\"']none[\"']", algorithm, re.I):
        review.antis.append(anti("token signed with the 'none' algorithm", ev,
                                 Severity.FORCE_MISSING))
    function = facts.function_at(module.path, call.scope) if call.scope else None
    scope_text = "\n".join(facts.lines(module.path)[function.line - 1:function.end_line]) \
        if function else " ".join(call.args)
    if re.search(r"[\"']exp[\"']|\bexp\s*=", scope_text):
        review.good.append(facts.evidence(ev.path, ev.line, note="sets exp"))
    else:
        review.weak.append(facts.evidence(ev.path, ev.line, note="no exp claim seen"))
    _review_key(facts, module, call, review)


def _long_ttls(facts: RepoFacts) -> list[Evidence]:
    out = []
    for module, assign in facts.assigns(_TTL_NAME):
        seconds = _seconds(assign.value, assign.target)
        if seconds is not None and seconds > _DAY:
            out.append(facts.evidence(module.path, assign.line,
                                      note=f"access token lifetime {seconds / 3600:g} h > 24 h"))
    for hit in facts.grep(r"[\"']?(ACCESS_TOKEN_LIFETIME|JWT_ACCESS_TOKEN_EXPIRES)[\"']?\s*"
                          r"[:=]\s*(timedelta\([^)]*\)|[\d*+ ]+)", kinds=_PY, limit=5):
        expression = re.split(r"[:=]", hit.match, maxsplit=1)[-1]
        seconds = _seconds(expression, "SECONDS")
        if seconds is not None and seconds > _DAY:
            out.append(facts.evidence(hit.path, hit.line,
                                      note=f"access token lifetime {seconds / 3600:g} h > 24 h"))
    for module, call in facts.calls("*.JWTStrategy", "*.create_access_token"):
        for key in ("lifetime_seconds", "expires_delta"):
            value = call.kwarg(key)
            seconds = _seconds(value, "SECONDS") if value else None
            if value and value.strip() == "False":
                out.append(call_ev(facts, module, call, note="token never expires"))
            elif seconds is not None and seconds > _DAY:
                out.append(call_ev(facts, module, call, note="access token lifetime > 24 h"))
    return dedupe(out)


def _framework_jwt(facts: RepoFacts, review: _JwtReview) -> None:
    """flask-jwt-extended, simplejwt and fastapi-users manage encode/decode themselves."""
    for module, call in facts.calls("flask_jwt_extended.JWTManager", "*.JWTStrategy",
                                    "*.AuthJWT"):
        review.good.append(call_ev(facts, module, call, note="JWT handled by the framework"))
        secret = call.kwarg("secret")
        if secret is not None and call.kwarg_kind("secret") == "str":
            review.antis.append(anti("JWT strategy with a literal secret",
                                     call_ev(facts, module, call), Severity.FORCE_MISSING))
    review.good += _grep_ev(facts, r"rest_framework_simplejwt\.authentication", limit=1,
                            note="simplejwt authentication")
    for hit in facts.grep(r"^[ \t]*JWT_SECRET_KEY\s*=\s*[\"'][^\"']+[\"']\s*$", kinds=_PY,
                          flags=re.M, limit=3):
        review.antis.append(anti("literal JWT_SECRET_KEY", facts.evidence(hit.path, hit.line),
                                 Severity.FORCE_MISSING))


@practice(
    "sec.jwt", "Safe JWT handling", priority="H", effort="L", applies="JWT",
    sources=("S1", "S0", "S3", "ASVS V9"), aliases=("jwt", "json web token", "token expiry"),
    recommendation="Decode JWTs with an explicit `algorithms=[...]`, always set `exp` with a "
                   "short access lifetime (minutes to hours) plus refresh tokens, and load the "
                   "signing key from the environment without a literal fallback.",
)
def check_jwt(facts: RepoFacts) -> Outcome:
    """Tokens are verified with pinned algorithms, expire, and are signed with a real secret.

    Why it matters:
        A decode without pinned algorithms, a token without `exp`, or a key in the
        source lets an attacker forge or replay tokens indefinitely; a week-long
        access token cannot be revoked in practice.

    What counts as evidence:
        `jwt.decode(..., algorithms=[...])` (PyJWT, python-jose, authlib), `exp` in the
        payload of `jwt.encode`, a key read from settings or the environment;
        flask-jwt-extended, simplejwt or fastapi-users strategies.

    What makes it partial:
        A decode without an explicit algorithms list, an encode without `exp`, an
        access-token lifetime over 24 hours, or a signing key whose setting has a
        literal default or fallback. `verify_signature: False`, the `none`
        algorithm and a literal key force the status to missing.

    How to satisfy:
        `jwt.decode(token, settings.SECRET_KEY, algorithms=["HS256"])`, encode with
        `{"exp": now + timedelta(minutes=30)}`, and make `SECRET_KEY` a required
        setting (no default).
    """
    review = _JwtReview([], [], [])
    for module, call in facts.calls(*_JWT_DECODE):
        _review_decode(facts, module, call, review)
    for module, call in facts.calls(*_JWT_ENCODE):
        _review_encode(facts, module, call, review)
    _framework_jwt(facts, review)
    unsafe = [a for a in review.antis if a.severity == Severity.FORCE_MISSING.value]
    if unsafe:
        return missing("JWT handling is unsafe: " + "; ".join(sorted({a.message for a in unsafe}))
                       + ".", review.antis)
    long_ttl = _long_ttls(facts)
    weak = dedupe([*review.weak, *long_ttl])
    good = dedupe(review.good)
    if not good and not weak:
        imported = [facts.evidence(m.path, i.line) for m, i in facts.imports(
            "jwt", "jose", "authlib.jose", "flask_jwt_extended", "rest_framework_simplejwt",
            "fastapi_jwt_auth", "joserfc", "jwcrypto", "fastapi_users")]
        if imported:
            return partial("A JWT library is imported but no token is encoded or decoded in "
                           "the code.", imported[:3], review.antis)
        return missing("No JWT handling found.", review.antis)
    if weak:
        reasons = sorted({e.note for e in weak if e.note})
        return partial("JWT handling has gaps: " + "; ".join(reasons[:4]) + ".",
                       [*good[:5], *weak[:6]], review.antis)
    what = "decoded with pinned algorithms" if review.decodes else "only issued here"
    return implemented(f"JWTs are {what}, carry exp and use a key from settings "
                       f"({review.decodes} decode and {review.encodes} encode site(s)).",
                       good[:8], review.antis)


# =============================================================== sec.rbac

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
        roles += _grep_ev(facts, r"[\"']django\.contrib\.auth[\"']", limit=1,
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
    return [(m, f, "\n".join(facts.lines(m.path)[f.line - 1:f.end_line]))
            for m, f in facts.functions()]


def _enforcement(facts: RepoFacts) -> _Checks:
    """Role/permission checks and admin-flag checks that lead to a refusal.

    A function that compares a role (or uses a property derived from one, such as
    ``is_rw``) enforces it when it refuses (403, ``PermissionDenied``) itself or
    when a function calling it does."""
    checks = _Checks([], [])
    checks.role += [facts.evidence(h.path, h.line, note="permission check")
                    for h in facts.grep(_PERMISSION_API, kinds=_PY, limit=40)
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
                           [*roles[:3], *_spread(checks.role, 6)])
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
                       context=[_route_ev(facts, r) for r in admin_routes[:5]])
    return na("Users exist but there is a single kind of user: no roles, admin flags, "
              "permission checks or administrative routes.")


_ADMIN_ROUTE = re.compile(r"(^|[/_.])(admin|manage|management|moderat\w*|staff|superuser)"
                          r"([/_.]|$)", re.I)


# ==================================================== sec.input-validation

_SKIP_PARAM_NAMES = frozenset({"self", "cls", "request", "req", "response", "background_tasks",
                               "db", "session", "websocket", "current_user", "user"})
_SKIP_ANNOTATION = re.compile(r"\b(Request|Response|BackgroundTasks|WebSocket|Session|"
                              r"AsyncSession|HTTPConnection|SecurityScopes|"
                              r"HTTPAuthorizationCredentials|HTTPBasicCredentials|Connection|"
                              r"UploadFile|File|Engine|Redis)\b")
_RAW_TYPES = re.compile(r"^(dict|Dict|Any|typing\.Any|object|Json|dict\[.*\]|Dict\[.*\]|"
                        r"Mapping\[.*\]|Body)$")
_TYPED_SCALARS = re.compile(r"^(int|float|bool|str|bytes|UUID|uuid\.UUID|date|datetime|time|"
                            r"Decimal|EmailStr|HttpUrl|AnyUrl|AnyHttpUrl|PositiveInt|"
                            r"NonNegativeInt|PositiveFloat|SecretStr|IPvAnyAddress|Path|"
                            r"conint|constr|confloat|conlist|Literal|None)$")
_CONSTRAINT_KW = re.compile(r"\b(max_length|min_length|ge|gt|le|lt|pattern|regex|max_items|"
                            r"min_items|multiple_of|max_digits|decimal_places|strict|"
                            r"allow_inf_nan)\s*=")
_CONSTRAINED_TYPE = re.compile(r"\b(constr|conint|confloat|conlist|conset|condecimal|EmailStr|"
                               r"HttpUrl|AnyUrl|AnyHttpUrl|Literal|UUID4?|PositiveInt|"
                               r"NonNegativeInt|PositiveFloat|StringConstraints|IPvAnyAddress|"
                               r"StrictStr|StrictInt|Enum)\b")
_VALIDATOR_DECORATOR = re.compile(r"(field_validator|model_validator|validator|root_validator|"
                                  r"validates|validates_schema)$")
# Request bodies read by hand. Query strings are left out: they carry ids, flags and
# sort keys, and typed frameworks declare them as parameters.
_RAW_INPUT = re.compile(r"request\.(json\(\)|body\(\)|form\(\)|get_json\(|json\b|form\b|"
                        r"values\b|data\b|POST\b|body\b|stream\b|get_data\(|files\b|FILES\b)")
_VALIDATES = re.compile(r"(model_validate|parse_obj|parse_raw|validate_on_submit|\.validate\(|"
                        r"is_valid\(|\.load\(|Schema\(|Serializer\(|\w+Form\(|self\.form\(|"
                        r"TypeAdapter|jsonschema|validate_json|cleaned_data|\.validated_data|"
                        r"validate_request|parse_args\(|Spec\b|\w+Model\(\*\*|"
                        r"\w+(In|Create|Update|Request|Input|Payload|Schema)\(\*\*)")
_INPUT_DECORATORS = re.compile(r"(use_args|use_kwargs|\.arguments|\.input|expects_json|"
                               r"validate_json|validate_request|\bvalidate\b|accepts|"
                               r"marshal_with|\.expect|doc\(.*params|body\()", re.I)
_TYPED_FRAMEWORKS = ("fastapi", "starlette", "litestar", "unknown")


@dataclass
class _ModelIndex:
    """Pydantic / SQLModel / dataclass models of the tree, by class name."""

    classes: dict[str, tuple[ModuleFacts, ClassDef]]

    def constrained(self, facts: RepoFacts, name: str, seen: frozenset[str] = frozenset()
                    ) -> tuple[bool, bool]:
        """(has a constraint or validator, has a bare ``str`` field), bases included."""
        found = self.classes.get(name)
        if found is None or name in seen:
            return False, False
        module, cls = found
        constrained = False
        bare_str = False
        for assign in module.assigns:
            if assign.class_name != cls.name or assign.scope != cls.qualname:
                continue
            annotation = assign.annotation or ""
            if _CONSTRAINT_KW.search(assign.value) or _CONSTRAINED_TYPE.search(annotation) or \
                    re.search(r"Annotated\[.*(Field|Len|Gt|Ge|Lt|Le|MaxLen|MinLen)\(",
                              annotation):
                constrained = True
            elif re.search(r"\bstr\b", annotation):
                bare_str = True
            inner = [t for t in re.findall(r"[A-Z]\w+", annotation) if t in self.classes]
            for child in inner:
                if child != name:
                    c_con, c_str = self.constrained(facts, child, seen | {name})
                    constrained = constrained or c_con
                    bare_str = bare_str or c_str
        for function in module.functions:
            if function.class_name == cls.name and any(
                    _VALIDATOR_DECORATOR.search(d.raw.split("(")[0]) for d in function.decorators):
                constrained = True
        for base in cls.bases:
            base_name = base.rsplit(".", 1)[-1]
            if base_name in self.classes:
                b_con, b_str = self.constrained(facts, base_name, seen | {name})
                constrained = constrained or b_con
                bare_str = bare_str or b_str
        return constrained, bare_str


def _model_index(facts: RepoFacts) -> _ModelIndex:
    def build() -> _ModelIndex:
        classes: dict[str, tuple[ModuleFacts, ClassDef]] = {}
        for module, cls in facts.classes():
            classes.setdefault(cls.name, (module, cls))
        return _ModelIndex(classes)
    return facts.memo("security_access.models", build)


def _strip_annotation(annotation: str) -> tuple[str, str]:
    """(core type, metadata) of ``Annotated[X, Query(le=10)]``, ``Optional[X]``, ``X | None``."""
    text = annotation.strip()
    metadata = ""
    match = re.match(r"^(typing\.)?Annotated\[(.*)\]$", text, re.S)
    if match:
        inner = match.group(2)
        depth = 0
        for index, char in enumerate(inner):
            if char in "[(":
                depth += 1
            elif char in "])":
                depth -= 1
            elif char == "," and depth == 0:
                text, metadata = inner[:index].strip(), inner[index + 1:]
                break
        else:
            text = inner
    text = re.sub(r"^(typing\.)?Optional\[(.*)\]$", r"\2", text)
    parts = [p.strip() for p in text.split("|") if p.strip() != "None"]
    return (parts[0] if parts else text), metadata


def _param_verdict(facts: RepoFacts, param: Param, route: Route, aliases: dict[str, str]
                   ) -> bool | None:
    """True: validated input; False: unvalidated input; None: not client input."""
    annotation = param.annotation or ""
    default = param.default or ""
    if annotation.strip() in aliases or re.search(r"\b(Depends|Security)\(", default + annotation) \
            or _SKIP_ANNOTATION.search(annotation) or \
            (not annotation and param.name in _SKIP_PARAM_NAMES):
        return None
    core, metadata = _strip_annotation(annotation)
    if not annotation:
        return not default.startswith(("Body(", "fastapi.Body("))  # an untyped query string
    if _CONSTRAINT_KW.search(default + metadata):
        return True
    if _RAW_TYPES.match(core) or (re.search(r"\b(Any|Dict|dict)\b", core) and
                                  not re.search(r"\[(str|int),\s*(str|int|float|bool)\]", core)):
        return False
    container = re.match(r"^(list|List|Sequence|set|Set|tuple|Tuple)\[(.*)\]$", core)
    if container:
        core = container.group(2).split(",")[0].strip()
    if _TYPED_SCALARS.match(core) or core.startswith(("Literal[", "conint", "constr")):
        return True
    models = _model_index(facts)
    name = core.rsplit(".", 1)[-1]
    if name in models.classes:
        cls = models.classes[name][1]
        if any(re.search(r"Enum$", b) for b in cls.bases):
            return True
        constrained, bare_str = models.constrained(facts, name)
        return constrained or not bare_str
    return True  # a library type: typed and parsed by the framework


def _typed_route_verdict(facts: RepoFacts, route: Route, handler: Handler) -> bool | None:
    function = handler.function
    assert function is not None
    aliases = auth_index(facts).aliases
    verdicts = [v for v in (_param_verdict(facts, p, route, aliases) for p in function.params)
                if v is not None]
    text = handler_text(facts, handler)
    if _RAW_INPUT.search(text):
        verdicts.append(bool(_VALIDATES.search(text)))
    if not verdicts:
        return None
    return all(verdicts)


def _text_route_verdict(facts: RepoFacts, route: Route, handler: Handler) -> bool | None:
    """Flask/Django/class views: reads request data, and validates it or not."""
    text = handler_text(facts, handler)
    decorators = handler.function.decorators if handler.function else ()
    if handler.cls is not None:
        decorators = (*decorators, *handler.cls.decorators)
    if any(_INPUT_DECORATORS.search(d.raw) for d in decorators):
        return True
    raw = [line for line in text.splitlines() if _RAW_INPUT.search(line)]
    uses_form = re.search(r"\bform\b|Form\(|serializer", text)
    if not raw and not uses_form:
        return None
    if _VALIDATES.search(text) or re.search(r"\bform_class\b|serializer_class|"
                                            r"\bform\s*=\s*\w+Form\b", text):
        return True
    reads = [line for line in raw if not _MEMBERSHIP.search(line)]
    return all(_checked_read(line, text) for line in reads) if reads else None


# ``request.args.get("page", 1, type=int)``, ``int(request.GET["n"])``, ``request.body[:limit]``
_TYPED_READ = re.compile(r"type\s*=\s*(int|float|bool)\b|\b(int|float|bool|UUID)\(\s*request\.|"
                         r"request\.\w+\[\s*:|request\.\w+\.get\([^)]*\)\s*(==|!=|in\b|not in\b)")
# ``"refresh" in request.GET`` only tests for a flag; it reads no value.
_MEMBERSHIP = re.compile(r"[\"']\w+[\"']\s+(not\s+)?in\s+request\.\w+\s*(:|$|\)|and|or)")
_ASSIGNED = re.compile(r"^[ \t]*(\w+)\s*(:[^=]+)?=\s*[^=]")


def _checked_read(line: str, text: str) -> bool:
    """A request value that is typed, bounded, or checked against an allowlist
    (``x = request.POST.get("theme")`` then ``if x in ("dark", "light")``)."""
    if _TYPED_READ.search(line):
        return True
    match = _ASSIGNED.match(line)
    if not match:
        return False
    name = re.escape(match.group(1))
    return bool(re.search(rf"\b(int|float|UUID|Decimal|fromisoformat|validate\w*|clean\w*|"
                          rf"parse\w*)\(\s*{name}\b|\b{name}\s+(not\s+)?in\s+[\[(\w]|"
                          rf"\b{name}\s*(==|!=)|len\(\s*{name}\s*\)", text))


def _route_validation(facts: RepoFacts, route: Route) -> bool | None:
    handler = resolve_handler(facts, route)
    if handler is None:
        return None
    if handler.function is not None and handler.cls is None and \
            route.framework in _TYPED_FRAMEWORKS and \
            any(p.annotation for p in handler.function.params):
        return _typed_route_verdict(facts, route, handler)
    return _text_route_verdict(facts, route, handler)


def _schemas_used(facts: RepoFacts, handler: Handler) -> list[Evidence]:
    """Where the models, forms or schemas a validated handler uses are defined."""
    models = _model_index(facts)
    annotations = " ".join(f"{p.annotation or ''} {p.default or ''}" for p in
                           (handler.function.params if handler.function else ()))
    names = re.findall(r"\b([A-Z]\w+)\b", annotations)
    names += re.findall(r"\b([A-Z]\w*(?:Form|Schema|Serializer|Spec))\b",
                        handler_text(facts, handler))
    out = []
    for name in dict.fromkeys(names):
        found = models.classes.get(name)
        if found is None or (found[0].path == handler.module.path and found[1] == handler.cls):
            continue
        module, cls = found
        if _is_schema_class(cls) and (models.constrained(facts, name)[0] or
                                      re.search(r"(Form|Schema|Serializer)$", name)):
            out.append(facts.evidence(module.path, cls.line, note="validation schema"))
    return out


def _is_schema_class(cls: ClassDef) -> bool:
    return any(re.search(r"(BaseModel|SQLModel|Schema|Form|FlaskForm|Serializer|"
                         r"ModelSerializer|ModelForm)$", b) for b in cls.bases) or \
        bool(re.search(r"(Form|Schema|Serializer|Spec)$", cls.name))


def _handler_name(handler: Handler) -> str:
    if handler.function is not None:
        return handler.function.qualname
    return handler.cls.qualname if handler.cls is not None else ""


def _dynamic_code_on_input(facts: RepoFacts) -> list[AntiPatternHit]:
    hits = []
    handler_scopes = {(r.file, r.function.qualname) for r in facts.routes() if r.function}
    for module, call in facts.calls("eval", "exec", "builtins.eval", "builtins.exec"):
        text = " ".join(call.args)
        if (module.path, call.scope) in handler_scopes or \
                re.search(r"request|input|body|payload|params|query|form|data|user", text, re.I):
            hits.append(anti(f"{call.leaf}() on request data runs attacker-controlled code",
                             call_ev(facts, module, call)))
    return hits


def _schema_evidence(facts: RepoFacts) -> list[Evidence]:
    """Constrained models and forms anywhere (used when routes cannot be tied to them)."""
    out: list[Evidence] = []
    for module in facts.modules():
        for assign in module.assigns:
            if assign.class_name and (_CONSTRAINT_KW.search(assign.value) and
                                      re.search(r"Field\(", assign.value)):
                out.append(facts.evidence(module.path, assign.line, note="constrained field"))
                break
    for module, call in facts.calls("*.validate_on_submit", "*.is_valid", "*.model_validate",
                                    "*.parse_obj"):
        out.append(call_ev(facts, module, call))
    return dedupe(out)


@practice(
    "sec.input-validation", "Schema-validated inputs", priority="C", effort="M", applies="HTTP",
    sources=("S0", "S1", "S4", "ASVS V2/V4"),
    aliases=("input validation", "validation", "pydantic", "schema validation"),
    recommendation="Accept request data only through schemas with bounds: Pydantic models with "
                   "`Field(max_length=, ge=, le=, pattern=)`, `Query(le=)`, WTForms/Django "
                   "forms or marshmallow/DRF serializers; never raw `request.json()` or `dict` "
                   "bodies.",
)
def check_input_validation(facts: RepoFacts) -> Outcome:
    """Every route that takes input parses it through a schema with bounds.

    Why it matters:
        Unvalidated input is the root of injection, mass assignment, crashes on
        wrong types and resource exhaustion with megabyte strings; a schema
        rejects bad requests with a 4xx before they reach business logic.

    What counts as evidence:
        Per route taking input: typed parameters and Pydantic/SQLModel models with
        constraints (`Field(max_length/ge/le/pattern)`, `constr`/`conint`,
        `EmailStr`, validators), `Query(le=)`, a form validated with
        `validate_on_submit()`/`is_valid()`, marshmallow `load`, DRF serializers,
        `Model.model_validate(request.json)`, webargs/flask-smorest decorators.

    What makes it partial:
        Status rule 5: implemented when at least 90 % of input routes validate,
        partial when at least one does. Bodies typed `dict`/`Any`, raw
        `request.json()`/`get_json()`, and models with only unbounded strings do
        not count. `eval`/`exec` on request data caps the status at partial.

    How to satisfy:
        Give every body a Pydantic model with `Field` bounds (lengths, ranges,
        patterns), bound query parameters with `Query(le=...)`, and validate forms
        before using their data.
    """
    antis = _dynamic_code_on_input(facts)
    routes = [r for r in facts.routes() if not is_health_route(r) and not is_dev_only(facts, r)]
    sites: list[tuple[Evidence, bool]] = []
    schemas: list[Evidence] = []
    seen: set[tuple[str, str]] = set()
    for route in routes:
        handler = resolve_handler(facts, route)
        key = (handler.module.path, _handler_name(handler)) if handler else (route.file,
                                                                            route.path)
        if key in seen:
            continue  # one handler served under several URL rules is one site
        seen.add(key)
        verdict = _route_validation(facts, route)
        if verdict is not None:
            sites.append((_route_ev(facts, route), verdict))
            if verdict and handler is not None:
                schemas.extend(_schemas_used(facts, handler))
    if sites:
        outcome = per_site(sites, what="route handlers taking input", good="validate it "
                           "through a schema", bad="take raw or unbounded input")
        outcome.anti_patterns = antis
        if outcome.evidence:
            outcome.evidence = [*_spread(schemas, 4), *outcome.evidence]
        if outcome.status.value == "missing":
            outcome.message += " Looked for constrained Pydantic models, forms and serializers."
        return outcome
    if routes:
        return na("No route takes client input (no bodies, query or form data).")
    schemas = _schema_evidence(facts)
    if schemas:
        return partial("Validation schemas exist (constrained models or forms), but no HTTP "
                       "route could be tied to them.", schemas[:5], antis)
    anchor = app_anchor(facts)
    return missing("No validated inputs found: no routes with schemas and no constrained "
                   "models or validated forms.", antis, context=[anchor] if anchor else [])


# ======================================================= sec.audit-logging

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
                             _route_ev(facts, route)))
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
    libraries += _grep_ev(facts, r"[\"'](auditlog|simple_history|reversion|easyaudit|pghistory)"
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


# ===================================================== sec.security-headers

_HEADERS = {
    "nosniff": r"X-Content-Type-Options|nosniff|contentTypeNosniff",
    "frame": r"X-Frame-Options|frame-ancestors|frameDeny|customFrameOptionsValue",
    "csp": r"Content-Security-Policy|contentSecurityPolicy|CSP_DEFAULT_SRC|"
           r"CONTENT_SECURITY_POLICY|csp\.middleware",
    "referrer": r"Referrer-Policy|referrerPolicy|SECURE_REFERRER_POLICY",
    "permissions": r"Permissions-Policy|permissionsPolicy|PERMISSIONS_POLICY|Feature-Policy",
    "cross-origin": r"Cross-Origin-(Opener|Resource|Embedder)-Policy|"
                    r"SECURE_CROSS_ORIGIN_OPENER_POLICY",
}
_HEADER_KINDS = ("python", "nginx", "yaml", "toml", "text", "ini", "json")
_TALISMAN_HEADERS = ("nosniff", "frame", "csp", "referrer", "permissions")
_BAD_HEADERS = re.compile(r"X-XSS-Protection[\"']?\s*[:,=]?\s*[\"']?1|browserXssFilter\s*[=:]\s*"
                          r"true|SECURE_BROWSER_XSS_FILTER\s*=\s*True|"
                          r"[\"'](Server|X-Powered-By)[\"']\s*[:\],]\s*[\"'][^\"']*\d|"
                          r"server_tokens\s+on", re.I)


def _setting_on(facts: RepoFacts, name: str, default: bool) -> bool:
    """A Django setting switched on (``= True`` or a value) or off (``= False``/``None``)."""
    for hit in facts.grep(rf"^[ \t]*{name}\s*=\s*(.+)$", kinds=_PY, flags=re.M, limit=1):
        value = hit.text.split("=", 1)[1].strip()
        return value not in ("False", "None", "''", '""')
    return default


def _django_major(facts: RepoFacts) -> int | None:
    """Major version of a Django requirement pinned or bounded from below."""
    for requirement in facts.requirement("django"):
        match = re.match(r"\s*(==|~=|>=)\s*(\d+)", requirement.spec)
        if match:
            return int(match.group(2))
    return None


def _django_security_headers(facts: RepoFacts) -> dict[str, Evidence]:
    """Headers Django's middleware sends by default: nosniff since 3.0, Referrer-Policy
    since 3.1 and COOP since 4.0, counted by major version (3.x gets nosniff only);
    older versions send them only when the settings are switched on."""
    found: dict[str, Evidence] = {}
    major = _django_major(facts) or 99
    for hit in facts.grep(r"[\"']django\.middleware\.security\.SecurityMiddleware[\"']",
                          kinds=_PY, limit=1):
        ev = facts.evidence(hit.path, hit.line, note="SecurityMiddleware")
        if _setting_on(facts, "SECURE_CONTENT_TYPE_NOSNIFF", default=major >= 3):
            found["nosniff"] = ev
        if _setting_on(facts, "SECURE_REFERRER_POLICY", default=major >= 4):
            found["referrer"] = ev
        if _setting_on(facts, "SECURE_CROSS_ORIGIN_OPENER_POLICY", default=major >= 4):
            found["cross-origin"] = ev
    for hit in facts.grep(r"[\"']django\.middleware\.clickjacking\.XFrameOptionsMiddleware[\"']",
                          kinds=_PY, limit=1):
        found["frame"] = facts.evidence(hit.path, hit.line, note="XFrameOptionsMiddleware")
    return found


def _library_headers(facts: RepoFacts) -> dict[str, Evidence]:
    found: dict[str, Evidence] = {}
    for module, call in facts.calls("flask_talisman.Talisman", "*.Talisman", "talisman.*"):
        ev = call_ev(facts, module, call, note="Talisman")
        csp_off = (call.kwarg("content_security_policy") or "").strip() in ("None", "False",
                                                                            "{}", "''", '""')
        for name in _TALISMAN_HEADERS:
            if not (name == "csp" and csp_off):
                found.setdefault(name, ev)
    for module, call in facts.calls("secure.Secure", "secure.Secure.with_default_headers",
                                    "*.SecureHeaders", "secure.*"):
        ev = call_ev(facts, module, call, note="secure headers library")
        for name in ("nosniff", "frame", "referrer", "permissions", "cross-origin"):
            found.setdefault(name, ev)
        if call.has_kwarg("csp") or call.name.endswith("with_default_headers"):
            found.setdefault("csp", ev)
    return found


def _explicit_headers(facts: RepoFacts) -> dict[str, Evidence]:
    found: dict[str, Evidence] = {}
    for name, pattern in _HEADERS.items():
        for hit in facts.grep(pattern, kinds=_HEADER_KINDS, limit=20):
            if hit.text.lstrip().startswith("#") or facts.role(hit.path) != "production":
                continue
            if hit.path.endswith(".py") and not re.search(r"[\"']", hit.text) and \
                    not re.match(r"^[ \t]*[A-Z_]+\s*=", hit.text):
                continue
            found.setdefault(name, facts.evidence(hit.path, hit.line))
            break
    return found


@practice(
    "sec.security-headers", "Security headers (OSHP)", priority="H", effort="L", applies="HTTP",
    sources=("S1", "S0", "S3", "OSHP", "ASVS V3"),
    aliases=("security headers", "csp", "content security policy", "x-frame-options",
             "helmet", "talisman"),
    recommendation="Send the OWASP secure headers on every response: "
                   "`X-Content-Type-Options: nosniff`, a Content-Security-Policy (with "
                   "`frame-ancestors`), `Referrer-Policy`, `Permissions-Policy`; use "
                   "Talisman, `secure`, Django's SecurityMiddleware + django-csp, or "
                   "`add_header ... always`.",
)
def check_security_headers(facts: RepoFacts) -> Outcome:
    """Responses carry the OWASP Secure Headers Project headers.

    Why it matters:
        Browsers enforce only what the server asks for: without CSP, nosniff and
        frame protection, an injected script runs, a file is sniffed as HTML, and
        the app can be framed for clickjacking.

    What counts as evidence:
        Distinct headers set in code or proxy config: nosniff, X-Frame-Options or
        CSP `frame-ancestors`, Content-Security-Policy, Referrer-Policy,
        Permissions-Policy, Cross-Origin-*-Policy. Talisman and `secure` set
        several at once; Django's SecurityMiddleware sets nosniff, Referrer-Policy
        and COOP, XFrameOptionsMiddleware sets X-Frame-Options; nginx
        `add_header` and Traefik headers middlewares count too.

    What makes it partial:
        Two headers or fewer, or no Content-Security-Policy on an app that serves
        HTML. `X-XSS-Protection: 1` (deprecated, harmful) and version-revealing
        `Server`/`X-Powered-By` headers cap the status at partial.

    How to satisfy:
        `Talisman(app, content_security_policy={...})`, or a middleware setting
        nosniff, CSP, Referrer-Policy and Permissions-Policy on every response.
    """
    found: dict[str, Evidence] = {}
    for source in (_library_headers(facts), _django_security_headers(facts),
                   _explicit_headers(facts)):
        for name, ev in source.items():
            found.setdefault(name, ev)
    antis = [anti("deprecated or revealing header", facts.evidence(h.path, h.line))
             for h in facts.grep(_BAD_HEADERS, kinds=_HEADER_KINDS, limit=5)]
    evidence = dedupe(found.values())
    listed = ", ".join(sorted(found))
    serves_html = facts.applies("BROWSER")
    if len(found) >= 3 and ("csp" in found or not serves_html):
        return implemented(f"{len(found)} security headers are set ({listed}).", evidence, antis)
    if found:
        why = "no Content-Security-Policy on an app that serves HTML" if len(found) >= 3 \
            else f"only {len(found)} header(s)"
        return partial(f"Some security headers are set ({listed}), but {why}.", evidence, antis)
    anchor = app_anchor(facts)
    return missing("No security headers found (looked for Talisman, secure, Django "
                   "SecurityMiddleware/django-csp, header assignments in middleware, nginx "
                   "add_header and proxy header middlewares).", antis,
                   context=[anchor] if anchor else [])

"""sec.jwt: tokens are verified with pinned algorithms, expire, and use a real secret."""

from __future__ import annotations

import re
from dataclasses import dataclass

from readiness.facts import RepoFacts
from readiness.facts.python.records import Assign, Call, ModuleFacts
from readiness.model import AntiPatternHit, Evidence, Severity
from readiness.practices.helpers import call_ev, dedupe, definition_source, grep_ev
from readiness.practices.registry import Outcome, anti, implemented, missing, partial, practice
from readiness.practices.security._evidence import PY
from readiness.practices.security._token_lifetime import long_ttls

_JWT_DECODE = ("jwt.decode", "jose.jwt.decode", "jose.jws.verify", "authlib.jose.jwt.decode",
               "jwt.api_jwt.decode", "jwt.PyJWT().decode", "joserfc.jwt.decode")
_JWT_ENCODE = ("jwt.encode", "jose.jwt.encode", "authlib.jose.jwt.encode", "jwt.api_jwt.encode",
               "joserfc.jwt.encode")

_FALLBACK = re.compile(r"(getenv|environ\.get|config)\(\s*[\"'][^\"']+[\"']\s*,\s*"
                       r"(default\s*=\s*)?[\"'][^\"']+[\"']")


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
    scope_text = definition_source(facts, module.path, function) if function else \
        " ".join(call.args)
    if re.search(r"[\"']exp[\"']|\bexp\s*=", scope_text):
        review.good.append(facts.evidence(ev.path, ev.line, note="sets exp"))
    else:
        review.weak.append(facts.evidence(ev.path, ev.line, note="no exp claim seen"))
    _review_key(facts, module, call, review)


def _framework_jwt(facts: RepoFacts, review: _JwtReview) -> None:
    """flask-jwt-extended, simplejwt and fastapi-users manage encode/decode themselves."""
    for module, call in facts.calls("flask_jwt_extended.JWTManager", "*.JWTStrategy",
                                    "*.AuthJWT"):
        review.good.append(call_ev(facts, module, call, note="JWT handled by the framework"))
        secret = call.kwarg("secret")
        if secret is not None and call.kwarg_kind("secret") == "str":
            review.antis.append(anti("JWT strategy with a literal secret",
                                     call_ev(facts, module, call), Severity.FORCE_MISSING))
    review.good += grep_ev(facts, r"rest_framework_simplejwt\.authentication", limit=1,
                            note="simplejwt authentication")
    for hit in facts.grep(r"^[ \t]*JWT_SECRET_KEY\s*=\s*[\"'][^\"']+[\"']\s*$", kinds=PY,
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
    long_ttl = long_ttls(facts)
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

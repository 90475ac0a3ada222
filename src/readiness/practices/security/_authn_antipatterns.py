"""Authentication anti-patterns: ``==`` on secrets, default credentials, auth off."""

from __future__ import annotations

import re

from readiness.facts import RepoFacts
from readiness.model import AntiPatternHit
from readiness.practices.helpers import call_ev
from readiness.practices.registry import anti
from readiness.practices.security._evidence import PY

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
    for hit in facts.grep(r"[!=]=", kinds=PY, limit=5000):
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
        for hit in facts.grep(regex, kinds=(*PY, "env", "yaml"), limit=20):
            match = regex.search(hit.text)
            if match and _flag_default(match.group("value")) in bad:
                hits.append(anti("authentication can be switched off and is off by default",
                                 facts.evidence(hit.path, hit.line)))
    return hits


def _drf_allow_any(facts: RepoFacts) -> list[AntiPatternHit]:
    return [anti("DRF DEFAULT_PERMISSION_CLASSES is AllowAny: every view is public unless it "
                 "opts in", facts.evidence(h.path, h.line))
            for h in facts.grep(r"DEFAULT_PERMISSION_CLASSES[\s\S]{0,120}?AllowAny",
                                kinds=PY, limit=3)]


def authn_antipatterns(facts: RepoFacts) -> list[AntiPatternHit]:
    """The anti-patterns sec.authn reports; each caps the status at partial."""
    return [*_plain_key_comparisons(facts), *_default_credentials(facts),
            *_auth_switches(facts), *_drf_allow_any(facts)]

"""sec.password-hashing: passwords are stored with a slow, salted, adaptive hash."""

from __future__ import annotations

import re

from readiness.facts import RepoFacts
from readiness.facts.python.records import Call, ModuleFacts
from readiness.model import AntiPatternHit, Evidence, Severity
from readiness.practices.helpers import call_ev, dedupe, grep_ev
from readiness.practices.registry import Outcome, anti, implemented, missing, na, partial, practice
from readiness.practices.security._evidence import PY

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
                          r"\w*PasswordHasher", kinds=PY, limit=3):
        hits.append(anti("the first Django password hasher is a fast hash",
                         facts.evidence(hit.path, hit.line), Severity.FORCE_MISSING))
    for hit in facts.grep(_PLAINTEXT_COMPARE, kinds=PY, limit=20):
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
    settings = grep_ev(facts, r"^[ \t]*PASSWORD_HASHERS\s*=", limit=1, flags=re.M)
    if settings:
        return settings
    if facts.grep(r"[\"']django\.contrib\.auth[\"']", kinds=PY, limit=1):
        uses = [call_ev(facts, m, c) for m, c in facts.calls(
            "*.set_password", "*.check_password", "*.create_user", "*.create_superuser",
            "django.contrib.auth.authenticate", "django.contrib.auth.login")]
        app = grep_ev(facts, r"[\"']django\.contrib\.auth[\"']", limit=1,
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

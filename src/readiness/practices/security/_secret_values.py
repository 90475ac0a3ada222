"""What looks like a secret: secret-like names, real secret values, token formats."""

from __future__ import annotations

import ast
import re


def unquote(text: str | None) -> str | None:
    """The value of a plain string literal written in ``text`` (None for anything else)."""
    if text is None:
        return None
    try:
        value = ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    return value if isinstance(value, str) else None


_SECRET_WORDS = re.compile(
    r"(^|_)(secret|secret_key|password|passwd|pwd|pass|passphrase|token|access_token|"
    r"auth_token|api_key|apikey|access_key|secret_access_key|private_key|client_secret|"
    r"auth_key|signing_key|encryption_key|master_key|credentials?)$")
_NOT_SECRET_VALUES = frozenset({"bearer", "basic", "jwt", "token", "password", "secret",
                                "none", "null", "true", "false", "required", "changeme_not_set"})
KNOWN_TOKEN = re.compile(
    r"(?<![\w\-])(AKIA[0-9A-Z]{16}|ASIA[0-9A-Z]{16}|ghp_[A-Za-z0-9]{36}|github_pat_\w{22,}|"
    r"gho_[A-Za-z0-9]{36}|glpat-[A-Za-z0-9_\-]{20}|xox[abprs]-[A-Za-z0-9\-]{10,}|"
    r"sk-(proj-|ant-)?[A-Za-z0-9_\-]{20,}|sk_live_[A-Za-z0-9]{16,}|rk_live_[A-Za-z0-9]{16,}|"
    r"AIza[0-9A-Za-z_\-]{35}|-----BEGIN ([A-Z]+ )*PRIVATE KEY( BLOCK)?-----|"
    r"SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43})")
TEMPLATED = re.compile(r"\$\{|\{\{|\$\(|%\(|^\$[A-Za-z_]|<[^>]+>|\{[A-Za-z_]\w*\}")


def _snake(name: str) -> str:
    name = name.rsplit(".", 1)[-1].strip("'\"[] ")
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).replace("-", "_").lower()


def secret_name(name: str) -> bool:
    """Whether a variable, key or field name names a secret (password, token, api_key...)."""
    return bool(_SECRET_WORDS.search(_snake(name)))


def secret_value(value: str, name: str = "") -> bool:
    """True when a literal looks like a real secret value (not empty, prose, a template,
    a URL, an environment variable's name or a descriptor such as "bearer")."""
    text = value.strip().strip("'\"")
    if len(text) < 3 or TEMPLATED.search(text) or text.count(" ") >= 3:
        return False
    if text.lower() in _NOT_SECRET_VALUES or text.lower() == _snake(name):
        return False
    if text.startswith(("/", "http://", "https://")) or "://" in text:
        return False
    if re.fullmatch(r"(?i)x-[a-z0-9\-]+|authorization", text):
        return False  # a header name such as "X-API-Key"
    return not re.fullmatch(r"[A-Z][A-Z0-9_]{3,}", text)


def fallback_literal(text: str) -> str | None:
    """``${VAR:-literal}`` / ``${VAR-literal}`` -> the literal (None if there is none)."""
    match = re.search(r"\$\{\s*\w+\s*:?-([^}]*)\}", text)
    return match.group(1).strip() if match and match.group(1).strip() else None


PLACEHOLDER_TOKEN = re.compile(r"(?i)example|x{6,}|your|dummy|fake|sample|placeholder|"
                                r"0{8,}|\*{4,}|\.\.\.|redacted|changeme")


def placeholder_credentials(scheme: str, user: str, password: str) -> bool:
    """``driver://user:pass@...`` and the like, as written in documentation and samples."""
    return scheme == "driver" or (user.lower() in ("user", "username", "usr", "login") and
                                  password.lower() in ("pass", "password", "passwd", "pwd"))

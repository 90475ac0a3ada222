"""The secret scan's tally, and its scan of the Python code."""

from __future__ import annotations

import re
from dataclasses import dataclass

from readiness.facts import RepoFacts
from readiness.facts.python.records import Assign, Call, ModuleFacts
from readiness.model import AntiPatternHit, Evidence, Severity
from readiness.practices.helpers import all_calls, call_ev, with_note
from readiness.practices.registry import anti
from readiness.practices.security._config_context import (
    PROD_CLASS,
    PROD_PATH,
    class_kinds,
    dev_context,
    is_settings_class,
)
from readiness.practices.security._secret_values import (
    KNOWN_TOKEN,
    TEMPLATED,
    secret_name,
    secret_value,
    unquote,
)

_PASSWORD_SETTERS = re.compile(r"(?i)^(hash_password|get_password_hash|set_password|"
                               r"make_password|generate_password_hash|encrypt_password|"
                               r"hashpw)$")


@dataclass
class SecretScan:
    """What the secret scan found: hits that force missing or cap the status, good practice,
    and items for review."""

    forced: list[AntiPatternHit]
    capped: list[AntiPatternHit]
    good: list[Evidence]
    review: list[AntiPatternHit]

    def force(self, message: str, ev: Evidence) -> None:
        self.forced.append(anti(message, ev, Severity.FORCE_MISSING))

    def cap(self, message: str, ev: Evidence) -> None:
        self.capped.append(anti(message, ev))


def _env_settings_class(facts: RepoFacts, path: str, class_name: str) -> bool:
    """A pydantic-settings style class: its fields are read from the environment."""
    return any(re.search(r"BaseSettings$|Settings$", b)
               for b in class_kinds(facts).get((path, class_name), ()))


def _enum_class(facts: RepoFacts, path: str, class_name: str) -> bool:
    bases = class_kinds(facts).get((path, class_name), ())
    return any(re.search(r"(^|\.)\w*Enum$|^enum\.", b) for b in bases)


def scan_python_literals(facts: RepoFacts, scan: SecretScan) -> None:
    """Secret-named assignments: literal values, settings fields read from the environment,
    literal fallbacks, ``SecretStr`` annotations."""
    for module, assign in facts.assigns(re.compile(r".+")):
        if not secret_name(assign.target):
            continue
        if assign.class_name and _enum_class(facts, module.path, assign.class_name):
            continue
        if assign.value_kind == "str":
            _judge_literal_assign(facts, module, assign, scan)
        elif assign.class_name and not assign.value and assign.annotation:
            if _env_settings_class(facts, module.path, assign.class_name):
                scan.good.append(facts.evidence(module.path, assign.line,
                                                note="secret field read from the environment "
                                                     "by the settings class"))
        elif assign.value_kind == "other":
            _judge_or_fallback(facts, module, assign, scan)
        if assign.annotation and "SecretStr" in assign.annotation:
            scan.good.append(facts.evidence(module.path, assign.line, note="SecretStr"))


def _judge_literal_assign(facts: RepoFacts, module: ModuleFacts, assign: Assign,
                          scan: SecretScan) -> None:
    value = unquote(assign.value) or ""
    if not secret_value(value, assign.target):
        return
    ev = facts.evidence(module.path, assign.line)
    if KNOWN_TOKEN.search(value):
        scan.force(f"credential literal assigned to {assign.target}", ev)
    elif assign.class_name and is_settings_class(facts, module.path, assign.class_name):
        scan.cap(f"{assign.target} has a literal default in settings class "
                 f"{assign.class_name}; it is used whenever the environment does not set it",
                 ev)
    elif dev_context(module.path, assign.class_name):
        scan.cap(f"literal {assign.target} in development settings", ev)
    elif _overridden_in_production(facts, assign.target):
        scan.cap(f"literal {assign.target} in shared settings; production settings replace it",
                 ev)
    else:
        scan.force(f"literal secret assigned to {assign.target} (bandit B105)", ev)


def _overridden_in_production(facts: RepoFacts, target: str) -> bool:
    """A production settings module or class assigns the same name from elsewhere."""
    return any(a.target == target and a.value_kind != "str" and
               (PROD_PATH.search(m.path) or PROD_CLASS.search(a.class_name or ""))
               for m, a in facts.assigns(re.escape(target)))


_TEST_DATA = re.compile(r"(?i)(^|[._])(test|fake|dummy|sample|demo|fixture|mock)s?(_|$|\.)")


def _judge_or_fallback(facts: RepoFacts, module: ModuleFacts, assign: Assign,
                       scan: SecretScan) -> None:
    """``SECRET_KEY = os.environ.get("SECRET_KEY") or "literal"``."""
    match = re.search(r"(environ|getenv|env)\b.*\bor\s+(['\"])(.+?)\2\s*$", assign.value)
    if match and secret_value(match.group(3), assign.target):
        scan.cap(f"{assign.target} falls back to a literal when the environment does not set "
                 "it", facts.evidence(module.path, assign.line))


def scan_python_calls(facts: RepoFacts, scan: SecretScan) -> None:
    """Literal secrets passed to calls, and environment reads with literal fallbacks."""
    for module, call in all_calls(facts):
        if "str" not in call.arg_kinds and "str" not in call.kwarg_kinds:
            continue  # no literal to judge: the common case, decided without evidence
        ev = call_ev(facts, module, call)
        literal_passwords = [
            f"literal {key}= passed to {call.raw}() (bandit B106)"
            for (key, value), kind in zip(call.kwargs, call.kwarg_kinds, strict=False)
            if kind == "str" and key != "**" and secret_name(key) and
            secret_value(unquote(value) or "", key)]
        if _PASSWORD_SETTERS.match(call.raw.rsplit(".", 1)[-1]) and \
                call.arg_kinds[:1] == ("str",) and secret_value(unquote(call.args[0]) or ""):
            literal_passwords.append(f"hard-coded account password passed to {call.raw}()")
        for message in literal_passwords:
            if _TEST_DATA.search(call.scope):
                scan.review.append(anti(message + " while generating test data", ev,
                                        Severity.REVIEW))
            else:
                scan.force(message, ev)
        _judge_env_read(facts, module, call, ev, scan)


def _judge_env_read(facts: RepoFacts, module: ModuleFacts, call: Call, ev: Evidence,
                    scan: SecretScan) -> None:
    """``getenv("SECRET", "fallback")``-style reads: a literal fallback caps the status."""
    if call.arg_kinds[:1] != ("str",):
        return
    variable = unquote(call.args[0]) or ""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", variable) or not secret_name(variable):
        return
    if not re.search(r"(?i)environ|getenv|env|config|secret|setting", call.name):
        return  # dict.get("password") and the like are not configuration reads
    fallback = call.args[1] if len(call.args) > 1 and call.arg_kinds[1] == "str" else \
        call.kwarg("default") if call.kwarg_kind("default") == "str" else None
    fallback_value = (unquote(fallback) or "").strip()
    if fallback is not None and fallback_value and not TEMPLATED.search(fallback_value):
        if KNOWN_TOKEN.search(fallback_value):
            scan.force(f"credential literal as the fallback of {variable}", ev)
        else:
            scan.cap(f"{variable} falls back to a literal when the environment does not set "
                     "it", ev)
    else:
        scan.good.append(with_note(ev, f"{variable} read from the environment"))


_ENVIRON_ITEM = re.compile(r"environ\s*\[\s*[\"']([A-Za-z_][A-Za-z0-9_]*)[\"']\s*\]")


def scan_environ_subscripts(facts: RepoFacts, scan: SecretScan) -> None:
    """``os.environ["SECRET"]`` in assignments and call arguments (code, not docstrings)."""
    for module in facts.modules():
        texts = [(a.line, a.value) for a in module.assigns]
        texts += [(c.line, " ".join([*c.args, *(v for _, v in c.kwargs)])) for c in module.calls]
        for line, text in texts:
            for name in _ENVIRON_ITEM.findall(text):
                if secret_name(name):
                    scan.good.append(facts.evidence(module.path, line,
                                                    note=f"{name} read from the environment"))


_CONFIG_ITEM = re.compile(r"""(config|settings|environ)\s*\[\s*["'](\w+)["']\s*\]\s*=\s*"""
                          r"""["']([^"']*)["']""")


def scan_config_items(facts: RepoFacts, scan: SecretScan) -> None:
    """``app.config["SECRET_KEY"] = "..."`` (subscript targets are not recorded as names)."""
    for hit in facts.grep(_CONFIG_ITEM, kinds=("python",), limit=50):
        match = _CONFIG_ITEM.search(hit.match)
        if match is None or not secret_name(match.group(2)) or \
                not secret_value(match.group(3), match.group(2)) or \
                not python_code_line(facts, hit.path, hit.line):
            continue
        ev = facts.evidence(hit.path, hit.line)
        if dev_context(hit.path):
            scan.cap(f"literal {match.group(2)} in development configuration", ev)
        else:
            scan.force(f"literal {match.group(2)} written into the application config", ev)


def python_code_line(facts: RepoFacts, path: str, line: int) -> bool:
    """For Python files: the line holds an assignment or a call argument, not a docstring
    or comment (other files are always "code")."""
    module = facts.module(path)
    if module is None:
        return True
    return any(a.line == line for a in module.assigns) or any(
        c.line <= line <= c.end_line for c in module.calls)

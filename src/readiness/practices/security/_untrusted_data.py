"""Whether data reaching a call may come from outside, or only an operator runs it."""

from __future__ import annotations

import re

from readiness.facts import RepoFacts
from readiness.facts.python.records import Call, Function, ModuleFacts


def _enclosing_function(facts: RepoFacts, module: ModuleFacts, call: Call) -> Function | None:
    if not call.scope:
        return None
    return facts.function_at(module.path, call.scope)


_CLI_PATH = re.compile(r"(^|/)(cli|commands|management|scripts?|bin|tools|tasks)(/|\.py$)|"
                       r"(^|/)(manage|setup|noxfile|fabfile|tasks)\.py$")


def operator_only(facts: RepoFacts, module: ModuleFacts, call: Call) -> bool:
    """True when the call runs in an operator's command-line tool, not on a request path."""
    if _CLI_PATH.search(module.path):
        return True
    function = _enclosing_function(facts, module, call)
    if function is None:
        return False
    return any(re.search(r"(^|\.)(command|group|callback)$|^click\.|^typer\.", d.name or d.raw)
               for d in function.decorators)


_UNTRUSTED = re.compile(
    r"\b(request|req|flask\.request)\b|\bupload\w*|\.files\b|\bfiles\[|UploadFile|"
    r"file_uploader|\bresponse\.(content|body|text|raw|read)|\bresp\.(content|read)|urlopen|"
    r"\brequests\.|\bhttpx\.|\baiohttp\b|\.recv\w*\(|\bsocket\b|\bwebsocket\b|\bredis\b|"
    r"\bcache\.get|\bbody\b|\bpayload\b|\b(message|msg)\.(body|data|value)|\.get_data\(|"
    r"sys\.stdin|\binput\(|\bcookies?\b|\bheaders\b", re.I)


def _route_functions(facts: RepoFacts) -> dict[tuple[str, str], set[str]]:
    """(file, handler qualname) -> names of the handler's request-bound parameters."""

    def build() -> dict[tuple[str, str], set[str]]:
        out: dict[tuple[str, str], set[str]] = {}
        for route in facts.routes():
            if route.function is None:
                continue
            names = {p.name for p in route.params
                     if p.name not in ("self", "cls") and "Depends(" not in (p.default or "")}
            out[(route.file, route.function.qualname)] = names
        return out

    return facts.memo("security_code.route_functions", build)


def _argument_text(facts: RepoFacts, module: ModuleFacts, call: Call) -> str:
    """The call's arguments, plus the values of names they use in the same function."""
    text = " ".join([*call.args, *(v for _, v in call.kwargs)])
    words = set(re.findall(r"[A-Za-z_]\w*", text))
    resolved = [a.value for a in module.assigns if a.scope == call.scope and a.target in words]
    return " ".join([text, *resolved])


def untrusted_source(facts: RepoFacts, module: ModuleFacts, call: Call) -> str | None:
    """Why the data reaching this call may come from outside (None when it does not seem to)."""
    text = _argument_text(facts, module, call)
    match = _UNTRUSTED.search(text)
    if match:
        return f"`{match.group(0).strip('.(')}`"
    handler_params = _route_functions(facts).get((module.path, call.scope))
    if handler_params:
        used = handler_params & set(re.findall(r"[A-Za-z_]\w*", text))
        if used:
            return f"request parameter `{sorted(used)[0]}` of a route handler"
    return None

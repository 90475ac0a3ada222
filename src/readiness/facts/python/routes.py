"""HTTP routes found in a module: decorators, registrations and Django URLconfs.

A route ties a path and methods to the handler function, so rules can ask
per-route questions (is this state-changing route authenticated? is this list
route bounded?).
"""

from __future__ import annotations

from dataclasses import dataclass

from readiness.facts.python.records import Call, Function, ModuleFacts, Param

VERBS = {
    "get": ("GET",), "post": ("POST",), "put": ("PUT",), "patch": ("PATCH",),
    "delete": ("DELETE",), "head": ("HEAD",), "options": ("OPTIONS",), "trace": ("TRACE",),
    "websocket": ("WEBSOCKET",), "route": ("GET",), "api_route": ("GET",),
}
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_NOT_ROUTERS = ("requests", "httpx", "session", "client", "urllib", "aiohttp.ClientSession",
                "redis", "cache", "dict", "os.environ", "self.session", "self.client")


@dataclass(frozen=True, slots=True)
class Route:
    path: str
    methods: tuple[str, ...]
    handler: str  # qualname in ``file``, or the handler expression as written
    file: str
    line: int  # where the route is declared (decorator or registration)
    framework: str  # fastapi | flask | django | aiohttp | starlette | unknown
    receiver: str  # app / router / bp as written
    decorator: Call | None
    function: Function | None  # None when the handler lives elsewhere

    @property
    def writes(self) -> bool:
        return bool(WRITE_METHODS & set(self.methods)) or "ANY" in self.methods

    @property
    def params(self) -> tuple[Param, ...]:
        return self.function.params if self.function else ()

    @property
    def decorator_names(self) -> tuple[str, ...]:
        if not self.function:
            return ()
        return tuple(d.name or d.raw for d in self.function.decorators)


def _literal(text: str) -> str:
    text = text.strip()
    for prefix in ("rf", "fr", "r", "f", "b", "u"):
        if text.lower().startswith(prefix) and len(text) > len(prefix) and \
                text[len(prefix)] in "\"'":
            text = text[len(prefix):]
            break
    if len(text) >= 2 and text[0] in "\"'" and text[-1] == text[0]:
        quote = text[0] * 3 if text.startswith(text[0] * 3) and len(text) >= 6 else text[0]
        return text[len(quote):-len(quote)]
    return text


def _methods_from(call: Call, default: tuple[str, ...]) -> tuple[str, ...]:
    text = call.kwarg("methods")
    if not text:
        return default
    found = tuple(m.upper() for m in _words(text))
    return found or default


def _words(text: str) -> list[str]:
    import re

    return re.findall(r"[\"']([A-Za-z]+)[\"']", text)


def _framework(name: str) -> str:
    lowered = name.lower()
    for key in ("fastapi", "flask", "starlette", "aiohttp", "django", "litestar", "sanic",
                "quart", "falcon", "tornado"):
        if key in lowered:
            return key
    return "unknown"


def _route_path(call: Call) -> str | None:
    if call.args and call.arg_kinds and call.arg_kinds[0] in ("str", "fstring"):
        return _literal(call.args[0])
    for key in ("path", "rule", "url"):
        value = call.kwarg(key)
        if value is not None:
            return _literal(value)
    if not call.args and not call.has_kwarg("path", "rule"):
        return ""  # @router.get() : the router's own prefix
    return None


def routes_in(module: ModuleFacts) -> list[Route]:
    """Routes declared in one module."""
    out: list[Route] = []
    by_name = {f.qualname: f for f in module.functions}
    for function in module.functions:
        for decorator in function.decorators:
            if not decorator.is_call:
                continue
            leaf = decorator.raw.rsplit(".", 1)[-1]
            receiver = decorator.raw.rsplit(".", 1)[0] if "." in decorator.raw else ""
            if leaf not in VERBS or not receiver or receiver.startswith(_NOT_ROUTERS):
                continue
            path = _route_path(decorator)
            if path is None or (path and not path.startswith(("/", "{", "<"))
                                and "/" not in path):
                continue
            default = VERBS[leaf]
            methods = _methods_from(decorator, default) if leaf in ("route", "api_route") \
                else default
            out.append(Route(path, methods, function.qualname, module.path, decorator.line,
                             _framework(decorator.name), receiver, decorator, function))
    for call in module.calls:
        leaf = call.leaf
        if leaf in ("add_url_rule", "add_api_route", "add_route", "add_get", "add_post",
                    "add_put", "add_patch", "add_delete", "add_api_websocket_route"):
            path = _route_path(call)
            if path is None:
                continue
            handler = call.kwarg("view_func") or call.kwarg("endpoint") or call.kwarg("handler")
            if handler is None:
                positional = call.args[1:]
                if leaf == "add_url_rule" and len(positional) >= 2:
                    handler = positional[1]
                elif positional:
                    handler = positional[0]
            verb = leaf[4:] if leaf.startswith("add_") and leaf[4:] in VERBS else ""
            methods = _methods_from(call, VERBS.get(verb, ("GET",)))
            if leaf == "add_url_rule" and not call.has_kwarg("methods"):
                methods = ("ANY",) if handler and "as_view" in handler else ("GET",)
            name = (handler or "").split("(")[0].split(".")[-1]
            out.append(Route(path, methods, handler or "", module.path, call.line,
                             _framework(call.name), call.receiver, call, by_name.get(name)))
        elif call.has_kwarg("view_func"):
            out.extend(_helper_registrations(module, call, by_name))
        elif module.path.endswith("urls.py") and leaf in ("path", "re_path", "url") and \
                len(call.args) >= 2 and call.arg_kinds[0] == "str" and \
                not call.args[1].startswith("include("):
            handler = call.args[1]
            name = handler.split("(")[0].split(".")[-1]
            out.append(Route(_literal(call.args[0]), ("ANY",), handler, module.path, call.line,
                             "django", "", call, by_name.get(name)))
        elif leaf == "Route" and call.name.startswith(("starlette", "fastapi")) and call.args:
            path = _route_path(call)
            if path is None:
                continue
            handler = call.kwarg("endpoint") or (call.args[1] if len(call.args) > 1 else "")
            out.append(Route(path, _methods_from(call, ("GET",)), handler, module.path,
                             call.line, "starlette", "", call,
                             by_name.get(handler.split(".")[-1])))
    return out


_PATH_LIST_KEYS = ("routes", "rules", "urls", "paths")


def _helper_registrations(module: ModuleFacts, call: Call,
                          by_name: dict[str, Function]) -> list[Route]:
    """Flask views registered through a project helper, e.g.
    ``register_view(bp, routes=["/a", "/b"], view_func=View.as_view("v"))``.

    ``view_func=`` is Flask's keyword for a view, so a call carrying it together
    with path strings (a list under ``routes=``/``rules=``/``urls=``, ``rule=``,
    or a positional string) registers routes, whatever the helper is called.
    """
    paths: list[str] = []
    for key in _PATH_LIST_KEYS:
        value = call.kwarg(key)
        if value is not None:
            paths.extend(_words_any(value))
    if not paths:
        single = _route_path(call)
        if single:
            paths.append(single)
    if not paths:
        for text, kind in zip(call.args, call.arg_kinds, strict=False):
            if kind == "list":
                paths.extend(_words_any(text))
    handler = call.kwarg("view_func") or ""
    methods = _methods_from(call, ("ANY",) if "as_view" in handler else ("GET",))
    receiver = call.args[0] if call.args and call.arg_kinds[:1] == ("name",) else call.receiver
    name = handler.split("(")[0].split(".")[-1]
    return [Route(path, methods, handler, module.path, call.line, "flask", receiver, call,
                  by_name.get(name))
            for path in paths if path.startswith(("/", "<"))]


def _words_any(text: str) -> list[str]:
    """String literals inside a list/tuple snippet."""
    import re

    return [m[1] for m in re.findall(r"([\"'])(.*?)\1", text)]

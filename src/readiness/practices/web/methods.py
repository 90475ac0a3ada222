"""The HTTP methods a route really serves, and whether a write route changes state."""

from __future__ import annotations

import re

from readiness.facts import RepoFacts
from readiness.facts.python.routes import WRITE_METHODS, Route
from readiness.practices.web.handlers import Handler, class_methods, handler_text, resolve_handler

_HTTP_VERB_METHODS = ("get", "post", "put", "patch", "delete", "head", "options")
_EDITING_VIEWS = re.compile(r"(CreateView|UpdateView|DeleteView|FormView|ModelViewSet|"
                            r"GenericViewSet|ViewSet|CreateAPIView|UpdateAPIView|DestroyAPIView|"
                            r"ListCreateAPIView|RetrieveUpdate\w*APIView|FormMixin)$")
_READING_VIEWS = re.compile(r"(ListAPIView|RetrieveAPIView|ListView|DetailView|TemplateView|"
                            r"RedirectView|ReadOnlyModelViewSet)$")
# DRF handler names and the HTTP method each serves.
_DRF_ACTIONS = {"create": "POST", "update": "PUT", "partial_update": "PATCH",
                "destroy": "DELETE", "list": "GET", "retrieve": "GET"}
# Words in a handler that show it persists or changes something (split on "_" and ".").
_MUTATION_WORDS = frozenset((
    "add", "commit", "save", "delete", "remove", "create", "update", "insert", "upsert", "put",
    "set", "write", "send", "publish", "enqueue", "delay", "apply_async", "register", "upload",
    "execute", "flush", "merge", "patch", "store", "persist", "reset", "ban", "unban", "lock",
    "unlock", "move", "mark", "track", "untrack", "follow", "unfollow", "subscribe",
    "unsubscribe", "invite", "transfer", "import", "train", "retrain", "reload", "enable",
    "disable", "install", "uninstall", "activate", "deactivate", "approve", "reject", "revoke",
    "rotate", "rollback", "promote", "pause", "resume", "cancel", "bulk_create", "bulk_update",
    "destroy", "drop", "truncate", "rename", "assign", "grant", "hide", "unhide", "archive",
    "restore", "edit", "modify", "change", "toggle", "increment", "decrement", "insert_one",
    "insert_many", "update_one", "update_many", "delete_one", "delete_many", "replace_one",
    "rpush", "lpush", "hset", "incr", "expire", "setex", "trigger", "launch",
    "kill", "restart", "deploy", "notify", "refund", "charge", "checkout", "purchase", "purge",
    "migrate",
))
_RENDERS = re.compile(r"render_template\(|TemplateResponse\(|\brender\(|render_to_response\(")

# Names of routes that compute or look something up without changing state.
_READ_ONLY_WORDS = frozenset((
    "search", "preview", "render", "validate", "validation", "query", "find", "lookup",
    "calculate", "estimate", "predict", "prediction", "predictions", "score", "classify",
    "infer", "inference", "check", "verify", "parse", "convert", "format", "count", "export",
    "download", "compute", "evaluate", "explain", "summarize", "translate", "echo", "markdown",
    "quote", "simulate", "recommend", "forecast", "detect",
))


def route_methods(facts: RepoFacts, route: Route) -> tuple[str, ...]:
    """The HTTP methods a route really serves.

    ``ANY`` (Django URLconfs, ``add_url_rule`` of a class view) is narrowed from
    the handler: the verbs a view class defines, or for a function view whether it
    reads a request body or checks ``request.method``."""
    if "ANY" not in route.methods:
        return route.methods
    handler = resolve_handler(facts, route)
    if handler is None:
        return route.methods
    if handler.function is not None and handler.cls is None:
        return _function_view_methods(facts, handler)
    verbs = [f.name.upper() if f.name in _HTTP_VERB_METHODS else _DRF_ACTIONS[f.name]
             for f in class_methods(handler)
             if f.name in _HTTP_VERB_METHODS or f.name in _DRF_ACTIONS]
    bases = handler.cls.bases if handler.cls is not None else ()
    if any(_EDITING_VIEWS.search(b) for b in bases):
        verbs.append("POST")
    elif not verbs and any(_READING_VIEWS.search(b) for b in bases):
        verbs.append("GET")
    return tuple(dict.fromkeys(verbs)) or route.methods


def _function_view_methods(facts: RepoFacts, handler: Handler) -> tuple[str, ...]:
    function = handler.function
    assert function is not None
    names = " ".join(d.raw for d in function.decorators)
    if re.search(r"require_(GET|safe)\b", names):
        return ("GET",)
    if re.search(r"require_POST\b", names):
        return ("POST",)
    for decorator in function.decorators:
        if decorator.raw.endswith("require_http_methods") and decorator.args:
            found = tuple(m.upper() for m in re.findall(r"[\"'](\w+)[\"']", decorator.args[0]))
            if found:
                return found
    text = handler_text(facts, handler)
    if re.search(r"request\.(method|POST|FILES|body|form|get_json|json|data)\b", text):
        return ("GET", "POST")
    return ("GET",)


def route_writes(facts: RepoFacts, route: Route) -> bool:
    """Whether the route accepts a state-changing method (after narrowing ``ANY``)."""
    methods = route_methods(facts, route)
    return "ANY" in methods or bool(WRITE_METHODS & set(methods))


_READ_ONLY_VIEW = re.compile(r"\b(RedirectView|TemplateView|ListView|DetailView|ArchiveIndexView|"
                             r"YearArchiveView|MonthArchiveView|sitemap|serve|static|"
                             r"robots|favicon)\b")
_STATIC_PATH = re.compile(r"(robots\.txt|sitemap[\w.]*\.xml|favicon\.ico|\.txt|\.html?)\$?/?$",
                          re.I)


def changes_state(facts: RepoFacts, route: Route) -> bool:
    """A write-method route that may change state.

    A handler that calls something named like a write (save, commit, delete,
    update, send...) changes state. One with no such call is read-only only when
    it renders a page back (a search form) or its path or name says it computes
    (search, preview, predict...); otherwise, and when the handler cannot be
    read, the write method alone decides."""
    if not route_writes(facts, route):
        return False
    if _READ_ONLY_VIEW.search(route.handler or "") or _STATIC_PATH.search(route.path):
        return False  # framework views that only read or redirect; robots.txt, sitemaps
    handler = resolve_handler(facts, route)
    if handler is None:
        return True
    methods = tuple(m for m in route_methods(facts, route) if m in WRITE_METHODS or m == "ANY")
    text = handler_text(facts, handler, methods)
    body = text.split("\n", 1)[-1] if handler.function is not None else text
    if _mutation_words(body):
        return True
    # no write in sight: a page rendered back (search forms) or a read-only name
    return not (_read_only_intent(route, handler) or _RENDERS.search(body))


def _read_only_intent(route: Route, handler: Handler) -> bool:
    """The route's path or handler name says it only reads or computes (search,
    preview, predict...). Without such a name, a write method is assumed to write."""
    names = [route.path]
    if handler.function is not None:
        names.append(handler.function.name)
    if handler.cls is not None:
        names.append(handler.cls.name)
    words: set[str] = set()
    for name in names:
        spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
        words.update(w.lower() for w in re.split(r"[^A-Za-z0-9]+", spaced) if w)
    return bool(words & _READ_ONLY_WORDS)


def _mutation_words(text: str) -> set[str]:
    tokens: set[str] = set()
    for identifier in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text):
        tokens.add(identifier.lower())
        tokens.update(part.lower() for part in identifier.split("_") if part)
    return tokens & _MUTATION_WORDS

"""scale.pagination: list endpoints return bounded pages, never whole tables."""

from __future__ import annotations

import re
from dataclasses import dataclass

from readiness.facts import RepoFacts
from readiness.facts.python.records import Function, ModuleFacts
from readiness.facts.python.routes import Route
from readiness.model import AntiPatternHit, Evidence
from readiness.practices.helpers import dedupe_hits, route_ev, with_note
from readiness.practices.registry import Outcome, anti, implemented, missing, na, partial, practice
from readiness.practices.web import Handler, class_methods, resolve_handler

_LIMIT_PARAM = re.compile(r"^(limit|page_size|per_page|size|take|count|max_results|top|"
                          r"first|n|page|skip|offset|cursor|pagesize|pageSize)$")
_MANY = re.compile(r"\.all\(\)|fetchall\(|fetchmany\(|\.scalars\(|\.objects\.(filter|all|"
                   r"exclude|order_by)\(|_set\.(all|filter)\(|\.find\(|\.paginate\(|"
                   r"\bPaginator\(|\bpaginate\(|\blist\[|List\[|\.limit\(|\bLIMIT\b")
_DB_TOUCH = re.compile(r"session|\bdb\b|objects\.|query|select\(|execute\(|cursor|\.find\(|"
                       r"crud\.|repo|repository|\.all\(\)|paginate")
_HTML = re.compile(r"render_template|TemplateResponse|HTMLResponse|\brender\(|"
                   r"response_class\s*=\s*HTMLResponse")
_JSON = re.compile(r"jsonify|JsonResponse|json_response|\bResponse\(|JSONResponse|"
                   r"return\s+[\[{]|response_model")
_BOUND = re.compile(r"\ble\s*=\s*\d|\blt\s*=\s*\d|\bmax_per_page\b|"
                    r"\bmin\((?=[^)]*\b\w*(limit|size|per_page|count|take|top|max)\w*)[^)]*\b\d+|"
                    r"\.limit\(\s*\d+\s*\)|\[\s*:\s*\d+\s*\]|\bLIMIT\s+\d+|\bPaginator\(|"
                    r"fastapi_pagination|\bPage\[|LimitOffsetPage|CursorPage|"
                    r"conint\([^)]*le\s*=|pagination_class")
_PAGED = re.compile(r"\.offset\(|\.limit\(|\bskip\b|\boffset\b|\bLIMIT\b|\.paginate\(|"
                    r"\bpage(_size)?\b|\bper_page\b|\[\s*\w*\s*:\s*\w+\s*\]")
_PAGINATES = re.compile(r"\bPaginator\(|paginate_by|\.paginate\(|\bpage(_size)?\b|\bper_page\b|"
                        r"\boffset\b")
_UNSLICED = re.compile(r"^(?![ \t]*(for|if|elif|while)\b)[^\n]*(\.all\(\)|fetchall\(\))", re.M)


@dataclass
class _ListRoute:
    route: Route
    evidence: Evidence
    state: str  # "bounded" | "paged" (no maximum) | "none"


def _resolve_handler(facts: RepoFacts, route: Route) -> tuple[ModuleFacts, Function] | None:
    """The handler function of a route, also when it lives in another module (Django
    URLconfs name ``views.checks``)."""
    if route.function is not None:
        module = facts.module(route.file)
        return (module, route.function) if module is not None else None
    leaf = route.handler.split("(")[0].split(".")[-1]
    if not leaf or not leaf.isidentifier():
        return None
    folder = route.file.rsplit("/", 1)[0] if "/" in route.file else ""
    candidates = facts.find_functions(leaf)
    candidates.sort(key=lambda mf: (not mf[0].path.startswith(folder),
                                    not mf[0].path.endswith("views.py")))
    return candidates[0] if candidates else None


def _handler_parts(facts: RepoFacts, module: ModuleFacts, function: Function
                   ) -> list[tuple[int, str]]:
    """(first line, source) of the handler and of the same-module functions it calls
    (one hop: Django views often dispatch to a helper per method)."""
    lines = facts.lines(module.path)
    start = min([function.line, *(d.line for d in function.decorators)])
    parts = [(start, "\n".join(lines[start - 1:function.end_line]))]
    called = {c.leaf for c in module.calls
              if c.scope == function.qualname or c.scope.startswith(function.qualname + ".")}
    for other in module.functions:
        if other.name in called and other is not function:
            parts.append((other.line, "\n".join(lines[other.line - 1:other.end_line])))
    return parts


_READS_POST = re.compile(r"request\.(POST|form|get_json)\b|request\.method\s*==\s*[\"']POST")


_FORM_PAGE = re.compile(r"/(add|new|create|edit|update|delete|remove|settings|"
                        r"login|register|signup|reset\w*)/?$", re.I)


def _is_list_route(route: Route, text: str) -> bool:
    if not ({"GET", "ANY"} & set(route.methods)):
        return False
    if "GET" not in route.methods and _READS_POST.search(text):
        return False  # a view bound to any method that handles a posted form: a write
    if re.search(r"[}>]/?$", route.path.strip()):
        return False  # ends with an id: a single resource
    if _FORM_PAGE.search(route.path.strip()):
        return False  # a form page (its select boxes list rows, but it is not a listing)
    if not _MANY.search(text) or not _DB_TOUCH.search(text):
        return False
    if _HTML.search(text):
        return True  # a page listing rows: unbounded, it grows with the table too
    if route.framework in ("fastapi", "starlette", "litestar"):
        return True
    return bool(_JSON.search(text))


def _bound_state(function: Function, text: str) -> str:
    for param in function.params:
        if _LIMIT_PARAM.match(param.name) and param.default and \
                re.search(r"\b(le|lt)\s*=", param.default):
            return "bounded"
    body = text[text.find("def "):] if "def " in text else text
    body = body.split("\n", 1)[-1]
    if _BOUND.search(body) or _decorator_bound(text):
        return "bounded"
    if any(_LIMIT_PARAM.match(p.name) for p in function.params) or _PAGED.search(body):
        return "paged"
    return "none"


def _decorator_bound(text: str) -> bool:
    """A bounded page type declared on the route (``response_model=Page[Item]``)."""
    head = text[:text.find("def ")] if "def " in text else ""
    return bool(re.search(r"\bPage\[|LimitOffsetPage|CursorPage", head))


def _list_routes(facts: RepoFacts) -> tuple[list[_ListRoute], list[AntiPatternHit]]:
    routes: list[_ListRoute] = []
    antis: list[AntiPatternHit] = []
    seen: set[tuple[str, str]] = set()
    for route in facts.routes():
        resolved = _resolve_handler(facts, route)
        if resolved is None:
            handler = resolve_handler(facts, route)
            if handler is None or handler.cls is None:
                continue
            generic = _generic_list_view(facts, route, handler)
            if generic is not None:
                routes.append(generic)
                continue
            getter = next((f for f in class_methods(handler) if f.name == "get"), None)
            if getter is None:
                continue
            resolved = (handler.module, getter)
        module, function = resolved
        key = (module.path, function.qualname)
        if key in seen:
            continue
        parts = _handler_parts(facts, module, function)
        text = "\n".join(source for _, source in parts)
        if not _is_list_route(route, text):
            continue
        seen.add(key)
        state = _bound_state(function, text)
        if state == "bounded" and _HTML.search(text) and not _PAGINATES.search(text):
            continue  # a page showing the latest few rows ([:3]) is not a listing
        ev = route_ev(facts, route, note=f"{route.path or '/'}")
        routes.append(_ListRoute(route, ev, state))
        if state == "none":
            antis.extend(_unsliced(facts, module.path, parts))
    return routes, dedupe_hits(antis)


def _generic_list_view(facts: RepoFacts, route: Route, handler: Handler) -> _ListRoute | None:
    """A Django ``ListView`` (or subclass): bounded by ``paginate_by``, else every row."""
    cls = handler.cls
    if cls is None or not any(re.search(r"(^|\.)\w*ListView$", b) for b in cls.bases):
        return None
    if re.search(r"[}>]/?$", route.path.strip()):
        return None
    paginated = any(a.target == "paginate_by" and a.class_name == cls.name and
                    a.value.strip() not in ("None", "0") for a in handler.module.assigns)
    note = route.path or "/"
    return _ListRoute(route, route_ev(facts, route, note=note), "bounded" if paginated else "none")


def _unsliced(facts: RepoFacts, path: str, parts: list[tuple[int, str]]
              ) -> list[AntiPatternHit]:
    for start, source in parts:
        match = _UNSLICED.search(source)
        if match:
            line = start + source.count("\n", 0, match.start())
            return [anti("list route returns an unsliced .all()", facts.evidence(path, line))]
    return []


def _needs_pagination(facts: RepoFacts) -> bool:
    return facts.applies("API") and facts.applies("DB")


@practice(
    "scale.pagination", "Bounded pagination", priority="H", effort="L", applies="API and DB",
    when=_needs_pagination, sources=("S1",),
    aliases=("pagination", "paging", "page size", "limit/offset"),
    recommendation="Paginate every list endpoint (limit/offset, page/page_size or a cursor) "
                   "and cap the page size on the server (`Query(20, le=100)`, "
                   "`min(limit, 100)`, fastapi-pagination, DRF pagination classes).",
)
def check_pagination(facts: RepoFacts) -> Outcome:
    """List endpoints return bounded pages, never whole tables.

    Why it matters:
        A list route that returns every row is fast in development and an outage
        in production: response size, memory and query time grow with the table,
        and `?limit=1000000` lets any client ask for all of it.

    What counts as evidence:
        Each list route backed by the database, JSON or HTML page (GET, not ending in
        an id, whose handler queries many rows; Django `ListView`s): a page-size
        parameter with a maximum
        (`Query(20, le=100)`, `conint(le=)`), `min(limit, N)`, a fixed `.limit(N)`
        or slice, fastapi-pagination, DRF pagination classes, Django `Paginator`.

    What makes it partial:
        Per-route rule: implemented when at least 90 % of list routes are bounded.
        Routes with limit/offset or page parameters but no maximum, or only some
        routes paginated, give partial. A list route returning an unsliced `.all()`
        caps the status at partial.

    How to satisfy:
        `def list_items(skip: int = 0, limit: int = Query(20, le=100))` and
        `.offset(skip).limit(limit)`, returning the total count alongside the page.
    """
    routes, antis = _list_routes(facts)
    drf = [facts.evidence(h.path, h.line) for h in facts.grep(
        r"[\"']DEFAULT_PAGINATION_CLASS[\"']\s*:\s*[\"']", kinds=("python",), limit=1)]
    if not routes:
        if drf:
            return implemented("DRF paginates every list view by default "
                               "(DEFAULT_PAGINATION_CLASS).", drf)
        return na("No database-backed list routes (JSON or HTML pages) were found.")
    bounded = [r.evidence for r in routes if r.state == "bounded"]
    paged = [with_note(r.evidence, "paginated without a maximum page size")
             for r in routes if r.state == "paged"]
    unbounded = [with_note(r.evidence, "returns every row") for r in routes
                 if r.state == "none"]
    total = len(routes)
    summary = f"{len(bounded)} of {total} list route(s) bounded"
    if len(bounded) / total >= 0.9:
        return implemented(f"{summary}.", [*bounded[:8], *paged[:2], *unbounded[:2]], antis)
    if bounded or paged:
        extra = f", {len(paged)} paginated without a maximum" if paged else ""
        return partial(f"{summary}{extra}, {len(unbounded)} return every row.",
                       [*bounded[:6], *paged[:6], *unbounded[:4]], antis)
    return missing(f"None of {total} list route(s) paginate: every one returns all rows.",
                   antis, context=unbounded[:5])

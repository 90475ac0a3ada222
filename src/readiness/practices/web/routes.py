"""What a route's path says (health, readiness, public) and where the app is created.

Also the text and the calls of a route's own handler function.
"""

from __future__ import annotations

import re

from readiness.facts import RepoFacts
from readiness.facts.python.records import Call
from readiness.facts.python.routes import Route
from readiness.model import Evidence
from readiness.practices.helpers import calls_inside, definition_source

# Segments that make a route public wherever they appear (/login/access-token) ...
PUBLIC_ROUTE = re.compile(
    r"(^|/)(login|logout|signin|sign-in|signup|sign-up|register|"
    r"password-recovery|password[-_]reset|reset[-_]password|forgot[-_]password|"
    r"verify[-_]email|confirm|activate)(/|$|\{|<)", re.I)
# ... and segments that do so only at the end (/auth/token, not /auth/users/{id}).
PUBLIC_LAST_SEGMENT = re.compile(r"^(token|refresh|callback|oauth|auth|authorize|jwks\.json|"
                                 r"\.well-known)$", re.I)
HEALTH_SEGMENT = re.compile(
    r"^(health|healthz|healthcheck|health[-_]check|livez|live|liveness|ping|status|alive|"
    r"_health|heartbeat|ready|readyz|readiness|_ready|up)$", re.I)
READY_SEGMENT = re.compile(r"^(ready|readyz|readiness|_ready)$", re.I)


def last_segment(path: str) -> str:
    parts = [p for p in path.strip().strip("/").split("/") if p]
    return parts[-1] if parts else ""


_PARAMETER = re.compile(r"[{<]|\(\?P|(^|/):\w")


def is_health_route(route: Route) -> bool:
    """A health path has no parameters: ``/notifications/<uuid>/status`` is a resource's
    status, not the service's."""
    return bool(HEALTH_SEGMENT.match(last_segment(route.path))) and \
        not _PARAMETER.search(route.path)


def is_ready_route(route: Route) -> bool:
    return bool(READY_SEGMENT.match(last_segment(route.path)))


def is_public_route(route: Route) -> bool:
    """Routes meant to be reachable without credentials (login, signup, token, health)."""
    fixed = [p for p in route.path.strip("/").split("/") if p and p[0] not in "{<"]
    last = fixed[-1] if fixed else ""
    return bool(PUBLIC_ROUTE.search(route.path)) or bool(PUBLIC_LAST_SEGMENT.match(last)) or \
        is_health_route(route) or \
        bool(re.search(r"(^|/)(docs|redoc|openapi\.json|metrics|static|favicon\.ico)(/|$)",
                       route.path))


def health_routes(facts: RepoFacts) -> list[Route]:
    return [r for r in facts.routes() if is_health_route(r)]


def app_anchor(facts: RepoFacts) -> Evidence | None:
    """Where the web application object is created, to anchor an absence finding."""
    for module, call in facts.calls("fastapi.FastAPI", "flask.Flask", "starlette.*.Starlette",
                                    "starlette.applications.Starlette", "litestar.Litestar",
                                    "aiohttp.web.Application", "sanic.Sanic", "quart.Quart"):
        return facts.evidence(module.path, call.line)
    for path in facts.paths():
        if path.endswith(("settings.py", "wsgi.py", "asgi.py")):
            return facts.evidence(path, 1)
    return None


def app_context(facts: RepoFacts) -> list[Evidence]:
    """The application constructor as context for an absence finding (empty when unknown)."""
    anchor = app_anchor(facts)
    return [anchor] if anchor else []


def handler_source(facts: RepoFacts, route: Route) -> str:
    """The text of a route's handler function (empty when it is not in the repo)."""
    if route.function is None:
        return ""
    return definition_source(facts, route.file, route.function)


def calls_in_handler(facts: RepoFacts, route: Route) -> list[Call]:
    module = facts.module(route.file)
    if module is None or route.function is None:
        return []
    return calls_inside(module, route.function)

"""Questions about HTTP routes that several practices ask.

Is a route protected by authentication? Which routes are health checks? Which
routes change state? Where is the application object created (the anchor for
absence findings)? Answers come from decorators (also the project's own auth
decorators), FastAPI dependencies (direct, ``Annotated`` aliases, router- and
app-level), class-based views (``MethodView.decorators``, mixins, DRF
``permission_classes``), handlers resolved across modules (Django URLconfs,
``view_func=views.x``), blueprint ``before_request`` hooks and global auth.

One module per question: ``routes`` (health, public, the app anchor), ``handlers``
(the code serving a route), ``methods`` (what a route does), ``auth_index`` and
``auth`` (authentication). Every public name is importable from this package.
"""

from __future__ import annotations

from readiness.practices.helpers import (
    source_of,
)
from readiness.practices.web.auth import (
    AUTH_DECORATOR,
    AUTH_MIXINS,
    is_declared_public,
    is_dev_only,
    route_auth,
)
from readiness.practices.web.auth_index import (
    AUTH_NAME,
    AUTH_SCHEMES,
    AuthIndex,
    auth_index,
)
from readiness.practices.web.handlers import (
    Handler,
    class_methods,
    handler_text,
    module_path,
    resolve_handler,
    resolve_name,
)
from readiness.practices.web.methods import (
    changes_state,
    route_methods,
    route_writes,
)
from readiness.practices.web.routes import (
    HEALTH_SEGMENT,
    PUBLIC_LAST_SEGMENT,
    PUBLIC_ROUTE,
    READY_SEGMENT,
    app_anchor,
    app_context,
    calls_in_handler,
    handler_source,
    health_routes,
    is_health_route,
    is_public_route,
    is_ready_route,
    last_segment,
)

__all__ = [
    "AUTH_DECORATOR",
    "AUTH_MIXINS",
    "AUTH_NAME",
    "AUTH_SCHEMES",
    "HEALTH_SEGMENT",
    "PUBLIC_LAST_SEGMENT",
    "PUBLIC_ROUTE",
    "READY_SEGMENT",
    "AuthIndex",
    "Handler",
    "app_anchor",
    "app_context",
    "auth_index",
    "calls_in_handler",
    "changes_state",
    "class_methods",
    "handler_source",
    "handler_text",
    "health_routes",
    "is_declared_public",
    "is_dev_only",
    "is_health_route",
    "is_public_route",
    "is_ready_route",
    "last_segment",
    "module_path",
    "resolve_handler",
    "resolve_name",
    "route_auth",
    "route_methods",
    "route_writes",
    "source_of",
]

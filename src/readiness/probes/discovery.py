"""Discovery: what the target exposes (API description, docs, health endpoints, routes).

A bounded number of GETs on well-known paths, plus the routes the static analysis
found. Later probes pick their URLs from here instead of guessing again.
"""

from __future__ import annotations

import re

from readiness.model import ProbeResult
from readiness.probes.context import Context, Recorder, Route
from readiness.probes.http import Exchange

SPEC_PATHS = ("/openapi.json", "/swagger.json", "/api/openapi.json", "/v3/api-docs",
              "/api-docs", "/swagger/v1/swagger.json")
DOCS_PATHS = ("/docs", "/redoc", "/swagger-ui", "/swagger-ui.html", "/api/docs", "/apidocs")
HEALTH_PATHS = ("/health", "/healthz", "/ready", "/readyz", "/livez", "/status", "/ping",
                "/api/health", "/health/live", "/health/ready", "/_health", "/healthcheck")
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
_PARAM = re.compile(r"\{([^}/]+)\}|<(?:[a-z]+:)?([^>/]+)>|:([A-Za-z_][A-Za-z0-9_]*)")


def discover(ctx: Context, root: Exchange) -> ProbeResult:
    """Find the API description, docs and health endpoints; ``root`` is the first GET /."""
    rec = Recorder(ctx, "discovery")
    rec.extra_requests = 1  # the first contact, sent by the runner
    found = ctx.found
    found.root = root
    notes: list[str] = []
    if root.status is None:
        # nothing answered GET /: try a few paths, and give up if they fail the same way
        # (a TLS mismatch or a dead server costs a timeout per request otherwise)
        probes = [ctx.http.get(path) for path in ("/health", "/openapi.json")]
        if all(item.status is None for item in probes):
            notes.append(f"GET / failed: {root.error}")
            return rec.finish(measured={"root_status": None}, notes=notes)
    for path in SPEC_PATHS:
        if _out_of_time(ctx, notes):
            break
        answer = ctx.http.get(path)
        spec = answer.json() if answer.status == 200 else None
        if isinstance(spec, dict) and isinstance(spec.get("paths"), dict):
            found.spec_path, found.spec = path, spec
            found.routes.extend(routes_from_spec(spec))
            break
        if answer.truncated and answer.status == 200:
            notes.append(f"{path} is larger than the body cap; not parsed")
    for path in DOCS_PATHS:
        if _out_of_time(ctx, notes):
            break
        answer = ctx.http.get(path)
        if answer.status == 200:
            found.docs.append(path)
    spec_health = [r.path for r in found.routes
                   if r.method == "GET" and r.is_infrastructure and "{" not in r.path
                   and r.path not in HEALTH_PATHS and r.path != "/"
                   and not any(w in r.path for w in ("docs", "openapi", "swagger", "metrics"))]
    for path in (*HEALTH_PATHS, *spec_health[:5]):
        if _out_of_time(ctx, notes):
            break
        answer = ctx.http.get(path)
        if answer.status is not None and (answer.status < 300 or answer.status >= 500):
            found.health[path] = answer  # a 5xx health endpoint exists and is failing
    known = {(r.method, r.path) for r in found.routes}
    for method, path in list(ctx.known_routes)[: ctx.options.max_routes * 5]:
        if "://" in path or not path.strip():
            continue  # a route is a path on the target, never a URL elsewhere
        key = (method.upper(), normalise_path(path.strip()))
        if key not in known:
            known.add(key)
            found.routes.append(Route(key[0], key[1], None, key[0] in ("POST", "PUT", "PATCH"),
                                      fill_placeholders(key[1], {})))
    found.is_api = bool(found.spec) or any(
        item.is_json for item in (root, *found.health.values()))
    measured: dict[str, object] = {
        "root_status": root.status,
        "openapi": found.spec_path,
        "routes": len(found.routes),
        "docs": list(found.docs),
        "health_paths": {path: item.status for path, item in found.health.items()},
        "api": found.is_api,
    }
    if root.error:
        notes.append(f"GET / failed: {root.error}")
    answered = [a for a in (root, *found.health.values()) if a.status is not None]
    if answered and all(a.status is not None and a.status >= 500 for a in answered):
        notes.append(f"every answer so far was a server error ({answered[0].status}): "
                     "an error storm; results below describe a failing service")
    return rec.finish(measured=measured, notes=notes)


def _out_of_time(ctx: Context, notes: list[str]) -> bool:
    """Whether the budget cannot pay for one more timed-out request (noted once)."""
    if ctx.remaining() > ctx.options.request_timeout_s * 2:
        return False
    if not any("budget" in note for note in notes):
        notes.append("discovery cut short: the total time budget is nearly spent")
    return True


def routes_from_spec(spec: dict[str, object]) -> list[Route]:
    """Operations of an OpenAPI 3 / Swagger 2 document, with their security declaration."""
    paths = spec.get("paths")
    if not isinstance(paths, dict):
        return []
    global_security = spec.get("security")
    any_security = bool(global_security) or any(
        isinstance(op, dict) and "security" in op
        for item in paths.values() if isinstance(item, dict) for op in item.values())
    routes: list[Route] = []
    for path, item in paths.items():
        if not isinstance(item, dict) or not isinstance(path, str):
            continue
        common = item.get("parameters")
        shared: list[object] = common if isinstance(common, list) else []
        for method in METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            security = op.get("security", global_security)
            secured: bool | None = bool(security) if security is not None else (
                False if any_security else None)
            own = op.get("parameters")
            params = [*shared, *(own if isinstance(own, list) else [])]
            types = {str(p.get("name")): _param_type(p) for p in params
                     if isinstance(p, dict) and p.get("in") == "path"}
            body = op.get("requestBody")
            json_body = (isinstance(body, dict) and "application/json" in str(body.get("content"))
                         ) or any(isinstance(p, dict) and p.get("in") == "body" for p in params)
            routes.append(Route(method.upper(), path, secured, bool(json_body),
                                fill_placeholders(path, types)))
    return routes


def _param_type(param: dict[str, object]) -> str:
    schema = param.get("schema")
    if isinstance(schema, dict):
        if schema.get("format") == "uuid":
            return "uuid"
        return str(schema.get("type") or "string")
    return str(param.get("type") or "string")


def normalise_path(path: str) -> str:
    """Flask ``<int:id>`` and Express ``:id`` parameters written the OpenAPI way."""
    def repl(match: re.Match[str]) -> str:
        return "{" + (match[1] or match[2] or match[3]) + "}"
    text = path if path.startswith("/") else "/" + path
    return _PARAM.sub(repl, text)


def fill_placeholders(path: str, types: dict[str, str]) -> str:
    """Harmless values for path parameters: 1 for numbers, a zero UUID, or a word."""
    def repl(match: re.Match[str]) -> str:
        name = match[1] or match[2] or match[3]
        kind = types.get(name, "")
        if kind == "uuid" or "uuid" in name.lower():
            return "00000000-0000-0000-0000-000000000000"
        if kind in ("integer", "number") or (not kind and (
                name.lower() in ("id", "pk") or name.lower().endswith("_id"))):
            return "1"
        return "readiness-probe"
    return _PARAM.sub(repl, path)

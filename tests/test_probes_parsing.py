"""Pure parsing inside the probes: OpenAPI routes, placeholders, health bodies (no network)."""

from __future__ import annotations

import pytest


def test_route_classification_and_placeholders() -> None:
    """Health/docs routes are public by design; path parameters get harmless values."""
    from readiness.probes.context import Route
    from readiness.probes.discovery import fill_placeholders, normalise_path, routes_from_spec

    assert Route("GET", "/api/health", None).is_infrastructure
    assert Route("GET", "/docs", None).is_infrastructure
    assert not Route("GET", "/orders/{id}/status", None).is_infrastructure
    assert normalise_path("/users/<int:user_id>") == "/users/{user_id}"
    assert normalise_path("/users/:id") == "/users/{id}"
    assert fill_placeholders("/users/{user_id}/files/{name}", {}) == (
        "/users/1/files/readiness-probe")
    spec = {"paths": {
        "/items": {"get": {"security": [{"key": []}]},
                   "post": {"security": [{"key": []}],
                            "requestBody": {"content": {"application/json": {}}}}},
        "/public": {"get": {}},
        "/items/{item_id}": {"get": {"security": [{"key": []}], "parameters": [
            {"name": "item_id", "in": "path", "schema": {"type": "string",
                                                         "format": "uuid"}}]}}}}
    routes = {(r.method, r.path): r for r in routes_from_spec(spec)}
    assert routes[("GET", "/items")].secured is True
    assert routes[("GET", "/public")].secured is False
    assert routes[("POST", "/items")].json_body is True
    assert routes[("GET", "/items/{item_id}")].url_path == (
        "/items/00000000-0000-0000-0000-000000000000")


@pytest.mark.parametrize(("body", "expected"), [
    ({"status": "ok", "checks": {"database": "ok"}}, {"database": "ok"}),
    ({"status": "UP", "components": {"db": {"status": "UP"}, "redis": {"status": "DOWN"}}},
     {"db": "UP", "redis": "DOWN"}),
    ({"status": "pass", "checks": {"postgres:responseTime": [{"status": "pass"}]}},
     {"postgres:responseTime": "pass"}),
    ({"dependencies": [{"name": "db", "status": "ok"}]}, {"db": "ok"}),
    ({"status": "ok"}, {}),
    ({"status": "healthy", "uptime": 123, "version": "1.2"}, {}),
])
def test_health_body_dependency_states(body: dict[str, object],
                                       expected: dict[str, str]) -> None:
    """Readiness bodies (plain, Spring-style, IETF draft, lists) name their dependencies;
    a constant liveness body names none."""
    import json

    from readiness.probes.health import _dependencies
    from readiness.probes.http import Exchange

    answer = Exchange("GET", "http://127.0.0.1/ready", 200,
                      (("content-type", "application/json"),), json.dumps(body).encode(),
                      False, 1.0)
    assert _dependencies(answer) == expected

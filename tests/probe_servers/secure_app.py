"""A FastAPI service that does things right: the probes should pass it on every practice.

Security headers from a middleware (HSTS too when served over TLS), an API key on
every non-public route, an in-process limiter (429 + Retry-After) on the public API, a
liveness ``/health`` and a readiness ``/ready`` that really queries SQLite, JSON
errors, flagged cookies (Secure too over TLS).
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections import deque

from fastapi import Depends, FastAPI, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader
from pydantic import BaseModel

DB_PATH = os.environ.get("READY_DB", ":memory:")
API_KEY = "test-key"
LIMIT, WINDOW_S = 30, 10.0

app = FastAPI(title="secure test service")
api_key = APIKeyHeader(name="X-API-Key", auto_error=False)
_hits: deque[float] = deque()

HEADERS = {
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "geolocation=(), camera=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@app.middleware("http")
async def security_headers(request: Request, call_next):  # type: ignore[no-untyped-def]
    response = await call_next(request)
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.url.scheme == "https":
        response.headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    return response


def require_key(key: str | None = Depends(api_key)) -> str:
    if key != API_KEY:
        raise HTTPException(status_code=401, detail="missing or invalid API key",
                            headers={"WWW-Authenticate": "ApiKey"})
    return key


def limited() -> None:
    now = time.monotonic()
    while _hits and now - _hits[0] > WINDOW_S:
        _hits.popleft()
    if len(_hits) >= LIMIT:
        retry = int(WINDOW_S - (now - _hits[0])) + 1
        raise HTTPException(status_code=429, detail="too many requests",
                            headers={"Retry-After": str(retry)})
    _hits.append(now)


class Item(BaseModel):
    name: str
    quantity: int


@app.get("/")
def root(request: Request, response: Response) -> dict[str, str]:
    response.set_cookie("session", "abc", httponly=True, samesite="lax",
                        secure=request.url.scheme == "https")
    return {"service": "secure"}


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/ready")
def ready() -> JSONResponse:
    try:
        with sqlite3.connect(DB_PATH, timeout=1.0) as conn:
            conn.execute("SELECT 1").fetchone()
    except sqlite3.Error:
        return JSONResponse({"status": "down", "checks": {"database": "down"}}, 503)
    return JSONResponse({"status": "ok", "checks": {"database": "ok"}})


@app.get("/api/public/quote", dependencies=[Depends(limited)])
def quote() -> dict[str, str]:
    return {"quote": "ok"}


@app.get("/api/items")
def list_items(_: str = Depends(require_key)) -> list[dict[str, object]]:
    return [{"id": 1, "name": "apple", "quantity": 3}]


@app.get("/api/items/{item_id}")
def get_item(item_id: int, _: str = Depends(require_key)) -> dict[str, object]:
    return {"id": item_id, "name": "apple", "quantity": 3}


@app.post("/api/items", status_code=201)
def create_item(item: Item, _: str = Depends(require_key)) -> dict[str, object]:
    return {"id": 2, **item.model_dump()}

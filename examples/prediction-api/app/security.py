"""API-key check for the endpoints that change data."""

from fastapi import Header, HTTPException

from app.config import settings


def require_api_key(x_api_key: str = Header(default="")) -> None:
    # Compared with ==: leaks timing; hmac.compare_digest is the safe comparison.
    if not settings.api_key or x_api_key != settings.api_key:
        raise HTTPException(status_code=401, detail="invalid API key")

"""The fixed modules every synthetic service has, and the few newer-syntax files.

These are the files a reviewer looks for first (settings, database session, app
factory, security, Celery app, test fixtures). The newer-syntax files (PEP 695
generics and ``type`` aliases, PEP 758 unparenthesised ``except A, B:``) do not
parse with Python 3.11's ``ast``, which is the point: they make ``--python-parser
auto`` fall back to tree-sitter on a realistic share of the tree.
"""

from __future__ import annotations

import random

from synth_code import CodeWriter, Lines, Service, indent, join_blocks

Module = tuple[str, str]


def _text(lines: Lines) -> str:
    return "\n".join(lines).rstrip() + "\n"


def settings_module(svc: Service, rng: random.Random) -> Module:
    """pydantic-settings configuration with secrets and timeouts."""
    fields = [
        "database_url: PostgresDsn = Field(...)",
        'redis_url: str = "redis://localhost:6379/0"',
        "secret_key: SecretStr",
        f"request_timeout: float = {rng.choice((2.0, 5.0, 10.0, 30.0))}",
        f"pool_size: int = {rng.randint(5, 40)}",
        'log_level: str = "INFO"',
        "debug: bool = False",
        f'allowed_origins: list[str] = ["https://{svc.name}.example.com"]',
    ]
    lines = ['"""Runtime configuration, read from the environment."""', "",
             "from functools import lru_cache", "",
             "from pydantic import Field, PostgresDsn, SecretStr",
             "from pydantic_settings import BaseSettings, SettingsConfigDict", "", "",
             "class Settings(BaseSettings):",
             f'    model_config = SettingsConfigDict(env_prefix="{svc.name.upper()}_", '
             'env_file=".env", extra="ignore")', "", *indent(fields), "", "",
             "@lru_cache", "def get_settings() -> Settings:", "    return Settings()"]
    return f"{svc.src}/settings.py", _text(lines)


def db_module(svc: Service) -> Module:
    """Engine, session factory and the request-scoped ``get_db`` dependency."""
    if svc.framework == "flask":
        lines = ['"""Flask-SQLAlchemy handle."""', "",
                 "from flask_sqlalchemy import SQLAlchemy", "", "db = SQLAlchemy()",
                 "Base = db.Model", "SessionLocal = db.session"]
        return f"{svc.src}/db.py", _text(lines)
    lines = ['"""Database engine and sessions."""', "", "from collections.abc import Iterator", "",
             "from sqlalchemy import create_engine",
             "from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker", "",
             f"from {svc.pkg}.settings import get_settings", "",
             "engine = create_engine(str(get_settings().database_url), pool_pre_ping=True,",
             "                       pool_size=get_settings().pool_size)",
             "SessionLocal = sessionmaker(bind=engine, expire_on_commit=False)", "", "",
             "class Base(DeclarativeBase):", "    pass", "", "",
             "def get_db() -> Iterator[Session]:", "    session = SessionLocal()", "    try:",
             "        yield session", "    finally:", "        session.close()"]
    return f"{svc.src}/db.py", _text(lines)


def security_module(svc: Service) -> Module:
    """Token decoding and role checks used by the routes."""
    lines = ['"""Authentication helpers."""', "", "from dataclasses import dataclass", "",
             "import jwt", "from fastapi import Depends, HTTPException, status",
             "from fastapi.security import OAuth2PasswordBearer", "",
             f"from {svc.pkg}.settings import get_settings", "",
             'oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")', "", "",
             "@dataclass", "class User:", "    id: int", "    tenant_id: int",
             "    roles: tuple[str, ...] = ()", "", "",
             "def current_user(token: str = Depends(oauth2_scheme)) -> User:", "    try:",
             "        claims = jwt.decode(token, get_settings().secret_key.get_secret_value(),",
             '                            algorithms=["HS256"])',
             "    except jwt.PyJWTError as exc:",
             "        raise HTTPException(status.HTTP_401_UNAUTHORIZED) from exc",
             '    return User(int(claims["sub"]), int(claims["tenant"]), '
             'tuple(claims.get("roles", ())))', "", "",
             "def require_role(role: str):",
             "    def check(user: User = Depends(current_user)) -> User:",
             "        if role not in user.roles:",
             "            raise HTTPException(status.HTTP_403_FORBIDDEN)", "        return user",
             "", "    return check"]
    return f"{svc.src}/security.py", _text(lines)


def small_modules(svc: Service, rng: random.Random) -> list[Module]:
    """Errors, logging setup, Celery app and test fixtures."""
    errors = ['"""Domain errors."""', "", "", f"class {svc.name.capitalize()}Error(Exception):",
              '    """Base error."""', "", "",
              f"class NotFoundError({svc.name.capitalize()}Error):", "    pass", "", "",
              f"class ConflictError({svc.name.capitalize()}Error):", "    pass"]
    logging_config = ['"""Logging configuration."""', "", "import logging.config", "", "",
                      "def configure(level: str = \"INFO\") -> None:",
                      "    logging.config.dictConfig({", '        "version": 1,',
                      '        "formatters": {"json": {"()": "pythonjsonlogger.jsonlogger.'
                      'JsonFormatter"}},',
                      '        "handlers": {"console": {"class": "logging.StreamHandler", '
                      '"formatter": "json"}},',
                      '        "root": {"level": level, "handlers": ["console"]},', "    })"]
    celery = ['"""Celery application."""', "", "from celery import Celery", "",
              f"from {svc.pkg}.settings import get_settings", "",
              f'celery_app = Celery("{svc.name}", broker=get_settings().redis_url)',
              f"celery_app.conf.task_acks_late = {rng.choice((True, False))}",
              f"celery_app.conf.worker_prefetch_multiplier = {rng.randint(1, 8)}"]
    conftest = ['"""Shared fixtures."""', "", "import pytest", "", "", "@pytest.fixture",
                "def client():", f"    from {svc.pkg}.main import create_app", "",
                "    app = create_app()"]
    conftest += (["    from fastapi.testclient import TestClient", "",
                  "    return TestClient(app)"] if svc.framework == "fastapi"
                 else ["    return app.test_client()"])
    return [(f"{svc.src}/errors.py", _text(errors)),
            (f"{svc.src}/logging_config.py", _text(logging_config)),
            (f"{svc.src}/celery_app.py", _text(celery)),
            (f"{svc.tests}/conftest.py", _text(conftest))]


def app_module(svc: Service, rng: random.Random) -> Module:
    """App factory wiring every router or blueprint generated for the service."""
    if svc.framework == "fastapi":
        imports = [f"from {svc.pkg}.{mod} import router as {mod.split('.')[-1]}_router"
                   for mod in svc.routers]
        wiring = [f"    app.include_router({mod.split('.')[-1]}_router)" for mod in svc.routers]
        health = ['    @app.get("/healthz")', "    def healthz() -> dict[str, str]:",
                  '        return {"status": "ok"}'] if rng.random() < 0.7 else []
        lines = ['"""ASGI application."""', "", "from fastapi import FastAPI",
                 "from fastapi.middleware.cors import CORSMiddleware", "", *imports, "",
                 f"from {svc.pkg}.logging_config import configure",
                 f"from {svc.pkg}.settings import get_settings", "", "",
                 "def create_app() -> FastAPI:", "    configure(get_settings().log_level)",
                 f'    app = FastAPI(title="{svc.name}")',
                 "    app.add_middleware(CORSMiddleware, "
                 "allow_origins=get_settings().allowed_origins)", *wiring, *health,
                 "    return app", "", "", "app = create_app()"]
    else:
        imports = [f"from {svc.pkg}.{mod} import bp as {mod.split('.')[-1]}_bp"
                   for mod in svc.routers]
        wiring = [f"    app.register_blueprint({mod.split('.')[-1]}_bp)" for mod in svc.routers]
        lines = ['"""WSGI application."""', "", "from flask import Flask", "", *imports, "",
                 f"from {svc.pkg}.db import db", "", "",
                 "def create_app() -> Flask:", "    app = Flask(__name__)",
                 f'    app.config.from_prefixed_env("{svc.name.upper()}")', "    db.init_app(app)",
                 *wiring, '    app.add_url_rule("/healthz", "healthz", lambda: "ok")',
                 "    return app"]
    return f"{svc.src}/main.py", _text(lines)


def schemas_module(svc: Service) -> Module:
    """pydantic request/response models for every entity the service owns."""
    blocks: list[Lines] = []
    for ent in svc.entities:
        fields = [f"    {name}: Any | None = None" for name in ent.fields]
        blocks.append([f"class {ent.camel}In(BaseModel):", *fields])
        blocks.append([f"class {ent.camel}Out({ent.camel}In):",
                       "    model_config = ConfigDict(from_attributes=True)", "", "    id: int"])
    lines = ['"""Request and response bodies."""', "", "from typing import Any", "",
             "from pydantic import BaseModel, ConfigDict", "", "", *join_blocks(blocks)]
    return f"{svc.src}/schemas.py", _text(lines)


def newer_syntax_modules(svc: Service, code: CodeWriter) -> list[Module]:
    """Three modules that need Python 3.12+/3.14 grammar (tree-sitter fallback)."""
    generics = ['"""Typed containers (PEP 695)."""', "", "from collections.abc import Callable",
                "", "", "def first[T](items: list[T]) -> T | None:",
                "    return items[0] if items else None", "", "",
                "def apply[T, R](value: T, fn: Callable[[T], R]) -> R:", "    return fn(value)",
                "", "", "class Box[T]:", "    def __init__(self, value: T) -> None:",
                "        self.value = value", "", "    def map[R](self, fn: Callable[[T], R]) -> "
                "Box[R]:", "        return Box(fn(self.value))", "", "",
                *code.function("unbox_value", "box", is_async=False)]
    aliases = ['"""Type aliases (PEP 695 ``type`` statement)."""', "", "from typing import Any",
               "", "type JSON = dict[str, Any] | list[Any] | str | int | float | bool | None",
               "type Pair[K, V] = tuple[K, V]", "type Handler[T] = Callable[[T], None]", "", "",
               "def pairs[K, V](mapping: dict[K, V]) -> list[Pair[K, V]]:",
               "    return list(mapping.items())"]
    errors = ['"""Error translation (PEP 758 unparenthesised except)."""', "", "import logging",
              "", "logger = logging.getLogger(__name__)", "", "",
              "def parse_amount(raw: str) -> float | None:", "    try:",
              "        return float(raw)", "    except ValueError, TypeError:",
              '        logger.warning("bad amount %r", raw)', "        return None", "", "",
              "def lookup(table: dict[str, int], key: str) -> int:", "    try:",
              "        return table[key]", "    except KeyError, IndexError:", "        return -1"]
    base = f"{svc.src}/compat"
    return [(f"{base}/typing_next.py", _text(generics)), (f"{base}/aliases.py", _text(aliases)),
            (f"{base}/errors_next.py", _text(errors))]

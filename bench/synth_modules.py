"""One renderer per kind of Python module found in a typical service repository.

Each renderer returns ``(relative_path, source)``. They mix fixed, framework-shaped
code (routes, models, queries, HTTP clients, tasks, tests) with random bodies from
``BodyWriter`` so the rules see the patterns they look for (timeouts, retries,
``Depends``, broad excepts, seeds) in varied surroundings.
"""

from __future__ import annotations

import random

from synth_code import (
    AREAS,
    FIELDS,
    SUBAREAS,
    UTIL_TOPICS,
    VERBS,
    CodeWriter,
    Entity,
    Lines,
    Service,
    indent,
    join_blocks,
)

Module = tuple[str, str]


class ModuleWriter:
    """Renders service modules; holds the shared ``CodeWriter`` and RNG."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.code = CodeWriter(rng)

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    # --- HTTP layer -------------------------------------------------------------------

    def fastapi_routes(self, svc: Service, ent: Entity) -> Module:
        """An ``APIRouter`` module with CRUD endpoints using ``Depends``."""
        imports = [
            "from typing import Annotated", "",
            "from fastapi import APIRouter, Depends, HTTPException, Query, Request, status",
            "from sqlalchemy import select", "from sqlalchemy.orm import Session", "",
            f"from {svc.pkg}.db import get_db",
            f"from {svc.pkg}.models.{ent.snake} import {ent.camel}",
            f"from {svc.pkg}.schemas import {ent.camel}In, {ent.camel}Out",
            f"from {svc.pkg}.security import User, current_user, require_role",
        ]
        router = [f'router = APIRouter(prefix="/{ent.plural}", tags=["{ent.snake}"])']
        makers = [self._fa_list, self._fa_get, self._fa_create, self._fa_update,
                  self._fa_delete, self._fa_action, self._fa_action]
        chosen = [m for m in makers if self.chance(0.75)] or [self._fa_get]
        blocks = [router] + [maker(ent) for maker in chosen]
        path = f"{svc.src}/api/routes_{ent.snake}.py"
        svc.routers.append(f"api.routes_{ent.snake}")
        doc = f"HTTP routes for {ent.plural.replace('_', ' ')}."
        return path, self.code.module(doc, imports, join_blocks(blocks))

    def _fa_body(self, ent: Entity, names: list[str], is_async: bool) -> Lines:
        writer = self.code.bodies(ent.snake)
        return writer.block(names, 1, self.rng.randint(0, 5), is_async)

    def _fa_head(self, method: str, route: str, extra: str = "") -> Lines:
        decorators = [f'@router.{method}("{route}"{extra})']
        if self.chance(0.2):
            decorators.append(f'@limiter.limit("{self.rng.choice((10, 30, 120))}/minute")')
        return decorators

    def _fa_list(self, ent: Entity) -> Lines:
        is_async = self.chance(0.5)
        head = self._fa_head("get", "", f", response_model=list[{ent.camel}Out]")
        sig = [f"{'async def' if is_async else 'def'} list_{ent.plural}(",
               "    limit: Annotated[int, Query(ge=1, le=500)] = 50,", "    offset: int = 0,",
               "    db: Session = Depends(get_db),", "    user: User = Depends(current_user),",
               f") -> list[{ent.camel}Out]:"]
        body = [f"stmt = select({ent.camel}).where({ent.camel}.tenant_id == user.tenant_id)",
                "stmt = stmt.offset(offset).limit(limit)", "rows = db.scalars(stmt).all()",
                *self._fa_body(ent, ["rows", "limit", "offset", "user"], is_async),
                f"return [{ent.camel}Out.model_validate(row) for row in rows]"]
        return head + sig + indent(body)

    def _fa_get(self, ent: Entity) -> Lines:
        is_async = self.chance(0.5)
        head = self._fa_head("get", "/{item_id}", f", response_model={ent.camel}Out")
        sig = f"{'async def' if is_async else 'def'} get_{ent.snake}(item_id: int, " \
              f"db: Session = Depends(get_db)) -> {ent.camel}Out:"
        body = [f"item = db.get({ent.camel}, item_id)", "if item is None:",
                f'    raise HTTPException(status_code=404, detail="{ent.snake} not found")',
                *self._fa_body(ent, ["item", "item_id"], is_async),
                f"return {ent.camel}Out.model_validate(item)"]
        return [*head, sig, *indent(body)]

    def _fa_create(self, ent: Entity) -> Lines:
        extra = f", response_model={ent.camel}Out, status_code=status.HTTP_201_CREATED"
        head = self._fa_head("post", "", extra)
        sig = [f"def create_{ent.snake}(", f"    body: {ent.camel}In,",
               "    db: Session = Depends(get_db),", "    user: User = Depends(current_user),",
               f") -> {ent.camel}Out:"]
        body = [f"item = {ent.camel}(**body.model_dump(), owner_id=user.id)", "db.add(item)",
                *self._fa_body(ent, ["item", "body", "user"], False),
                "db.commit()", "db.refresh(item)",
                f'logger.info("created {ent.snake} %s", item.id)',
                f"return {ent.camel}Out.model_validate(item)"]
        return head + sig + indent(body)

    def _fa_update(self, ent: Entity) -> Lines:
        method = self.rng.choice(("put", "patch"))
        head = self._fa_head(method, "/{item_id}", f", response_model={ent.camel}Out")
        sig = [f"def update_{ent.snake}(", "    item_id: int,", f"    body: {ent.camel}In,",
               "    db: Session = Depends(get_db),", f") -> {ent.camel}Out:"]
        body = [f"item = db.get({ent.camel}, item_id)", "if item is None:",
                "    raise HTTPException(status.HTTP_404_NOT_FOUND)",
                "for key, value in body.model_dump(exclude_unset=True).items():",
                "    setattr(item, key, value)",
                *self._fa_body(ent, ["item", "body", "item_id"], False),
                "db.commit()", f"return {ent.camel}Out.model_validate(item)"]
        return head + sig + indent(body)

    def _fa_delete(self, ent: Entity) -> Lines:
        extra = ', status_code=204, dependencies=[Depends(require_role("admin"))]'
        head = self._fa_head("delete", "/{item_id}", extra)
        sig = f"def delete_{ent.snake}(item_id: int, db: Session = Depends(get_db)) -> None:"
        body = [f"item = db.get({ent.camel}, item_id)", "if item is not None:",
                "    db.delete(item)", "    db.commit()"]
        return [*head, sig, *indent(body)]

    def _fa_action(self, ent: Entity) -> Lines:
        verb = self.rng.choice(VERBS)
        is_async = self.chance(0.4)
        head = self._fa_head("post", f"/{{item_id}}/{verb}")
        sig = [f"{'async def' if is_async else 'def'} {verb}_{ent.snake}(",
               "    item_id: int,", "    request: Request,",
               "    db: Session = Depends(get_db),", "    user: User = Depends(current_user),",
               ") -> dict[str, Any]:"]
        body = [f"item = db.get({ent.camel}, item_id)", "if item is None:",
                "    raise HTTPException(404)",
                *self._fa_body(ent, ["item", "request", "user", "item_id"], is_async),
                f'return {{"id": item.id, "action": "{verb}", "by": user.id}}']
        return head + sig + indent(body)

    def flask_routes(self, svc: Service, ent: Entity) -> Module:
        """A Flask blueprint with ``@bp.route`` views and ``login_required``."""
        imports = ["from flask import Blueprint, abort, jsonify, request",
                   "from flask_login import current_user, login_required", "",
                   f"from {svc.pkg}.db import db",
                   f"from {svc.pkg}.models.{ent.snake} import {ent.camel}"]
        bp = [f'bp = Blueprint("{ent.snake}", __name__, url_prefix="/{ent.plural}")']
        views = [self._flask_list(ent), self._flask_get(ent)]
        views += [self._flask_write(ent, verb) for verb in self.rng.sample(VERBS, 3)
                  if self.chance(0.6)]
        path = f"{svc.src}/views/{ent.snake}_views.py"
        svc.routers.append(f"views.{ent.snake}_views")
        doc = f"Flask views for {ent.plural.replace('_', ' ')}."
        return path, self.code.module(doc, imports, join_blocks([bp, *views]))

    def _flask_list(self, ent: Entity) -> Lines:
        body = ['page = request.args.get("page", 1, type=int)',
                f"query = {ent.camel}.query.filter_by(tenant_id=current_user.tenant_id)",
                "items = query.paginate(page=page, per_page=50).items",
                *self.code.bodies(ent.snake).block(["items", "page"], 1, self.rng.randint(0, 4),
                                                   False),
                'return jsonify([item.to_dict() for item in items])']
        return ['@bp.route("", methods=["GET"])', "@login_required",
                f"def list_{ent.plural}():", *indent(body)]

    def _flask_get(self, ent: Entity) -> Lines:
        body = [f"item = db.session.get({ent.camel}, item_id)", "if item is None:",
                "    abort(404)", "return jsonify(item.to_dict())"]
        return ['@bp.route("/<int:item_id>", methods=["GET"])',
                f"def get_{ent.snake}(item_id: int):", *indent(body)]

    def _flask_write(self, ent: Entity, verb: str) -> Lines:
        body = ["payload = request.get_json(force=True) or {}",
                f"item = db.session.get({ent.camel}, item_id) or abort(404)",
                *self.code.bodies(ent.snake).block(["payload", "item"], 1,
                                                   self.rng.randint(1, 5), False),
                "db.session.commit()", 'return jsonify({"ok": True}), 202']
        decorators = [f'@bp.route("/<int:item_id>/{verb}", methods=["POST"])']
        if self.chance(0.7):
            decorators.append("@login_required")
        return [*decorators, f"def {verb}_{ent.snake}(item_id: int):", *indent(body)]

    # --- data layer -------------------------------------------------------------------

    def models(self, svc: Service, entities: list[Entity]) -> Module:
        """SQLAlchemy models, in 2.0 ``Mapped`` style or the classic ``Column`` style."""
        imports = ["from sqlalchemy import (", "    Boolean, Column, Date, DateTime, Float, "
                   "ForeignKey, Integer, Numeric, String, Text, func,", ")",
                   "from sqlalchemy.orm import Mapped, mapped_column, relationship", "",
                   f"from {svc.pkg}.db import Base"]
        blocks = [self._model(ent, self.chance(0.6)) for ent in entities]
        path = f"{svc.src}/models/{entities[0].snake}.py"
        return path, self.code.module("Database models.", imports, join_blocks(blocks))

    def _model(self, ent: Entity, mapped: bool) -> Lines:
        lines = [f"class {ent.camel}(Base):", f'    __tablename__ = "{ent.plural}"', ""]
        if mapped:
            lines += ["    id: Mapped[int] = mapped_column(primary_key=True)",
                      '    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), '
                      "index=True)"]
            for name in ent.fields:
                column, annotation = FIELDS[name]
                lines.append(f"    {name}: Mapped[{annotation}] = mapped_column({column})")
        else:
            lines += ["    id = Column(Integer, primary_key=True)",
                      '    tenant_id = Column(Integer, ForeignKey("tenants.id"), index=True)']
            lines += [f"    {name} = Column({FIELDS[name][0]}, nullable={self.chance(0.5)})"
                      for name in ent.fields]
        if self.chance(0.4):
            lines.append(f'    tenant = relationship("Tenant", back_populates="{ent.plural}")')
        pairs = ", ".join(f'"{name}": self.{name}' for name in ent.fields)
        lines += ["", "    def to_dict(self) -> dict[str, object]:",
                  f'        return {{"id": self.id, {pairs}}}']
        if self.chance(0.5):
            lines += ["", "    def __repr__(self) -> str:",
                      f'        return f"<{ent.camel} {{self.id}}>"']
        return lines

    def repository(self, svc: Service, ent: Entity) -> Module:
        """Query helpers: ORM selects, a raw ``text()`` query, sometimes f-string SQL."""
        imports = ["from sqlalchemy import func, select, text, update",
                   "from sqlalchemy.orm import Session", "",
                   f"from {svc.pkg}.models.{ent.snake} import {ent.camel}"]
        methods = [*self._repo_fixed(ent)]
        for _ in range(self.rng.randint(1, 6)):
            name = f"{self.rng.choice(VERBS)}_{ent.plural}"
            methods += ["", *self.code.function(name, ent.snake, method=True)]
        cls = [f"class {ent.camel}Repository:", *indent(methods)]
        path = f"{svc.src}/repositories/{ent.snake}_repository.py"
        doc = f"Persistence for {ent.plural.replace('_', ' ')}."
        return path, self.code.module(doc, imports, cls)

    def _repo_fixed(self, ent: Entity) -> Lines:
        column = self.rng.choice(ent.fields)
        lines = ["def __init__(self, session: Session) -> None:", "    self.session = session", "",
                 f"def get(self, item_id: int) -> {ent.camel} | None:",
                 f"    return self.session.get({ent.camel}, item_id)", "",
                 f"def list_recent(self, limit: int = 50) -> list[{ent.camel}]:",
                 f"    stmt = select({ent.camel}).order_by({ent.camel}.id.desc()).limit(limit)",
                 "    return list(self.session.scalars(stmt))", "",
                 "def count(self) -> int:",
                 f"    return self.session.scalar(select(func.count({ent.camel}.id))) or 0", ""]
        if self.chance(0.3):
            query = f"SELECT * FROM {ent.plural} WHERE {column} = '{{value}}'"
            lines += ["def find_raw(self, value: str) -> list[Any]:",
                      f'    sql = f"{query}"',
                      "    return self.session.execute(text(sql)).fetchall()"]
        else:
            lines += ["def find_raw(self, value: str) -> list[Any]:",
                      f'    sql = text("SELECT * FROM {ent.plural} WHERE {column} = :value")',
                      '    return self.session.execute(sql, {"value": value}).fetchall()']
        lines += ["", "def touch(self, ids: list[int]) -> None:",
                  f"    self.session.execute(update({ent.camel}).where({ent.camel}.id.in_(ids))"
                  f".values(version={ent.camel}.version + 1))"]
        return lines

    def migration(self, svc: Service, ent: Entity) -> Module:
        """An Alembic revision creating the entity's table."""
        revision = f"{self.rng.getrandbits(48):012x}"
        columns = [f'        sa.Column("{name}", sa.{FIELDS[name][0]}, nullable=True),'
                   for name in ent.fields]
        body = [f'revision = "{revision}"', "down_revision = None", "", "",
                "def upgrade() -> None:", "    op.create_table(", f'        "{ent.plural}",',
                '        sa.Column("id", sa.Integer(), primary_key=True),',
                '        sa.Column("tenant_id", sa.Integer(), index=True),', *columns,
                "    )", "", "", "def downgrade() -> None:",
                f'    op.drop_table("{ent.plural}")']
        imports = ["import sqlalchemy as sa", "from alembic import op"]
        path = f"services/{svc.name}/migrations/versions/{revision}_create_{ent.plural}.py"
        doc = f"Create {ent.plural}."
        return path, self.code.module(doc, imports, body, std=False)

    # --- outbound calls and background work -----------------------------------------

    def client(self, svc: Service, ent: Entity) -> Module:
        """requests/httpx clients; about a third of the calls lack a timeout."""
        imports = ["import asyncio", "", "import httpx", "import requests",
                   "from tenacity import retry, stop_after_attempt, wait_exponential"]
        name = f"{ent.camel}Client"
        methods = ["def __init__(self, base_url: str, token: str, timeout: float = 5.0) -> None:",
                   '    self.base_url = base_url.rstrip("/")',
                   "    self.session = requests.Session()",
                   '    self.session.headers["Authorization"] = f"Bearer {token}"',
                   "    self.timeout = timeout"]
        for _ in range(self.rng.randint(2, 6)):
            methods += ["", *self._client_method(ent)]
        blocks = [[f"class {name}:", *indent(methods)], self._async_fetch(ent)]
        path = f"{svc.src}/clients/{ent.snake}_client.py"
        doc = f"Client for the upstream {ent.snake.replace('_', ' ')} API."
        return path, self.code.module(doc, imports, join_blocks(blocks))

    def _timeout(self, value: str) -> str:
        return f", timeout={value}" if self.chance(0.65) else ""

    def _client_method(self, ent: Entity) -> Lines:
        verb = self.rng.choice(VERBS)
        http = self.rng.choice(("get", "post", "put", "delete"))
        decorators = []
        if self.chance(0.4):
            decorators = ["@retry(stop=stop_after_attempt(3), "
                          "wait=wait_exponential(multiplier=0.5, max=8))"]
        caller = self.rng.choice(("self.session", "requests"))
        kwarg = ", json=payload" if http in ("post", "put") else ""
        verify = ", verify=False" if self.chance(0.05) else ""
        url = f'f"{{self.base_url}}/{ent.plural}/{{item_id}}"'
        call = f"resp = {caller}.{http}({url}{kwarg}{self._timeout('self.timeout')}{verify})"
        body = self.code.bodies(ent.snake).block(["resp", "data"], 1, self.rng.randint(0, 3),
                                                 False)
        lines = [f"def {verb}_{ent.snake}(self, item_id: int, payload: dict[str, Any] | None "
                 f"= None) -> dict[str, Any]:", f"    {call}", "    resp.raise_for_status()",
                 "    data = resp.json()", *indent(body), "    return data"]
        return decorators + lines

    def _async_fetch(self, ent: Entity) -> Lines:
        timeout = f"timeout={round(self.rng.uniform(1, 30), 1)}" if self.chance(0.6) else ""
        return [f"async def fetch_{ent.plural}(base_url: str, ids: list[int]) -> list[Any]:",
                f"    async with httpx.AsyncClient({timeout}) as client:",
                "        responses = await asyncio.gather(",
                f'            *(client.get(f"{{base_url}}/{ent.plural}/{{i}}") for i in ids)',
                "        )", "    return [r.json() for r in responses if r.status_code == 200]"]

    def tasks(self, svc: Service, ent: Entity) -> Module:
        """Celery tasks, with and without retry policies."""
        svc.worker = True
        imports = ["from celery import shared_task", "from celery.utils.log import "
                   "get_task_logger", "", f"from {svc.pkg}.celery_app import celery_app",
                   f"from {svc.pkg}.db import SessionLocal"]
        blocks = [self._task(ent) for _ in range(self.rng.randint(2, 6))]
        path = f"{svc.src}/tasks/{ent.snake}_tasks.py"
        doc = f"Background jobs for {ent.plural.replace('_', ' ')}."
        return path, self.code.module(doc, imports, join_blocks(blocks))

    def _task(self, ent: Entity) -> Lines:
        verb = self.rng.choice(VERBS)
        style = self.rng.randint(0, 2)
        if style == 0:
            decorator = ("@celery_app.task(bind=True, max_retries=5, autoretry_for="
                         "(ConnectionError,), retry_backoff=True, acks_late=True)")
        elif style == 1:
            decorator = f'@shared_task(name="{ent.snake}.{verb}")'
        else:
            decorator = f"@celery_app.task(time_limit={self.rng.randint(30, 900)})"
        params = ["self", "item_id: int"] if style == 0 else ["item_id: int"]
        body = ["with SessionLocal() as session:",
                *indent(self.code.bodies(ent.snake).block(["session", "item_id"], 1,
                                                          self.rng.randint(1, 6), False)),
                f'logger.info("{verb} {ent.snake} %s done", item_id)']
        return [decorator, f"def {verb}_{ent.snake}_task({', '.join(params)}) -> None:",
                *indent(body)]

    # --- domain, utilities and large legacy modules ------------------------------------

    def domain(self, svc: Service, ent: Entity) -> Module:
        """A service class plus helpers, placed in nested packages."""
        area = self.rng.choice(AREAS)
        folder = f"domain/{area}"
        if self.chance(0.35):
            folder += f"/{self.rng.choice(SUBAREAS)}"
        blocks = [self._dataclass(ent)]
        blocks.append(self.code.klass(f"{ent.camel}Service", ent.snake, self.rng.randint(2, 9)))
        for _ in range(self.rng.randint(0, 5)):
            blocks.append(self.code.function(f"{self.rng.choice(VERBS)}_{ent.snake}", ent.snake))
        imports = ["from dataclasses import dataclass, field", "",
                   f"from {svc.pkg}.errors import NotFoundError"]
        path = f"{svc.src}/{folder}/{ent.snake}_service.py"
        doc = f"Business rules for {ent.plural.replace('_', ' ')}."
        return path, self.code.module(doc, imports, join_blocks(blocks))

    def _dataclass(self, ent: Entity) -> Lines:
        lines = ["@dataclass(frozen=True, slots=True)", f"class {ent.camel}Data:"]
        for name in ent.fields:
            lines.append(f"    {name}: {FIELDS[name][1]} | None = None")
        lines.append("    tags: list[str] = field(default_factory=list)")
        return lines

    def utils(self, svc: Service) -> Module:
        """A grab-bag helper module; sizes vary from a few to ~25 functions."""
        topic = self.rng.choice(UTIL_TOPICS)
        blocks = [self.code.function(f"{self.rng.choice(VERBS)}_{topic}_{index}", topic)
                  for index in range(self.rng.randint(3, 25))]
        path = f"{svc.src}/utils/{topic}.py"
        return path, self.code.module(f"Helpers for {topic}.", [], join_blocks(blocks))

    def legacy(self, svc: Service, ent: Entity) -> Module:
        """A large (1,000-2,000 line) module, as real repositories always have one."""
        target = self.rng.randint(1000, 2000)
        blocks: list[Lines] = []
        size = 0
        while size < target:
            if self.chance(0.3):
                name = f"{self.rng.choice(VERBS).capitalize()}{ent.camel}Engine{len(blocks)}"
                block = self.code.klass(name, ent.snake, self.rng.randint(3, 12))
            else:
                block = self.code.function(f"{self.rng.choice(VERBS)}_{ent.snake}_{len(blocks)}",
                                           ent.snake)
            blocks.append(block)
            size += len(block) + 2
        path = f"{svc.src}/legacy/{ent.snake}_engine.py"
        doc = f"Legacy {ent.snake.replace('_', ' ')} engine (pre-2020); do not extend."
        return path, self.code.module(doc, ["import asyncio"], join_blocks(blocks))

    def training(self, svc: Service, ent: Entity) -> Module:
        """scikit-learn training script; seeds and model persistence vary."""
        seed = ", random_state=42" if self.chance(0.6) else ""
        estimator = self.rng.choice((f"RandomForestClassifier(n_estimators=200{seed})",
                                     f"GradientBoostingClassifier({seed.lstrip(', ')})",
                                     "LogisticRegression(max_iter=1000)"))
        save = ("    joblib.dump(pipeline, out_path)" if self.chance(0.7) else
                '    with open(out_path, "wb") as fh:\n        pickle.dump(pipeline, fh)')
        features = ", ".join(f'"{name}"' for name in ent.fields)
        imports = ["import pickle", "", "import joblib", "import numpy as np",
                   "import pandas as pd",
                   "from sklearn.ensemble import GradientBoostingClassifier, "
                   "RandomForestClassifier",
                   "from sklearn.linear_model import LogisticRegression",
                   "from sklearn.metrics import f1_score, roc_auc_score",
                   "from sklearn.model_selection import cross_val_score, train_test_split",
                   "from sklearn.pipeline import Pipeline",
                   "from sklearn.preprocessing import StandardScaler"]
        body = [f"FEATURES = [{features}]", f'TARGET = "is_{self.rng.choice(VERBS)}ed"', "", "",
                "def load_frame(path: str) -> pd.DataFrame:",
                "    frame = pd.read_parquet(path)", "    return frame.dropna(subset=FEATURES)",
                "", "", "def build_pipeline() -> Pipeline:",
                f'    return Pipeline([("scale", StandardScaler()), ("model", {estimator})])',
                "", "", "def train(path: str, out_path: str) -> dict[str, float]:",
                "    frame = load_frame(path)",
                "    x_train, x_test, y_train, y_test = train_test_split(",
                f"        frame[FEATURES], frame[TARGET], test_size=0.2{seed}",
                "    )", "    pipeline = build_pipeline()", "    pipeline.fit(x_train, y_train)",
                "    scores = cross_val_score(pipeline, x_train, y_train, cv=5)",
                "    predicted = pipeline.predict(x_test)", save,
                '    return {"f1": f1_score(y_test, predicted), "cv": float(np.mean(scores)),',
                '            "auc": roc_auc_score(y_test, pipeline.predict_proba(x_test)[:, 1])}',
                "", "", 'if __name__ == "__main__":',
                f'    print(train("data/{ent.plural}.parquet", "models/{ent.snake}.joblib"))']
        path = f"{svc.src}/ml/train_{ent.snake}.py"
        doc = f"Train the {ent.snake.replace('_', ' ')} classifier."
        return path, self.code.module(doc, imports, body)

    # --- tests ------------------------------------------------------------------------

    def unit_tests(self, svc: Service, ent: Entity) -> Module:
        """pytest module: fixtures, parametrize, raises, monkeypatch."""
        imports = ["import pytest", "",
                   f"from {svc.pkg}.domain.core.{ent.snake}_service import {ent.camel}Service"]
        blocks = [["@pytest.fixture", f"def service() -> {ent.camel}Service:",
                   f"    return {ent.camel}Service(session=None)"]]
        for index in range(self.rng.randint(2, 12)):
            blocks.append(self._test(ent, index))
        path = f"{svc.tests}/unit/{self.rng.choice(AREAS)}/test_{ent.snake}_service.py"
        return path, self.code.module(f"Unit tests for {ent.camel}Service.", imports,
                                      join_blocks(blocks))

    def _test(self, ent: Entity, index: int) -> Lines:
        verb = self.rng.choice(VERBS)
        style = self.rng.randint(0, 3)
        name = f"test_{verb}_{ent.snake}_{index}"
        if style == 0:
            cases = ", ".join(f"({self.rng.randint(0, 99)}, {self.rng.randint(0, 99)})"
                              for _ in range(self.rng.randint(2, 5)))
            return [f'@pytest.mark.parametrize(("value", "expected"), [{cases}])',
                    f"def {name}(service, value, expected):",
                    f"    assert service.{verb}_{ent.snake}(value) in (expected, None)"]
        if style == 1:
            return [f"def {name}(service):", "    with pytest.raises(ValueError):",
                    f'        service.{verb}_{ent.snake}({{"id": -1}})']
        if style == 2:
            return [f"def {name}(service, monkeypatch):",
                    f'    monkeypatch.setenv("{ent.snake.upper()}_MODE", "strict")',
                    f"    result = service.{verb}_{ent.snake}([])",
                    "    assert result is not None"]
        body = self.code.bodies(ent.snake).block(["service"], 1, self.rng.randint(1, 4), False)
        return [f"def {name}(service):", *indent(body), "    assert service is not None"]

    def api_tests(self, svc: Service, ent: Entity) -> Module:
        """HTTP-level tests through the framework's test client."""
        lines: list[Lines] = []
        for verb in self.rng.sample(VERBS, self.rng.randint(2, 7)):
            code = self.rng.choice((200, 201, 202, 404, 422))
            lines.append([f"def test_{verb}_{ent.snake}(client):",
                          f'    response = client.post("/{ent.plural}/1/{verb}", json={{}})',
                          f"    assert response.status_code == {code}"])
        lines.insert(0, [f"def test_list_{ent.plural}(client):",
                         f'    response = client.get("/{ent.plural}")',
                         "    assert response.status_code == 200",
                         "    assert isinstance(response.json(), list)"])
        imports = ["import pytest"]
        path = f"{svc.tests}/api/test_{ent.plural}_api.py"
        return path, self.code.module(f"API tests for /{ent.plural}.", imports,
                                      join_blocks(lines), std=False)

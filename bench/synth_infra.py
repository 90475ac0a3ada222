"""Non-Python files of the synthetic repository: YAML, Dockerfiles, requirements, docs.

Readiness parses all of these (YAML, Dockerfile, requirements, TOML) in the same
walk, so the benchmark must include them in realistic proportions. Helm templates
are deliberately not valid YAML (``{{ ... }}``), as in real charts. Settings are
varied per service (probes, limits, USER, pins present or missing) so the rules
take different paths.
"""

from __future__ import annotations

import random

from synth_code import Service

Files = dict[str, str]

PACKAGES = {
    "fastapi": ("fastapi", "uvicorn[standard]", "pydantic", "pydantic-settings", "httpx"),
    "flask": ("flask", "flask-login", "flask-sqlalchemy", "gunicorn"),
    "common": ("sqlalchemy", "alembic", "psycopg[binary]", "requests", "tenacity", "celery",
               "redis", "pyjwt", "python-json-logger", "opentelemetry-sdk"),
    "ml": ("scikit-learn", "pandas", "numpy", "joblib", "pyarrow"),
}


def _text(lines: list[str]) -> str:
    return "\n".join(lines).rstrip() + "\n"


def _version(rng: random.Random) -> str:
    return f"{rng.randint(0, 3)}.{rng.randint(0, 30)}.{rng.randint(0, 12)}"


def requirements(svc: Service, rng: random.Random) -> str:
    """Mostly pinned requirements, a few loose ones and a comment or two."""
    names = PACKAGES[svc.framework] + PACKAGES["common"]
    if rng.random() < 0.5:
        names += PACKAGES["ml"]
    lines = [f"# Runtime dependencies of {svc.name}"]
    for name in names:
        style = rng.random()
        if style < 0.7:
            lines.append(f"{name}=={_version(rng)}")
        elif style < 0.9:
            lines.append(f"{name}>={_version(rng)}")
        else:
            lines.append(name)
    return _text(lines)


def dockerfile(svc: Service, rng: random.Random) -> str:
    """Multi-stage or single-stage image; USER and HEALTHCHECK are not always there."""
    base = rng.choice(("python:3.11-slim", "python:3.11-slim-bookworm", "python:3.12-slim",
                       "python:latest"))
    if svc.framework == "fastapi":
        cmd = f'["uvicorn", "{svc.pkg}.main:app", "--host", "0.0.0.0", "--port", "8000"]'
    else:
        cmd = f'["gunicorn", "-w", "4", "-b", "0.0.0.0:8000", "{svc.pkg}.main:create_app()"]'
    lines = [f"FROM {base} AS build", "WORKDIR /app", "COPY requirements.txt .",
             "RUN pip install --no-cache-dir --prefix=/install -r requirements.txt", "",
             f"FROM {base}", "ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1", "WORKDIR /app",
             "COPY --from=build /install /usr/local", "COPY src ./src",
             "ENV PYTHONPATH=/app/src"]
    if rng.random() < 0.6:
        lines += ["RUN useradd --create-home --uid 10001 app", "USER app"]
    if rng.random() < 0.5:
        lines.append("HEALTHCHECK --interval=30s CMD "
                     "python -c \"import urllib.request as u; u.urlopen('http://localhost:8000/"
                     "healthz')\"")
    lines += ["EXPOSE 8000", f"CMD {cmd}"]
    return _text(lines)


def k8s(svc: Service, rng: random.Random) -> Files:
    """Deployment and Service manifests, sometimes with an HPA in the same file."""
    replicas = rng.randint(1, 6)
    container = [f"        - name: {svc.name}",
                 f"          image: ghcr.io/example/{svc.name}:{_version(rng)}",
                 "          ports:", "            - containerPort: 8000",
                 "          envFrom:", "            - secretRef:",
                 f"                name: {svc.name}-secrets"]
    if rng.random() < 0.7:
        container += ["          resources:", "            requests:",
                      f"              cpu: {rng.choice(('100m', '250m', '500m'))}",
                      f"              memory: {rng.choice(('128Mi', '256Mi', '512Mi'))}",
                      "            limits:", "              memory: 1Gi"]
    if rng.random() < 0.6:
        container += ["          readinessProbe:", "            httpGet:",
                      "              path: /healthz", "              port: 8000",
                      "          livenessProbe:", "            httpGet:",
                      "              path: /healthz", "              port: 8000",
                      f"            periodSeconds: {rng.choice((10, 15, 30))}"]
    deployment = ["apiVersion: apps/v1", "kind: Deployment", "metadata:", f"  name: {svc.name}",
                  "  labels:", f"    app: {svc.name}", "spec:", f"  replicas: {replicas}",
                  "  selector:", "    matchLabels:", f"      app: {svc.name}", "  template:",
                  "    metadata:", "      labels:", f"        app: {svc.name}", "    spec:",
                  "      containers:", *container]
    if rng.random() < 0.4:
        deployment += ["---", "apiVersion: autoscaling/v2", "kind: HorizontalPodAutoscaler",
                       "metadata:", f"  name: {svc.name}", "spec:", "  scaleTargetRef:",
                       "    apiVersion: apps/v1", "    kind: Deployment", f"    name: {svc.name}",
                       "  minReplicas: 2", f"  maxReplicas: {rng.randint(4, 20)}"]
    service = ["apiVersion: v1", "kind: Service", "metadata:", f"  name: {svc.name}", "spec:",
               "  selector:", f"    app: {svc.name}", "  ports:", "    - port: 80",
               "      targetPort: 8000"]
    base = f"deploy/k8s/{svc.name}"
    return {f"{base}/deployment.yaml": _text(deployment), f"{base}/service.yaml": _text(service)}


def chart(services: list[Service], rng: random.Random) -> Files:
    """A Helm-like chart: values per service and templates that are not plain YAML."""
    values = ["image:", "  registry: ghcr.io/example", "  pullPolicy: IfNotPresent", "services:"]
    for svc in services:
        values += [f"  - name: {svc.name}", f"    replicas: {rng.randint(1, 5)}",
                   f"    tag: {_version(rng)}", "    resources:",
                   f"      cpu: {rng.choice(('100m', '250m'))}", "      memory: 256Mi"]
    deployment = ["{{- range .Values.services }}", "---", "apiVersion: apps/v1",
                  "kind: Deployment", "metadata:", "  name: {{ .name }}",
                  "  labels: {{- include \"platform.labels\" $ | nindent 4 }}", "spec:",
                  "  replicas: {{ .replicas }}", "  template:", "    spec:", "      containers:",
                  "        - name: {{ .name }}",
                  "          image: \"{{ $.Values.image.registry }}/{{ .name }}:{{ .tag }}\"",
                  "          resources:", "            requests:",
                  "              cpu: {{ .resources.cpu }}", "{{- end }}"]
    service = ["{{- range .Values.services }}", "---", "apiVersion: v1", "kind: Service",
               "metadata:", "  name: {{ .name }}", "spec:", "  ports:", "    - port: 80",
               "      targetPort: 8000", "{{- end }}"]
    helpers = ['{{- define "platform.labels" -}}', "app.kubernetes.io/part-of: platform",
               "app.kubernetes.io/managed-by: {{ .Release.Service }}", "{{- end }}"]
    base = "deploy/charts/platform"
    return {f"{base}/Chart.yaml": _text(["apiVersion: v2", "name: platform",
                                         f"version: {_version(rng)}", "type: application"]),
            f"{base}/values.yaml": _text(values),
            f"{base}/templates/deployment.yaml": _text(deployment),
            f"{base}/templates/service.yaml": _text(service),
            f"{base}/templates/_helpers.tpl": _text(helpers)}


def workflows(services: list[Service]) -> Files:
    """CI (lint + test matrix), release (image build on tags) and a nightly training job."""
    names = ", ".join(svc.name for svc in services)
    ci = ["name: ci", "on:", "  push:", "    branches: [main]", "  pull_request:", "jobs:",
          "  test:", "    runs-on: ubuntu-latest", "    strategy:", "      matrix:",
          f"        service: [{names}]", '        python: ["3.11", "3.12"]', "    steps:",
          "      - uses: actions/checkout@v4", "      - uses: actions/setup-python@v5",
          "        with:", "          python-version: ${{ matrix.python }}",
          "          cache: pip",
          "      - run: pip install -r services/${{ matrix.service }}/requirements.txt",
          "      - run: ruff check services/${{ matrix.service }}",
          "      - run: pytest services/${{ matrix.service }}/tests --cov"]
    release = ["name: release", "on:", "  push:", "    tags: ['v*']", "jobs:", "  images:",
               "    runs-on: ubuntu-latest", "    permissions:", "      packages: write",
               "    strategy:", "      matrix:", f"        service: [{names}]", "    steps:",
               "      - uses: actions/checkout@v4", "      - uses: docker/login-action@v3",
               "        with:", "          registry: ghcr.io",
               "          password: ${{ secrets.GITHUB_TOKEN }}",
               "      - uses: docker/build-push-action@v6", "        with:",
               "          context: services/${{ matrix.service }}", "          push: true"]
    nightly = ["name: nightly-training", "on:", "  schedule:", "    - cron: '17 3 * * *'",
               "jobs:", "  train:", "    runs-on: ubuntu-latest", "    steps:",
               "      - uses: actions/checkout@v4",
               "      - run: python -m pip install scikit-learn pandas joblib",
               "      - run: python -m scripts.train_all"]
    return {".github/workflows/ci.yml": _text(ci),
            ".github/workflows/release.yml": _text(release),
            ".github/workflows/nightly.yml": _text(nightly),
            ".github/dependabot.yml": _text(["version: 2", "updates:",
                                             "  - package-ecosystem: pip", "    directory: /",
                                             "    schedule:", "      interval: weekly"])}


def compose(services: list[Service]) -> str:
    """docker-compose for local development: every service, workers, Postgres, Redis."""
    lines = ["services:"]
    for index, svc in enumerate(services):
        lines += [f"  {svc.name}:", f"    build: ./services/{svc.name}",
                  f'    ports: ["{8000 + index}:8000"]', "    env_file: .env",
                  "    depends_on: [postgres, redis]"]
        if svc.worker:
            lines += [f"  {svc.name}-worker:", f"    build: ./services/{svc.name}",
                      f"    command: celery -A {svc.pkg}.celery_app worker -l info",
                      "    depends_on: [redis]"]
    lines += ["  postgres:", "    image: postgres:16", "    environment:",
              "      POSTGRES_PASSWORD: postgres", "    volumes: [pgdata:/var/lib/postgresql/data]",
              "  redis:", "    image: redis:7", "volumes:", "  pgdata: {}"]
    return _text(lines)


def pyproject(services: list[Service]) -> str:
    """Root pyproject: workspace metadata plus ruff/pytest/mypy configuration."""
    paths = ", ".join(f'"services/{svc.name}/tests"' for svc in services)
    lines = ["[project]", 'name = "synthetic-platform"', 'version = "0.1.0"',
             'requires-python = ">=3.11"', "dependencies = [",
             *[f'    "{name}",' for name in PACKAGES["common"]], "]", "",
             "[project.optional-dependencies]", 'dev = ["pytest>=8", "pytest-cov", "ruff", "mypy"]',
             "", "[tool.pytest.ini_options]", f"testpaths = [{paths}]", "",
             "[tool.ruff]", "line-length = 100", "", "[tool.mypy]", "strict = true"]
    return _text(lines)


def docs(services: list[Service], rng: random.Random) -> Files:
    """README, architecture notes, a runbook, ADRs and a README per service."""
    rows = [f"| {svc.name} | {svc.framework} | {len(svc.entities)} |" for svc in services]
    readme = ["# Synthetic platform", "", "Generated for the readiness speed benchmark.", "",
              "| Service | Framework | Entities |", "| --- | --- | --- |", *rows, "",
              "## Running locally", "", "```sh", "docker compose up --build", "```"]
    files = {"README.md": _text(readme)}
    files["docs/architecture.md"] = _text(
        ["# Architecture", "", *[f"- **{svc.name}** owns " + ", ".join(
            e.plural for e in svc.entities[:8]) + "." for svc in services]])
    runbook = ["# Runbook", "", "## Alerts", ""]
    for svc in services:
        runbook += [f"### {svc.name} 5xx rate", "", "1. Check the dashboard.", "2. Roll back.", ""]
    files["docs/runbook.md"] = _text(runbook)
    for index in range(1, rng.randint(3, 7)):
        topic = rng.choice(("postgres", "celery", "pydantic", "helm", "opentelemetry", "jwt"))
        files[f"docs/adr/{index:04d}-use-{topic}.md"] = _text(
            [f"# {index}. Use {topic}", "", "## Status", "", "Accepted", "", "## Context", "",
             f"We needed {topic} for reasons recorded in ticket PLAT-{rng.randint(100, 999)}."])
    for svc in services:
        files[f"services/{svc.name}/README.md"] = _text(
            [f"# {svc.name}", "", f"A {svc.framework} service.", "", "## Endpoints", "",
             *[f"- `/{ent.plural}`" for ent in svc.entities]])
    return files


def misc() -> Files:
    """Small dotfiles a real repository carries."""
    return {
        ".gitignore": _text(["__pycache__/", "*.pyc", ".venv/", "build/", "dist/", ".env",
                             "models/*.joblib", "data/"]),
        ".dockerignore": _text([".git", ".venv", "**/__pycache__", "tests"]),
        ".pre-commit-config.yaml": _text(["repos:", "  - repo: https://github.com/astral-sh/"
                                          "ruff-pre-commit", "    rev: v0.6.9", "    hooks:",
                                          "      - id: ruff"]),
        "Makefile": _text([".PHONY: test lint", "test:", "\tpytest", "lint:", "\truff check ."]),
    }

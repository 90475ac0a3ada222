"""What a file is (its kind) and what it is for (its role), from its path alone.

The kind decides which parser reads it; the role implements catalog status rule 1:
only production code counts as evidence (tests, docs, examples and vendored code
are read, but rules look at them only when they ask for them explicitly).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

# Kinds that are read and parsed. Anything else is only listed in the inventory.
PYTHON = "python"
NOTEBOOK = "notebook"
YAML = "yaml"
DOCKERFILE = "dockerfile"
TOML = "toml"
REQUIREMENTS = "requirements"
LOCK = "lock"
MARKDOWN = "markdown"
SHELL = "shell"
ENV = "env"
INI = "ini"
NGINX = "nginx"
JSON = "json"
TERRAFORM = "terraform"
SQL = "sql"
SCRIPT_JS = "js"
TEXT = "text"  # Procfile, Makefile, Jenkinsfile, .dockerignore, .gitignore and the like

PRODUCTION = "production"
TEST = "test"
DOCS = "docs"
EXAMPLE = "example"
VENDOR = "vendor"

# Directories never walked: tool caches, virtual environments, dependencies, VCS data.
IGNORED_DIRS = frozenset({
    ".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox", ".nox",
    ".mypy_cache", ".pytest_cache", ".ruff_cache", "site-packages", ".eggs", ".idea",
    ".cache", ".terraform", "bower_components", ".next", ".nuxt", "htmlcov", ".ipynb_checkpoints",
    ".readiness-cache",
})

LOCK_NAMES = frozenset({
    "poetry.lock", "uv.lock", "Pipfile.lock", "pdm.lock", "pylock.toml", "conda-lock.yml",
    "requirements.lock",
})
TEXT_NAMES = frozenset({
    "Procfile", "Makefile", "makefile", "GNUmakefile", "Jenkinsfile", ".dockerignore",
    ".gitignore", "Pipfile", "Caddyfile", "CODEOWNERS", "MANIFEST.in", "tox.ini",
})
_REQUIREMENTS = re.compile(r"(^|/)(requirements[\w.\-]*\.(txt|in)|[\w.\-]*requirements\.(txt|in)"
                           r"|requirements/[\w.\-]+\.(txt|in)|constraints[\w.\-]*\.txt)$")
_DOCKERFILE = re.compile(r"(^|/)((Dockerfile|Containerfile)([.\-][\w.\-]+)?|[\w.\-]+\.dockerfile)$",
                         re.I)
_ENV = re.compile(r"(^|/)(\.env([.\-][\w.\-]+)?|[\w.\-]+\.env)$")
_JS_LOAD = re.compile(r"(k6|load|perf|stress|soak|bench|artillery|locust)", re.I)

_TEST_PARTS = frozenset({"tests", "test", "testing", "__tests__", "e2e", "integration_tests",
                         "unit_tests", "functional_tests"})
# Developer harnesses that exercise a running service by hand: not the service itself.
_DEV_SCRIPT = re.compile(r"^(diagnos(e|tic|tics)|debug|smoke|manual_test|scratch)(_\w+)?\.py$")
_DOC_PARTS = frozenset({"docs", "doc", "documentation"})
_EXAMPLE_PARTS = frozenset({"examples", "example", "samples", "sample", "demo", "demos"})
_VENDOR_PARTS = frozenset({"vendor", "vendored", "third_party", "third-party", "_vendor",
                           "external", "site-packages", "dist-packages"})


def kind_of(path: str) -> str | None:
    """The parser for ``path`` (relative, ``/``-separated), or None to only list it."""
    name = path.rsplit("/", 1)[-1]
    suffix = PurePosixPath(name).suffix.lower()
    if suffix == ".py" or suffix == ".pyw":
        return PYTHON
    if suffix == ".ipynb":
        return NOTEBOOK
    if name in LOCK_NAMES:
        return LOCK
    if _REQUIREMENTS.search(path):
        return REQUIREMENTS
    if _DOCKERFILE.search(path):
        return DOCKERFILE
    if suffix in (".yml", ".yaml"):
        return YAML
    if suffix == ".toml":
        return TOML
    if suffix in (".md", ".markdown", ".rst", ".mdx"):
        return MARKDOWN
    if suffix in (".sh", ".bash", ".zsh") or name in ("entrypoint", "docker-entrypoint"):
        return SHELL
    if _ENV.search(path):
        return ENV
    if suffix in (".ini", ".cfg"):
        return INI
    if suffix == ".conf" or name == "nginx.conf" or "/nginx/" in f"/{path}":
        return NGINX if (suffix == ".conf" or "nginx" in path.lower()) else None
    if suffix == ".json":
        return JSON
    if suffix in (".tf", ".hcl", ".tfvars"):
        return TERRAFORM
    if suffix == ".sql":
        return SQL
    if suffix in (".js", ".ts", ".mjs") and _JS_LOAD.search(path):
        return SCRIPT_JS
    if name in TEXT_NAMES or (suffix in (".txt",) and "requirements" in name):
        return TEXT
    return None


def role_of(path: str) -> str:
    """production | test | docs | example | vendor (catalog status rule 1)."""
    parts = path.split("/")
    dirs = [p.lower() for p in parts[:-1]]
    name = parts[-1]
    if any(d in _VENDOR_PARTS for d in dirs):
        return VENDOR
    if (
        any(d in _TEST_PARTS for d in dirs)
        or name.startswith("test_")
        or name.endswith(("_test.py", "_tests.py"))
        or name in ("conftest.py", "tests.py", "test.py")
        or _DEV_SCRIPT.match(name)
    ):
        return TEST
    if any(d in _DOC_PARTS for d in dirs):
        return DOCS
    if any(d in _EXAMPLE_PARTS for d in dirs):
        return EXAMPLE
    return PRODUCTION


def is_ci_config(path: str) -> bool:
    lowered = path.lower()
    return (
        lowered.startswith(".github/workflows/")
        or lowered in (".gitlab-ci.yml", ".travis.yml", "azure-pipelines.yml",
                       "bitbucket-pipelines.yml", "jenkinsfile", ".drone.yml", "cloudbuild.yaml",
                       "cloudbuild.yml", "buildspec.yml", "appveyor.yml", ".woodpecker.yml")
        or lowered.startswith(".circleci/")
        or lowered.startswith(".gitlab/ci/")
        or lowered.startswith(".woodpecker/")
        or lowered.endswith("/jenkinsfile")
    )


def is_compose(path: str) -> bool:
    name = path.rsplit("/", 1)[-1].lower()
    return bool(re.fullmatch(r"(docker-)?compose([.\-][\w.\-]+)?\.ya?ml", name))


def is_helm_template(path: str) -> bool:
    return "/templates/" in f"/{path}" and path.endswith((".yaml", ".yml", ".tpl"))

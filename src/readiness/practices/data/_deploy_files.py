"""Which files run when the service deploys or its container starts.

Dockerfiles, production compose and k8s files, deploy CI jobs, Procfiles and
start scripts: a command written there runs on every deploy.
"""

from __future__ import annotations

import re

from readiness.facts import RepoFacts
from readiness.facts.classify import is_ci_config, is_compose
from readiness.facts.repo import Hit

_LAUNCHED_SCRIPT = re.compile(r"^(docker[-_])?(entrypoint|prestart|pre[-_]start|start|startup|boot|"
                              r"release|deploy|run|init|launch|migrate)([-_](server|app|web|api|"
                              r"prod|production|container))?(\.(sh|bash))?$", re.I)
_CI_DEPLOY_PATH = re.compile(r"deploy|release|publish|production|(^|/)cd[-_.]", re.I)
_CI_DEPLOY_TEXT = re.compile(r"\bdeploy", re.I)
_SETUP_TOML = ("fly.toml", "railway.toml", "render.toml", "nixpacks.toml", "app.toml")


def _is_deploy_file(facts: RepoFacts, path: str) -> bool:
    """Files whose commands run when the service is deployed or its container starts."""
    item = facts.files.get(path)
    if item is None or item.text is None:
        return False
    name = path.rsplit("/", 1)[-1]
    if item.kind == "dockerfile" or item.kind == "ini":
        return True
    if item.kind == "text":
        return name.startswith("Procfile")
    if item.kind == "toml":
        return name in _SETUP_TOML
    if item.kind == "yaml":
        if is_ci_config(path):
            return bool(_CI_DEPLOY_PATH.search(path) or _CI_DEPLOY_TEXT.search(item.text))
        return not _is_dev_compose(path)
    if item.kind == "shell":
        return _script_is_launched(facts, path)
    return False


def _is_dev_compose(path: str) -> bool:
    name = path.rsplit("/", 1)[-1].lower()
    return is_compose(path) and bool(re.search(r"override|dev|local|debug", name))


def _script_is_launched(facts: RepoFacts, path: str) -> bool:
    """A shell script counts when a deploy file starts it or its name says it is a start
    script (entrypoint.sh, prestart.sh, release.sh...)."""
    name = path.rsplit("/", 1)[-1]
    if _LAUNCHED_SCRIPT.search(name):
        return True
    pattern = re.compile(re.escape(name))
    for hit in facts.grep(pattern, kinds=("dockerfile", "yaml", "text", "ini", "shell"), limit=20):
        if hit.path != path:
            return True
    return False


def deploy_hits(facts: RepoFacts, pattern: re.Pattern[str], limit: int = 20) -> list[Hit]:
    """Lines matching ``pattern`` in deploy-time files (Dockerfiles, compose, k8s, Procfile,
    deploy CI jobs, start scripts, uWSGI/supervisor ini), comment lines excluded."""
    hits = facts.grep(pattern, kinds=("dockerfile", "shell", "yaml", "text", "ini", "toml"),
                      limit=400)
    out = [h for h in hits if not h.text.lstrip().startswith(("#", ";"))
           and _is_deploy_file(facts, h.path)]
    return out[:limit]

"""How the web tier is started and scaled: servers, workers and replicas.

Start commands are read from Dockerfiles, compose, Kubernetes containers and
Procfiles, following start scripts and ``python app.py`` into ``uvicorn.run``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from readiness.facts import RepoFacts
from readiness.facts.yaml_facts import YMap
from readiness.model import AntiPatternHit, Evidence
from readiness.practices.helpers import call_ev, literal
from readiness.practices.kubernetes import pod_containers
from readiness.practices.registry import anti

_PROD_SERVER = re.compile(r"\b(gunicorn|uvicorn|hypercorn|granian|daphne|uwsgi|waitress-serve|"
                          r"fastapi\s+run|bjoern|meinheld|streamlit\s+run|gradio|"
                          r"panel\s+serve|chainlit\s+run)\b")
_DEV_SERVER = re.compile(r"\bflask\s+run\b|manage\.py\W+runserver\b|\bfastapi\s+dev\b|"
                         r"\bdjango-admin\s+runserver\b")
_RELOAD = re.compile(r"--reload\b(?!-)")
_WORKERS = re.compile(r"(?:^|\s)(?:-w|--workers|--processes)[=\s]+"
                      r"[\"']?(\$\{?\w+\}?|\d+)")
_SCRIPT = re.compile(r"[\w./-]+\.sh\b")
_PY_ENTRY = re.compile(r"\bpython[\d.]*\s+(?:-u\s+)?(-m\s+)?([\w./-]+)")
_INI_WORKERS = re.compile(r"^\s*(processes|workers)\s*=\s*(\d+)", re.M)
_PY_WORKERS = re.compile(r"^\s*workers\s*=\s*(.+)$", re.M)


@dataclass
class _Server:
    evidence: Evidence
    kind: str  # "production" | "single" (server without worker processes) | "dev"
    workers: int  # 0 = unknown / not set
    reason: str = ""


@dataclass
class Servers:
    """The servers the start commands run, the replica counts, and the anti-patterns seen."""

    servers: list[_Server] = field(default_factory=list)
    replicas: list[tuple[Evidence, int]] = field(default_factory=list)
    antis: list[AntiPatternHit] = field(default_factory=list)

    @property
    def max_replicas(self) -> int:
        return max((count for _, count in self.replicas), default=0)

    @property
    def multi_process(self) -> bool:
        return self.max_replicas >= 2 or any(s.workers >= 2 for s in self.servers)


def _env_concurrency(facts: RepoFacts) -> int:
    """WEB_CONCURRENCY set in a Dockerfile, compose or k8s env (gunicorn/uvicorn read it)."""
    for hit in facts.grep(r"WEB_CONCURRENCY[\"']?\s*[=:]\s*[\"']?(\d+)|"
                          r"name:\s*WEB_CONCURRENCY\s*\n\s*value:\s*[\"']?(\d+)|"
                          r"GUNICORN_CMD_ARGS[\"']?\s*[=:][^\n]*--workers[= ](\d+)",
                          kinds=("dockerfile", "yaml", "env"), limit=5):
        numbers = re.findall(r"\d+", hit.match)
        if numbers:
            return int(numbers[-1])
    return 0


def _config_workers(facts: RepoFacts, command: str) -> int:
    """Workers from gunicorn.conf.py or a uWSGI ini the command names."""
    for path in facts.glob("gunicorn.conf.py", "gunicorn_conf.py", "gunicorn.py"):
        match = _PY_WORKERS.search(facts.text(path) or "")
        if match:
            value = literal(match.group(1).split("#")[0].strip())
            if isinstance(value, int):
                return value
            return 2 if re.search(r"cpu_count|WEB_CONCURRENCY|\*", match.group(1)) else 0
    for name in re.findall(r"[\w.-]+\.ini\b", command):
        for path in facts.glob(name.rsplit("/", 1)[-1]):
            match = _INI_WORKERS.search(facts.text(path) or "")
            if match:
                return int(match.group(2))
    return 0


def _classify(facts: RepoFacts, command: str, ev: Evidence, servers: Servers) -> None:
    """Record what a start command runs: a production server (with how many workers), a
    single-process server, or a development server (anti-pattern)."""
    if _DEV_SERVER.search(command):
        servers.servers.append(_Server(ev, "dev", 0, "development server"))
        servers.antis.append(anti("development server as the container command", ev))
        return
    match = _PROD_SERVER.search(command)
    if match is None:
        return
    if _RELOAD.search(command):
        servers.antis.append(anti("auto-reload (`--reload`) in a production command", ev))
    workers_match = _WORKERS.search(command)
    workers = 0
    if workers_match:
        value = workers_match.group(1)
        workers = int(value) if value.isdigit() else 2  # from the environment: configurable
    workers = workers or _config_workers(facts, command) or \
        (_env_concurrency(facts) if match.group(1) in ("gunicorn", "uvicorn") else 0)
    if match.group(1) in ("streamlit", "gradio", "panel", "chainlit"):
        servers.servers.append(_Server(ev, "single", 1, "single-process UI server"))
    else:
        servers.servers.append(_Server(ev, "production", workers, match.group(1)))


def _python_entry(facts: RepoFacts, command: str, ev: Evidence, servers: Servers) -> None:
    """`python app.py` / `python -m pkg`: look at how that module starts a server."""
    match = _PY_ENTRY.search(command)
    if match is None:
        return
    target = match.group(2)
    name = target.replace(".", "/") + ".py" if match.group(1) else target
    suffix = name.lstrip("./")
    candidates = [m for m in facts.modules() if m.path == suffix or m.path.endswith("/" + suffix)]
    for module in candidates[:1]:
        for call in module.calls:
            call_evidence = call_ev(facts, module, call)
            if call.name in ("uvicorn.run", "hypercorn.asyncio.serve", "waitress.serve"):
                workers = literal(call.kwarg("workers"))
                if call.kwarg("reload") and "True" in (call.kwarg("reload") or ""):
                    servers.antis.append(anti("uvicorn.run(reload=True) in the started module",
                                              call_evidence))
                count = workers if isinstance(workers, int) else (2 if call.kwarg("workers")
                                                                  else 0)
                servers.servers.append(_Server(ev, "production", count, call.name))
            elif call.leaf == "run" and call.raw.split(".")[0] in ("app", "application") and \
                    (call.kwarg("host") is not None or call.kwarg("debug") is not None
                     or call.kwarg("port") is not None or not call.args):
                servers.servers.append(_Server(ev, "dev", 0, "app.run()"))
                servers.antis.append(anti("app.run() (development server) started by the "
                                          "container command", call_evidence))


def _script_commands(facts: RepoFacts, command: str) -> list[tuple[str, Evidence]]:
    out: list[tuple[str, Evidence]] = []
    for name in _SCRIPT.findall(command):
        for path in facts.glob(name.rsplit("/", 1)[-1]):
            for number, line in enumerate(facts.lines(path), start=1):
                if not line.lstrip().startswith("#") and (_PROD_SERVER.search(line) or
                                                          _DEV_SERVER.search(line)):
                    out.append((line, facts.evidence(path, number)))
    return out


def _add_command(facts: RepoFacts, command: str, ev: Evidence, servers: Servers) -> None:
    before = len(servers.servers)
    _classify(facts, command, ev, servers)
    if len(servers.servers) == before:
        for line, script_ev in _script_commands(facts, command):
            _classify(facts, line, script_ev, servers)
    if len(servers.servers) == before:
        _python_entry(facts, command, ev, servers)


def _command_text(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return str(value) if value is not None else ""


def _collect_servers(facts: RepoFacts) -> Servers:
    servers = Servers()
    for dockerfile in facts.dockerfiles():
        entry = dockerfile.last("ENTRYPOINT")
        cmd = dockerfile.last("CMD")
        parts = [i for i in (entry, cmd) if i is not None]
        if parts:
            text = " ".join(i.command_text for i in parts)
            where = cmd or entry
            assert where is not None
            _add_command(facts, text, facts.evidence(dockerfile.path, where.line), servers)
    for path, _name, service in facts.compose_services():
        if "command" in service and not re.search(r"override|dev|local|debug",
                                                  path.rsplit("/", 1)[-1], re.I):
            _add_command(facts, _command_text(service.get("command")),
                         facts.evidence(path, service.line_of("command")), servers)
        deploy = service.get("deploy")
        replicas = deploy.get("replicas") if isinstance(deploy, YMap) else None
        if isinstance(replicas, int) and isinstance(deploy, YMap):
            servers.replicas.append((facts.evidence(path, deploy.line_of("replicas")), replicas))
    for obj in facts.k8s_objects("Deployment", "StatefulSet", "Rollout"):
        spec = obj.doc.get("spec")
        if isinstance(spec, YMap) and isinstance(spec.get("replicas"), int):
            servers.replicas.append((facts.evidence(obj.path, spec.line_of("replicas")),
                                     int(spec["replicas"])))
        for container in pod_containers(obj):
            text = _command_text(container.get("command")) + " " + \
                _command_text(container.get("args"))
            if text.strip():
                _add_command(facts, text, facts.evidence(obj.path, container.line), servers)
    for obj in facts.k8s_objects("HorizontalPodAutoscaler"):
        spec = obj.doc.get("spec")
        if isinstance(spec, YMap) and isinstance(spec.get("minReplicas"), int):
            servers.replicas.append((facts.evidence(obj.path, spec.line_of("minReplicas")),
                                     int(spec["minReplicas"])))
    for path in facts.glob("Procfile"):
        for number, line in enumerate(facts.lines(path), start=1):
            if line.startswith("web:"):
                _add_command(facts, line[4:], facts.evidence(path, number), servers)
    return servers


def server_setup(facts: RepoFacts) -> Servers:
    """How the web tier is started and scaled (memoised; also used by rate limiting)."""
    return facts.memo("scale.servers", lambda: _collect_servers(facts))

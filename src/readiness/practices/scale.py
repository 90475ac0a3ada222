"""Scalability practices: production server, rate limiting, pagination, load testing."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from readiness.facts import RepoFacts
from readiness.facts.classify import DOCS, EXAMPLE, VENDOR, is_ci_config
from readiness.facts.python.records import Function, ModuleFacts
from readiness.facts.python.routes import Route
from readiness.facts.yaml_facts import YList, YMap
from readiness.model import AntiPatternHit, Evidence, Severity
from readiness.practices.helpers import call_ev, dedupe, func_ev, literal, route_ev
from readiness.practices.registry import (
    Outcome,
    anti,
    implemented,
    missing,
    na,
    partial,
    practice,
)
from readiness.practices.web import app_anchor

# ---------------------------------------------------------------- server facts

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
class _Servers:
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


def _classify(facts: RepoFacts, command: str, ev: Evidence, servers: _Servers) -> None:
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


def _python_entry(facts: RepoFacts, command: str, ev: Evidence, servers: _Servers) -> None:
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


def _add_command(facts: RepoFacts, command: str, ev: Evidence, servers: _Servers) -> None:
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


def _k8s_containers(doc: YMap) -> list[YMap]:
    spec = doc.get("spec")
    template = spec.get("template") if isinstance(spec, YMap) else None
    pod = template.get("spec") if isinstance(template, YMap) else None
    containers = pod.get("containers") if isinstance(pod, YMap) else None
    return [c for c in containers if isinstance(c, YMap)] if isinstance(containers, YList) else []


def _collect_servers(facts: RepoFacts) -> _Servers:
    servers = _Servers()
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
        for container in _k8s_containers(obj.doc):
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


def server_setup(facts: RepoFacts) -> _Servers:
    """How the web tier is started and scaled (memoised; also used by rate limiting)."""
    return facts.memo("scale.servers", lambda: _collect_servers(facts))


def _http_with_launcher(facts: RepoFacts) -> bool:
    return facts.applies("HTTP") and (facts.applies("CONT") or bool(facts.glob("Procfile")))


@practice(
    "scale.production-server", "Production server with workers", priority="H", effort="L",
    applies="HTTP with CONT/Procfile", when=_http_with_launcher,
    sources=("12F-VII", "12F-VIII", "S3"),
    aliases=("production server", "gunicorn", "workers", "wsgi server", "asgi server"),
    recommendation="Start the service with a production server and several workers "
                   "(`gunicorn -w 4 -k uvicorn.workers.UvicornWorker`, `uvicorn --workers 4`) "
                   "or one process per container scaled out with replicas; never `flask run`, "
                   "`runserver` or `--reload`.",
)
def check_production_server(facts: RepoFacts) -> Outcome:
    """The container or Procfile starts a production server with several workers.

    Why it matters:
        Development servers (`flask run`, `runserver`, `app.run()`) are single
        threaded, unhardened and reload on file changes; a single worker process
        serialises every request behind the slowest one and a crash takes the
        whole service down.

    What counts as evidence:
        The command in the Dockerfile `CMD`/`ENTRYPOINT`, compose `command:`, k8s
        container `command/args` or Procfile `web:` (following start scripts and
        `python app.py` into `uvicorn.run`): gunicorn, uvicorn, hypercorn, granian,
        uWSGI, daphne or `fastapi run`, with `-w/--workers N`, `WEB_CONCURRENCY`,
        `gunicorn.conf.py` or uWSGI `processes`; or one process per container with
        k8s/compose replicas (or an HPA minimum) of at least 2.

    What makes it partial:
        A production server with one worker and one replica, or a single-process
        UI server (Streamlit). A development server or `--reload` in the
        production command caps the status at partial; when it is the only
        server, the status is missing.

    How to satisfy:
        `CMD ["gunicorn", "app.main:app", "-k", "uvicorn.workers.UvicornWorker",
        "-w", "4", "-b", "0.0.0.0:8000"]`, or run two or more replicas behind the
        load balancer.
    """
    setup = server_setup(facts)
    production = [s for s in setup.servers if s.kind == "production"]
    single = [s for s in setup.servers if s.kind == "single"]
    scaled = [ev for ev, count in setup.replicas if count >= 2]
    with_workers = [s for s in production if s.workers >= 2]
    if with_workers:
        detail = ", ".join(sorted({f"{s.reason} x{s.workers}" for s in with_workers}))
        return implemented(f"Production server with several workers ({detail}).",
                           [*(s.evidence for s in with_workers[:4]), *scaled[:2]], setup.antis)
    if production and scaled:
        return implemented(f"{production[0].reason} runs one process per container, scaled "
                           f"to {setup.max_replicas} replicas.",
                           [*(s.evidence for s in production[:3]), *scaled[:3]], setup.antis)
    if single and scaled:
        return implemented(f"{single[0].reason} runs one process per container, scaled to "
                           f"{setup.max_replicas} replicas.",
                           [*(s.evidence for s in single[:3]), *scaled[:3]], setup.antis)
    if production or single:
        servers = production or single
        return partial(f"{servers[0].reason} runs with a single worker and a single replica.",
                       [s.evidence for s in servers[:4]], setup.antis)
    dev = [s.evidence for s in setup.servers if s.kind == "dev"]
    anchor = dev or [facts.evidence(d.path, 1) for d in facts.dockerfiles()]
    return missing("Only a development server is started." if dev else
                   "No production server command found in the Dockerfile, compose, k8s "
                   "manifests or Procfile.", setup.antis, context=anchor[:3])


# ------------------------------------------------------------------ rate limiting

_LIMITER_CLASSES = ("slowapi.Limiter", "flask_limiter.Limiter", "flask_limiter.extension.Limiter",
                    "limits.*", "aiolimiter.AsyncLimiter", "fastapi_limiter.FastAPILimiter.init")
_AUTH_TARGET = re.compile(r"login|log_in|signin|sign_in|signup|sign_up|register|password|reset|"
                          r"token|auth|otp|totp|verify|forgot|2fa|mfa|sudo", re.I)
_GLOBAL_LIMITS = ("default_limits", "application_limits", "global_limits")
_EDGE_LIMIT = re.compile(r"\blimit_req(_zone)?\b|ingress\.kubernetes\.io/limit-(rps|rpm|"
                         r"connections)|\.ratelimit\.|^\s*rateLimit\s*:|name:\s*rate-limiting\b|"
                         r"local_ratelimit|rate_based_statement|RateLimitPolicy", re.M)
_LIMIT_SETTING = re.compile(r"^[ \t]*(export\s+)?[\"']?(?P<name>[A-Z0-9_]*RATE_?LIMIT[A-Z0-9_]*)"
                            r"[\"']?\s*[:=]", re.M)
_OUTBOUND_NAME = re.compile(r"OPENAI|ANTHROPIC|LLM|GPT|GITHUB|SLACK|UPSTREAM|OUTBOUND|CLIENT|"
                            r"PROVIDER|EXTERNAL|BACKOFF|RETRY")
_LIMITER_PACKAGES = ("slowapi", "flask-limiter", "fastapi-limiter", "django-ratelimit",
                     "limits", "aiolimiter", "starlette-limiter")
_CUSTOM_LIMITER = re.compile(r"^\w*(RateLimit|RateLimiter|RateLimiting|TokenBucket|LeakyBucket|"
                             r"Throttle|Throttler|Throttling|Limiter)(Middleware)?$")


@dataclass
class _Limits:
    global_limits: list[Evidence] = field(default_factory=list)
    route_limits: list[Evidence] = field(default_factory=list)
    auth_limits: list[Evidence] = field(default_factory=list)
    declared: list[Evidence] = field(default_factory=list)  # defined, not applied
    custom: list[Evidence] = field(default_factory=list)
    memory_store: list[Evidence] = field(default_factory=list)
    shared_store: bool = False


def _limiter_names(facts: RepoFacts, limits: _Limits) -> set[str]:
    names: set[str] = set()
    for module, call in facts.calls(*_LIMITER_CLASSES):
        ev = call_ev(facts, module, call)
        limits.declared.append(ev)
        storage = call.kwarg("storage_uri") or call.kwarg("storage_url") or ""
        if re.search(r"redis|memcached|mongodb|valkey", storage, re.I) or \
                (storage and "memory" not in storage):
            limits.shared_store = True
        elif call.name.endswith("Limiter") and "fastapi_limiter" not in call.name:
            limits.memory_store.append(ev)
        if call.has_kwarg(*_GLOBAL_LIMITS):
            limits.global_limits.append(ev)
    for module in facts.modules():
        for assign in module.assigns:
            if assign.call and "Limiter" in assign.call and \
                    assign.call.startswith(("slowapi", "flask_limiter", "limits", "aiolimiter")):
                names.add(assign.target.split(".")[-1])
    if facts.grep(r"RATELIMIT_STORAGE_UR[IL]\s*=\s*[\"'](redis|memcached|mongodb)",
                  kinds=("python", "env", "ini", "yaml"), limit=1):
        limits.shared_store = True
    return names


def _applied_limits(facts: RepoFacts, limits: _Limits, names: set[str]) -> None:
    decorated: set[tuple[str, int]] = set()
    for module, function in facts.functions():
        for decorator in function.decorators:
            receiver = decorator.raw.rsplit(".", 1)[0].split(".")[-1] if "." in decorator.raw \
                else ""
            is_limit = (decorator.raw.endswith((".limit", ".shared_limit")) and
                        (receiver in names or "limiter" in receiver.lower())) or \
                decorator.name.startswith(("django_ratelimit", "ratelimit.")) or \
                decorator.raw in ("ratelimit", "throttle")
            if not is_limit:
                continue
            decorated.add((module.path, decorator.line))
            ev = facts.evidence(module.path, decorator.line)
            target = function.name + " " + " ".join(decorator.args)
            (limits.auth_limits if _AUTH_TARGET.search(target) else limits.route_limits)\
                .append(ev)
    for module, call in facts.calls("*.limit", "*.shared_limit"):
        receiver = call.raw.rsplit(".", 1)[0].split(".")[-1] if "." in call.raw else ""
        if (module.path, call.line) in decorated or not (
                receiver in names or "limiter" in receiver.lower()):
            continue
        text = facts.line(module.path, call.end_line) + " " + " ".join(call.args)
        ev = call_ev(facts, module, call)
        (limits.auth_limits if _AUTH_TARGET.search(text) else limits.route_limits).append(ev)
    for module, call in facts.calls("*.RateLimiter", "*.add_middleware", "*.SlowAPIMiddleware"):
        text = " ".join(call.args)
        if call.leaf == "add_middleware" and not re.search(r"SlowAPI|RateLimit|Throttl", text):
            continue
        ev = call_ev(facts, module, call)
        if call.leaf == "RateLimiter":
            scope_text = call.scope + " " + facts.line(module.path, call.line)
            (limits.auth_limits if _AUTH_TARGET.search(scope_text) else limits.route_limits)\
                .append(ev)
        else:
            limits.global_limits.append(ev)
    for hit in facts.grep(r"DEFAULT_THROTTLE_CLASSES", kinds=("python",), limit=2):
        limits.global_limits.append(facts.evidence(hit.path, hit.line))
    for module, assign in facts.assigns(r"throttle_classes"):
        if assign.class_name and assign.value.strip() not in ("[]", "()"):
            ev = facts.evidence(module.path, assign.line)
            (limits.auth_limits if _AUTH_TARGET.search(assign.class_name) else
             limits.route_limits).append(ev)


def _edge_limits(facts: RepoFacts, limits: _Limits) -> None:
    for hit in facts.grep(_EDGE_LIMIT, kinds=("nginx", "yaml", "terraform", "toml"), limit=10):
        if hit.text.lstrip().startswith("#") or is_ci_config(hit.path):
            continue
        limits.global_limits.append(facts.evidence(hit.path, hit.line, note="limit at the edge"))
        limits.shared_store = True


def _custom_limiters(facts: RepoFacts, limits: _Limits) -> None:
    """Hand-written limiters (token buckets, throttles) that the code actually uses."""
    names = facts.names_used()
    for module, cls in facts.classes():
        if not _CUSTOM_LIMITER.search(cls.name) or cls.name not in names:
            continue
        name = re.escape(cls.name)
        middleware = facts.grep(rf"add_middleware\(\s*{name}\b|"
                                rf"MIDDLEWARE\s*=\s*[\[(][^\])]*\b{name}\b",
                                kinds=("python",), limit=1)
        ev = facts.evidence(module.path, cls.line)
        if middleware:
            limits.global_limits.append(ev)
            limits.shared_store = True
            continue
        uses = [u for u in _class_uses(facts, module.path, cls.name) if _web_module(facts, u.path)]
        if uses or _middleware_base(cls.bases):
            limits.custom.append(_with_note(ev, "custom limiter"))
            limits.custom.extend(uses[:3])


def _middleware_base(bases: tuple[str, ...]) -> bool:
    return any("Middleware" in base for base in bases)


_WEB_PATH = re.compile(r"(^|/)(views?|api|routes?|routers?|middlewares?|auth|forms|decorators|"
                       r"endpoints|handlers|controllers)(/|\.py$|_)")


def _web_module(facts: RepoFacts, path: str) -> bool:
    """Modules on the request path: route modules and views/forms/middleware/auth code."""
    routed = facts.memo("scale.route_files", lambda: {r.file for r in facts.routes()})
    return path in routed or bool(_WEB_PATH.search(path))


def _class_uses(facts: RepoFacts, home: str, name: str) -> list[Evidence]:
    """Calls of a class or its methods outside the module defining it."""
    out: list[Evidence] = []
    for module in facts.modules():
        if module.path == home:
            continue
        for call in module.calls:
            if call.raw == name or call.raw.startswith(name + ".") or \
                    f".{name}." in f".{call.name}":
                out.append(call_ev(facts, module, call, note="limiter used"))
    return out


def _with_note(item: Evidence, note: str) -> Evidence:
    return Evidence(item.path, item.line, item.snippet, item.end_line, item.source, note=note)


_RATE = re.compile(r"(\d[\d_,]*)\s*(?:/|per)\s*(\d*)\s*(second|sec|s|minute|min|m|hour|h|day|d)\b",
                   re.I)
_SECONDS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600,
            "hour": 3600, "d": 86400, "day": 86400}
_MAX_PER_SECOND = 20.0  # a limit above this per client rarely triggers (S3's 2,000,000/day)


def _loose_limits(facts: RepoFacts) -> list[AntiPatternHit]:
    """Limits so high they never trigger: more than 20 requests per second per client."""
    hits: list[AntiPatternHit] = []
    for module, call in facts.calls(*_LIMITER_CLASSES, "*.limit", "*.shared_limit"):
        if "limit" not in call.raw.lower():
            continue
        text = " ".join(call.args) + " " + " ".join(v for _, v in call.kwargs)
        for match in _RATE.finditer(text):
            count = int(match.group(1).replace("_", "").replace(",", ""))
            window = int(match.group(2) or 1) * _SECONDS[match.group(3).lower()]
            if count / window > _MAX_PER_SECOND:
                hits.append(anti(f"limit {match.group(0)} is too high to protect the service",
                                 call_ev(facts, module, call), Severity.REVIEW))
                break
    return hits


def _dead_limit_config(facts: RepoFacts) -> list[Evidence]:
    found = [facts.evidence(r.path, r.line, note="declared dependency, never imported")
             for r in facts.requirement(*_LIMITER_PACKAGES)]
    for hit in facts.grep(_LIMIT_SETTING, kinds=("python", "env", "yaml", "toml", "ini"),
                          limit=20):
        match = _LIMIT_SETTING.search(hit.match)
        if match and not _OUTBOUND_NAME.search(match.group("name")):
            found.append(facts.evidence(hit.path, hit.line, note="rate-limit setting"))
    return found


@practice(
    "scale.rate-limiting", "Rate limiting", priority="H", effort="L", applies="HTTP",
    sources=("S1", "S0", "S3", "S2", "AWS REL05-BP02"),
    aliases=("rate limiting", "rate limit", "throttling", "throttle"),
    recommendation="Apply a rate limit to every public route (slowapi/Flask-Limiter "
                   "`default_limits`, DRF throttles, nginx `limit_req`) with a shared "
                   "Redis store, and stricter limits on login and signup.",
)
def check_rate_limiting(facts: RepoFacts) -> Outcome:
    """Clients cannot send unlimited requests.

    Why it matters:
        Without limits one client (a scraper, a buggy retry loop, a credential
        stuffing attack) can exhaust workers and the database for everyone. Limits
        kept in process memory multiply by the number of workers and replicas.

    What counts as evidence:
        Flask-Limiter/slowapi with `default_limits` or `@limiter.limit` on routes
        beyond login, fastapi-limiter `RateLimiter` dependencies, django-ratelimit,
        DRF `DEFAULT_THROTTLE_CLASSES`, nginx `limit_req`, ingress rate-limit
        annotations, or a custom limiter registered as middleware.

    What makes it partial:
        Limits only on login/signup/password routes, a hand-written limiter used on
        a few code paths, an in-memory store (`memory://`) while several workers or
        replicas run, a limiter created but never applied, or a limiter dependency
        and rate-limit settings that nothing reads. Limits above 20 requests per
        second per client (such as 2,000,000/day) are flagged for review.

    How to satisfy:
        `Limiter(key_func=get_remote_address, default_limits=["100/minute"],
        storage_uri=os.environ["REDIS_URL"])`, plus `@limiter.limit("5/minute")` on
        the login route.
    """
    limits = _Limits()
    names = _limiter_names(facts, limits)
    _applied_limits(facts, limits, names)
    _edge_limits(facts, limits)
    _custom_limiters(facts, limits)
    broad = dedupe([*limits.global_limits, *limits.route_limits])
    setup = server_setup(facts)
    review = _loose_limits(facts)
    if broad:
        evidence = [*broad[:5], *limits.auth_limits[:2]]
        if limits.memory_store and not limits.shared_store and setup.multi_process:
            return partial("Rate limits are applied, but counters live in process memory "
                           "while several workers or replicas run, so the real limit is "
                           "multiplied.", [*evidence, *limits.memory_store[:1]], review)
        return implemented(f"Rate limits applied ({len(broad)} site(s)).", evidence, review)
    if limits.auth_limits:
        return partial("Rate limits cover only authentication routes (login, signup, "
                       "password reset).", limits.auth_limits[:5], review)
    if limits.custom:
        return partial("A hand-written limiter is used on some code paths, not as a "
                       "request-wide limit.", limits.custom[:5])
    if limits.declared:
        return partial("A rate limiter is created but never applied to a route.",
                       limits.declared[:5])
    dead = _dead_limit_config(facts)
    if dead:
        return partial("Rate limiting is only declared (a dependency or settings) and never "
                       "applied.", dead[:5])
    anchor = app_anchor(facts)
    return missing("No rate limiting found (looked for slowapi, Flask-Limiter, "
                   "fastapi-limiter, django-ratelimit, DRF throttles, nginx/ingress limits "
                   "and custom limiters).", context=[anchor] if anchor else [])


# --------------------------------------------------------------------- pagination

_LIMIT_PARAM = re.compile(r"^(limit|page_size|per_page|size|take|count|max_results|top|"
                          r"first|n|page|skip|offset|cursor|pagesize|pageSize)$")
_MANY = re.compile(r"\.all\(\)|fetchall\(|fetchmany\(|\.scalars\(|\.objects\.(filter|all|"
                   r"exclude|order_by)\(|_set\.(all|filter)\(|\.find\(|\.paginate\(|"
                   r"\bPaginator\(|\bpaginate\(|\blist\[|List\[|\.limit\(|\bLIMIT\b")
_DB_TOUCH = re.compile(r"session|\bdb\b|objects\.|query|select\(|execute\(|cursor|\.find\(|"
                       r"crud\.|repo|repository|\.all\(\)|paginate")
_HTML = re.compile(r"render_template|TemplateResponse|HTMLResponse|\brender\(|"
                   r"response_class\s*=\s*HTMLResponse")
_JSON = re.compile(r"jsonify|JsonResponse|json_response|\bResponse\(|JSONResponse|"
                   r"return\s+[\[{]|response_model")
_BOUND = re.compile(r"\ble\s*=\s*\d|\blt\s*=\s*\d|\bmax_per_page\b|"
                    r"\bmin\((?=[^)]*\b\w*(limit|size|per_page|count|take|top|max)\w*)[^)]*\b\d+|"
                    r"\.limit\(\s*\d+\s*\)|\[\s*:\s*\d+\s*\]|\bLIMIT\s+\d+|\bPaginator\(|"
                    r"fastapi_pagination|\bPage\[|LimitOffsetPage|CursorPage|"
                    r"conint\([^)]*le\s*=|pagination_class")
_PAGED = re.compile(r"\.offset\(|\.limit\(|\bskip\b|\boffset\b|\bLIMIT\b|\.paginate\(|"
                    r"\bpage(_size)?\b|\bper_page\b|\[\s*\w*\s*:\s*\w+\s*\]")
_UNSLICED = re.compile(r"^(?![ \t]*(for|if|elif|while)\b)[^\n]*(\.all\(\)|fetchall\(\))", re.M)


@dataclass
class _ListRoute:
    route: Route
    evidence: Evidence
    state: str  # "bounded" | "paged" (no maximum) | "none"


def _resolve_handler(facts: RepoFacts, route: Route) -> tuple[ModuleFacts, Function] | None:
    """The handler function of a route, also when it lives in another module (Django
    URLconfs name ``views.checks``)."""
    if route.function is not None:
        module = facts.module(route.file)
        return (module, route.function) if module is not None else None
    leaf = route.handler.split("(")[0].split(".")[-1]
    if not leaf or not leaf.isidentifier():
        return None
    folder = route.file.rsplit("/", 1)[0] if "/" in route.file else ""
    candidates = facts.find_functions(leaf)
    candidates.sort(key=lambda mf: (not mf[0].path.startswith(folder),
                                    not mf[0].path.endswith("views.py")))
    return candidates[0] if candidates else None


def _handler_parts(facts: RepoFacts, module: ModuleFacts, function: Function
                   ) -> list[tuple[int, str]]:
    """(first line, source) of the handler and of the same-module functions it calls
    (one hop: Django views often dispatch to a helper per method)."""
    lines = facts.lines(module.path)
    start = min([function.line, *(d.line for d in function.decorators)])
    parts = [(start, "\n".join(lines[start - 1:function.end_line]))]
    called = {c.leaf for c in module.calls
              if c.scope == function.qualname or c.scope.startswith(function.qualname + ".")}
    for other in module.functions:
        if other.name in called and other is not function:
            parts.append((other.line, "\n".join(lines[other.line - 1:other.end_line])))
    return parts


def _is_json_list_route(route: Route, text: str) -> bool:
    if not ({"GET", "ANY"} & set(route.methods)):
        return False
    if re.search(r"[}>]/?$", route.path.strip()):
        return False  # ends with an id: a single resource
    if _HTML.search(text) or not _MANY.search(text) or not _DB_TOUCH.search(text):
        return False
    if route.framework in ("fastapi", "starlette", "litestar"):
        return True
    return bool(_JSON.search(text))


def _bound_state(function: Function, text: str) -> str:
    for param in function.params:
        if _LIMIT_PARAM.match(param.name) and param.default and \
                re.search(r"\b(le|lt)\s*=", param.default):
            return "bounded"
    body = text[text.find("def "):] if "def " in text else text
    body = body.split("\n", 1)[-1]
    if _BOUND.search(body) or _decorator_bound(text):
        return "bounded"
    if any(_LIMIT_PARAM.match(p.name) for p in function.params) or _PAGED.search(body):
        return "paged"
    return "none"


def _decorator_bound(text: str) -> bool:
    """A bounded page type declared on the route (``response_model=Page[Item]``)."""
    head = text[:text.find("def ")] if "def " in text else ""
    return bool(re.search(r"\bPage\[|LimitOffsetPage|CursorPage", head))


def _list_routes(facts: RepoFacts) -> tuple[list[_ListRoute], list[AntiPatternHit]]:
    routes: list[_ListRoute] = []
    antis: list[AntiPatternHit] = []
    seen: set[tuple[str, str]] = set()
    for route in facts.routes():
        resolved = _resolve_handler(facts, route)
        if resolved is None:
            continue
        module, function = resolved
        key = (module.path, function.qualname)
        if key in seen:
            continue
        parts = _handler_parts(facts, module, function)
        text = "\n".join(source for _, source in parts)
        if not _is_json_list_route(route, text):
            continue
        seen.add(key)
        state = _bound_state(function, text)
        ev = route_ev(facts, route, note=f"{route.path or '/'}")
        routes.append(_ListRoute(route, ev, state))
        if state == "none":
            antis.extend(_unsliced(facts, module.path, parts))
    return routes, _dedupe_antis(antis)


def _unsliced(facts: RepoFacts, path: str, parts: list[tuple[int, str]]
              ) -> list[AntiPatternHit]:
    for start, source in parts:
        match = _UNSLICED.search(source)
        if match:
            line = start + source.count("\n", 0, match.start())
            return [anti("list route returns an unsliced .all()", facts.evidence(path, line))]
    return []


def _dedupe_antis(hits: list[AntiPatternHit]) -> list[AntiPatternHit]:
    seen: set[str] = set()
    out: list[AntiPatternHit] = []
    for hit in hits:
        if hit.evidence.location not in seen:
            seen.add(hit.evidence.location)
            out.append(hit)
    return out


def _needs_pagination(facts: RepoFacts) -> bool:
    return facts.applies("API") and facts.applies("DB")


@practice(
    "scale.pagination", "Bounded pagination", priority="H", effort="L", applies="API and DB",
    when=_needs_pagination, sources=("S1",),
    aliases=("pagination", "paging", "page size", "limit/offset"),
    recommendation="Paginate every list endpoint (limit/offset, page/page_size or a cursor) "
                   "and cap the page size on the server (`Query(20, le=100)`, "
                   "`min(limit, 100)`, fastapi-pagination, DRF pagination classes).",
)
def check_pagination(facts: RepoFacts) -> Outcome:
    """List endpoints return bounded pages, never whole tables.

    Why it matters:
        A list route that returns every row is fast in development and an outage
        in production: response size, memory and query time grow with the table,
        and `?limit=1000000` lets any client ask for all of it.

    What counts as evidence:
        Each JSON list route backed by the database (GET, not ending in an id, whose
        handler queries many rows): a page-size parameter with a maximum
        (`Query(20, le=100)`, `conint(le=)`), `min(limit, N)`, a fixed `.limit(N)`
        or slice, fastapi-pagination, DRF pagination classes, Django `Paginator`.

    What makes it partial:
        Per-route rule: implemented when at least 90 % of list routes are bounded.
        Routes with limit/offset or page parameters but no maximum, or only some
        routes paginated, give partial. A list route returning an unsliced `.all()`
        caps the status at partial.

    How to satisfy:
        `def list_items(skip: int = 0, limit: int = Query(20, le=100))` and
        `.offset(skip).limit(limit)`, returning the total count alongside the page.
    """
    routes, antis = _list_routes(facts)
    drf = [facts.evidence(h.path, h.line) for h in facts.grep(
        r"[\"']DEFAULT_PAGINATION_CLASS[\"']\s*:\s*[\"']", kinds=("python",), limit=1)]
    if not routes:
        if drf:
            return implemented("DRF paginates every list view by default "
                               "(DEFAULT_PAGINATION_CLASS).", drf)
        return na("No database-backed JSON list routes were found.")
    bounded = [r.evidence for r in routes if r.state == "bounded"]
    paged = [_with_note(r.evidence, "paginated without a maximum page size")
             for r in routes if r.state == "paged"]
    unbounded = [_with_note(r.evidence, "returns every row") for r in routes
                 if r.state == "none"]
    total = len(routes)
    summary = f"{len(bounded)} of {total} list route(s) bounded"
    if len(bounded) / total >= 0.9:
        return implemented(f"{summary}.", [*bounded[:8], *paged[:2], *unbounded[:2]], antis)
    if bounded or paged:
        extra = f", {len(paged)} paginated without a maximum" if paged else ""
        return partial(f"{summary}{extra}, {len(unbounded)} return every row.",
                       [*bounded[:6], *paged[:6], *unbounded[:4]], antis)
    return missing(f"None of {total} list route(s) paginate: every one returns all rows.",
                   antis, context=unbounded[:5])


# ------------------------------------------------------------------- load testing

_K6_THRESHOLD = re.compile(r"\bthresholds\s*:")
_LOAD_TOOL = re.compile(r"\blocust\s+-|\bk6\s+run\b|\bartillery\s+run\b|\bvegeta\s+attack\b|"
                        r"\bwrk\s+-|\bhey\s+-[nzc]\b|\bab\s+-n\b|grafana/(run-)?k6-action|"
                        r"--benchmark-(only|autosave|compare|json|save)|\bgatling\b|\bjmeter\s+-n")
_LOCUST_GATE = re.compile(r"process_exit_code\s*=|--check-(fail-ratio|avg-response-time|"
                          r"p\d+|rps)|check_fail_ratio|check_avg_response_time")
_DOC_RESULT = re.compile(r"(?i)\b(load|stress|soak|spike)[ -]?test(s|ed|ing)?\b[^#]{0,300}?"
                         r"\b\d+(\.\d+)?\s*(ms|req/s|rps|requests/s(ec)?|concurrent users)\b")


def _load_files(facts: RepoFacts) -> tuple[list[Evidence], list[Evidence]]:
    """(scripts, thresholds) over production and test code (load tests often live in
    ``tests/``), excluding docs, examples and vendored code."""
    scripts: list[Evidence] = []
    thresholds: list[Evidence] = []
    wanted = [p for p in facts.paths(production=None)
              if facts.role(p) not in (DOCS, EXAMPLE, VENDOR)]
    for module, imp in facts.imports("locust", production=None):
        if module.path in wanted:
            scripts.append(facts.evidence(module.path, imp.line, note="Locust scenario"))
            gate = _LOCUST_GATE.search(facts.text(module.path) or "")
            if gate:
                text = facts.text(module.path) or ""
                thresholds.append(facts.evidence(module.path,
                                                 text.count("\n", 0, gate.start()) + 1))
    for path in wanted:
        item = facts.files.get(path)
        if item is None or item.text is None:
            continue
        if item.kind == "js" and re.search(r"from\s+[\"']k6", item.text):
            scripts.append(facts.evidence(path, 1, note="k6 script"))
            match = _K6_THRESHOLD.search(item.text)
            if match:
                thresholds.append(facts.evidence(path, item.text.count("\n", 0,
                                                                       match.start()) + 1))
        elif item.kind == "yaml" and re.search(r"^\s*scenarios\s*:", item.text, re.M) and \
                re.search(r"^\s*config\s*:", item.text, re.M) and "target" in item.text:
            scripts.append(facts.evidence(path, 1, note="Artillery scenario"))
            match = re.search(r"^\s*ensure\s*:", item.text, re.M)
            if match:
                thresholds.append(facts.evidence(path, item.text.count("\n", 0,
                                                                       match.start()) + 1))
    for module, function in facts.functions(production=None):
        if any(p.name == "benchmark" for p in function.params) and module.path in wanted:
            scripts.append(func_ev(facts, module, function, note="pytest-benchmark"))
            break
    return dedupe(scripts), dedupe(thresholds)


def _load_runs(facts: RepoFacts) -> tuple[list[Evidence], list[Evidence]]:
    """(automated runs in CI, manual runs in Makefiles and scripts)."""
    automated: list[Evidence] = []
    manual: list[Evidence] = []
    ci = set(facts.ci_files())
    for hit in facts.grep(_LOAD_TOOL, kinds=("yaml", "text", "shell", "toml"), production=None,
                          limit=50):
        if hit.text.lstrip().startswith("#"):
            continue
        ev = facts.evidence(hit.path, hit.line)
        if hit.path in ci:
            automated.append(_with_note(ev, "run in CI"))
            if re.search(r"--check-|--benchmark-compare-fail|thresholds", hit.text):
                automated.append(ev)
        else:
            manual.append(_with_note(ev, "run by hand"))
    return automated, manual


@practice(
    "scale.load-testing", "Load tests with thresholds", priority="M", effort="M",
    applies="HTTP", sources=("S0", "S2", "S3", "FOW perf"),
    aliases=("load testing", "load test", "performance testing", "stress testing", "locust",
             "k6"),
    recommendation="Write a load test (Locust, k6, Artillery) for the main user paths with "
                   "pass/fail thresholds (`p(95)<300`, error rate < 1 %) and run it in CI or "
                   "on a schedule against a staging environment.",
)
def check_load_testing(facts: RepoFacts) -> Outcome:
    """The service is load-tested against explicit latency and error thresholds, regularly.

    Why it matters:
        Capacity is unknown until it is measured; a load test with thresholds turns
        "it feels fast" into a number that fails a build when a change makes the
        service slower or less reliable under concurrency.

    What counts as evidence:
        Locust files, k6 scripts, Artillery scenarios, pytest-benchmark tests (test
        directories included); thresholds (k6 `thresholds`, Artillery `ensure`,
        Locust `--check-fail-ratio`/`process_exit_code`, `--benchmark-compare-fail`);
        a CI job or schedule that runs them.

    What makes it partial:
        Scripts without thresholds or that are only run by hand (Makefile, README),
        or load-test results reported in the documentation only.

    How to satisfy:
        Add `k6` with `thresholds: {http_req_duration: ["p(95)<300"],
        http_req_failed: ["rate<0.01"]}` and a scheduled CI job running it against
        staging.
    """
    scripts, thresholds = _load_files(facts)
    automated, manual = _load_runs(facts)
    if scripts:
        if thresholds and automated:
            return implemented("Load tests with thresholds run automatically in CI.",
                               [*scripts[:3], *thresholds[:2], *automated[:2]])
        lacking = [] if thresholds else ["no pass/fail thresholds"]
        if not automated:
            lacking.append("never run automatically")
        return partial(f"Load-test scripts exist, but {' and '.join(lacking)}.",
                       [*scripts[:3], *thresholds[:2], *automated[:2], *manual[:2]])
    docs = facts.grep(_DOC_RESULT, kinds=("markdown",), production=None, limit=3)
    if docs:
        return partial("Load-test results appear in the documentation only; no script is in "
                       "the repository.", [facts.evidence(h.path, h.line) for h in docs])
    anchor = app_anchor(facts)
    return missing("No load tests found (looked for Locust, k6, Artillery, pytest-benchmark "
                   "and load tools in CI).", context=[anchor] if anchor else [])

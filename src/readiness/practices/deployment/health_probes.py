"""deploy.health-probes: the platform checks the application's health."""

from __future__ import annotations

import re
from dataclasses import dataclass

from readiness.facts import RepoFacts
from readiness.facts.dockerfile import Dockerfile
from readiness.facts.yaml_facts import YMap
from readiness.model import AntiPatternHit, Evidence
from readiness.practices.deployment._containers import command_of, is_app_container
from readiness.practices.deployment._dockerfiles import LEAN_BASE, chain_instructions, final_base
from readiness.practices.images import shipping_dockerfiles
from readiness.practices.kubernetes import pod_containers
from readiness.practices.registry import Outcome, anti, implemented, missing, partial, practice
from readiness.practices.web import last_segment

_INFRA_IMAGE = re.compile(
    r"\b(postgres|postgis|pgvector|timescale|mysql|mariadb|mongo|redis|valkey|memcached|"
    r"rabbitmq|kafka|zookeeper|elasticsearch|opensearch|minio|traefik|nginx|caddy|haproxy|"
    r"envoy|adminer|pgadmin|mailhog|mailpit|mailcatcher|localstack|jaeger|prometheus|grafana|"
    r"loki|promtail|otel|vault|etcd|consul|cockroach|clickhouse|neo4j|qdrant|weaviate|"
    r"milvus|chroma|keycloak|nats|pgbouncer|selenium|playwright)\b", re.I)

_SERVING_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Rollout")


def compose_app_services(facts: RepoFacts) -> list[tuple[str, str, YMap]]:
    """Compose services that run the project's own code (built here, or not a known
    database, broker, proxy or tool image)."""
    out = []
    for path, name, service in facts.compose_services():
        image = str(service.get("image", ""))
        if "build" in service or (image and not _INFRA_IMAGE.search(image)):
            out.append((path, name, service))
    return out


_URL_PATH = re.compile(r"https?://[^/\s'\"]+(/[^\s'\"\)\]]*)?")
_STREAMLIT_HEALTH = re.compile(r"^/?(_stcore/health|healthz)/?$")  # served by Streamlit itself
_INSTALLS_TOOL = re.compile(r"(apt-get|apt|apk|yum|dnf|microdnf|zypper)\b[^&;|]*\b"
                            r"(install|add)\b[^&;|]*\b(curl|wget)\b")


def _probe_path_problem(facts: RepoFacts, command: str) -> str | None:
    """Why an HTTP probe command targets no known route, or None when it looks fine."""
    match = _URL_PATH.search(command)
    if match is None:
        return None
    return path_problem(facts, match.group(1) or "/")


def path_problem(facts: RepoFacts, path: str) -> str | None:
    """Why a probe path is not served by the application (compared by last segment with
    the routes found in the code), or None."""
    path = path.split("?", 1)[0]
    if path.strip("/") == "" or (_STREAMLIT_HEALTH.match(path) and facts.imported("streamlit")):
        return None
    routes = facts.routes()
    if not routes:
        return None  # routes unknown: nothing to compare with
    wanted = last_segment(path).lower()
    if any(last_segment(r.path).lower() == wanted for r in routes):
        return None
    return f"probe path {path} matches no route in the code"


def _missing_probe_tool(dockerfile: Dockerfile, command: str) -> str | None:
    """A HEALTHCHECK calling curl/wget in a slim image that never installs it fails forever."""
    tool = "curl" if re.search(r"\bcurl\b", command) else (
        "wget" if re.search(r"\bwget\b", command) else None)
    base = final_base(dockerfile)
    if tool is None or base is None or not LEAN_BASE.search(base.text):
        return None
    if tool == "wget" and re.search(r"alpine|busybox", base.text, re.I):
        return None  # busybox provides wget
    if re.search(r"curl|wget", base.name, re.I):
        return None
    for instruction in chain_instructions(dockerfile, "RUN"):
        match = _INSTALLS_TOOL.search(instruction.args)
        if match and tool in instruction.args:
            return None
    if any(tool in i.args for i in chain_instructions(dockerfile, "COPY")):
        return None
    return f"HEALTHCHECK calls {tool}, which the {base.text} image does not include"


def _dockerfile_probes(facts: RepoFacts) -> tuple[list[Evidence], list[Evidence]]:
    """(working, doubtful) Dockerfile HEALTHCHECKs of shipped images."""
    good: list[Evidence] = []
    doubtful: list[Evidence] = []
    for dockerfile in shipping_dockerfiles(facts):
        check = dockerfile.last("HEALTHCHECK")
        if check is None or check.args.strip().upper().startswith("NONE"):
            continue
        command = check.args.split("CMD", 1)[-1]
        problem = _missing_probe_tool(dockerfile, command) or _probe_path_problem(facts, command)
        ev = facts.evidence(dockerfile.path, check.line, note=problem or "")
        (doubtful if problem else good).append(ev)
    return good, doubtful


def _healthcheck_test(service: YMap) -> str | None:
    check = service.get("healthcheck")
    if not isinstance(check, YMap) or check.get("disable") is True:
        return None
    test = command_of(check.get("test"))
    return None if test.strip().upper() in ("", "NONE", "['NONE']") else test


def _compose_probes(facts: RepoFacts) -> tuple[list[Evidence], list[Evidence], list[Evidence]]:
    """(app healthchecks, doubtful app healthchecks, backing-service-only healthchecks)."""
    app_names = {(p, n) for p, n, _ in compose_app_services(facts)}
    good: list[Evidence] = []
    doubtful: list[Evidence] = []
    backing: list[Evidence] = []
    for path, name, service in facts.compose_services():
        test = _healthcheck_test(service)
        if test is None:
            continue
        line = service.line_of("healthcheck")
        if (path, name) not in app_names:
            backing.append(facts.evidence(path, line, note=f"healthcheck of {name}"))
            continue
        problem = _probe_path_problem(facts, test)
        ev = facts.evidence(path, line, note=problem or f"healthcheck of {name}")
        (doubtful if problem else good).append(ev)
    return good, doubtful, backing


@dataclass
class _K8sProbes:
    complete: list[Evidence]  # app containers with liveness and readiness on valid paths
    incomplete: list[Evidence]  # one probe only, or a probe path that is not a route
    bare: list[Evidence]  # app containers without probes
    antis: list[AntiPatternHit]


def _k8s_probes(facts: RepoFacts) -> _K8sProbes:
    result = _K8sProbes([], [], [], [])
    for obj in facts.k8s_objects(*_SERVING_KINDS):
        for container in pod_containers(obj):
            if not is_app_container(container):
                continue
            name = str(container.get("name", obj.name))
            live = container.get("livenessProbe")
            ready = container.get("readinessProbe")
            problems = []
            for key, probe in (("livenessProbe", live), ("readinessProbe", ready)):
                if not isinstance(probe, YMap):
                    continue
                http = probe.get("httpGet")
                if isinstance(http, YMap):
                    problem = path_problem(facts, str(http.get("path", "/")))
                    if problem:
                        problems.append(problem)
                    if key == "livenessProbe" and re.match(
                            r"^(ready|readyz|readiness)$", last_segment(str(http.get("path", "")))):
                        result.antis.append(anti(
                            "liveness probe on the readiness (deep) check: a slow dependency "
                            "restarts healthy pods",
                            facts.evidence(obj.path, container.line_of(key))))
            if isinstance(live, YMap) and isinstance(ready, YMap) and not problems:
                result.complete.append(facts.evidence(obj.path, container.line_of("livenessProbe")))
                result.complete.append(facts.evidence(obj.path,
                                                      container.line_of("readinessProbe")))
            elif isinstance(live, YMap) or isinstance(ready, YMap):
                which = "livenessProbe" if isinstance(live, YMap) else "readinessProbe"
                what = "; ".join(problems) or (
                    f"{name}: {'liveness' if which == 'livenessProbe' else 'readiness'} "
                    "probe only")
                result.incomplete.append(facts.evidence(obj.path, container.line_of(which),
                                                        note=what))
            else:
                result.bare.append(facts.evidence(obj.path, container.line,
                                                  note=f"{name}: no probes"))
    return result


def _helm_probes(facts: RepoFacts) -> tuple[list[Evidence], list[Evidence]]:
    """Probes in Helm templates (not YAML until rendered): text signals only."""
    live = [facts.evidence(h.path, h.line) for h in facts.grep(
        r"^\s*livenessProbe:", kinds=("yaml", "text"), flags=re.M, limit=10)]
    ready = [facts.evidence(h.path, h.line) for h in facts.grep(
        r"^\s*readinessProbe:", kinds=("yaml", "text"), flags=re.M, limit=10)]
    return live, ready


@practice(
    "deploy.health-probes", "Health probes wired", priority="H", effort="L",
    applies="CONT or K8S", sources=("S0", "S2", "FOW"),
    aliases=("health probes", "liveness probe", "readiness probe", "healthcheck",
             "docker healthcheck"),
    recommendation="Wire the health routes into the platform: a Dockerfile `HEALTHCHECK` or a "
                   "compose `healthcheck:` on the app service, and in Kubernetes both a "
                   "`livenessProbe` and a `readinessProbe` on routes the app really serves.",
)
def check_health_probes(facts: RepoFacts) -> Outcome:
    """The platform checks the application's health and acts on it.

    Why it matters:
        A health route nobody calls changes nothing. Probes let Docker and
        Kubernetes restart a hung process and keep traffic away from an instance
        that is still starting or has lost its database.

    What counts as evidence:
        With Kubernetes workloads: every application container has a
        `livenessProbe` and a `readinessProbe` whose HTTP path is a route in the
        code. Without Kubernetes: a Dockerfile `HEALTHCHECK` on a shipped image or a
        compose `healthcheck:` on an application service (not only on the database).

    What makes it partial:
        Only one of liveness/readiness; some workloads without probes; a probe path
        that matches no route; a HEALTHCHECK calling curl/wget in a slim image that
        never installs it; healthchecks only on backing services (database, cache);
        Docker HEALTHCHECKs while Kubernetes (which ignores them) runs the image
        without probes. A liveness probe on the readiness check caps at partial.

    How to satisfy:
        `livenessProbe: {httpGet: {path: /health}}` and `readinessProbe: {httpGet:
        {path: /ready}}` on each Deployment, or `HEALTHCHECK CMD python -c
        "import urllib.request; urllib.request.urlopen('http://localhost:8000/health')"`.
    """
    docker_good, docker_doubtful = _dockerfile_probes(facts)
    compose_good, compose_doubtful, backing = _compose_probes(facts)
    k8s = _k8s_probes(facts)
    has_workloads = bool(k8s.complete or k8s.incomplete or k8s.bare)
    if has_workloads:
        return _grade_k8s(k8s, docker_good + compose_good)
    if facts.applies("K8S") and not has_workloads:
        live, ready = _helm_probes(facts)
        if live and ready:
            return implemented("Liveness and readiness probes are declared in the Kubernetes "
                               "templates.", (live[:3] + ready[:3]))
        if live or ready:
            return partial("Only one kind of probe (liveness or readiness) is declared in the "
                           "Kubernetes templates.", (live + ready)[:5])
    good = docker_good + compose_good
    doubtful = docker_doubtful + compose_doubtful
    if good:
        return implemented("The application container has a healthcheck "
                           f"({len(good)} probe(s)).", [*good[:6], *doubtful[:3]])
    if doubtful:
        return partial("Healthchecks exist but cannot work as written (see notes).",
                       doubtful[:6])
    if backing:
        return partial("Only backing services (database, cache) have healthchecks; the "
                       "application container has none.", backing[:5])
    return missing("No Dockerfile HEALTHCHECK, compose healthcheck or Kubernetes probe was "
                   "found for the application.")


def _grade_k8s(k8s: _K8sProbes, docker: list[Evidence]) -> Outcome:
    if k8s.complete and not k8s.incomplete and not k8s.bare:
        return implemented("Every application workload has liveness and readiness probes on "
                           "existing routes.", k8s.complete[:8], k8s.antis)
    if k8s.complete or k8s.incomplete:
        return partial(f"Probes are incomplete: {len(k8s.complete) // 2} workload(s) fully "
                       f"probed, {len(k8s.incomplete)} with one probe or an unknown path, "
                       f"{len(k8s.bare)} without probes.",
                       [*k8s.complete[:4], *k8s.incomplete[:4], *k8s.bare[:2]], k8s.antis)
    if docker:
        return partial("Kubernetes workloads have no probes; the image HEALTHCHECK found is "
                       "ignored by Kubernetes.", [*docker[:3], *k8s.bare[:3]], k8s.antis)
    return missing("Kubernetes workloads declare no liveness or readiness probes.", k8s.antis,
                   context=k8s.bare[:5])

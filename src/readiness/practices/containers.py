"""Container practices: lean images, health probes wired to real routes, non-root containers.

The three rules read parsed Dockerfiles (stages and instructions), docker compose
services and Kubernetes workloads. Helpers that other modules need too (base image
references, which Dockerfiles ship, pip install lines) live here and are public.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass

from readiness.facts import K8sObject, RepoFacts
from readiness.facts.dockerfile import Dockerfile, Instruction, Stage
from readiness.facts.yaml_facts import YList, YMap
from readiness.model import AntiPatternHit, Evidence
from readiness.practices.helpers import dedupe
from readiness.practices.registry import Outcome, anti, implemented, missing, partial, practice
from readiness.practices.web import last_segment

# ------------------------------------------------------------------ shared helpers

# Images built only for tests, local development or CI do not ship to production.
_NON_SHIPPING = re.compile(r"(^|[./_-])(test|tests|dev|devel|develop|ci|e2e|playwright|local|"
                           r"debug|devcontainer)([./_-]|$)", re.I)
_LEAN_BASE = re.compile(r"slim|alpine|distroless|chainguard|wolfi|scratch|minimal|micro|"
                        r"busybox|-lite\b|ubi\d*-minimal", re.I)
_VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)(?::?[-=]([^}]*))?\}?")
_INFRA_IMAGE = re.compile(
    r"\b(postgres|postgis|pgvector|timescale|mysql|mariadb|mongo|redis|valkey|memcached|"
    r"rabbitmq|kafka|zookeeper|elasticsearch|opensearch|minio|traefik|nginx|caddy|haproxy|"
    r"envoy|adminer|pgadmin|mailhog|mailpit|mailcatcher|localstack|jaeger|prometheus|grafana|"
    r"loki|promtail|otel|vault|etcd|consul|cockroach|clickhouse|neo4j|qdrant|weaviate|"
    r"milvus|chroma|keycloak|nats|pgbouncer|selenium|playwright)\b", re.I)
_DB_IMAGE = re.compile(r"\b(postgres|postgis|pgvector|timescale|mysql|mariadb|mongo|redis|"
                       r"valkey|memcached|rabbitmq|kafka|zookeeper|elasticsearch|opensearch|"
                       r"minio|cockroach|clickhouse|neo4j|qdrant|weaviate|milvus|chroma|"
                       r"nats)\b", re.I)
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Rollout", "Job", "CronJob")
_SERVING_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Rollout")


@dataclass(frozen=True)
class ImageRef:
    """A base image as written in ``FROM`` (variables resolved from ARG defaults)."""

    text: str
    name: str
    tag: str | None
    digest: str | None
    stage_ref: bool  # FROM an earlier build stage
    unresolved: bool  # still holds a variable after ARG substitution

    @property
    def untagged(self) -> bool:
        return not self.stage_ref and not self.unresolved and self.name != "scratch" and \
            self.digest is None and self.tag is None

    @property
    def latest(self) -> bool:
        return not self.stage_ref and self.digest is None and self.tag == "latest"

    @property
    def floating(self) -> bool:
        """``:latest`` or no tag at all: the build changes under you."""
        return self.untagged or self.latest


def shipping_dockerfiles(facts: RepoFacts) -> list[Dockerfile]:
    """Production Dockerfiles, without the images built only for tests, dev or CI
    (all of them when every Dockerfile looks like a dev image)."""
    all_files = [d for d in facts.dockerfiles() if d.stages]
    shipping = [d for d in all_files if not _NON_SHIPPING.search(d.path.rsplit("/", 1)[-1])
                and not re.search(r"(^|/)(\.devcontainer|e2e|ci)/", d.path)]
    return shipping or all_files


def arg_defaults(dockerfile: Dockerfile) -> dict[str, str]:
    """``ARG NAME=value`` and ``ENV NAME=value`` defaults, for variable substitution."""
    values: dict[str, str] = {}
    for instruction in dockerfile.instructions:
        if instruction.keyword not in ("ARG", "ENV"):
            continue
        for token in _split(instruction.args):
            if "=" in token:
                key, _, value = token.partition("=")
                values.setdefault(key, value.strip("\"'"))
    return values


def _split(text: str) -> list[str]:
    try:
        return shlex.split(text, comments=False, posix=True)
    except ValueError:
        return text.split()


def substitute(text: str, values: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if name in values:
            return values[name]
        return default if default else match.group(0)

    return _VARIABLE.sub(replace, text)


def image_ref(dockerfile: Dockerfile, stage: Stage) -> ImageRef:
    aliases = {s.alias.lower() for s in dockerfile.stages[:stage.index] if s.alias}
    text = substitute(stage.image, arg_defaults(dockerfile))
    if text.lower() in aliases or text in {str(i) for i in range(stage.index)}:
        return ImageRef(text, text, None, None, True, False)
    unresolved = "$" in text
    rest, _, digest = text.partition("@")
    last = rest.rsplit("/", 1)[-1]
    tag = None
    if ":" in last:
        tag = last.split(":", 1)[1]
        rest = rest[: len(rest) - len(tag) - 1]
    return ImageRef(text, rest, tag or None, digest or None, False, unresolved)


def final_base(dockerfile: Dockerfile) -> ImageRef | None:
    """The external image the shipped stage is built on (following stage-to-stage FROMs)."""
    stage = dockerfile.final_stage()
    seen: set[int] = set()
    while stage is not None and stage.index not in seen:
        seen.add(stage.index)
        ref = image_ref(dockerfile, stage)
        if not ref.stage_ref:
            return ref
        stage = next((s for s in dockerfile.stages
                      if (s.alias or "").lower() == ref.text.lower()), None)
    return None


def final_chain(dockerfile: Dockerfile) -> list[int]:
    """Indexes of the final stage and the stages it is built FROM (not COPY --from)."""
    chain: list[int] = []
    stage = dockerfile.final_stage()
    while stage is not None and stage.index not in chain:
        chain.append(stage.index)
        ref = image_ref(dockerfile, stage)
        if not ref.stage_ref:
            break
        stage = next((s for s in dockerfile.stages
                      if (s.alias or "").lower() == ref.text.lower()), None)
    return chain


def chain_instructions(dockerfile: Dockerfile, keyword: str) -> list[Instruction]:
    """Instructions of ``keyword`` in the final stage or the stages it derives from."""
    chain = set(final_chain(dockerfile))
    return [i for i in dockerfile.instructions if i.stage in chain and i.keyword == keyword]


def has_dockerignore(facts: RepoFacts, dockerfile: Dockerfile) -> str | None:
    """The ``.dockerignore`` that applies to this Dockerfile's build context, if any."""
    ignores = set(facts.glob(".dockerignore", "*.dockerignore", production=None))
    candidates = [f"{dockerfile.path}.dockerignore"]
    for context in build_contexts(facts, dockerfile):
        candidates.append(f"{context}/.dockerignore" if context else ".dockerignore")
    for candidate in candidates:
        if candidate in ignores:
            return candidate
    return None


def build_contexts(facts: RepoFacts, dockerfile: Dockerfile) -> list[str]:
    """Directories that may be this Dockerfile's build context: compose ``build.context``
    values first, then its own directory and its ancestors (``docker build -f x/Dockerfile .``)."""
    contexts = [context for _p, _n, _s, context, target in compose_builds(facts)
                if target == dockerfile.path]
    directory = dockerfile.path.rsplit("/", 1)[0] if "/" in dockerfile.path else ""
    contexts.append(directory)
    while directory:
        directory = directory.rsplit("/", 1)[0] if "/" in directory else ""
        contexts.append(directory)
    return contexts


def compose_builds(facts: RepoFacts) -> list[tuple[str, str, YMap, str, str]]:
    """(compose path, service, service mapping, build context dir, Dockerfile path) for every
    compose service built from a Dockerfile in the repository."""
    out = []
    for path, name, service in facts.compose_services(production=None):
        build = service.get("build")
        if build is None:
            continue
        compose_dir = path.rsplit("/", 1)[0] if "/" in path else ""
        if isinstance(build, YMap):
            context = _join(compose_dir, str(build.get("context", ".")))
            target = _join(context, str(build.get("dockerfile", "Dockerfile")))
        else:
            context = _join(compose_dir, str(build))
            target = _join(context, "Dockerfile")
        out.append((path, name, service, context, target))
    return out


def _join(*parts: str) -> str:
    """Join and normalise relative path parts (``a/./b/../c`` -> ``a/c``)."""
    stack: list[str] = []
    for part in "/".join(p for p in parts if p).split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if stack:
                stack.pop()
            continue
        stack.append(part)
    return "/".join(stack)


def compose_app_services(facts: RepoFacts) -> list[tuple[str, str, YMap]]:
    """Compose services that run the project's own code (built here, or not a known
    database, broker, proxy or tool image)."""
    out = []
    for path, name, service in facts.compose_services():
        image = str(service.get("image", ""))
        if "build" in service or (image and not _INFRA_IMAGE.search(image)):
            out.append((path, name, service))
    return out


def pod_containers(obj: K8sObject) -> Iterator[YMap]:
    """The (main, not init) containers of a workload's pod template."""
    spec = pod_spec(obj)
    items = spec.get("containers") if spec is not None else None
    if isinstance(items, YList):
        yield from (item for item in items if isinstance(item, YMap))


def pod_spec(obj: K8sObject) -> YMap | None:
    """The pod spec of a workload (Deployment, StatefulSet, Job, CronJob, Pod...)."""
    node: object = obj.doc.get("spec")
    if obj.kind == "CronJob" and isinstance(node, YMap):
        node = node.get("jobTemplate")
        node = node.get("spec") if isinstance(node, YMap) else None
    if obj.kind == "Pod":
        return node if isinstance(node, YMap) else None
    if isinstance(node, YMap):
        template = node.get("template")
        if isinstance(template, YMap):
            spec = template.get("spec")
            return spec if isinstance(spec, YMap) else None
    return None


def is_app_container(container: YMap) -> bool:
    return not _DB_IMAGE.search(str(container.get("image", "")))


def _command_of(value: object) -> str:
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return str(value or "")


# ------------------------------------------------------------------ docker build

_NO_CACHE = re.compile(r"--no-cache-dir|--no-cache\b|PIP_NO_CACHE_DIR|--mount=type=cache|"
                       r"rm -rf /var/lib/apt/lists|UV_NO_CACHE")


def _copy_sources(instruction: Instruction) -> list[str]:
    form = instruction.exec_form
    tokens = form if form is not None else _split(instruction.args)
    plain = [t for t in tokens if not t.startswith("--")]
    return plain[:-1] if len(plain) >= 2 else []


def broad_copies(dockerfile: Dockerfile) -> list[Instruction]:
    """``COPY . .``-style instructions that send the whole build context into the image."""
    out = []
    for instruction in dockerfile.instructions:
        if instruction.keyword not in ("COPY", "ADD") or "--from" in instruction.args:
            continue
        if any(s.rstrip("/") in (".", "") or s in ("./", "*") for s in _copy_sources(instruction)):
            out.append(instruction)
    return out


def _stage_copies(dockerfile: Dockerfile) -> list[Instruction]:
    """``COPY --from=<earlier stage>`` (or ``RUN --mount=...,from=<stage>``) instructions."""
    names = {s.alias.lower() for s in dockerfile.stages if s.alias}
    names |= {str(s.index) for s in dockerfile.stages}
    out = []
    for instruction in dockerfile.instructions:
        for match in re.finditer(r"(?:--from=|\bfrom=)([^\s,]+)", instruction.args):
            if match.group(1).strip("\"'").lower() in names and instruction.keyword in (
                    "COPY", "ADD", "RUN"):
                out.append(instruction)
                break
    return out


@dataclass
class _ImageGrade:
    grade: str  # lean | partial | fat
    evidence: list[Evidence]
    antis: list[AntiPatternHit]
    summary: str


def _grade_image(facts: RepoFacts, dockerfile: Dockerfile) -> _ImageGrade:
    path = dockerfile.path
    antis = []
    for stage in dockerfile.stages:
        ref = image_ref(dockerfile, stage)
        if ref.floating:
            what = "`:latest`" if ref.latest else "untagged"
            antis.append(anti(f"{what} base image `{ref.text}`: builds are not reproducible",
                              facts.evidence(path, stage.line)))
    ignore = has_dockerignore(facts, dockerfile)
    for instruction in broad_copies(dockerfile):
        if ignore is None:
            antis.append(anti("`COPY .` without a .dockerignore copies .git, .env and local "
                              "artefacts into the image", facts.evidence(path, instruction.line)))
    copies = _stage_copies(dockerfile)
    multi = len(dockerfile.stages) >= 2 and bool(copies)
    base = final_base(dockerfile)
    lean = base is not None and bool(_LEAN_BASE.search(base.text))
    controlled = ignore is not None or not broad_copies(dockerfile)
    evidence = [facts.evidence(path, s.line) for s in dockerfile.stages]
    evidence += [facts.evidence(path, i.line) for i in copies[:2]]
    if ignore:
        evidence.append(facts.evidence(ignore, 1))
    evidence += [facts.evidence(path, i.line) for i in dockerfile.instructions
                 if i.keyword == "RUN" and _NO_CACHE.search(i.args)][:2]
    traits = [("multi-stage" if multi else "single-stage"),
              ("slim base" if lean else "full base"),
              (".dockerignore" if ignore else "no .dockerignore")]
    summary = f"{path}: " + ", ".join(traits)
    if multi and controlled:
        return _ImageGrade("lean", evidence, antis, summary)
    if multi or lean or ignore:
        return _ImageGrade("partial", evidence, antis, summary)
    return _ImageGrade("fat", evidence, antis, summary)


@practice(
    "deploy.docker-build", "Lean multi-stage image", priority="M", effort="L", applies="CONT",
    sources=("S1",), aliases=("dockerfile", "docker image", "multi-stage build", "docker build"),
    recommendation="Build in two stages (install dependencies in a builder, `COPY --from=` "
                   "only the result), start from a pinned slim or distroless base, add a "
                   "`.dockerignore` and install with `--no-cache-dir`.",
)
def check_docker_build(facts: RepoFacts) -> Outcome:
    """Shipped images are small, reproducible and free of build tools and local files.

    Why it matters:
        A single-stage image carries compilers, caches and whatever sat in the build
        context (.git, .env, data); it is slow to pull, large to scan and may leak
        secrets. A `:latest` base changes under you between two builds.

    What counts as evidence:
        Per shipped Dockerfile (test, dev and CI images are ignored): two or more
        stages with `COPY --from=<stage>`, a build context controlled by a
        `.dockerignore` (or no `COPY .`), a slim/alpine/distroless base, tagged base
        images, `--no-cache-dir` or cache mounts.

    What makes it partial:
        Implemented needs every shipped image to be multi-stage with a controlled
        build context. A single-stage image on a slim base or with a `.dockerignore`,
        or a multi-stage build copying an unfiltered context, is partial. A
        `:latest`/untagged base or `COPY .` without `.dockerignore` caps the status
        at partial.

    How to satisfy:
        `FROM python:3.12-slim AS build` installing into a venv, then
        `FROM python:3.12-slim` with `COPY --from=build /venv /venv`, and a
        `.dockerignore` listing .git, .env, tests and data.
    """
    images = shipping_dockerfiles(facts)
    if not images:
        return missing("No Dockerfile with a FROM instruction was found.")
    grades = [_grade_image(facts, d) for d in images]
    evidence = dedupe(e for g in grades for e in g.evidence)
    antis = [a for g in grades for a in g.antis]
    summary = "; ".join(g.summary for g in grades[:4])
    if all(g.grade == "lean" for g in grades):
        return implemented(f"Multi-stage builds with a controlled build context ({summary}).",
                           evidence[:12], antis)
    if any(g.grade in ("lean", "partial") for g in grades):
        return partial(f"Not every shipped image is a lean multi-stage build ({summary}).",
                       evidence[:12], antis)
    return missing(f"Single-stage images on full base images without a .dockerignore "
                   f"({summary}).", antis,
                   context=[facts.evidence(d.path, d.stages[0].line) for d in images[:3]])


# ------------------------------------------------------------------ health probes

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
    if tool is None or base is None or not _LEAN_BASE.search(base.text):
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
    test = _command_of(check.get("test"))
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


# ------------------------------------------------------------------ hardening

_ROOT_USER = re.compile(r"^(root|0)(:(root|0))?$")
_PRIVILEGE_DROP = re.compile(r"\b(gosu|su-exec|setpriv|runuser|chroot\s+--userspec|"
                             r"s6-setuidgid|setuidgid)\b")
_DOCKER_SOCK = re.compile(r"/var/run/docker\.sock|/run/docker\.sock")


def _final_user(dockerfile: Dockerfile) -> Instruction | None:
    users = chain_instructions(dockerfile, "USER")
    return users[-1] if users else None


def _is_root(dockerfile: Dockerfile, user: Instruction) -> bool:
    name = substitute(user.args.strip().split()[0] if user.args.strip() else "root",
                      arg_defaults(dockerfile))
    return bool(_ROOT_USER.match(name))


def _drops_privileges(facts: RepoFacts, dockerfile: Dockerfile) -> Evidence | None:
    """An entrypoint script that switches to an unprivileged user (gosu, su-exec...)."""
    for instruction in chain_instructions(dockerfile, "ENTRYPOINT") + \
            chain_instructions(dockerfile, "CMD"):
        text = instruction.command_text
        if _PRIVILEGE_DROP.search(text):
            return facts.evidence(dockerfile.path, instruction.line)
        for part in re.findall(r"[\w./-]+\.sh\b|[\w./-]*entrypoint[\w.-]*", text):
            base = part.rsplit("/", 1)[-1]
            for path in facts.glob(base):
                for hit in facts.grep(_PRIVILEGE_DROP, paths=[path], limit=1):
                    return facts.evidence(hit.path, hit.line)
    return None


def _user_creation(facts: RepoFacts, dockerfile: Dockerfile) -> list[Evidence]:
    return [facts.evidence(dockerfile.path, i.line) for i in chain_instructions(dockerfile, "RUN")
            if re.search(r"\b(useradd|adduser|addgroup|groupadd)\b", i.args)][:1]


def _compose_user_for(facts: RepoFacts, dockerfile: Dockerfile) -> Evidence | None:
    """A non-root compose ``user:`` on a service built from this Dockerfile."""
    for path, _name, service, _context, target in compose_builds(facts):
        user = service.get("user")
        if user is not None and target == dockerfile.path and not _ROOT_USER.match(str(user)):
            return facts.evidence(path, service.line_of("user"))
    return None


_K8S_HARDENING = ("runAsNonRoot", "runAsUser", "allowPrivilegeEscalation",
                  "readOnlyRootFilesystem", "capabilities")


def _hardening_keys(context: object) -> list[str]:
    if not isinstance(context, YMap):
        return []
    keys = []
    if context.get("runAsNonRoot") is True:
        keys.append("runAsNonRoot")
    user = context.get("runAsUser")
    if isinstance(user, int) and user > 0:
        keys.append("runAsUser")
    if context.get("allowPrivilegeEscalation") is False:
        keys.append("allowPrivilegeEscalation")
    if context.get("readOnlyRootFilesystem") is True:
        keys.append("readOnlyRootFilesystem")
    caps = context.get("capabilities")
    if isinstance(caps, YMap) and "ALL" in [str(c).upper() for c in caps.get("drop") or []]:
        keys.append("capabilities")
    return keys


def _k8s_hardening(facts: RepoFacts) -> tuple[list[Evidence], list[Evidence], list[Evidence]]:
    """(hardened app containers, app containers without hardening, privileged hits)."""
    hardened: list[Evidence] = []
    bare: list[Evidence] = []
    privileged: list[Evidence] = []
    for obj in facts.k8s_objects(*WORKLOAD_KINDS, "Pod"):
        spec = pod_spec(obj)
        if spec is None:
            continue
        pod_keys = _hardening_keys(spec.get("securityContext"))
        for container in pod_containers(obj):
            context = container.get("securityContext")
            if isinstance(context, YMap) and context.get("privileged") is True:
                privileged.append(facts.evidence(obj.path, context.line_of("privileged")))
            if not is_app_container(container):
                continue
            keys = pod_keys + _hardening_keys(context)
            non_root = "runAsNonRoot" in keys or "runAsUser" in keys
            line = spec.line_of("securityContext") if pod_keys else \
                container.line_of("securityContext")
            if non_root or len(set(keys)) >= 2:
                hardened.append(facts.evidence(obj.path, line,
                                               note=", ".join(sorted(set(keys)))))
            else:
                bare.append(facts.evidence(obj.path, container.line))
        for volume in spec.get("volumes") or []:
            host = volume.get("hostPath") if isinstance(volume, YMap) else None
            if isinstance(host, YMap) and _DOCKER_SOCK.search(str(host.get("path", ""))):
                privileged.append(facts.evidence(obj.path, host.line))
    return hardened, bare, privileged


def _compose_antis(facts: RepoFacts) -> list[AntiPatternHit]:
    antis = []
    for path, name, service in facts.compose_services():
        if service.get("privileged") is True:
            antis.append(anti(f"compose service {name} runs privileged",
                              facts.evidence(path, service.line_of("privileged"))))
        volumes = service.get("volumes")
        if isinstance(volumes, YList):
            for index, volume in enumerate(volumes):
                text = _command_of(volume.get("source") if isinstance(volume, YMap) else volume)
                if _DOCKER_SOCK.search(text):
                    antis.append(anti(f"compose service {name} mounts the Docker socket "
                                      "(root on the host)",
                                      facts.evidence(path, volumes.line_of(index))))
    return antis


@practice(
    "deploy.container-hardening", "Non-root containers", priority="H", effort="L",
    applies="CONT", sources=("T10 A05", "AWS SEC"),
    aliases=("non-root", "container security", "securitycontext", "run as non-root"),
    recommendation="Create an unprivileged user in the image and switch to it with `USER`; in "
                   "Kubernetes set `runAsNonRoot: true`, `allowPrivilegeEscalation: false`, "
                   "`readOnlyRootFilesystem: true` and drop ALL capabilities.",
)
def check_container_hardening(facts: RepoFacts) -> Outcome:
    """Containers run without root privileges.

    Why it matters:
        A process running as root inside a container is one kernel or runtime bug
        away from root on the host; a compromised app can also rewrite its own
        code. Privileged containers and Docker socket mounts hand the host over.

    What counts as evidence:
        A non-root `USER` in the final stage of every shipped Dockerfile (or an
        entrypoint dropping privileges with gosu/su-exec, or a compose `user:`);
        with Kubernetes, a securityContext with `runAsNonRoot`/`runAsUser` and
        `allowPrivilegeEscalation: false`, `readOnlyRootFilesystem`, dropped
        capabilities on application containers.

    What makes it partial:
        Some images run as root, or only one layer is hardened (the image or the
        Kubernetes securityContext, when both exist). A shipped image without a
        `USER`, `privileged: true` or a mounted Docker socket caps the status at
        partial.

    How to satisfy:
        `RUN useradd --system --uid 10001 app` then `USER app` in the final stage,
        and a pod `securityContext: {runAsNonRoot: true}` with container
        `allowPrivilegeEscalation: false` and `capabilities: {drop: [ALL]}`.
    """
    non_root: list[Evidence] = []
    root_images: list[Evidence] = []
    antis = _compose_antis(facts)
    for dockerfile in shipping_dockerfiles(facts):
        user = _final_user(dockerfile)
        if user is not None and not _is_root(dockerfile, user):
            non_root += _user_creation(facts, dockerfile)
            non_root.append(facts.evidence(dockerfile.path, user.line))
            continue
        other = _drops_privileges(facts, dockerfile) or _compose_user_for(facts, dockerfile)
        if other is not None:
            non_root.append(other)
            continue
        stage = dockerfile.final_stage()
        line = user.line if user is not None else (stage.line if stage else 1)
        ev = facts.evidence(dockerfile.path, line)
        root_images.append(ev)
        antis.append(anti("the image runs as root (no non-root USER in the final stage)", ev))
    hardened, bare, privileged = _k8s_hardening(facts)
    antis += [anti("privileged container or Docker socket mounted from the host", e)
              for e in privileged]
    has_k8s = bool(hardened or bare)
    evidence = [*non_root[:6], *hardened[:4]]
    if non_root and not root_images and (not has_k8s or (hardened and not bare)):
        return implemented("Every shipped image runs as a non-root user"
                           + (" and Kubernetes enforces a restrictive securityContext."
                              if has_k8s else "."), evidence, antis)
    if non_root or hardened:
        parts = []
        if root_images:
            parts.append(f"{len(root_images)} image(s) run as root")
        if has_k8s and not hardened:
            parts.append("Kubernetes workloads have no securityContext hardening")
        if bare and hardened:
            parts.append(f"{len(bare)} Kubernetes container(s) without hardening")
        if hardened and not non_root:
            parts.append("only the Kubernetes layer is hardened")
        return partial("Hardening is incomplete: " + "; ".join(parts) + ".",
                       [*evidence, *root_images[:3]], antis)
    return missing("Containers run as root: no non-root USER, privilege drop or Kubernetes "
                   "securityContext was found.", antis,
                   context=[*root_images[:3], *bare[:3]])

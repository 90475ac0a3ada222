"""deploy.container-hardening: containers run without root privileges."""

from __future__ import annotations

import re

from readiness.facts import RepoFacts
from readiness.facts.dockerfile import Dockerfile, Instruction
from readiness.facts.yaml_facts import YList, YMap
from readiness.model import AntiPatternHit, Evidence
from readiness.practices.deployment._containers import command_of, is_app_container
from readiness.practices.deployment._dockerfiles import chain_instructions, compose_builds
from readiness.practices.images import arg_defaults, shipping_dockerfiles, substitute
from readiness.practices.kubernetes import pod_containers, pod_spec
from readiness.practices.registry import Outcome, anti, implemented, missing, partial, practice

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Rollout", "Job", "CronJob")

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
                text = command_of(volume.get("source") if isinstance(volume, YMap) else volume)
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

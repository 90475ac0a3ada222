"""rel.graceful-shutdown: on SIGTERM the service finishes its work and exits."""

from __future__ import annotations

import re

from readiness.facts import RepoFacts
from readiness.facts.dockerfile import Dockerfile, Instruction
from readiness.model import AntiPatternHit, Evidence
from readiness.practices.helpers import call_ev, dedupe
from readiness.practices.registry import Outcome, anti, implemented, missing, partial, practice

_SERVER = re.compile(r"\b(uvicorn|gunicorn|daphne|hypercorn|granian|uwsgi|celery|rq\s+worker|"
                     r"dramatiq|arq|streamlit|fastapi\s+run|flask\s+run|python|manage\.py|"
                     r"waitress|huey)\b")


def _entry_instructions(dockerfile: Dockerfile) -> list[Instruction]:
    return [i for i in (dockerfile.last("ENTRYPOINT"), dockerfile.last("CMD")) if i is not None]


_SHELLS = ("sh", "/bin/sh", "bash", "/bin/bash", "ash", "/bin/ash")
_DEV_COMPOSE = re.compile(r"override|dev|local|debug|test", re.I)


def _shell_problem(facts: RepoFacts, form: list[str] | None, text: str) -> str | None:
    """Why a container command keeps SIGTERM from the server, or None.

    ``form`` is the exec-form argument list (None for a shell-form command written as
    one string ``text``)."""
    if form is None:
        stripped = text.strip()
        wrapped = re.match(r"^(?:/bin/)?(?:ba)?sh\s+-\w*c\s+[\"']?(.*)", stripped, re.S)
        if wrapped:
            return _shell_problem(facts, ["sh", "-c", wrapped.group(1)], text)
        if _SERVER.search(stripped) and not stripped.startswith("exec "):
            return "shell-form command: the server runs under /bin/sh and never sees SIGTERM"
        return None
    if len(form) >= 3 and form[0] in _SHELLS and form[1] in ("-c", "-lc", "-ec", "-xc"):
        script = form[2]
        if _SERVER.search(script) and "exec " not in script:
            return "`sh -c` without `exec`: the shell, not the server, receives SIGTERM"
        return None
    script_name = next((part for part in form if part.endswith(".sh")), None)
    if script_name:
        base = script_name.rsplit("/", 1)[-1]
        for path in facts.glob(base):
            script_text = facts.text(path) or ""
            if _SERVER.search(script_text) and not re.search(r"^\s*exec\s", script_text, re.M):
                return f"entrypoint script {path} starts the server without `exec`"
    return None


def _compose_command_problems(facts: RepoFacts) -> list[AntiPatternHit]:
    """Production compose services whose ``command:`` wraps the server in a shell."""
    hits: list[AntiPatternHit] = []
    for path, _name, service in facts.compose_services():
        command = service.get("command")
        if command is None or _DEV_COMPOSE.search(path.rsplit("/", 1)[-1]):
            continue
        form = [str(part) for part in command] if isinstance(command, list) else None
        problem = _shell_problem(facts, form, str(command) if form is None else "")
        if problem:
            hits.append(anti(f"compose command: {problem}",
                             facts.evidence(path, service.line_of("command"))))
    return hits


@practice(
    "rel.graceful-shutdown", "Graceful shutdown", priority="M", effort="L",
    applies="(HTTP or Q) and CONT", sources=("12F-IX", "FOW"),
    aliases=("graceful shutdown", "sigterm", "lifespan"),
    recommendation="Start the server in exec form (`CMD [\"uvicorn\", ...]`) or under tini so "
                   "it receives SIGTERM, and close pools and clients in a shutdown hook.",
)
def check_graceful_shutdown(facts: RepoFacts) -> Outcome:
    """On SIGTERM the service finishes in-flight work and closes its connections.

    Why it matters:
        Deploys and scale-downs stop containers with SIGTERM. If the server never
        receives it (shell-form CMD) it is killed after the grace period, cutting
        requests and leaving transactions half done.

    What counts as evidence:
        Exec-form `CMD`/`ENTRYPOINT` (or tini/dumb-init) for the server, lifespan
        or shutdown hooks, SIGTERM handlers, gunicorn `--graceful-timeout`, uvicorn
        `--timeout-graceful-shutdown`, k8s `terminationGracePeriodSeconds`/`preStop`.

    What makes it partial:
        Shutdown hooks while the container's command is shell form. A shell-form
        server command, `sh -c` without `exec` (in a Dockerfile or in a production
        compose file's `command:`), or an entrypoint script that does not `exec` the
        server caps the status at partial.

    How to satisfy:
        `CMD ["gunicorn", "-k", "uvicorn.workers.UvicornWorker", "app.main:app"]`,
        and dispose engines and clients after the lifespan's `yield`.
    """
    exec_form: list[Evidence] = []
    antis = _compose_command_problems(facts)
    for dockerfile in facts.dockerfiles():
        for instruction in _entry_instructions(dockerfile):
            ev = facts.evidence(dockerfile.path, instruction.line)
            problem = _shell_problem(facts, instruction.exec_form, instruction.args)
            if problem:
                antis.append(anti(problem, ev))
            elif instruction.exec_form is not None:
                exec_form.append(ev)
        stop = dockerfile.last("STOPSIGNAL")
        if stop is not None:
            exec_form.append(facts.evidence(dockerfile.path, stop.line))
    hooks = [call_ev(facts, m, c) for m, c in facts.calls("signal.signal", "*.add_signal_handler")
             if "SIGTERM" in " ".join(c.args)]
    for module, call in facts.calls("fastapi.FastAPI", "starlette.applications.Starlette"):
        if call.has_kwarg("lifespan", "on_shutdown"):
            hooks.append(call_ev(facts, module, call))
    hooks += [call_ev(facts, m, c) for m, c in facts.calls("*.on_event")
              if "shutdown" in " ".join(c.args)]
    hooks += [call_ev(facts, m, c) for m, c in facts.calls("atexit.register")]
    for hit in facts.grep(r"graceful[-_]timeout|timeout-graceful-shutdown|"
                          r"terminationGracePeriodSeconds|preStop:",
                          kinds=("dockerfile", "yaml", "python", "shell", "text", "ini"),
                          limit=5):
        hooks.append(facts.evidence(hit.path, hit.line))
    # init wrappers only where containers are started (a word, not "Martinique")
    for hit in facts.grep(r"\b(tini|dumb-init)\b", kinds=("dockerfile", "yaml", "shell"),
                          limit=5):
        hooks.append(facts.evidence(hit.path, hit.line))
    hooks = dedupe(hooks)
    if exec_form:
        return implemented("The server is started so that it receives SIGTERM "
                           "(exec-form command).", [*exec_form[:4], *hooks[:3]], antis)
    if hooks:
        return partial("Shutdown hooks exist, but no container command is known to deliver "
                       "SIGTERM to the server.", hooks[:5], antis)
    return missing("No exec-form server command, signal handler or shutdown hook found.", antis)

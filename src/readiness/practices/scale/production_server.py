"""scale.production-server: a production server runs with several workers."""

from __future__ import annotations

from readiness.facts import RepoFacts
from readiness.practices.registry import Outcome, implemented, missing, partial, practice
from readiness.practices.scale._servers import server_setup


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

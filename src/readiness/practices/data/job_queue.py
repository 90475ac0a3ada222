"""data.job-queue: slow or batch work runs in a worker fed by a queue."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from readiness.facts import RepoFacts
from readiness.facts.python.records import Function
from readiness.model import AntiPatternHit, Evidence
from readiness.practices.data._deploy_files import deploy_hits
from readiness.practices.helpers import call_ev, dedupe, definition_source, func_ev
from readiness.practices.registry import Outcome, anti, implemented, missing, partial, practice
from readiness.practices.web import app_context

_QUEUE_LIBS = ("celery", "rq", "dramatiq", "arq", "huey", "taskiq", "kombu", "pika", "aio_pika",
               "kafka", "aiokafka", "confluent_kafka", "google.cloud.pubsub", "nats",
               "faststream", "django_q", "procrastinate", "saq")
_PRODUCERS = ("*.delay", "*.apply_async", "*.send_task", "*.enqueue", "*.enqueue_call",
              "*.enqueue_in", "*.enqueue_at", "*.enqueue_job", "*.kiq", "*.send_with_options",
              "*.basic_publish", "*.produce", "*.send_and_wait", "*.send_message",
              "*.async_task")
_QUEUE_WORKER = re.compile(
    r"celery\b[^\n]*\bworker\b|\brq\s*worker\b|\brqworker\b|\bdramatiq\s+\w|\barq\s+\w|"
    r"huey_consumer|\btaskiq\s+worker\b|\bfaust\b[^\n]*\bworker\b|\bqcluster\b|"
    r"procrastinate\s+worker|\bsaq\s+\w|^worker:", re.M)
_DAEMON = re.compile(r"attach-daemon\s*=|^\[program:", re.M)
_WORKER_COMMAND = re.compile(f"{_QUEUE_WORKER.pattern}|{_DAEMON.pattern}", re.M)
_OFFLOAD = ("threading.Thread", "*.add_task", "*.run_in_executor", "*.submit",
            "concurrent.futures.ThreadPoolExecutor", "concurrent.futures.ProcessPoolExecutor",
            "multiprocessing.Process", "subprocess.Popen", "asyncio.create_task",
            "asyncio.ensure_future", "anyio.to_thread.run_sync", "starlette.concurrency.*")
_ROW_LOOP = re.compile(r"^[ \t]*(async\s+)?for\b[^\n]*\bin\b[^\n]*(iterrows|itertuples|reader|"
                       r"rows|records|lines|splitlines|\bdf\b|frame|chunk|items\(\)|\.to_dict)",
                       re.M)
_UPLOAD_MARK = re.compile(r"\bUploadFile\b|request\.files|request\.FILES|read_csv|csv\.reader|"
                          r"DictReader|read_excel|file_uploader")


@dataclass
class _Queue:
    producers: list[Evidence] = field(default_factory=list)
    workers: list[Evidence] = field(default_factory=list)
    daemons: list[Evidence] = field(default_factory=list)  # DB-polling worker processes
    offload: list[Evidence] = field(default_factory=list)
    antis: list[AntiPatternHit] = field(default_factory=list)


def _queue_producers(facts: RepoFacts, queue: _Queue) -> None:
    if not facts.imported(*_QUEUE_LIBS) and not facts.grep(r"client\(\s*[\"']sqs[\"']",
                                                           kinds=("python",), limit=1):
        return
    for module, call in facts.calls(*_PRODUCERS):
        if call.leaf in ("produce", "send_message") and not re.search(
                r"kafka|producer|sqs|queue", call.name, re.I):
            continue
        queue.producers.append(call_ev(facts, module, call))
    actors = {f.name for _, f in facts.functions()
              if any(d.raw.endswith(("actor", "task", "shared_task")) for d in f.decorators)}
    for module, call in facts.calls("*.send"):
        if call.raw.split(".")[0] in actors:
            queue.producers.append(call_ev(facts, module, call))


def _queue_workers(facts: RepoFacts, queue: _Queue) -> None:
    for hit in deploy_hits(facts, _WORKER_COMMAND):
        ev = facts.evidence(hit.path, hit.line, note="worker process declared")
        if _QUEUE_WORKER.search(hit.text):
            queue.workers.append(ev)
        elif _polling_command(facts, hit.text):
            queue.daemons.append(ev)
    for path, name, service in facts.compose_services():
        if re.search(r"worker|consumer|celery|queue", name, re.I) and "command" in service:
            queue.workers.append(facts.evidence(path, service.line_of("command"),
                                                note=f"compose service {name}"))
    for obj in facts.k8s_objects("Deployment", "StatefulSet"):
        if re.search(r"worker|consumer", obj.name, re.I):
            queue.workers.append(facts.evidence(obj.path, obj.line, note=f"k8s {obj.name}"))
    imported = {imp.qualified.lstrip(".") for m in facts.modules() for imp in m.imports} | \
        {imp.module.lstrip(".") for m in facts.modules() for imp in m.imports}
    for module in facts.modules():
        stem = module.path.rsplit("/", 1)[-1].removesuffix(".py")
        dotted = module.path.removesuffix(".py").replace("/", ".")
        if not re.search(r"worker|consumer", stem, re.I) or \
                any(name in (dotted, stem) or name.endswith("." + stem)
                    for name in imported):
            continue  # a module the web app imports is a task module, not an entrypoint
        for imp in module.imports:
            if imp.top in _QUEUE_LIBS or (imp.name or "") in ("celery", "huey", "broker",
                                                               "queue", "dramatiq"):
                queue.workers.append(facts.evidence(module.path, imp.line,
                                                    note="worker entrypoint module"))
                break


def _polling_command(facts: RepoFacts, line: str) -> bool:
    """A daemon command that runs a repo command which loops over queued work."""
    words = re.findall(r"[\w-]+", line.split("=", 1)[-1])
    for word in words:
        for path in facts.glob(f"{word}.py", f"*/{word}.py"):
            text = facts.text(path) or ""
            if re.search(r"^\s*while\b", text, re.M):
                return True
    return False


def _handler_sources(facts: RepoFacts) -> list[tuple[str, Function, str]]:
    """(path, handler, text including one hop of called functions) for upload handlers."""
    out: list[tuple[str, Function, str]] = []
    for route in facts.routes():
        function = route.function
        if function is None:
            continue
        text = definition_source(facts, route.file, function)
        uploads = any(p.annotation and "UploadFile" in p.annotation for p in function.params)
        if not uploads and not (route.writes and _UPLOAD_MARK.search(text)):
            continue
        out.append((route.file, function, text))
    return out


def _batch_loops(facts: RepoFacts) -> list[tuple[Evidence, Evidence]]:
    """(loop site, handler) pairs: upload handlers that process rows inline."""
    found: list[tuple[Evidence, Evidence]] = []
    for path, handler, text in _handler_sources(facts):
        handler_ev = func_ev(facts, path, handler)
        loop = _ROW_LOOP.search(text)
        if loop:
            line = handler.line + text.count("\n", 0, loop.start())
            found.append((facts.evidence(path, line, note="rows processed in the handler"),
                          handler_ev))
            continue
        module = facts.module(path)
        called = {c.leaf for c in module.calls if c.scope.startswith(handler.qualname)} \
            if module else set()
        for other, function in facts.functions():
            if function.name not in called or function.name == handler.name:
                continue
            body = definition_source(facts, other.path, function)
            loop = _ROW_LOOP.search(body)
            if loop:
                line = function.line + body.count("\n", 0, loop.start())
                found.append((facts.evidence(other.path, line,
                                             note=f"rows processed for {handler.name}()"),
                              handler_ev))
                break
    return found


def _offloading(facts: RepoFacts, queue: _Queue, include_tasks: bool) -> None:
    for module, call in facts.calls(*_OFFLOAD):
        if call.leaf == "submit" and "executor" not in call.raw.lower() and \
                "pool" not in call.raw.lower():
            continue
        if not include_tasks and call.name in ("asyncio.create_task", "asyncio.ensure_future"):
            continue
        if call.name == "subprocess.Popen" and "python" not in " ".join(call.args).lower() \
                and "executable" not in " ".join(call.args):
            continue
        queue.offload.append(call_ev(facts, module, call, note="in-process background work"))
    for module, function in facts.functions():
        if any(p.annotation and "BackgroundTasks" in p.annotation for p in function.params):
            queue.offload.append(func_ev(facts, module, function, note="BackgroundTasks"))


def _needs_job_queue(facts: RepoFacts) -> bool:
    """HTTP services that do batch or long work: a queue library, explicit background
    threads/tasks, a declared worker, or an upload handler that loops over rows."""
    if not facts.applies("HTTP"):
        return False
    if facts.applies("Q"):
        return True
    queue = _Queue()
    _offloading(facts, queue, include_tasks=False)
    if queue.offload:
        return True
    _queue_workers(facts, queue)
    return bool(queue.daemons or queue.workers or _batch_loops(facts))


@practice(
    "data.job-queue", "Background queue for heavy work", priority="H", effort="M",
    applies="HTTP doing batch/long work", when=_needs_job_queue, sources=("S1", "S0", "S2"),
    aliases=("job queue", "task queue", "background jobs", "celery", "async processing",
             "queue system", "rq", "dramatiq", "huey", "arq", "background workers"),
    recommendation="Move batch and long-running work out of request handlers into a queue "
                   "(Celery, RQ, Dramatiq, arq) with a worker process declared next to the "
                   "web service, and return a job id the client can poll.",
)
def check_job_queue(facts: RepoFacts) -> Outcome:
    """Slow or batch work runs in a worker fed by a queue, not inside the request.

    Why it matters:
        A handler that processes a whole file or sends mail inline holds a worker
        and a connection for seconds or minutes; a few such requests exhaust the
        server, hit proxy timeouts and lose the work when the process restarts.

    What counts as evidence:
        Enqueue calls (celery `.delay`/`.apply_async`, rq `enqueue`, dramatiq
        `.send`, arq `enqueue_job`, taskiq `.kiq`, Kafka/SQS producers) together with
        a worker that is declared: a `celery worker`/`rq worker` command in compose,
        Procfile, k8s or a start script, or a worker entrypoint module; or a
        long-running worker daemon (uWSGI `attach-daemon`, supervisor program) that
        polls a database-backed queue.

    What makes it partial:
        Only in-process background work (`BackgroundTasks`, threads, executors,
        `create_task`, detached subprocesses), or enqueue calls with no worker
        declared anywhere. An upload handler that loops over the rows of a file
        caps the status at partial.

    How to satisfy:
        Define the work as a task, enqueue it from the handler (`task.delay(id)`),
        answer 202 with the job id, and run `celery -A app worker` as its own
        service.
    """
    queue = _Queue()
    _queue_producers(facts, queue)
    _queue_workers(facts, queue)
    _offloading(facts, queue, include_tasks=True)
    for loop, handler in _batch_loops(facts):
        queue.antis.append(anti(f"batch loop inside a request handler ({handler.location})",
                                loop))
    producers = dedupe(queue.producers)
    workers = dedupe(queue.workers)
    if producers and workers:
        return implemented(f"Work is enqueued ({len(producers)} call site(s)) and a worker "
                           "is declared.", [*producers[:4], *workers[:3]], queue.antis)
    if queue.daemons:
        return implemented("A long-running worker process declared beside the web server "
                           "polls queued work.", [*queue.daemons[:3], *producers[:3]],
                           queue.antis)
    if producers:
        return partial("Work is enqueued but no worker process is declared (compose, Procfile, "
                       "k8s or a worker entrypoint).", producers[:5], queue.antis)
    if queue.offload or workers:
        return partial("Background work runs in-process only (threads, BackgroundTasks, "
                       "executors or subprocesses), without a durable queue.",
                       [*queue.offload[:5], *workers[:2]], queue.antis)
    return missing("No job queue or background worker found; batch work runs inside request "
                   "handlers.", queue.antis, context=app_context(facts))

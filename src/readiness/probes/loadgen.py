"""The load generator: closed and open models on aiohttp, latencies in HDR histograms.

Closed model: ``users`` workers each send a request, wait for the answer, repeat until
the duration ends. This is what "N concurrent users" means and measures capacity, but
a worker stuck behind a stalled server stops sending, so the stall is sampled once
instead of once per request that *would* have been sent (coordinated omission).

Open model: requests are planned at a constant rate (request i at ``start + i/rate``)
whatever the server does, and each latency is timed from its planned send time. A
200 ms stall then shows up as every request planned during those 200 ms waiting.

The generator watches itself: ``cpu_ratio`` is the process CPU time over wall time
(near 1.0 means one core saturated: the client, not the server, sets the pace) and
``lag`` is how late the open-model dispatcher woke up against the plan.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

import aiohttp

from readiness.probes.stats import Latencies

T = TypeVar("T")
ERROR_PAUSE_S = 0.01  # a closed worker whose request failed waits this long: no spin
DISPATCH_GRACE_S = 1.0  # open model: how far past the duration a late dispatcher may go


@dataclass
class LoadRun:
    """What one load model measured."""

    model: str  # "closed" or "open"
    latencies: Latencies = field(default_factory=Latencies)
    lag: Latencies | None = None  # open model: dispatcher lag against the plan
    wall_s: float = 0.0
    cpu_ratio: float = 0.0
    truncated: int = 0
    unfinished: int = 0  # open model: requests still in flight at the end (timed out)
    not_sent: int = 0  # open model: planned requests dropped because the client fell behind

    @property
    def sent(self) -> int:
        return self.latencies.count

    @property
    def rps(self) -> float:
        return self.sent / self.wall_s if self.wall_s > 0 else 0.0


@dataclass(frozen=True, slots=True)
class Request:
    """The one request a load run repeats."""

    url: str
    headers: tuple[tuple[str, str], ...] = ()
    timeout_s: float = 5.0
    max_body_bytes: int = 1 << 20
    verify_tls: bool = True


async def _send(session: aiohttp.ClientSession, request: Request
                ) -> tuple[int | None, str | None, bool]:
    """(status, error, truncated) of one request; the body is drained up to the cap."""
    try:
        async with session.get(request.url, allow_redirects=False) as resp:
            length = resp.content_length
            if length is not None and length <= request.max_body_bytes:
                await resp.read()
                return resp.status, None, False
            total = 0
            async for chunk in resp.content.iter_any():
                total += len(chunk)
                if total > request.max_body_bytes:
                    resp.close()  # drop the connection rather than read the rest
                    return resp.status, None, True
            return resp.status, None, False
    except TimeoutError:
        return None, "timeout", False
    except aiohttp.ClientConnectorError:
        return None, "connection failed", False
    except aiohttp.ServerDisconnectedError:
        return None, "server disconnected", False
    except (aiohttp.ClientError, OSError) as exc:
        return None, type(exc).__name__, False


def _session(request: Request, connections: int) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(limit=connections, limit_per_host=connections,
                                     ssl=request.verify_tls, ttl_dns_cache=300)
    # raw bodies: the cap counts bytes on the wire, and the client spends no CPU inflating
    return aiohttp.ClientSession(connector=connector, headers=dict(request.headers),
                                 timeout=aiohttp.ClientTimeout(total=request.timeout_s),
                                 trust_env=False, auto_decompress=False)


async def closed_model(request: Request, users: int, duration_s: float) -> LoadRun:
    """``users`` concurrent loops for ``duration_s`` seconds (latency from actual send)."""
    run = LoadRun("closed")
    async with _session(request, users) as session:
        cpu0, wall0 = time.process_time(), time.perf_counter()
        end = wall0 + duration_s

        async def worker() -> None:
            record = run.latencies.record
            while True:
                start = time.perf_counter()
                if start >= end:
                    return
                status, error, truncated = await _send(session, request)
                record((time.perf_counter() - start) * 1000.0, status, error)
                run.truncated += truncated
                if error is not None:
                    await asyncio.sleep(ERROR_PAUSE_S)

        await asyncio.gather(*(worker() for _ in range(users)))
        run.wall_s = time.perf_counter() - wall0
        run.cpu_ratio = (time.process_time() - cpu0) / max(run.wall_s, 1e-9)
    return run


async def open_model(request: Request, rate_per_s: float, duration_s: float,
                     connections: int) -> LoadRun:
    """Requests planned at ``rate_per_s`` for ``duration_s``, latency from the planned time.

    At most ``connections`` requests are on the wire; the others wait for a connection
    inside the client, and that wait counts, as it would for a real caller.
    """
    run = LoadRun("open", lag=Latencies())
    lag = run.lag
    assert lag is not None
    total = max(1, int(rate_per_s * duration_s))
    interval = 1.0 / rate_per_s
    pending: set[asyncio.Task[None]] = set()
    async with _session(request, connections) as session:

        async def fire(planned: float) -> None:
            status, error, truncated = await _send(session, request)
            run.latencies.record((time.perf_counter() - planned) * 1000.0, status, error)
            run.truncated += truncated

        cpu0, wall0 = time.process_time(), time.perf_counter()
        give_up = wall0 + duration_s + DISPATCH_GRACE_S
        for index in range(total):
            planned = wall0 + index * interval
            now = time.perf_counter()
            if now > give_up:  # the client cannot keep the plan: stop, and say so
                run.not_sent = total - index
                break
            delay = planned - now
            if delay > 0:
                await asyncio.sleep(delay)
            lag.record((time.perf_counter() - planned) * 1000.0, 200)
            task = asyncio.create_task(fire(planned))
            pending.add(task)
            task.add_done_callback(pending.discard)
        if pending:
            _done, late = await asyncio.wait(set(pending), timeout=request.timeout_s + 1.0)
            for task in late:
                task.cancel()
            run.unfinished = len(late)
            for _ in late:
                run.latencies.record(request.timeout_s * 1000.0, None, "timeout")
        run.wall_s = time.perf_counter() - wall0
        run.cpu_ratio = (time.process_time() - cpu0) / max(run.wall_s, 1e-9)
    return run


@contextmanager
def quiet_gc() -> Iterator[None]:
    """Make garbage-collector pauses rare while measuring.

    A full collection over the objects of a large process stalls the event loop for
    milliseconds, which would show up as the server's tail latency. Objects alive
    before the run are frozen out of collection and the thresholds raised; cycles
    created during the run are still collected, just in fewer, younger passes.
    """
    old = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 50, 1_000)
    try:
        yield
    finally:
        gc.set_threshold(*old)
        gc.unfreeze()


def run_async(factory: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine on a fresh event loop (uvloop when importable), in a worker thread
    when the caller already runs a loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _run(factory)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_run, factory).result()


def _run(factory: Callable[[], Awaitable[T]]) -> T:
    async def main() -> T:
        return await factory()

    with quiet_gc():
        try:
            import uvloop
        except ImportError:  # optional: the stdlib loop is slower, not wrong
            return asyncio.run(main())
        return uvloop.run(main())

"""An ASGI service whose event loop is blocked for 200 ms every 2 s.

A background task sleeps 1.8 s, then calls ``time.sleep(0.2)`` on the loop: every
request arriving in that window waits. A closed-loop client with one user samples
the stall once per window; an open-model client planned at a constant rate sees
every request planned during it, which is the truth a real caller experiences.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

STALL_S, PERIOD_S = 0.2, 2.0
_tasks: set[asyncio.Task[None]] = set()


async def _staller() -> None:
    while True:
        await asyncio.sleep(PERIOD_S - STALL_S)
        time.sleep(STALL_S)  # blocks the whole event loop, on purpose


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                task = asyncio.get_running_loop().create_task(_staller())
                _tasks.add(task)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                for task in _tasks:
                    task.cancel()
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": b'{"status": "ok"}'})

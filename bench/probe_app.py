"""The service the probe benchmark measures: a raw ASGI app with a known latency.

Every request waits ``BENCH_SLEEP_MS`` (default 20 ms) with ``asyncio.sleep``, as a
handler awaiting a database would, then answers a small JSON body. Raw ASGI (no
framework) keeps the server's own CPU cost low, so the latency is mostly the sleep.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

SLEEP_S = float(os.environ.get("BENCH_SLEEP_MS", "20")) / 1000.0
BODY = b'{"status": "ok"}'


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    await asyncio.sleep(SLEEP_S)
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(BODY)).encode())]})
    await send({"type": "http.response.body", "body": BODY})

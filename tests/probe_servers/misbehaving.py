"""Servers that misbehave at the HTTP level, one mode per process.

    python misbehaving.py MODE PORT

    reset     accepts, reads the request, then resets the connection (RST)
    bigbody   answers 200 with a 1 GB body, streamed forever until the client leaves
    storm     answers every request with 500
    redirect  answers every request with a 302 to another host
"""

from __future__ import annotations

import asyncio
import socket
import struct
import sys

GIB = 1 << 30
CHUNK = b"x" * 65536


async def handle(mode: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            if length:
                await reader.readexactly(length)
            if mode == "reset":
                sock = writer.get_extra_info("socket")
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                writer.transport.abort()
                return
            if mode == "bigbody":
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                             b"Content-Length: %d\r\n\r\n" % GIB)
                sent = 0
                while sent < GIB:
                    writer.write(CHUNK)
                    sent += len(CHUNK)
                    await writer.drain()
                continue
            if mode == "storm":
                body = b'{"error": "internal"}'
                status = b"500 Internal Server Error"
                extra = b"Content-Type: application/json\r\n"
            else:
                body = b""
                status = b"302 Found"
                extra = b"Location: http://other-host.example/landing\r\n"
            writer.write(b"HTTP/1.1 " + status + b"\r\n" + extra +
                         b"Content-Length: %d\r\n\r\n" % len(body) + body)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, OSError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.transport.abort()


async def main(mode: str, port: int) -> None:
    server = await asyncio.start_server(lambda r, w: handle(mode, r, w), "127.0.0.1", port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))

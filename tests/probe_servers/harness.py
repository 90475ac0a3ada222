"""Start the probe test servers once per test session; import the fixtures you need.

Each server is a real subprocess bound to 127.0.0.1 on a free port, in its own process
group so teardown stops it and anything it spawned. Servers are cached per process, so
importing a fixture into several test modules still starts each server once.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).parent
_RUNNING: dict[str, tuple[subprocess.Popen[bytes], str]] = {}
_TMP = tempfile.mkdtemp(prefix="readiness-probe-servers-")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"test server exited early with code {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"test server on port {port} did not start")


def start(name: str, argv: list[str], port: int, env: dict[str, str] | None = None) -> str:
    """Start (once) a server and return its base URL."""
    if name in _RUNNING:
        return _RUNNING[name][1]
    log = open(os.path.join(_TMP, f"{name}.log"), "wb")  # noqa: SIM115 - lives with the server
    process = subprocess.Popen(argv, cwd=HERE, stdout=log, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, start_new_session=True,
                               env={**os.environ, **(env or {})})
    wait_for_port(port, process)
    url = f"http://127.0.0.1:{port}"
    _RUNNING[name] = (process, url)
    return url


def stop_all() -> None:
    for process, _url in _RUNNING.values():
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
    _RUNNING.clear()


def uvicorn(name: str, target: str, env: dict[str, str] | None = None) -> str:
    port = free_port()
    return start(name, [sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1",
                        "--port", str(port), "--log-level", "warning", "--no-access-log"],
                 port, env)


@pytest.fixture(scope="session")
def secure_server() -> Iterator[str]:
    """FastAPI: headers, API key, limiter, /health and a SQLite-backed /ready."""
    db = os.path.join(_TMP, "ready.sqlite3")
    yield uvicorn("secure", "secure_app:app", {"READY_DB": db})
    stop_all()


@pytest.fixture(scope="session")
def flask_server() -> Iterator[str]:
    """Flask on Werkzeug's development server, debug mode, nothing configured."""
    port = free_port()
    yield start("flask", [sys.executable, "flask_app.py", str(port)], port)
    stop_all()


@pytest.fixture(scope="session")
def stall_server() -> Iterator[str]:
    """ASGI app whose event loop blocks 200 ms every 2 s."""
    yield uvicorn("stall", "stall_app:app")
    stop_all()


@pytest.fixture(scope="session")
def secure_tls_server() -> Iterator[str]:
    """The secure FastAPI app over TLS with a self-signed certificate for 127.0.0.1."""
    key, cert = os.path.join(_TMP, "key.pem"), os.path.join(_TMP, "cert.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True,
                   capture_output=True)
    port = free_port()
    url = start("secure-tls", [sys.executable, "-m", "uvicorn", "secure_app:app", "--host",
                               "127.0.0.1", "--port", str(port), "--log-level", "warning",
                               "--ssl-keyfile", key, "--ssl-certfile", cert], port,
                {"READY_DB": os.path.join(_TMP, "ready-tls.sqlite3")})
    yield url.replace("http://", "https://")
    stop_all()


def misbehaving(mode: str) -> str:
    port = free_port()
    return start(f"misbehaving-{mode}", [sys.executable, "misbehaving.py", mode, str(port)],
                 port)


@pytest.fixture(scope="session")
def reset_server() -> Iterator[str]:
    yield misbehaving("reset")
    stop_all()


@pytest.fixture(scope="session")
def bigbody_server() -> Iterator[str]:
    yield misbehaving("bigbody")
    stop_all()


@pytest.fixture(scope="session")
def storm_server() -> Iterator[str]:
    yield misbehaving("storm")
    stop_all()


@pytest.fixture(scope="session")
def redirect_server() -> Iterator[str]:
    yield misbehaving("redirect")
    stop_all()

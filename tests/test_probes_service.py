"""ManagedService: start a real server, wait for health, always stop the whole group."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from readiness.errors import ServiceStartError
from readiness.probes import ManagedService, ProbeOptions, run_probes
from readiness.probes.service import group_alive
from tests.probe_servers.harness import HERE, free_port


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie nobody reaped is gone for our purposes
        with open(f"/proc/{pid}/stat", encoding="utf-8") as handle:
            return handle.read().split(") ", 1)[1].startswith(("Z", "X")) is False
    except OSError:
        return False


def _wait_gone(pid: int, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.05)
    return False


def test_start_probe_and_stop_group(tmp_path: Path) -> None:
    """A server that spawns a child is probed, then the leader and the child are gone."""
    port = free_port()
    pidfile = tmp_path / "child.pid"
    command = f"{sys.executable} {HERE / 'spawner.py'} {port} {pidfile}"
    with ManagedService(command, f"http://127.0.0.1:{port}/", startup_timeout_s=20) as svc:
        assert svc.pgid is not None
        pgid = svc.pgid
        run = run_probes(f"http://127.0.0.1:{port}", ProbeOptions(probes=("headers",)))
        assert run.results[0].measured["root_status"] == 200
        child = int(pidfile.read_text())
        assert _alive(child)
    assert _wait_gone(pgid)
    assert _wait_gone(child)


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_group_is_stopped_when_the_body_raises(tmp_path: Path,
                                               error: type[BaseException]) -> None:
    """An exception or Ctrl-C inside the with-block still stops the group (and propagates)."""
    port = free_port()
    pidfile = tmp_path / "child.pid"
    command = f"{sys.executable} {HERE / 'spawner.py'} {port} {pidfile}"
    pgid = child = -1
    with pytest.raises(error, match="boom"), ManagedService(
            command, f"http://127.0.0.1:{port}/", startup_timeout_s=20) as svc:
        pgid = svc.pgid or -1
        child = int(pidfile.read_text())
        raise error("boom")
    assert _wait_gone(pgid)
    assert _wait_gone(child)


def test_command_that_exits_immediately_reports_its_output() -> None:
    """A crashing command fails fast with ServiceStartError carrying its output."""
    command = f"{sys.executable} -c \"import sys; print('port already in use'); sys.exit(3)\""
    start = time.monotonic()
    service = ManagedService(command, f"http://127.0.0.1:{free_port()}/", startup_timeout_s=20)
    with pytest.raises(ServiceStartError) as info, service:
        pass
    assert time.monotonic() - start < 10
    assert "exited with code 3" in str(info.value)
    assert "port already in use" in str(info.value)


def test_missing_command_and_startup_timeout() -> None:
    """An unknown program and a service that never answers both raise ServiceStartError."""
    missing = ManagedService("/nonexistent/readiness-server", "http://127.0.0.1:1/")
    with pytest.raises(ServiceStartError, match="could not be run"), missing:
        pass
    command = f"{sys.executable} -c \"import time; print('starting'); time.sleep(30)\""
    service = ManagedService(command, f"http://127.0.0.1:{free_port()}/", startup_timeout_s=1.0)
    with pytest.raises(ServiceStartError, match="did not answer within") as info, service:
        pass
    assert "starting" in str(info.value)
    assert service.process is None
    assert service.pgid is not None and not group_alive(service.pgid)


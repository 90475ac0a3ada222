"""``ManagedService``: start the service under test, wait until healthy, always stop it.

The command runs without a shell (``shlex.split``) as the leader of its own process
group, so stopping it also stops whatever it spawned (uvicorn workers, a reloader).
The group is stopped on every exit path - success, exception, Ctrl-C - with SIGTERM,
a grace period, then SIGKILL. Output goes to a temporary file, never a pipe, so a
chatty service cannot block on a full pipe; its tail goes into the error message.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
import tempfile
import threading
import time
from types import TracebackType
from typing import IO

import httpx

from readiness.errors import ServiceStartError

POLL_INTERVAL_S = 0.1
TAIL_BYTES = 2000


class ManagedService:
    """Context manager around a service started with ``--start``."""

    def __init__(self, command: str, health_url: str, *, startup_timeout_s: float = 30.0,
                 stop_timeout_s: float = 5.0, cwd: str | None = None,
                 env: dict[str, str] | None = None, verify_tls: bool = True) -> None:
        try:
            self.argv = shlex.split(command)
        except ValueError as exc:
            raise ServiceStartError(f"--start command {command!r} cannot be parsed: {exc}"
                                    ) from None
        if not self.argv:
            raise ServiceStartError("--start command is empty")
        self.command = command
        self.health_url = health_url
        self.startup_timeout_s = startup_timeout_s
        self.stop_timeout_s = stop_timeout_s
        self.cwd = cwd
        self.env = env
        self.verify_tls = verify_tls
        self.process: subprocess.Popen[bytes] | None = None
        self.pgid: int | None = None
        self._log: IO[bytes] | None = None

    def __enter__(self) -> ManagedService:
        self._trap_termination()
        try:
            self.start()
            self.wait_healthy()
        except BaseException:
            self.stop()
            self._restore_handlers()
            raise
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            self.stop()
        finally:
            self._restore_handlers()

    def _trap_termination(self) -> None:
        """SIGTERM/SIGHUP (a cancelled CI job) unwind like Ctrl-C, so the group is stopped."""
        self._previous: dict[int, object] = {}
        if threading.current_thread() is not threading.main_thread():
            return  # signal handlers can only be set from the main thread

        def interrupt(signum: int, frame: object) -> None:
            raise KeyboardInterrupt(f"signal {signum}")

        for signum in (signal.SIGTERM, signal.SIGHUP):
            self._previous[signum] = signal.signal(signum, interrupt)

    def _restore_handlers(self) -> None:
        for signum, handler in getattr(self, "_previous", {}).items():
            signal.signal(signum, handler)
        self._previous = {}

    def start(self) -> None:
        self._log = tempfile.TemporaryFile(  # noqa: SIM115 - closed in stop()
            prefix="readiness-service-")
        env = None if self.env is None else {**os.environ, **self.env}
        try:
            self.process = subprocess.Popen(  # the user's own command, no shell
                self.argv, cwd=self.cwd, env=env, stdin=subprocess.DEVNULL,
                stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        except OSError as exc:
            raise ServiceStartError(f"--start command {self.argv[0]!r} could not be run: "
                                    f"{exc.strerror or exc}") from None
        self.pgid = self.process.pid  # leader of its new session and group

    def wait_healthy(self) -> None:
        """Poll the health URL until it answers (< 500), the process exits, or time is up."""
        assert self.process is not None
        deadline = time.monotonic() + self.startup_timeout_s
        last = "no answer yet"
        with httpx.Client(timeout=1.0, follow_redirects=False, trust_env=False,
                          verify=self.verify_tls) as client:
            while time.monotonic() < deadline:
                code = self.process.poll()
                if code is not None:
                    raise ServiceStartError(
                        f"--start command exited with code {code} before {self.health_url} "
                        f"answered; its output ends with:\n{self.output_tail()}")
                try:
                    status = client.get(self.health_url).status_code
                except httpx.HTTPError as exc:
                    last = type(exc).__name__
                else:
                    if status < 500:
                        return
                    last = f"HTTP {status}"
                time.sleep(POLL_INTERVAL_S)
        raise ServiceStartError(
            f"{self.health_url} did not answer within {self.startup_timeout_s:g} s "
            f"(last: {last}); the service's output ends with:\n{self.output_tail()}")

    def output_tail(self) -> str:
        if self._log is None:
            return ""
        try:
            self._log.flush()
            size = self._log.seek(0, os.SEEK_END)
            self._log.seek(max(0, size - TAIL_BYTES))
            text = self._log.read().decode("utf-8", errors="replace").strip()
        except (OSError, ValueError):
            return ""
        return text or "(no output)"

    def stop(self) -> None:
        """SIGTERM the whole group, wait, SIGKILL what is left; idempotent."""
        process, pgid = self.process, self.pgid
        if process is not None and pgid is not None:
            _signal_group(pgid, signal.SIGTERM)
            deadline = time.monotonic() + self.stop_timeout_s
            while time.monotonic() < deadline:
                process.poll()
                if not group_alive(pgid):
                    break
                time.sleep(0.05)
            else:
                _signal_group(pgid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=self.stop_timeout_s)
        self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None


def group_alive(pgid: int) -> bool:
    """Whether any process of the group still exists."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)

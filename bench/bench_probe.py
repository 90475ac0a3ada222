"""Compare readiness's closed-model load generator with wrk on the same endpoint. By hand.

Usage: python bench/bench_probe.py [--connections 50] [--duration 10] [--sleep-ms 20]
                                   [--repeat 3]

Starts ``bench/probe_app.py`` (every request awaits ``--sleep-ms``) under uvicorn on
127.0.0.1, warms it up, then, for each repeat, runs ``wrk -t2 -c<N> -d<D>s --latency``
(``-t1`` when N is 1; with a Lua ``done()`` that prints p50/p95/p99 in ms and the request rate) and
readiness's closed model (``readiness.probes.loadgen.closed_model``: N users looping
for D seconds, the code path of ``readiness probe --allow-load``) on the same URL,
alternating the two so drift hits both. Medians over the repeats are compared with
the targets: p50 within 0.5 ms of wrk's, p99 within max(5 ms, 25 %) of wrk's,
throughput at least 0.9x wrk's. Not a test: figures depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from readiness.probes.loadgen import Request, closed_model, run_async

HERE = Path(__file__).parent
LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK p50_ms=%.3f p95_ms=%.3f p99_ms=%.3f rps=%.1f errors=%d\\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, summary.requests / (summary.duration / 1e6),
    e.connect + e.read + e.write + e.status + e.timeout))
end
"""
Row = dict[str, float]
SERVER_CPU, CLIENT_CPU = "0", "1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int, sleep_ms: float, pin: bool) -> subprocess.Popen[bytes]:
    env = {**os.environ, "BENCH_SLEEP_MS": str(sleep_ms)}
    pinning = ["taskset", "-c", SERVER_CPU] if pin else []
    process = subprocess.Popen(
        [*pinning, sys.executable, "-m", "uvicorn", "probe_app:app", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning", "--no-access-log"],
        cwd=HERE, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    raise SystemExit("the benchmark server did not start")


def run_wrk(url: str, connections: int, duration: int, script: str, pin: bool) -> Row:
    pinning = ["taskset", "-c", CLIENT_CPU] if pin else []
    threads = min(2, connections)  # wrk refuses more threads than connections
    out = subprocess.run([*pinning, "wrk", f"-t{threads}", f"-c{connections}",
                          f"-d{duration}s", "--latency", "-s", script, url],
                         capture_output=True, text=True, check=True)
    match = re.search(r"WRK (.*)", out.stdout)
    if match is None:
        raise SystemExit(f"wrk printed no summary:\n{out.stdout}\n{out.stderr}")
    return {key: float(value) for key, value in
            (pair.split("=") for pair in match[1].split())}


def run_readiness(url: str, connections: int, duration: int) -> Row:
    run = run_async(lambda: closed_model(Request(url), connections, float(duration)))
    lat = run.latencies
    return {"p50_ms": lat.percentile_ms(50) or 0.0, "p95_ms": lat.percentile_ms(95) or 0.0,
            "p99_ms": lat.percentile_ms(99) or 0.0, "rps": run.rps, "errors": lat.errors,
            "client_cpu": run.cpu_ratio}


def median(rows: list[Row], key: str) -> float:
    return statistics.median(row[key] for row in rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--sleep-ms", type=float, default=20.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-pin", action="store_true",
                        help="do not pin the server to CPU 0 and the clients to CPU 1")
    args = parser.parse_args()
    pin = not args.no_pin and (os.cpu_count() or 1) >= 2 and shutil.which("taskset") is not None
    if pin:  # the generators share CPU 1; the server has CPU 0 to itself
        os.sched_setaffinity(0, {int(CLIENT_CPU)})
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    server = start_server(port, args.sleep_ms, pin)
    wrk_rows: list[Row] = []
    ours: list[Row] = []
    try:
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
            handle.write(LUA)
        run_wrk(url, args.connections, 2, handle.name, pin)  # warm-up
        run_readiness(url, args.connections, 2)
        for index in range(args.repeat):
            wrk_rows.append(run_wrk(url, args.connections, args.duration, handle.name, pin))
            ours.append(run_readiness(url, args.connections, args.duration))
            print(f"repeat {index + 1}: wrk {fmt(wrk_rows[-1])}")
            print(f"repeat {index + 1}: readiness {fmt(ours[-1])}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
        os.unlink(handle.name)
    print(f"\n{platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
          f"server: uvicorn, 1 process, handler sleeps {args.sleep_ms:g} ms; "
          f"{args.connections} connections, {args.duration} s, median of {args.repeat}; "
          + ("server pinned to CPU 0, clients to CPU 1" if pin else "no CPU pinning"))
    print(f"{'metric':<10}{'wrk':>10}{'readiness':>12}{'ratio':>8}")
    for key in ("p50_ms", "p95_ms", "p99_ms", "rps"):
        theirs, mine = median(wrk_rows, key), median(ours, key)
        print(f"{key:<10}{theirs:>10.2f}{mine:>12.2f}{mine / theirs:>8.3f}")
    print(f"readiness client CPU (median): {median(ours, 'client_cpu') * 100:.0f} % of a core")
    p50w, p50r = median(wrk_rows, "p50_ms"), median(ours, "p50_ms")
    p99w, p99r = median(wrk_rows, "p99_ms"), median(ours, "p99_ms")
    rpsw, rpsr = median(wrk_rows, "rps"), median(ours, "rps")
    checks = [
        ("p50 within 0.5 ms of wrk", abs(p50r - p50w) <= 0.5, f"{p50r - p50w:+.2f} ms"),
        ("p99 within max(5 ms, 25 %) of wrk", abs(p99r - p99w) <= max(5.0, 0.25 * p99w),
         f"{p99r - p99w:+.2f} ms"),
        ("throughput >= 0.9x wrk", rpsr >= 0.9 * rpsw, f"{rpsr / rpsw:.3f}x"),
    ]
    failed = 0
    for label, ok, detail in checks:
        failed += not ok
        print(f"  {label:<36}{detail:>12}  {'PASS' if ok else 'FAIL'}")
    return 1 if failed else 0


def fmt(row: Row) -> str:
    return ", ".join(f"{key} {value:.2f}" for key, value in row.items())


if __name__ == "__main__":
    sys.exit(main())

"""The production server for bench_search.py: start, first answer, stats, worker memory.

The server is `python -m api.serving` (granian; 2 workers x 4 threads, as `make run`), in a
session of its own on a loopback port of 18600-18699, stopped with bench_servers.py's
`stop` (SIGTERM to the session, SIGKILL to what is left).
"""

from __future__ import annotations

import http.client
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bench.bench_study_get import REPO, percentile, server_env
from bench.search_load import get

PORTS = range(18600, 18700)
STATS = ("/api/v2/stats/field/values", "/api/v2/stats/field/sizes", "/api/v2/stats/size")
BURST = 8  # stats requests at once, as the "eight such requests at once"


def bench_port(ports: range = PORTS) -> int:
    """A free loopback port of `ports` (each bench has its own range)."""
    for port in ports:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {ports.start}-{ports.stop - 1}")


@dataclass
class Server:
    """A running server: its port, its process (the session leader) and when it started."""

    port: int
    process: subprocess.Popen
    started: float
    log: Path


def serve(database: Path | str, folder: Path, ports: range = PORTS) -> Server:
    """Start the production server on `database` (a SQLite file, or a store's URL), on a
    free port of `ports`."""
    port = bench_port(ports)
    url = database if isinstance(database, str) else f"sqlite:///{database}"
    env = {**server_env(url), "PORT": str(port), "WORKERS": "2",
           "THREADS": "4", "ACCESS_LOG": "0"}
    log_path = folder / f"server-{port}.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen([sys.executable, "-m", "api.serving"], cwd=REPO, env=env,
                                   stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    return Server(port, process, time.monotonic(), log_path)


def first_answer(server: Server, nct_id: str, timeout: float = 120) -> float:
    """Seconds from the server's launch to its first 200 for `GET /studies/{nct_id}`."""
    started = server.started
    while time.monotonic() - started < timeout:
        if server.process.poll() is not None:
            tail = server.log.read_text(errors="replace")[-1500:]
            raise RuntimeError(f"the server exited with {server.process.returncode}:\n{tail}")
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        try:
            get(connection, f"/api/v2/studies/{nct_id}")
            return time.monotonic() - started
        except (OSError, http.client.HTTPException, RuntimeError):
            time.sleep(0.02)
        finally:
            connection.close()
    raise RuntimeError(f"no answer within {timeout} s of the start")


def _timed(port: int, path: str) -> float:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        return get(connection, path)[0]
    finally:
        connection.close()


def stats_first(port: int, quiet: float = 1.0) -> dict:
    """Each `/stats/*` request timed, the first ones of the server, then `BURST` at once.

    A client GETs a study over and over from `quiet` seconds before them (warming both
    workers, and the yardstick) until they are answered: p95 and worst of the GETs before
    and while the stats requests run, in seconds.
    """
    done, probe, phase = threading.Event(), {"before": [], "during": []}, ["before"]

    def getter() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        while not done.is_set():
            probe[phase[0]].append(get(connection, "/api/v2/studies/NCT60000000")[0])
            time.sleep(0.005)
        connection.close()

    thread = threading.Thread(target=getter, daemon=True)
    thread.start()
    time.sleep(quiet)
    phase[0] = "during"
    firsts = {path: _timed(port, path) for path in STATS}
    burst_times: list[float] = []
    workers = [threading.Thread(target=lambda p=STATS[n % 3]: burst_times.append(
        _timed(port, p))) for n in range(BURST)]
    began = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    burst = time.perf_counter() - began
    done.set()
    thread.join(timeout=60)
    before, during = sorted(probe["before"]), sorted(probe["during"]) or [float("nan")]
    return {"firsts": firsts, "burst": burst, "get_before_p95": percentile(before, 95),
            "get_p95": percentile(during, 95), "get_worst": during[-1], "gets": len(during)}


def worker_private_mb(master: int) -> dict:
    """Private memory (`RssAnon`) of each process of the server's session but its master,
    in MB: the largest and all of them."""
    sizes = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[3]) != master or int(stat.parent.name) == master:
                continue
            for line in (stat.parent / "status").read_text().splitlines():
                if line.startswith("RssAnon:"):
                    sizes.append(int(line.split()[1]) / 1024)
        except (OSError, IndexError, ValueError):
            continue
    return {"largest": max(sizes, default=float("nan")), "all": sorted(sizes)}

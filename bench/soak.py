"""Soak: `make run`'s server under steady load, slow clients and an import, for a minute.

What it does, on a temporary store (records/, the registry records of
../shared/reference/ctgov-records and `--initial` synthetic studies from bench/synthetic.py):

1. starts the server as `make run` does (`python -m api.serving`: granian, 2 workers x 4
   threads, access log to a file) on a free loopback port;
2. warms it up with the load below for `--warmup` seconds (filling SQLite's page caches, up
   to 32 MB a connection: on a small store, or after a short warm-up, their filling during
   the run looks like growth);
3. for `--seconds` (60): wrk at 64 keep-alive connections over single-study GETs and
   searches, 64 slow clients sending request heads a byte a second (reconnecting when the
   server closes them), a probe GETting a study on a new connection every 0.2 s, and a
   concurrent `flask --app api import` of `--import` further synthetic studies (new ones
   and new versions of stored ones);
4. stops everything. Each worker's private memory is read every second: the figures
   compared are its medians over the last 10 s of the warm-up and of the load (one reading
   moves by a few percent from one second to the next); every tenth reading is printed, to
   tell a level figure from a rising one.

It passes when wrk saw no error (socket error or status other than 2xx/3xx), no probe failed
(200 within 2 s), the import succeeded, and no worker's private memory grew by 10% or more
from the warmed-up figure. Private memory is the heap (`RssAnon`); the store file, mapped
into memory by SQLite, is reported apart: it grows with the store, as the import means it to.
It prints its figures and exits 1 when a condition fails.

    python bench/soak.py [--seconds 60] [--connections 64] [--slow 64] [--initial 8000]
                         [--import 10000] [--warmup 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_servers import Candidate, build_store, search_mix, stop, wait_ready  # noqa: E402
from bench.bench_study_get import REPO, free_port, server_env  # noqa: E402
from bench.http_load import Periodic, SlowClients, probe_while, require_wrk, run_wrk  # noqa: E402
from bench.synthetic import write_ndjson  # noqa: E402

MAX_GROWTH = 0.10


def worker_memory_mb(master: int) -> dict[int, tuple[float, float]]:
    """Worker pid -> (private, file-backed) resident memory in MB, for the master's children."""
    workers = {}
    for task in Path(f"/proc/{master}/task").iterdir():
        for child in (task / "children").read_text().split():
            status = Path(f"/proc/{child}/status").read_text().splitlines()
            kib = {line.split(":")[0]: int(line.split()[1]) for line in status
                   if line.startswith(("RssAnon:", "RssFile:"))}
            workers[int(child)] = (kib["RssAnon"] / 1024, kib["RssFile"] / 1024)
    return workers


class MemorySampler(Periodic):
    """Each worker's private memory every second while the block runs.

    A single reading moves by a few percent from one second to the next (the heap grows and
    is given back as requests come and go), so figures compared are medians over a window.
    """

    def __init__(self, master: int, every: float = 1.0):
        super().__init__(every)
        self.master = master
        self.samples: list[tuple[float, dict[int, float]]] = []

    def tick(self) -> None:
        memory = worker_memory_mb(self.master)
        self.samples.append((time.monotonic(),
                             {pid: private for pid, (private, _) in memory.items()}))

    def median_before(self, moment: float, seconds: float = 10) -> dict[int, float]:
        """Each worker's median private memory over the `seconds` before `moment`."""
        window = [sample for at, sample in self.samples if moment - seconds <= at <= moment]
        pids = set().union(*window) if window else set()
        return {pid: statistics.median(sample[pid] for sample in window if pid in sample)
                for pid in pids}

    def every_tenth(self) -> str:
        """The readings of every tenth second, per worker, for the report."""
        pids = sorted(set().union(*(sample for _, sample in self.samples)))
        return "; ".join(f"{pid}: " + " ".join(f"{sample[pid]:.0f}"
                                               for _, sample in self.samples[9::10]
                                               if pid in sample) for pid in pids)


def start_server(folder: Path, env: dict) -> Candidate:
    """`make run`'s server command on a free port, in a session of its own."""
    port = free_port()
    log = open(folder / "server.log", "wb")  # noqa: SIM115 (open while the server runs)
    process = subprocess.Popen([sys.executable, "-m", "api.serving"], cwd=REPO,
                               env={**env, "PORT": str(port), "WORKERS": "2", "THREADS": "4"},
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    return Candidate("make run", port, process)


def load_paths(real_ids: list[str]) -> list[str]:
    """Four single-study GETs to one search, the studies cycled, the searches fixed."""
    gets = [f"/api/v2/studies/{nct_id}" for nct_id in real_ids]
    searches = search_mix(100)
    return [path for number, search in enumerate(searches)
            for path in (gets[(4 * number + k) % len(gets)] for k in range(4))] + searches


def concurrent_import(path: Path, env: dict, outcome: dict) -> threading.Thread:
    """`flask --app api import path` in a thread; its exit status and time into `outcome`."""
    def run():
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "flask", "--app", "api", "import", str(path)],
                              cwd=REPO, env=env, capture_output=True, text=True, timeout=600,
                              check=False)
        outcome.update(status=done.returncode, seconds=time.monotonic() - started,
                       summary=(done.stdout.strip().splitlines() or [done.stderr[-300:]])[-1])

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def soak(args, folder: Path) -> list[str]:
    """Run the soak; the conditions that failed (none: it passed)."""
    env = server_env(f"sqlite:///{folder}/store.sqlite3")
    real_ids = build_store(folder, args.initial, env)
    more = write_ndjson(folder / "more.ndjson", args.import_count, seed=11)
    paths = load_paths(real_ids)
    server = start_server(folder, env)
    try:
        wait_ready(server)
        with MemorySampler(server.process.pid) as warming:
            run_wrk(server.port, paths, args.connections, args.warmup)
        before = warming.median_before(time.monotonic())
        mapped_before = worker_memory_mb(server.process.pid)
        outcome: dict = {}
        with (SlowClients(server.port, args.slow, reconnect=True) as slow,
              MemorySampler(server.process.pid) as running):
            importer = concurrent_import(more, env, outcome)
            probes: dict = {}
            prober = threading.Thread(target=lambda: probes.update(
                result=probe_while(server.port, args.seconds)), daemon=True)
            prober.start()
            load = run_wrk(server.port, paths, args.connections, args.seconds)
            after = running.median_before(time.monotonic())
            prober.join(timeout=30)
            importer.join(timeout=600)
        mapped_after = worker_memory_mb(server.process.pid)
    finally:
        stop(server)
    print(f"worker private MB, every 10 s under load: {running.every_tenth()}")
    return verdict(load, probes["result"], slow, outcome, (before, mapped_before),
                   (after, mapped_after))


def verdict(load, probes, slow, outcome, memory_before, memory_after) -> list[str]:
    """Print the figures; the failed conditions."""
    print(f"load: {load.requests:,} requests in {load.seconds:.0f} s ({load.rate:,.0f}/s), "
          f"p50 {load.p50_ms:.1f} ms, p99 {load.p99_ms:.1f} ms, max {load.max_ms:.0f} ms, "
          f"{load.errors} errors")
    print(f"probes (new connection each): {len(probes.latencies)}, worst "
          f"{probes.worst * 1000:.0f} ms, {probes.failures} failed")
    print(f"slow clients: {slow.closed_by_server} connections closed by the server's header "
          f"timeout (and reopened)")
    print(f"import: {outcome.get('summary')} in {outcome.get('seconds', 0):.0f} s, "
          f"exit status {outcome.get('status')}")
    failures = []
    (before, mapped_before), (after, mapped_after) = memory_before, memory_after
    for pid, private in before.items():
        grown = after.get(pid, float("nan"))
        growth = grown / private - 1
        print(f"worker {pid}: private {private:.0f} -> {grown:.0f} MB ({growth:+.1%}; medians "
              f"of the last 10 s of warm-up and of load); store file mapped "
              f"{mapped_before[pid][1]:.0f} -> {mapped_after.get(pid, (0, 0))[1]:.0f} MB")
        if not growth < MAX_GROWTH:  # NaN (a worker gone) fails too
            failures.append(f"worker {pid} private memory grew {growth:+.1%}")
    if load.errors:
        failures.append(f"{load.errors} errors under load")
    if probes.failures:
        failures.append(f"{probes.failures} probe requests failed")
    if outcome.get("status") != 0:
        failures.append(f"the import failed: {outcome.get('summary')}")
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=30)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--slow", type=int, default=64)
    parser.add_argument("--initial", type=int, default=8000)
    parser.add_argument("--import", dest="import_count", type=int, default=10000)
    args = parser.parse_args(argv)
    require_wrk()
    with tempfile.TemporaryDirectory(prefix="soak-") as folder:
        failures = soak(args, Path(folder))
    print("soak: " + ("passed" if not failures else "FAILED: " + "; ".join(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    raise SystemExit(main())

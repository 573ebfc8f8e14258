"""Choose the production HTTP server by measurement: gunicorn gthread against the others.

What it measures, for each candidate serving `api:create_app()` on the same temporary store
(records/, the registry records in ../shared/reference/ctgov-records and `--synthetic`
studies from bench/synthetic.py), all on loopback, all started before the first round:

- single GET: `GET /api/v2/studies/{nctId}` over the stored real records, 64 keep-alive
  connections (wrk, see bench/http_load.py): requests per second and p99 latency;
- search mix: a fixed list of searches (terms, conditions, a status filter, 20 NCT ids, an
  Essie RANGE, a geo distance, a sort, countTotal) at 32 connections;
- slow clients: 256 connections each sending a request head one byte a second while a
  probe GETs a study on a new connection every 0.2 s: the slowest probe answer, how many
  probes failed (no 200 within 2 s) and how many slow connections the server closed;
- protocol errors: a 21 kB URL, a 40 kB header field, a malformed request line: the status
  and whether the body is text, HTML or empty;
- the `Server` header, and memory: resident memory of all the server's processes at the end,
  and of it the private part (the heap; the rest is mostly the store file SQLite maps).

Candidates: `gunicorn gthread` as `make run` ran it before this bench (2 workers x 4
threads, the baseline), `gunicorn gevent` (2 workers), `granian` as `make run` runs it now
(`python -m api.serving`: 2 workers x 4 threads, the app behind `api.serving.HttpEdge`), the
same with 8 threads a worker, and `waitress` (one process, 8 threads). gevent and waitress
come with `pip install -e '.[bench]'`; a candidate whose package is missing is left out,
saying so. Throughput rounds run in ABBA order (all candidates, then all in reverse) so
that drift of a shared machine falls on all; ratios are against the gunicorn gthread figures
of the same run.

    python bench/bench_servers.py [--seconds 4] [--rounds 2] [--synthetic 2000]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_study_get import (  # noqa: E402
    REPO,
    free_port,
    record_sources,
    server_env,
    stored_ids,
)
from bench.http_load import (  # noqa: E402
    LoadResult,
    SlowClients,
    probe_while,
    protocol_errors,
    require_wrk,
    run_wrk,
    server_header,
    session_memory_mb,
)
from bench.synthetic import CITIES, WORDS, write_ndjson  # noqa: E402

BASELINE = "gunicorn gthread"
APP = "api:create_app()"


def _gunicorn(*worker: str) -> list[str]:
    return [sys.executable, "-m", "gunicorn", "--workers", "2", *worker,
            "--access-logfile", "-", APP]


SERVING = [sys.executable, "-m", "api.serving"]
# name -> (the module it needs, the command line, its environment; PORT is added)
CANDIDATES = {
    BASELINE: ("gunicorn", _gunicorn("--worker-class", "gthread", "--threads", "4"), {}),
    "gunicorn gevent": ("gevent", _gunicorn("--worker-class", "gevent"), {}),
    "granian 2x4 (make run)": ("granian", SERVING, {"WORKERS": "2", "THREADS": "4"}),
    "granian 2x8": ("granian", SERVING, {"WORKERS": "2", "THREADS": "8"}),
    "waitress": ("waitress", [sys.executable, "-m", "waitress", "--threads", "8",
                              "--connection-limit", "1000", "--call", "api:create_app"], {}),
}


@dataclass
class Candidate:
    """A running server and what was measured of it."""

    name: str
    port: int
    process: subprocess.Popen
    loads: dict[str, list[LoadResult]] = field(default_factory=dict)
    edge: dict[str, str] = field(default_factory=dict)


def start(name: str, command: list[str], env: dict, folder: Path) -> Candidate:
    """Start `command` in a session of its own, listening on a free loopback port."""
    port = free_port()
    if "gunicorn" in command:
        command = [*command[:3], "--bind", f"127.0.0.1:{port}", *command[3:]]
    elif "waitress" in command:
        command = [*command[:3], f"--listen=127.0.0.1:{port}", *command[3:]]
    log = open(folder / f"{name.split()[0]}-{port}.log", "wb")  # noqa: SIM115 (kept open)
    process = subprocess.Popen(command, cwd=REPO, env={**env, "PORT": str(port)}, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    return Candidate(name, port, process)


def wait_ready(candidate: Candidate, timeout: float = 60) -> None:
    """Until the candidate answers `/api/v2/version` with 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if candidate.process.poll() is not None:
            raise RuntimeError(f"{candidate.name} exited with {candidate.process.returncode}")
        try:
            if server_header(candidate.port):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{candidate.name} did not answer within {timeout} s")


def stop(candidate: Candidate) -> None:
    """SIGTERM to the candidate's session, SIGKILL to what is left of it after 10 s."""
    for signal_number, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(candidate.process.pid, signal_number)
        except ProcessLookupError:
            return
        try:
            candidate.process.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue


def search_mix(count: int = 200, seed: int = 5) -> list[str]:
    """`count` search paths, a fixed mix of kinds and values."""
    rng, ids = random.Random(seed), [f"NCT6{number:07d}" for number in range(1000)]
    kinds = [
        lambda: {"query.term": rng.choice(WORDS[:20])},
        lambda: {"query.cond": rng.choice(WORDS[:20])},
        lambda: {"filter.overallStatus": "RECRUITING"},
        lambda: {"filter.ids": ",".join(rng.sample(ids, 20))},
        lambda: {"filter.advanced": f"AREA[StartDate]RANGE[{rng.randint(2000, 2025)}-01-01,MAX]"},
        lambda: {"filter.geo": "distance({},{},50mi)".format(*rng.choice(CITIES)[1:])},
        lambda: {"sort": "LastUpdatePostDate:desc"},
        lambda: {"query.term": rng.choice(WORDS[:20]), "countTotal": "true"},
    ]
    return [f"/api/v2/studies?{urllib.parse.urlencode(kinds[number % len(kinds)]())}"
            for number in range(count)]


def measure_load(candidate: Candidate, workloads: dict, seconds: float) -> None:
    """One round of every workload: a one-second warm-up, then `seconds` measured."""
    for name, (paths, connections) in workloads.items():
        run_wrk(candidate.port, paths, connections, 1)
        result = run_wrk(candidate.port, paths, connections, seconds)
        candidate.loads.setdefault(name, []).append(result)


def measure_edge(candidate: Candidate, slow_seconds: float) -> None:
    """Slow clients, protocol errors, the Server header and memory."""
    with SlowClients(candidate.port, 256) as slow:
        time.sleep(1)
        probes = probe_while(candidate.port, slow_seconds)
    candidate.edge = {
        "slow worst ms": f"{probes.worst * 1000:.0f}",
        "slow failed": f"{probes.failures}/{len(probes.latencies)}",
        "slow closed": str(slow.closed_by_server),
        **{f"{status} answer": verdict
           for status, verdict in protocol_errors(candidate.port).items()},
        "Server": server_header(candidate.port),
        "RSS (private) MB": "{:.0f} ({:.0f})".format(*session_memory_mb(candidate.process.pid)),
    }


def summary(results: list[LoadResult]) -> tuple[float, float, int]:
    """(requests per second over all rounds, the mean of the rounds' p99 ms, errors)."""
    requests = sum(result.requests for result in results)
    seconds = sum(result.seconds for result in results)
    p99 = sum(result.p99_ms for result in results) / len(results)
    return requests / seconds, p99, sum(result.errors for result in results)


def report(candidates: list[Candidate], workloads: dict) -> None:
    """The table, then each candidate's ratios to the baseline."""
    base = next(candidate for candidate in candidates if candidate.name == BASELINE)
    load_columns = [f"{name} {what}" for name in workloads for what in ("req/s", "p99 ms", "err")]
    edge_columns = list(base.edge)
    print("\n" + " | ".join(["server", *load_columns, *edge_columns]))
    for candidate in candidates:
        cells = []
        for name in workloads:
            rate, p99, errors = summary(candidate.loads[name])
            cells += [f"{rate:,.0f}", f"{p99:.1f}", str(errors)]
        print(" | ".join([candidate.name, *cells, *(candidate.edge[key] for key in edge_columns)]))
    print(f"\nratios to {BASELINE} (throughput: higher is better; p99: lower is better)")
    for candidate in candidates:
        ratios = []
        for name in workloads:
            (rate, p99, _), (base_rate, base_p99, _) = (summary(candidate.loads[name]),
                                                        summary(base.loads[name]))
            ratios.append(f"{name} {rate / base_rate:.2f}x req/s, {p99 / base_p99:.2f}x p99")
        print(f"{candidate.name}: " + "; ".join(ratios))


def build_store(folder: Path, synthetic: int, env: dict) -> list[str]:
    """Import the records and `synthetic` studies; the ids of the real records."""
    data = write_ndjson(folder / "synthetic.ndjson", synthetic)
    subprocess.run([sys.executable, "-m", "flask", "--app", "api", "import",
                    *map(str, record_sources()), str(data)], cwd=REPO, env=env, check=True,
                   capture_output=True, timeout=600)
    return [nct_id for nct_id in stored_ids(folder / "store.sqlite3")
            if not nct_id.startswith("NCT6")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--synthetic", type=int, default=2000)
    parser.add_argument("--slow-seconds", type=float, default=5.0)
    args = parser.parse_args(argv)
    require_wrk()
    with tempfile.TemporaryDirectory(prefix="bench-servers-") as name:
        folder = Path(name)
        env = server_env(f"sqlite:///{folder}/store.sqlite3")
        real_ids = build_store(folder, args.synthetic, env)
        workloads = {"GET": ([f"/api/v2/studies/{nct_id}" for nct_id in real_ids], 64),
                     "mix": (search_mix(), 32)}
        candidates = []
        try:
            for name, (module, command, extra) in CANDIDATES.items():
                if importlib.util.find_spec(module) is None:
                    print(f"{name}: left out, {module} is not installed "
                          f"(pip install -e '.[bench]')")
                    continue
                candidates.append(start(name, command, {**env, **extra}, folder))
            for candidate in candidates:
                wait_ready(candidate)
            for round_number in range(args.rounds):
                for candidate in candidates[::-1] if round_number % 2 else candidates:
                    measure_load(candidate, workloads, args.seconds)
            for candidate in candidates:
                measure_edge(candidate, args.slow_seconds)
        finally:
            for candidate in candidates:
                stop(candidate)
        report(candidates, workloads)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

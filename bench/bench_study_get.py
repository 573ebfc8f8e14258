"""Benchmark `GET /api/v2/studies/{nctId}` against a bare-Flask ceiling.

What it measures
    Two gunicorn servers with identical settings (2 gthread workers x 4 threads, loopback
    only) serve the same temporary SQLite store:

    - ours:     `api:create_app()`, the real server (routing, flask-smorest query parsing,
                NCT id validation, a SQLite lookup per request, CORS header);
    - baseline: `bench.baseline_app:create_app()`, a plain Flask route answering from a
                dict of pre-encoded bytes read at startup: the most a Flask/gunicorn stack
                can do for this endpoint, our ceiling.

    `--ceiling` picks how much of our answer the baseline shares (`bench.baseline_app`):
    `body` (the default, the ceiling issue #2 names), `response` (also, pre-computed, the
    headers ours sends with a study: `ETag`, `Vary`, `Access-Control-Allow-Origin`) or
    `stored-response` (the same response with the document read from the store per
    request). Runs with each tell apart what the registry's headers cost, what reading the
    store costs, and what is the application's own work. `--floor` puts the stored-response
    baseline in our server's place: the best any server can do that reads the study from
    the store and sends those headers, with no application around it.

    The store is loaded with `flask --app api import` from the real registry records in
    `<repo>/../shared/reference/ctgov-records` (when that folder exists) plus `records/`.
    Before timing, every stored id is fetched once from both servers and the bodies (and,
    but for `--ceiling body`, those headers) must be identical (otherwise the run stops with
    exit status 1).

    Load comes from this process: C threads, each with its own keep-alive
    `http.client.HTTPConnection`, cycling through the stored ids as fast as answers come
    (closed loop). Rounds alternate baseline/ours in ABBA order (B O O B B O ...) so that
    machine drift falls on both alike; each round starts with an unrecorded warm-up.

How to read it
    The table gives, per server, requests completed in the measured rounds, throughput,
    latency percentiles (per request, client side, including the client's own overhead)
    and server CPU per request (user+system time of the gunicorn master and workers from
    /proc, divided by requests; blank where /proc is unavailable).

    "ours/baseline throughput" is the fraction of the ceiling we reach; the target is
    >= 0.90. Each adjacent baseline/ours pair of rounds also gives a ratio of its own; their
    median and range show how much the machine wandered during the run (on a shared
    two-core virtual machine, pairs of one run differ by 10-30%: run long, run alone).
    "ours/baseline p95 latency" above 1 means our tail is slower by that factor.
    The load generator is Python too: if the client saturates a CPU before the servers do,
    both throughputs converge and the ratio flatters us; the CPU-per-request ratio does
    not depend on the client and is printed as a cross-check.

    python bench/bench_study_get.py [--seconds N] [--connections C] [--rounds R]
                                    [--ceiling body|response|stored-response] [--floor]
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import math
import os
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.baseline_app import CEILINGS  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
REFERENCE_RECORDS = REPO.parent / "shared" / "reference" / "ctgov-records"
SERVERS = {"ours": "api:create_app()", "baseline": "bench.baseline_app:create_app()"}
GUNICORN_SETTINGS = ["--workers", "2", "--worker-class", "gthread", "--threads", "4",
                     "--log-level", "warning"]
PATH_PREFIX = "/api/v2/studies/"
# What ours sends with a study besides the body; the baseline sends them too but for `body`.
COMPARED_HEADERS = ("ETag", "Vary", "Access-Control-Allow-Origin")
TARGET_RATIO = 0.9
WARMUP_SECONDS = 0.5
READY_TIMEOUT = 30.0


# --- the store -----------------------------------------------------------------------

def record_sources() -> list[Path]:
    """What to import: the reference records if present, and the repository's seed records."""
    sources = [REFERENCE_RECORDS] if REFERENCE_RECORDS.is_dir() else []
    return sources + [REPO / "records"]


def server_env(database_url: str) -> dict[str, str]:
    """Environment for the import and both servers: the temporary store, no seeding."""
    env = dict(os.environ, TRIALS_DATABASE_URL=database_url, TRIALS_RECORDS_DIR="")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def build_store(env: dict[str, str]) -> None:
    """Import the records with the app's own CLI; refusals are reported, not fatal."""
    command = [sys.executable, "-m", "flask", "--app", "api", "import",
               *map(str, record_sources())]
    result = subprocess.run(command, check=False, cwd=REPO, env=env, capture_output=True,
                            text=True, timeout=120)
    print(f"import: {result.stdout.strip()}")
    if result.returncode != 0:
        print(result.stderr.strip(), file=sys.stderr)


def stored_ids(database_path: Path) -> list[str]:
    """The NCT ids in the store, sorted."""
    connection = sqlite3.connect(f"file:{database_path}?mode=ro", uri=True)
    try:
        return [row[0] for row in
                connection.execute("SELECT nct_id FROM studies ORDER BY nct_id")]
    finally:
        connection.close()


# --- the servers ---------------------------------------------------------------------

@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen
    log_path: Path


def free_port() -> int:
    """A loopback port nobody listens on right now (bind port 0, read it back)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(name: str, env: dict[str, str], log_dir: Path, app: str | None = None) -> Server:
    """Start gunicorn for `app` (default `SERVERS[name]`) in its own process group, logging
    to a file."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
               "--chdir", str(REPO), *GUNICORN_SETTINGS, app or SERVERS[name]]
    log_path = log_dir / f"{name}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    return Server(name, port, process, log_path)


def fetch(connection: http.client.HTTPConnection, nct_id: str,
          headers: tuple[str, ...] = ()) -> tuple:
    """GET one study: (status, content type, the values of `headers`, body)."""
    connection.request("GET", PATH_PREFIX + nct_id)
    response = connection.getresponse()
    return (response.status, response.getheader("Content-Type", ""),
            [response.getheader(name) for name in headers], response.read())


def wait_ready(server: Server, nct_id: str) -> None:
    """Poll until `server` answers 200 for `nct_id`; fail if it exits or takes too long."""
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        try:
            if fetch(connection, nct_id)[0] == 200:
                return
        except (OSError, http.client.HTTPException):
            pass
        finally:
            connection.close()
        time.sleep(0.1)
    log = server.log_path.read_text(errors="replace")[-2000:]
    raise RuntimeError(f"{server.name} server did not become ready:\n{log}")


def stop_server(server: Server) -> None:
    """SIGTERM the gunicorn master (graceful), then SIGKILL its process group if it lingers."""
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(server.process.pid, signal.SIGKILL)  # stray workers, if any
    except (ProcessLookupError, PermissionError):
        pass
    server.process.wait(timeout=5)


# --- correctness ---------------------------------------------------------------------

def check_same_answers(ours: Server, baseline: Server, ids: list[str],
                       headers: tuple[str, ...]) -> list[str]:
    """Ids whose response from ours differs from the baseline's (status, type, `headers`
    or body)."""
    connections = [http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
                   for server in (ours, baseline)]
    mismatches = []
    for nct_id in ids:
        ours_answer, baseline_answer = (fetch(c, nct_id, headers) for c in connections)
        if (ours_answer[0] != 200 or not ours_answer[1].startswith("application/json")
                or ours_answer[2:] != baseline_answer[2:]):
            mismatches.append(nct_id)
    for connection in connections:
        connection.close()
    return mismatches


# --- load ----------------------------------------------------------------------------

@dataclass
class Tally:
    """What one server did over its measured rounds."""

    latencies: list[float] = field(default_factory=list)  # seconds
    seconds: float = 0.0
    errors: int = 0
    cpu_seconds: float | None = 0.0


def client_loop(port: int, ids: list[str], start: int, deadline: float,
                latencies: list[float], errors: list[int]) -> None:
    """One client thread: keep-alive GETs cycling through `ids` until `deadline`."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    order = itertools.islice(itertools.cycle(ids), start, None)
    clock = time.perf_counter
    for nct_id in order:
        began = clock()
        if began >= deadline:
            break
        try:
            status = fetch(connection, nct_id)[0]
        except (OSError, http.client.HTTPException):
            connection.close()
            errors[0] += 1
            continue
        latencies.append(clock() - began)
        if status != 200:
            errors[0] += 1
    connection.close()


def drive(port: int, ids: list[str], connections: int, seconds: float) -> tuple[list[float], int, float]:
    """Run `connections` client threads for `seconds`: (latencies, errors, elapsed)."""
    per_thread = [([], [0]) for _ in range(connections)]
    began = time.perf_counter()
    deadline = began + seconds
    threads = [threading.Thread(target=client_loop,
                                args=(port, ids, index * 7, deadline, *per_thread[index]))
               for index in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    latencies = [value for thread_latencies, _ in per_thread for value in thread_latencies]
    return latencies, sum(errors[0] for _, errors in per_thread), elapsed


def process_tree_cpu(root_pid: int) -> float | None:
    """User+system CPU seconds of `root_pid` and its direct children, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    try:
        entries = [entry for entry in os.listdir("/proc") if entry.isdigit()]
    except OSError:
        return None
    for entry in entries:
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rpartition(")")[2].split()
        except OSError:
            continue
        pid, ppid = int(entry), int(fields[1])  # fields[0] is the state
        if pid == root_pid or ppid == root_pid:
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def run_round(server: Server, ids: list[str], connections: int, seconds: float,
              tally: Tally) -> float:
    """Warm up, then one measured round against `server` added to `tally`; its req/s."""
    drive(server.port, ids, connections, WARMUP_SECONDS)
    cpu_before = process_tree_cpu(server.process.pid)
    latencies, errors, elapsed = drive(server.port, ids, connections, seconds)
    cpu_after = process_tree_cpu(server.process.pid)
    tally.latencies.extend(latencies)
    tally.seconds += elapsed
    tally.errors += errors
    if cpu_before is None or cpu_after is None or tally.cpu_seconds is None:
        tally.cpu_seconds = None
    else:
        tally.cpu_seconds += cpu_after - cpu_before
    return len(latencies) / elapsed


def round_order(rounds: int) -> list[str]:
    """ABBA alternation: baseline, ours, ours, baseline, baseline, ours, ..."""
    pair = ["baseline", "ours"]
    return [pair[(index + 1) // 2 % 2] for index in range(rounds)]


# --- report --------------------------------------------------------------------------

def percentile(sorted_values: list[float], percent: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return math.nan
    rank = math.ceil(percent / 100 * len(sorted_values))
    return sorted_values[min(len(sorted_values), max(rank, 1)) - 1]


def summary(tally: Tally) -> dict[str, float]:
    """Requests, req/s, latency percentiles (ms) and server CPU µs per request."""
    latencies = sorted(tally.latencies)
    requests = len(latencies)
    cpu = (tally.cpu_seconds / requests * 1e6
           if tally.cpu_seconds is not None and requests else math.nan)
    return {"requests": requests, "rps": requests / tally.seconds if tally.seconds else 0.0,
            "p50": percentile(latencies, 50) * 1e3, "p95": percentile(latencies, 95) * 1e3,
            "p99": percentile(latencies, 99) * 1e3, "cpu_us": cpu, "errors": tally.errors}


def print_report(tallies: dict[str, Tally], args: argparse.Namespace) -> None:
    """The table, then the ratios and the verdict against the target (our server against
    the `body` ceiling)."""
    rows = {name: summary(tallies[name]) for name in ("baseline", "ours")}
    print(f"\n{'server':<10}{'requests':>10}{'req/s':>10}{'p50 ms':>9}{'p95 ms':>9}"
          f"{'p99 ms':>9}{'CPU µs/req':>12}{'errors':>8}")
    for name, row in rows.items():
        print(f"{name:<10}{row['requests']:>10}{row['rps']:>10.0f}{row['p50']:>9.2f}"
              f"{row['p95']:>9.2f}{row['p99']:>9.2f}{row['cpu_us']:>12.0f}{row['errors']:>8}")
    ours, baseline = rows["ours"], rows["baseline"]
    throughput = ours["rps"] / baseline["rps"] if baseline["rps"] else math.nan
    print(f"\nours/baseline throughput:        {throughput:.3f}")
    print(f"ours/baseline p95 latency:       {ours['p95'] / baseline['p95']:.3f}")
    print(f"ours/baseline server CPU per req: {ours['cpu_us'] / baseline['cpu_us']:.3f}")
    if args.ceiling == "body" and not args.floor:
        verdict = "MET" if throughput >= TARGET_RATIO else "NOT MET"
        print(f"target throughput ratio >= {TARGET_RATIO:.2f}: {verdict}")
    else:
        print(f"(the target applies to our server against --ceiling body; this run: "
              f"--ceiling {args.ceiling}{' --floor' if args.floor else ''})")


def print_pair_ratios(order: list[str], rates: list[float]) -> None:
    """Median and range of ours/baseline over adjacent round pairs: the run's noise."""
    ratios = []
    for first in range(0, len(order) - 1, 2):
        pair = dict(zip(order[first:first + 2], rates[first:first + 2]))
        if pair.get("baseline"):
            ratios.append(pair["ours"] / pair["baseline"])
    ratios.sort()
    if ratios:
        median = statistics.median(ratios)
        print(f"ours/baseline per round pair:    median {median:.3f}, "
              f"range {ratios[0]:.3f}-{ratios[-1]:.3f} ({len(ratios)} pairs)")


# --- main ----------------------------------------------------------------------------

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=24.0,
                        help="measured seconds over all rounds (default 24; total run ~30 s)")
    parser.add_argument("--connections", type=int, default=8,
                        help="client threads, one keep-alive connection each (default 8)")
    parser.add_argument("--rounds", type=int, default=6,
                        help="measured rounds, alternating servers ABBA (default 6, even)")
    parser.add_argument("--ceiling", choices=CEILINGS, default="body",
                        help="what the baseline shares with ours: the body (default), the "
                        "response, or the response read from the store per request")
    parser.add_argument("--floor", action="store_true",
                        help="in place of our server, the stored-response baseline: how "
                        "near the ceiling a server can come that reads the store and sends "
                        "the registry's headers but does nothing else")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.connections < 1 or args.rounds < 2 or args.rounds % 2:
        parser.error("need --seconds > 0, --connections >= 1, an even --rounds >= 2")
    return args


def benchmark(servers: dict[str, Server], ids: list[str], args: argparse.Namespace) -> int:
    """Correctness check, then the alternating rounds and the report; the exit status."""
    for server in servers.values():
        wait_ready(server, ids[0])
    compared = COMPARED_HEADERS if args.ceiling != "body" else ()
    mismatches = check_same_answers(servers["ours"], servers["baseline"], ids, compared)
    if mismatches:
        print(f"FAIL: ours differs from baseline for {len(mismatches)} id(s): "
              f"{', '.join(mismatches[:10])}", file=sys.stderr)
        return 1
    print(f"correctness: {len(ids)} ids, ours == baseline byte for byte"
          + (f" (body and {', '.join(compared)})" if compared else " (body)"))
    tallies = {name: Tally() for name in servers}
    seconds = args.seconds / args.rounds
    rates = []
    for number, name in enumerate(round_order(args.rounds), 1):
        rps = run_round(servers[name], ids, args.connections, seconds, tallies[name])
        rates.append(rps)
        print(f"round {number}/{args.rounds} {name:<8} {rps:8.0f} req/s")
    print_report(tallies, args)
    print_pair_ratios(round_order(args.rounds), rates)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-study-get-") as workdir:
        database = Path(workdir) / "trials.sqlite3"
        env = server_env(f"sqlite:///{database}")
        build_store(env)
        ids = stored_ids(database)
        if not ids:
            print("FAIL: the store is empty", file=sys.stderr)
            return 1
        print(f"store: {len(ids)} studies; {args.connections} connections, "
              f"{args.rounds} rounds x {args.seconds / args.rounds:.1f} s "
              f"(+{WARMUP_SECONDS} s warm-up each)")
        servers: dict[str, Server] = {}
        try:
            servers["baseline"] = start_server(
                "baseline", dict(env, BASELINE_CEILING=args.ceiling), Path(workdir))
            if args.floor:
                print("ours: the stored-response baseline, standing in for our server (--floor)")
                servers["ours"] = start_server(
                    "ours", dict(env, BASELINE_CEILING="stored-response"), Path(workdir),
                    app=SERVERS["baseline"])
            else:
                servers["ours"] = start_server("ours", env, Path(workdir))
            return benchmark(servers, ids, args)
        finally:
            for server in servers.values():
                stop_server(server)


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark search at registry scale: import rate, single-study GET, a mix of searches.

What it measures, for each store size N (default 10,000 and 100,000 synthetic studies from
`bench/synthetic.py`):

- import: `flask --app api import` of an NDJSON file of N studies into an empty store,
  in records per second (guard, indexing and all);
- GET: `GET /api/v2/studies/{nctId}` of random stored ids;
- a fixed mix of searches (`GET /api/v2/studies`, page size 10): a common term, a condition,
  a status filter, a list of 100 NCT ids, an Essie RANGE, a geo distance, all studies sorted
  by date, and paging on to page 50;
- worker memory: resident set size of the server's worker processes after the run.

Each request kind runs for a few seconds against the production server (gunicorn, the
settings of `bench_study_get.py`) from C client threads on loopback. The table gives p50
and p95 latency and, for each search, its p95 as a ratio to the single-GET p95 of the same
run: the target is <= 5 at 100,000 studies, import >= 1,000 records/s, and worker memory
that does not grow with N.

    python bench/bench_search.py [--sizes 10000,100000] [--seconds 3] [--connections 2]
"""

from __future__ import annotations

import argparse
import http.client
import random
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_study_get import (REPO, percentile, server_env, start_server,  # noqa: E402
                                   stop_server, wait_ready)
from bench.synthetic import CITIES, WORDS, write_ndjson  # noqa: E402

LIST = "/api/v2/studies"
TARGET_SEARCH_RATIO = 5.0
TARGET_IMPORT_RATE = 1000.0


def import_store(path: Path, count: int, env: dict) -> float:
    """Generate `count` studies and import them; records per second of the import."""
    data = write_ndjson(path.with_suffix(".ndjson"), count)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "flask", "--app", "api", "import", "--workers", "2",
                    str(data)], cwd=REPO, env=env, check=True, capture_output=True, timeout=7200)
    rate = count / (time.perf_counter() - started)
    data.unlink()
    return rate


def request_makers(count: int, rng: random.Random) -> dict:
    """Request kind -> a function giving the next path to GET (paging keeps state)."""
    ids = [f"NCT6{number:07d}" for number in range(count)]

    def url(**params) -> str:
        return f"{LIST}?{urllib.parse.urlencode(params)}"

    return {
        "GET study": lambda: f"/api/v2/studies/{rng.choice(ids)}",
        "term": lambda: url(**{"query.term": rng.choice(WORDS[:20])}),
        "cond": lambda: url(**{"query.cond": rng.choice(WORDS[:20])}),
        "status filter": lambda: url(**{"filter.overallStatus": "RECRUITING"}),
        "ids list of 100": lambda: url(**{"filter.ids": ",".join(rng.sample(ids, 100))}),
        "advanced RANGE": lambda: url(**{
            "filter.advanced": f"AREA[StartDate]RANGE[{rng.randint(2000, 2025)}-01-01,MAX]"}),
        "geo 50mi": lambda: url(**{"filter.geo": "distance({},{},50mi)".format(
            *rng.choice(CITIES)[1:])}),
        "sorted by date": lambda: url(sort="LastUpdatePostDate:desc"),
        "term, countTotal": lambda: url(**{"query.term": rng.choice(WORDS[:20]),
                                           "countTotal": "true"}),
        "paging to page 50": None,  # stateful, see `drive`
    }


def _page_walker(connection: http.client.HTTPConnection):
    """Yields latencies of walking pages 1..50 of all studies, over and over."""
    import json

    while True:
        token = None
        for _ in range(50):
            path = f"{LIST}?pageSize=10" + (f"&pageToken={token}" if token else "")
            started = time.perf_counter()
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
            yield time.perf_counter() - started, response.status
            token = json.loads(body).get("nextPageToken")
            if token is None:
                break


def drive(port: int, maker, connections: int, seconds: float) -> list[float]:
    """Closed-loop load for `seconds`; latencies in seconds of the 200 responses."""
    latencies, lock, deadline = [], threading.Lock(), time.monotonic() + seconds

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = []
        if maker is None:
            for latency, status in _page_walker(connection):
                if status != 200:
                    raise RuntimeError(f"status {status} while paging")
                mine.append(latency)
                if time.monotonic() > deadline:
                    break
        else:
            while time.monotonic() < deadline:
                path = maker()
                started = time.perf_counter()
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    raise RuntimeError(f"{path}: status {response.status}")
                mine.append(time.perf_counter() - started)
        connection.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(latencies)


def worker_rss_mb(master_pid: int) -> tuple[float, float]:
    """Resident memory of the gunicorn workers (children of the master), in MB: private
    (anonymous: the Python heap) and file-backed (the memory-mapped store, shared, which the
    kernel reclaims under pressure)."""
    private = shared = 0
    for task in Path(f"/proc/{master_pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            for line in Path(f"/proc/{child}/status").read_text().splitlines():
                if line.startswith("RssAnon:"):
                    private += int(line.split()[1])
                elif line.startswith("RssFile:"):
                    shared += int(line.split()[1])
    return private / 1024, shared / 1024


def run_size(count: int, args, folder: Path) -> dict:
    """Import, serve and measure one store size; the rows of its table."""
    database = folder / f"store-{count}.sqlite3"
    env = server_env(f"sqlite:///{database}")
    rate = import_store(database, count, env)
    server = start_server("ours", env, folder)
    try:
        wait_ready(server, "NCT60000000")
        rng = random.Random(11)
        rows = {}
        for name, maker in request_makers(count, rng).items():
            drive(server.port, maker, args.connections, 0.5)  # warm-up
            latencies = drive(server.port, maker, args.connections, args.seconds)
            rows[name] = (len(latencies), percentile(latencies, 50) * 1000,
                          percentile(latencies, 95) * 1000)
        rss = worker_rss_mb(server.process.pid)
    finally:
        stop_server(server)
    return {"import": rate, "rows": rows, "rss": rss}


def report(count: int, result: dict) -> None:
    """Print one size's table."""
    rows, get_p95 = result["rows"], result["rows"]["GET study"][2]
    private, mapped = result["rss"]
    print(f"\n== {count:,} studies: import {result['import']:,.0f} records/s "
          f"(target >= {TARGET_IMPORT_RATE:,.0f}); worker RSS {private:,.0f} MB private "
          f"+ {mapped:,.0f} MB mapped store file")
    print(f"{'request':<20}{'count':>8}{'p50 ms':>10}{'p95 ms':>10}{'p95/GET p95':>14}")
    for name, (requests, p50, p95) in rows.items():
        ratio = "" if name == "GET study" else f"{p95 / get_p95:.2f}"
        flag = " over target" if ratio and p95 / get_p95 > TARGET_SEARCH_RATIO else ""
        print(f"{name:<20}{requests:>8}{p50:>10.2f}{p95:>10.2f}{ratio:>14}{flag}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--connections", type=int, default=2)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-search-") as folder:
        for count in (int(size) for size in args.sizes.split(",")):
            report(count, run_size(count, args, Path(folder)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark `GET /api/v2/stats/field/values` as the store grows.

What it measures
    A temporary SQLite store is filled with N synthetic studies (`bench/synthetic.py`: copies
    of the real registry records with new NCT ids and changed values), written with the
    store's own `put` in batches of 1000. For each size (10,000 and 100,000 by default, `--sizes`) it
    times, through the Flask test client (in-process: no server, no sockets, so the figures
    are the application's own work):

    - cold: the first `/stats/field/values` request after the data changed, which reads the
      figures the store keeps (`api.store.sqlite_stats`); also the first `/stats/size`;
    - warm: R repeated `/stats/field/values` requests (all fields, and `fields=Phase`),
      answered from the cache, p50 and p95;
    - a single-study `GET /studies/{nctId}` repeated R times in the same run, the yardstick
      the warm figures are divided by;
    - memory: the process's peak resident size (which counts the pages of the SQLite file
      the store maps into memory), or with `--trace-memory` the Python heap's peak during
      the cold scan (tracing slows that scan down), and the size of the all-fields answer.

    Sizes are cumulative: the store is grown from one size to the next.

How to read it
    Cold time should stay far below a second: it reads aggregates and index ranges, never a
    document (before schema 6 it was a pass over every document: seconds per 10,000). Warm
    time only checks the store's generation and joins cached JSON. "loaded in" is the
    store's own `put` (index and statistics) at 1,000 studies a batch.
    "x study GET" is warm latency divided by the single-study GET's at the same percentile.

    python bench/bench_stats.py [--sizes 10000,100000] [--repeat R] [--seed S] [--trace-memory]
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# `python bench/bench_stats.py` puts bench/ on the path; the app's packages are at the root.
sys.path.insert(0, str(REPO))

from api import create_app
from api.store import Record
from bench import synthetic

BATCH = 1000


def grow(store, start: int, stop: int, sources: list[str], rng: random.Random) -> None:
    """Add synthetic studies numbered start..stop-1 (`bench.synthetic`), in batches."""
    for first in range(start, stop, BATCH):
        numbers = range(first, min(first + BATCH, stop))
        store.put([Record(f"NCT6{n:07d}", synthetic.study(sources[n % len(sources)], n, rng))
                   for n in numbers])


def timed(client, url: str) -> float:
    """Seconds one GET takes; stops the run on anything but 200."""
    began = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - began
    if response.status_code != 200:
        raise SystemExit(f"GET {url}: {response.status_code} {response.text[:200]}")
    return elapsed


def percentiles(samples: list[float]) -> tuple[float, float]:
    """p50 and p95 (nearest rank) of `samples`."""
    ordered = sorted(samples)
    return (statistics.median(ordered), ordered[max(round(0.95 * len(ordered)) - 1, 0)])


def cold(client, trace_memory: bool) -> tuple[float, str]:
    """The first `/stats/field/values` after a change: seconds, and memory it took."""
    if trace_memory:
        tracemalloc.start()
    seconds = timed(client, "/api/v2/stats/field/values")
    if trace_memory:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return seconds, f"Python heap peak during the cold request {peak / 2**20:,.0f} MiB (traced: slower)"
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return seconds, f"peak RSS {rss:,.0f} MiB (includes SQLite's memory-mapped file)"


def measure(client, size: int, study_id: str, repeat: int, trace_memory: bool) -> None:
    """Time cold and warm requests at the store's current size, and print them."""
    cold_values, memory = cold(client, trace_memory)
    cold_size = timed(client, "/api/v2/stats/size")
    cached = len(client.get("/api/v2/stats/field/values").data) / 2**20
    study = percentiles([timed(client, f"/api/v2/studies/{study_id}") for _ in range(repeat)])
    print(
        f"\n{size:,} studies: cold /stats/field/values {cold_values * 1000:.0f} ms, "
        f"cold /stats/size {cold_size * 1000:.0f} ms"
    )
    print(f"  {memory}; all-fields answer {cached:.1f} MiB")
    print(f"  {'request':<40} {'p50 ms':>8} {'p95 ms':>8} {'x study GET p50':>16} {'p95':>6}")
    rows = [("GET /studies/{nctId}", study)]
    for label, url in [
        ("/stats/field/values (all fields)", "/api/v2/stats/field/values"),
        ("/stats/field/values?fields=Phase", "/api/v2/stats/field/values?fields=Phase"),
    ]:
        rows.append((label, percentiles([timed(client, url) for _ in range(repeat)])))
    for label, (p50, p95) in rows:
        print(
            f"  {label:<40} {p50 * 1000:8.2f} {p95 * 1000:8.2f} "
            f"{p50 / study[0]:16.1f} {p95 / study[1]:6.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default="10000,100000",
        help="comma-separated store sizes, measured in increasing order",
    )
    parser.add_argument("--repeat", type=int, default=50, help="warm requests per figure")
    parser.add_argument("--seed", type=int, default=1, help="seed of the value changes")
    parser.add_argument(
        "--trace-memory",
        action="store_true",
        help="trace the Python heap during the cold scan (makes it slower)",
    )
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))
    sources, rng = synthetic.templates(), random.Random(args.seed)
    print(f"{len(sources)} template records; Flask test client, in-process")
    with tempfile.TemporaryDirectory(prefix="bench-stats-") as folder:
        app = create_app({"DATABASE_URL": f"sqlite:///{folder}/trials.sqlite3", "RECORDS_DIR": ""})
        store, client = app.extensions["store"], app.test_client()
        loaded = 0
        for size in sizes:
            began = time.perf_counter()
            grow(store, loaded, size, sources, rng)
            loaded = size
            print(f"\nloaded {size:,} studies in {time.perf_counter() - began:.0f} s")
            measure(client, size, "NCT60000000", args.repeat, args.trace_memory)
        store.close()


if __name__ == "__main__":
    main()

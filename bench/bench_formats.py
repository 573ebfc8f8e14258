"""Benchmark a 1,000-study page as CSV against the same page as JSON, in one run.

What it measures: a temporary store of N synthetic studies (`bench/synthetic.py`, default
5,000); `GET /api/v2/studies?pageSize=1000` as JSON and as `format=csv`, each repeated R
times, alternating, through the Flask test client (in-process: the application's own work,
no sockets). It prints studies per second for JSON, CSV rows per second, their ratio, and
how soon the CSV's first bytes arrive (the body streams: the first rows leave before the
last is built).

    python bench/bench_formats.py [--studies 5000] [--repeat 10]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api import create_app  # noqa: E402
from api.store import Record  # noqa: E402
from bench.synthetic import studies  # noqa: E402

PAGE = "/api/v2/studies?pageSize=1000"


def timed_page(client, url: str) -> tuple[float, float]:
    """Seconds to the first body chunk, and to the whole body."""
    started = time.perf_counter()
    response = client.get(url, buffered=False)
    chunks = iter(response.response)
    next(chunks)
    first_at = time.perf_counter() - started
    b"".join(chunks)
    response.close()
    return first_at, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-formats-") as folder:
        app = create_app({"DATABASE_URL": f"sqlite:///{folder}/t.sqlite3", "RECORDS_DIR": ""})
        texts = list(studies(args.studies))
        for first in range(0, len(texts), 1000):
            app.extensions["store"].put([Record(f"NCT6{n:07d}", texts[n])
                                         for n in range(first, min(first + 1000, len(texts)))])
        client = app.test_client()
        json_times, csv_times, csv_first = [], [], []
        for _ in range(args.repeat):
            json_times.append(timed_page(client, PAGE)[1])
            first_at, total = timed_page(client, PAGE + "&format=csv")
            csv_times.append(total)
            csv_first.append(first_at)
        app.extensions["store"].close()
    json_rate = 1000 / statistics.median(json_times)
    csv_rate = 1000 / statistics.median(csv_times)
    print(f"store {args.studies:,} synthetic studies; page of 1,000; median of {args.repeat}")
    print(f"json: {json_rate:,.0f} studies/s   csv: {csv_rate:,.0f} rows/s   "
          f"csv/json: {csv_rate / json_rate:.2f}")
    print(f"csv: first bytes after {statistics.median(csv_first) * 1000:.1f} ms, "
          f"the whole page after {statistics.median(csv_times) * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

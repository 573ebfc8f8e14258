"""What a study page costs (issue #16) against a JSON search, through the production server.

    .venv/bin/python bench/bench_pages.py [--studies 2000] [--requests 300]

Makes `--studies` synthetic studies (`bench.synthetic`, the registry's sizes), imports them,
starts `python -m api.serving` on the store and times, one request at a time on loopback:

- the page of a study seen for the first time (`/study/{id}`, distinct ids: rendered, with
  its related-trials search);
- the same pages again (kept by the process until the data changes);
- a JSON search of ten studies by condition (`/api/v2/studies?query.cond=...`), the baseline;
- the JSON of the same studies (`/api/v2/studies/{id}`).

Prints each figure's median and p95 and its ratio to the JSON search's median.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scale_data import generate  # noqa: E402
from bench.bench_servers import stop  # noqa: E402
from bench.scale_serving import first_answer, serve  # noqa: E402
from bench.synthetic import CONDITIONS  # noqa: E402
from tests.server import import_records  # noqa: E402

PORTS = range(18850, 18900)


def timed(connection: http.client.HTTPConnection, path: str) -> float:
    """Milliseconds to the last byte of a 200 answer to `GET path`."""
    started = time.perf_counter()
    connection.request("GET", path)
    answer = connection.getresponse()
    answer.read()
    if answer.status != 200:
        raise RuntimeError(f"{path}: {answer.status}")
    return (time.perf_counter() - started) * 1000


def figures(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=int, default=2000)
    # Fewer than the pages a process keeps (256), so that the second pass finds them kept.
    parser.add_argument("--requests", type=int, default=200)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        data, _ = generate(Path(folder), options.studies, "registry")
        url = f"sqlite:///{folder}/trials.sqlite3"
        import_records(url, [data])
        # Spread over the store (bench.synthetic numbers its studies NCT6xxxxxxx).
        step = max(1, options.studies // options.requests)
        ids = [f"NCT6{n:07d}" for n in range(0, options.studies, step)][:options.requests]
        server = serve(url, Path(folder), PORTS)
        try:
            first_answer(server, ids[0])
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
            rows = {
                "JSON search, 10 studies (baseline)": [
                    timed(connection, "/api/v2/studies?pageSize=10&query.cond="
                          + CONDITIONS[n % len(CONDITIONS)].replace(" ", "+"))
                    for n in range(len(ids))],
                "study page, first view": [timed(connection, f"/study/{i}") for i in ids],
                "study page, seen before": [timed(connection, f"/study/{i}") for i in ids],
                "study JSON": [timed(connection, f"/api/v2/studies/{i}") for i in ids],
            }
        finally:
            stop(server)
    base = figures(rows["JSON search, 10 studies (baseline)"])[0]
    print(f"{options.studies:,} studies, {len(ids)} requests each, one at a time")
    print(f"{'figure':40} {'median ms':>10} {'p95 ms':>8} {'median / search':>16}")
    for name, times in rows.items():
        median, p95 = figures(times)
        print(f"{name:40} {median:10.2f} {p95:8.2f} {median / base:15.2f}x")


if __name__ == "__main__":
    main()

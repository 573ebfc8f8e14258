"""The requests bench_search.py times: search kinds, closed-loop load, exact-count checks.

Load comes from Python client threads, one keep-alive `http.client` connection each (as
bench_study_get.py): paging needs the previous page's token, which a fixed list of paths
for wrk cannot give. Figures are compared with the single-GET p95 of the same run.
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
import urllib.parse
from collections.abc import Callable

from bench.synthetic import CITIES, WORDS

LIST = "/api/v2/studies"
MIN_SAMPLES = 10  # per client thread
Params = Callable[[random.Random, list[str]], dict]

# Search kind -> its parameters, drawn from `rng` (`ids`: the stored NCT ids). Paged kinds
# (see `PAGED`) are walked page after page by following `nextPageToken`.
KINDS: dict[str, Params] = {
    "term": lambda rng, ids: {"query.term": rng.choice(WORDS[:20])},
    "condition": lambda rng, ids: {"query.cond": rng.choice(WORDS[:20])},
    "status filter": lambda rng, ids: {"filter.overallStatus": "RECRUITING"},
    # From a year: every start date of that year on, partial ones too (a partial date sorts
    # before the full dates it covers, so `RANGE[2019-01-01,MAX]` leaves out `2019-01`).
    "date RANGE": lambda rng, ids: {
        "filter.advanced": f"AREA[StartDate]RANGE[{rng.randint(2000, 2025)},MAX]"},
    "geo 50mi": lambda rng, ids: {
        "filter.geo": "distance({},{},50mi)".format(*rng.choice(CITIES)[1:])},
    "ids (100)": lambda rng, ids: {"filter.ids": ",".join(rng.sample(ids, 100))},
    "sort by date": lambda rng, ids: {"sort": "LastUpdatePostDate:desc"},
    "deep pages 1-50": lambda rng, ids: {},
}
# Paged kinds: (page size, pages walked, `fields=`).
PAGED = {"deep pages 1-50": (10, 50, None),
         "page of 1000, 2 fields": (1000, 1_000_000, "NCTId,BriefTitle")}


def url(params: dict) -> str:
    """The path of a search with `params`."""
    return f"{LIST}?{urllib.parse.urlencode(params)}"


def get(connection: http.client.HTTPConnection, path: str) -> tuple[float, bytes]:
    """GET `path`: seconds it took and the body; `RuntimeError` on anything but 200."""
    started = time.perf_counter()
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    if response.status != 200:
        raise RuntimeError(f"GET {path[:200]}: {response.status} {body[:300]!r}")
    return elapsed, body


def page_walk(connection, params: dict, size: int, pages: int, fields: str | None):
    """Yields (seconds, body) of pages 1..`pages` of a search, from the first page again
    when the results end; `countTotal` is sent with the first page only."""
    base = {**params, "pageSize": size, **({"fields": fields} if fields else {})}
    while True:
        token, first = None, dict(base)
        for _ in range(pages):
            query = {**first, "pageToken": token} if token else first
            elapsed, body = get(connection, url(query))
            yield elapsed, body
            first.pop("countTotal", None)
            token = json.loads(body).get("nextPageToken")
            if token is None:
                break


def drive(port: int, next_path: Callable[[], str] | None, connections: int, seconds: float,
          paged: tuple | None = None, params: dict | None = None) -> list[float]:
    """Closed-loop load for `seconds` from `connections` threads: sorted latencies.

    Each thread GETs `next_path()` over and over or, for a `paged` kind (page size, pages,
    fields), walks the pages of `params`. A slow kind runs on, up to five times
    `seconds`, until each thread has `MIN_SAMPLES` (a p95 of three samples says little).
    """
    latencies, lock, started = [], threading.Lock(), time.monotonic()
    failures: list[BaseException] = []

    def more(taken: int) -> bool:
        elapsed = time.monotonic() - started
        return elapsed < seconds or (taken < MIN_SAMPLES and elapsed < 5 * seconds)

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        mine = []
        try:
            if paged:
                for elapsed, _ in page_walk(connection, params or {}, *paged):
                    mine.append(elapsed)
                    if not more(len(mine)):
                        break
            else:
                while more(len(mine)):
                    mine.append(get(connection, next_path())[0])
        except (OSError, RuntimeError, http.client.HTTPException) as error:
            failures.append(error)
        finally:
            connection.close()
            with lock:
                latencies.extend(mine)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(f"load failed: {failures[0]}")
    return sorted(latencies)


def total_count(port: int, params: dict) -> int:
    """`totalCount` of the first page of a search with `countTotal=true`."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        body = get(connection, url({**params, "countTotal": "true", "pageSize": 1,
                                    "fields": "NCTId"}))[1]
    finally:
        connection.close()
    return json.loads(body)["totalCount"]


def paged_count(port: int, params: dict, limit: int) -> int | None:
    """How many distinct studies paging through a search yields (pages of 1,000 NCT ids),
    or None past `limit` studies. `RuntimeError` if a study comes twice."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    seen: set[str] = set()
    try:
        for _, body in page_walk(connection, params, 1000, limit // 1000 + 1, "NCTId"):
            page = [study["protocolSection"]["identificationModule"]["nctId"]
                    for study in json.loads(body).get("studies", [])]
            if seen.intersection(page):
                raise RuntimeError(f"paging {params}: a study came twice")
            seen.update(page)
            if len(seen) > limit:
                return None
            if not json.loads(body).get("nextPageToken"):
                return len(seen)
    finally:
        connection.close()
    return None


def expected_counts(manifest: dict, count: int, rng: random.Random,
                    ids: list[str]) -> dict[str, tuple[dict, int | None]]:
    """For each search kind, fixed parameters and the count the generator knows (None:
    to be checked by paging through)."""
    checks: dict[str, tuple[dict, int | None]] = {}
    for name, params in KINDS.items():
        checks[name] = (params(rng, ids), None)
    statuses, years = manifest["statuses"], manifest["start_years"]
    checks["status filter"] = (checks["status filter"][0], statuses.get("RECRUITING", 0))
    since = int(checks["date RANGE"][0]["filter.advanced"].split("[")[2][:4])
    checks["date RANGE"] = (checks["date RANGE"][0],
                            sum(n for year, n in years.items() if int(year) >= since))
    checks["ids (100)"] = (checks["ids (100)"][0], 100)
    checks["sort by date"] = (checks["sort by date"][0], count)
    checks["deep pages 1-50"] = ({}, count)
    return checks

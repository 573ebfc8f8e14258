"""`/metrics` of the production server: two worker processes, one answer, and the import run
by another process.

`make run`'s server (api/serving.py) with two workers on a free loopback port: whichever
worker answers the scrape reports the requests both served (prometheus_client's multiprocess
mode, in the directory the serving code prepares), and a `flask --app api import` and a
`flask --app api sync` in processes of their own show as the last import and sync, read from
the store.
"""

from __future__ import annotations

import concurrent.futures
import http.client
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import seed_as
from tests.prometheus import samples, value
from tests.reliability.test_server_processes import workers_of
from tests.reliability.test_sync import sync
from tests.server import import_records, production_process

pytestmark = [
    pytest.mark.reliability,
    pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc"),
]

STUDY = "/api/v2/studies/NCT04325594"
ROUTE = "/api/v2/studies/<nctId>"
ATTEMPTS = 20  # rounds of requests until both workers have answered some


def get(address, path: str) -> tuple[int, str]:
    """One GET on a connection of its own (so that either worker may take it)."""
    connection = http.client.HTTPConnection(*address, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def scrape(address):
    status, text = get(address, "/metrics")
    assert status == 200
    return samples(text)


def study_requests(scraped) -> float | None:
    return value(scraped, "trials_http_requests_total", method="GET", route=ROUTE, status=200)


def answering_workers(directory: Path) -> set[int]:
    """The pids whose counts are in the shared directory: the workers that answered."""
    return {int(path.stem.rsplit("_", 1)[1]) for path in directory.glob("counter_*.db")}


def test_a_scrape_sums_both_workers_and_shows_an_import_and_a_sync_run_elsewhere(tmp_path):
    store_url = f"sqlite:///{tmp_path}/trials.sqlite3"
    shared = tmp_path / "metrics"
    stale = shared / "counter_1.db"  # an earlier run's: the serving code clears it
    shared.mkdir()
    stale.write_bytes(b"not metrics")
    environment = {"PROMETHEUS_MULTIPROC_DIR": str(shared)}
    with production_process(store_url, environment, workers=2) as (url, master), \
            concurrent.futures.ThreadPoolExecutor(8) as pool:
        address = (urlsplit(url).hostname, urlsplit(url).port)
        assert not stale.exists()
        sent = 0
        for _ in range(ATTEMPTS):
            statuses = list(pool.map(lambda _: get(address, STUDY)[0], range(16)))
            assert statuses == [200] * 16
            sent += 16
            if len(answering_workers(shared) & workers_of(master.pid)) == 2:
                break
        assert len(answering_workers(shared) & workers_of(master.pid)) == 2
        totals = {study_requests(scrape(address)) for _ in range(6)}
        assert totals == {sent}  # the same sum, whichever worker answered the scrape

        other = tmp_path / "other.json"
        other.write_text(seed_as("NCT00000009"), encoding="utf-8")
        assert import_records(store_url, [other]).startswith("1 loaded: 1 added")
        scraped = scrape(address)
        assert value(scraped, "trials_studies") == 2
        assert value(scraped, "trials_last_run_outcome", command="import", outcome="ok") == 1
        assert value(scraped, "trials_last_run_records", command="import", result="added") == 1

        # The store synced from its own server: every study listed, none changed.
        assert sync(store_url, url).returncode == 0
        scraped = scrape(address)
        assert value(scraped, "trials_last_run_outcome", command="sync", outcome="ok") == 1
        assert value(scraped, "trials_last_run_records", command="sync", result="unchanged") == 2

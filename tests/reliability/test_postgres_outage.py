"""A database outage under a running production server: 503 text/plain with Retry-After,
never a 500, and the same server answering 200 again once the database is back.

The PostgreSQL server (a throw-away one of its own, tests/postgres.py) is stopped and
started again under a real production server (tests/server.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import httpx
import pytest

from api.store import open_store
from api.store.errors import StoreUnavailable
from tests.conftest import PROJECT, SEED, seed_as, throwaway_server
from tests.server import production_process, tool_environment

pytestmark = pytest.mark.reliability

READS = [
    f"/api/v2/studies/{SEED.stem}",
    "/api/v2/studies?query.term=heart&countTotal=true",
    "/api/v2/studies?filter.overallStatus=COMPLETED&format=csv",
    "/api/v2/stats/size",
    "/api/v2/stats/field/values?fields=Phase",
    f"/api/v2/studies/{SEED.stem}/history",
]
ANSWER_SECONDS = 10  # a request during the outage is answered within this
HEAL_SECONDS = 20  # and the server serves again within this once the database is back


@pytest.fixture
def database():
    """A PostgreSQL server of this test's own with a migrated database `trials`."""
    server = throwaway_server()
    try:
        open_store(server.create_database("trials")).close()
        yield server
    finally:
        server.destroy()


@pytest.fixture
def serving(database):
    """A production server on it (seeded at start): (base URL, its master process)."""
    with production_process(database.url("trials")) as (base, master):
        yield base, master


def get_all(client: httpx.Client) -> dict[str, httpx.Response]:
    return {path: client.get(path) for path in [*READS, "/ready"]}


def statuses(client: httpx.Client) -> dict[str, int]:
    return {path: answer.status_code for path, answer in get_all(client).items()}


def test_an_outage_is_503_with_retry_after_and_heals_without_a_restart(database, serving):
    base, master = serving
    with httpx.Client(base_url=base, timeout=ANSWER_SECONDS) as client:
        assert all(answer.status_code == 200 for answer in get_all(client).values())
        database.stop()
        down = get_all(client)
        for path, answer in down.items():
            assert answer.status_code == 503, (path, answer.status_code, answer.text)
            assert answer.headers["Content-Type"].startswith("text/plain"), path
            assert answer.headers["Retry-After"].isdigit(), path
            assert "\n" not in answer.text.strip() and "Traceback" not in answer.text, path
        assert client.get("/health").status_code == 200  # the process itself is up
        database.start()
        deadline = time.monotonic() + HEAL_SECONDS
        while set((seen := statuses(client)).values()) != {200}:
            assert 500 not in seen.values(), seen
            assert time.monotonic() < deadline, seen
            time.sleep(0.2)
    assert master.poll() is None  # the same server, never restarted


def test_every_answer_during_an_outage_is_503_not_500(database, serving):
    base, _ = serving
    database.stop()
    with httpx.Client(base_url=base, timeout=ANSWER_SECONDS) as client:
        for _ in range(2):  # the pool's connections, each found broken in turn
            seen = statuses(client)
            assert set(seen.values()) == {503}, seen


def test_an_import_during_an_outage_fails_in_one_line(database, tmp_path):
    database.stop()
    record = tmp_path / "NCT09900004.json"
    record.write_text(SEED.read_text(encoding="utf-8").replace(SEED.stem, "NCT09900004"))
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "api", "import", str(record)], cwd=PROJECT,
        env=tool_environment(database.url("trials")), capture_output=True, text=True,
        timeout=60)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_an_outage_in_the_middle_of_an_import_ends_it_in_one_line_keeping_what_was_written(
        database, tmp_path):
    lines = tmp_path / "studies.ndjson"
    lines.write_text("".join(json.dumps(json.loads(seed_as(f"NCT099{number:05d}"))) + "\n"
                             for number in range(3000)), encoding="utf-8")
    url = database.url("trials")
    importing = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "api", "import", "--batch-size", "50",
         str(lines)], cwd=PROJECT, env=tool_environment(url), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    store = open_store(url)
    try:
        deadline = time.monotonic() + 60
        while store.count() < 100:  # a few batches are in
            assert importing.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        database.stop()
        _, errors = importing.communicate(timeout=60)
        assert importing.returncode == 1
        assert "Traceback" not in errors, errors
        assert errors.strip().splitlines()[-1] == (  # after the store's warnings, if any
            "Error: The database is unavailable; try again later; every batch written before "
            "is kept"), errors
        database.start()
        deadline = time.monotonic() + HEAL_SECONDS
        while True:  # the pool reconnects by itself
            try:
                kept = store.count()
                break
            except StoreUnavailable:
                assert time.monotonic() < deadline
                time.sleep(0.2)
        assert 100 <= kept < 3000
        assert store.get("NCT09900000") is not None
    finally:
        store.close()
        if importing.poll() is None:
            importing.kill()

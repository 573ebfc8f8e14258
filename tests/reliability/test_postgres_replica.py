"""A read replica: `TRIALS_DATABASE_READ_URL` on a hot standby serves the reads, the writes
go to the primary, and the lag is the store's to tell.

A primary and a real standby made from it by `pg_basebackup -R` (tests/postgres.py), both
throw-away; the standby's replay is paused to tell its answers from the primary's.
"""

from __future__ import annotations

import contextlib
import re
import time

import httpx
import pytest

from api.store import open_store
from tests.conftest import SEED, throwaway_server
from tests.server import import_records, production_server
from tests.versions import seed_version

pytestmark = pytest.mark.reliability

ADDED = "NCT09900002"
REPLAY_SECONDS = 15


@pytest.fixture(scope="module")
def servers():
    """(primary, standby): a migrated empty database `trials` on the primary, streamed to
    the standby."""
    primary = throwaway_server()
    try:
        url = primary.create_database("trials")
        open_store(url).close()
        standby = primary.standby()
        try:
            yield primary, standby
        finally:
            standby.destroy()
    finally:
        primary.destroy()


@contextlib.contextmanager
def replay_paused(standby):
    """The standby applies nothing the primary writes meanwhile."""
    with standby.connect() as connection:
        connection.execute("SELECT pg_wal_replay_pause()")
    try:
        yield
    finally:
        with standby.connect() as connection:
            connection.execute("SELECT pg_wal_replay_resume()")


def replayed(primary, standby) -> bool:
    """Whether the standby has applied everything the primary has written."""
    with primary.connect() as connection:
        [written] = connection.execute("SELECT pg_current_wal_lsn()").fetchone()
    with standby.connect() as connection:
        [behind] = connection.execute("SELECT pg_last_wal_replay_lsn() < %s::pg_lsn",
                                      (written,)).fetchone()
    return not behind


def wait_until(condition, seconds: float = REPLAY_SECONDS) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def stored_ids(server) -> list[str]:
    """The studies a server's `trials` database holds, read there directly."""
    with server.connect("trials") as connection:
        return [nct_id for (nct_id,) in connection.execute("SELECT nct_id FROM studies")]


def study_status(base: str, nct_id: str) -> int:
    return httpx.get(f"{base}/api/v2/studies/{nct_id}", timeout=10).status_code


def total_studies(base: str) -> int:
    return httpx.get(f"{base}/api/v2/stats/size", timeout=10).json()["totalStudies"]


@pytest.fixture(scope="module")
def replicated(servers):
    """A production server reading from the standby, writing to the primary (its start-up
    seeds the empty store): its base URL."""
    primary, standby = servers
    reads = {"TRIALS_DATABASE_READ_URL": standby.url("trials")}
    with production_server(primary.url("trials"), reads) as base:
        yield base


def test_the_seeding_write_went_to_the_primary_and_reached_the_standby(servers, replicated):
    primary, standby = servers
    assert stored_ids(primary) == [SEED.stem]
    assert wait_until(lambda: replayed(primary, standby))
    assert stored_ids(standby) == [SEED.stem]
    assert study_status(replicated, SEED.stem) == 200


def test_reads_come_from_the_standby(servers, replicated, tmp_path):
    primary, standby = servers
    before = total_studies(replicated)
    with replay_paused(standby):
        import_study(primary, tmp_path, ADDED)
        assert ADDED in stored_ids(primary)
        # Stored on the primary, not yet on the standby the server reads: not found there.
        assert study_status(replicated, ADDED) == 404
        assert total_studies(replicated) == before
    assert wait_until(lambda: study_status(replicated, ADDED) == 200)
    assert total_studies(replicated) == before + 1


def ready_lag(base: str) -> float:
    """The lag `/ready` reports, in seconds."""
    answer = httpx.get(f"{base}/ready", timeout=10)
    assert answer.status_code == 200, answer.text
    found = re.fullmatch(r"ready; reads from a replica ([0-9.]+) s behind the primary",
                         answer.text)
    assert found, answer.text
    return float(found[1])


def test_ready_says_how_far_behind_the_replica_is(servers, replicated, tmp_path):
    primary, standby = servers
    assert wait_until(lambda: replayed(primary, standby))
    with replay_paused(standby):
        import_study(primary, tmp_path, "NCT09900006")
        time.sleep(1.5)
        assert ready_lag(replicated) >= 1.0
    assert wait_until(lambda: ready_lag(replicated) < 1.0)


def import_study(primary, folder, nct_id: str) -> None:
    path = folder / f"{nct_id}.json"
    path.write_text(seed_version("RECRUITING", "2031-01-01", nct_id), encoding="utf-8")
    import_records(primary.url("trials"), [path])


def test_the_store_tells_the_replica_s_lag(servers, tmp_path):
    primary, standby = servers
    alone = open_store(primary.url("trials"))
    replicated = open_store(primary.url("trials"), read_url=standby.url("trials"))
    try:
        assert alone.replica_lag() is None
        assert wait_until(lambda: replayed(primary, standby))
        caught_up = replicated.replica_lag()
        assert caught_up is not None and caught_up >= 0
        with replay_paused(standby):
            import_study(primary, tmp_path, "NCT09900003")
            time.sleep(1.0)
            assert replicated.replica_lag() >= 1.0
        assert wait_until(lambda: replicated.replica_lag() < 1.0)
    finally:
        alone.close()
        replicated.close()

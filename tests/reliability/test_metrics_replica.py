"""`/metrics` beside a read replica: the lag is exported, and follows the standby's replay.

A primary and a real standby (tests/postgres.py, `pg_basebackup -R`), as in
test_postgres_replica.py, whose fixtures these are.
"""

from __future__ import annotations

import time

import pytest

from api import create_app
from tests.conftest import seed_as
from tests.prometheus import samples, value
from tests.reliability.test_postgres_replica import replay_paused, servers, wait_until
from tests.server import import_records

pytestmark = pytest.mark.reliability
__all__ = ["servers"]  # the fixture, used by name


def replica_lag(client) -> float | None:
    """`trials_replica_lag_seconds` of a scrape, None when absent."""
    return value(samples(client.get("/metrics").text), "trials_replica_lag_seconds")


def test_the_replica_s_lag_is_a_metric(servers, tmp_path):
    primary, standby = servers
    app = create_app({"TESTING": True, "DATABASE_URL": primary.url("trials"),
                      "DATABASE_READ_URL": standby.url("trials")})
    alone = create_app({"TESTING": True, "DATABASE_URL": primary.url("trials")})
    try:
        client = app.test_client()
        assert replica_lag(alone.test_client()) is None  # no replica, no lag to tell
        assert wait_until(lambda: replica_lag(client) == 0)
        with replay_paused(standby):
            path = tmp_path / "NCT09900013.json"
            path.write_text(seed_as("NCT09900013"), encoding="utf-8")
            import_records(primary.url("trials"), [path])
            time.sleep(1.0)
            assert replica_lag(client) >= 1.0
        assert wait_until(lambda: replica_lag(client) < 1.0)
    finally:
        app.extensions["store"].close()
        alone.extensions["store"].close()

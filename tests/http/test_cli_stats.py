"""`flask --app api stats rebuild`: the statistics recomputed from the stored documents."""

import json

import pytest

from api.store import sqlite_stats
from tests.conftest import SEED


@pytest.mark.sqlite_only  # loses the figures from the SQLite store's tables
def test_rebuild_recomputes_what_was_lost(runner, client, store):
    before = client.get("/api/v2/stats/field/values?fields=OverallStatus").json
    connection = store._connection()
    connection.execute("DELETE FROM stat_values")  # figures gone astray
    sqlite_stats.create(connection)
    result = runner.invoke(args=["stats", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "statistics rebuilt: 1 studies" in result.output
    assert client.get("/api/v2/stats/field/values?fields=OverallStatus").json == before
    status = json.loads(SEED.read_text())["protocolSection"]["statusModule"]["overallStatus"]
    assert before[0]["topValues"] == [{"value": status, "studiesCount": 1}]

"""The plans SQLite picks for the index's probes: a dense range must be probed through each
study's own rows, never by walking the whole range once per candidate study."""

import json

import pytest

from api.search.filters import search_criteria
from api.store import Record
from api.store.sqlite_criteria import DENSE, Compiler


pytestmark = pytest.mark.sqlite_only  # SQLite's query plans


def test_a_dense_date_range_is_probed_per_study_through_its_own_rows(store):
    store.put([Record(f"NCT{number:08d}", json.dumps({"protocolSection": {
        "identificationModule": {"nctId": f"NCT{number:08d}"},
        "statusModule": {"startDateStruct": {"date": f"20{number % 20:02d}-01"}}}}))
        for number in range(DENSE + 200)])
    connection = store._connection()
    compiler = Compiler(connection, store._piece_ids)
    condition = compiler.condition(search_criteria(
        {"filter.advanced": "AREA[StartDate]RANGE[2001,MAX]"}))
    assert condition.startswith("EXISTS")  # dense: probed, not listed
    plan = " ".join(row[3] for row in connection.execute(
        f"EXPLAIN QUERY PLAN SELECT s.id FROM studies s WHERE s.id > 0 AND {condition} "
        "ORDER BY s.id LIMIT 11", compiler.params))
    assert "field_values USING PRIMARY KEY (study_id=? AND piece=?)" in plan, plan

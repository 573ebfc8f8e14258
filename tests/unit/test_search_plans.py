"""The plans SQLite picks for the index's probes: a dense range must be probed through each
study's own rows, never by walking the whole range once per candidate study."""

import json

import pytest

from api.search import criteria as c
from api.search.filters import search_criteria
from api.store import Record
from api.store.base import SearchQuery
from api.store.sqlite_criteria import DENSE, Compiler
from tests.conftest import SEED


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



def ranked_statements(store, term: str) -> tuple[list[str], list[bytes]]:
    """The ranking statements a relevance search of `query.term` runs, and its page."""
    statements = []
    connection = store._connection()
    connection.set_trace_callback(statements.append)
    try:
        page = store.search(SearchQuery(search_criteria({"query.term": term}),
                                        (c.SortKey(None, descending=True),)))
    finally:
        connection.set_trace_callback(None)
    return [sql for sql in statements if sql.startswith("SELECT s.id")], page.documents


def test_a_relevance_search_whose_text_is_all_required_runs_its_match_once(store):
    store.put([Record(SEED.stem, SEED.read_text())])
    statements, found = ranked_statements(store, "heart AND AREA[OverallStatus]COMPLETED")
    assert len(statements) == 1 and statements[0].count("MATCH") == 1, statements
    assert len(found) == 1
    # Text under an OR is scored apart from the filter that finds the matches.
    statements, found = ranked_statements(store, "heart OR AREA[OverallStatus]COMPLETED")
    assert statements[0].count("MATCH") == 2, statements
    assert len(found) == 1

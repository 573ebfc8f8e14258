"""Sync checkpoints are committed in the transaction of the data they describe: a write that
fails leaves neither; seen ids of a `--full` run tell what its reconcile removes."""

import json

import pytest

from api.store import Record
from api.store.base import Checkpoint
from schemas.guard import RecordRefused
from tests.conftest import seed_as

BASE = "sync:http://127.0.0.1:1/api/v2:"


def record(nct_id: str, *aliases: str) -> Record:
    return Record(nct_id, seed_as(nct_id, *aliases), aliases)


def test_a_put_writes_its_checkpoint(store):
    store.put([record("NCT00000102")], Checkpoint({BASE + "page": "token-1"}))
    assert store.progress() == {BASE + "page": "token-1"}
    store.put([record("NCT00000103")], Checkpoint({BASE + "page": "token-2",
                                                   BASE + "since": "2026-01-01"}))
    assert store.progress(BASE) == {BASE + "page": "token-2", BASE + "since": "2026-01-01"}


def test_a_put_of_no_records_writes_just_the_checkpoint(store):
    generation = store.generation()
    result = store.put([], Checkpoint({BASE + "page": "token-1"}))
    assert result.added == result.replaced == ()
    assert store.progress() == {BASE + "page": "token-1"}
    assert store.generation() == generation and store.data_timestamp() is None


def test_none_deletes_an_entry(store):
    store.put([], Checkpoint({BASE + "page": "token-1", BASE + "since": "2026-01-01"}))
    store.put([], Checkpoint({BASE + "page": None}))
    assert store.progress() == {BASE + "since": "2026-01-01"}


def test_a_prefix_is_matched_as_text_not_as_a_pattern(store):
    store.put([], Checkpoint({"sync:a_b:page": "1", "sync:axb:page": "2", "other": "3"}))
    assert store.progress("sync:a_b") == {"sync:a_b:page": "1"}
    assert store.progress("sync:a%") == {}
    assert store.progress() == {"sync:a_b:page": "1", "sync:axb:page": "2", "other": "3"}


def test_a_put_that_raises_writes_neither_records_nor_checkpoint(store):
    store.put([record("NCT00000102")], Checkpoint({BASE + "page": "token-1"}))
    clashing = record("NCT00000103", "NCT00000102")  # another study's id as its alias
    with pytest.raises(RecordRefused):
        store.put([record("NCT00000104"), clashing],
                  Checkpoint({BASE + "page": "token-2"}, run="r1", seen=("NCT00000104",)))
    assert store.progress() == {BASE + "page": "token-1"}
    assert store.get("NCT00000104") is None and store.history("NCT00000104") is None
    assert store.unseen("r1") == ["NCT00000102"]


def test_a_remove_writes_its_checkpoint(store):
    store.put([record("NCT00000102"), record("NCT00000103")])
    assert store.remove(["NCT00000102"], Checkpoint({BASE + "removed": "1"})) == ("NCT00000102",)
    assert store.progress(BASE) == {BASE + "removed": "1"}


def test_unseen_lists_the_current_studies_a_run_did_not_see(store):
    store.put([record(nct_id) for nct_id in ("NCT00000104", "NCT00000102", "NCT00000103")])
    assert store.unseen("r1") == ["NCT00000102", "NCT00000103", "NCT00000104"]
    store.put([], Checkpoint(run="r1", seen=("NCT00000103", "NCT00000999")))
    store.put([record("NCT00000105")], Checkpoint(run="r1", seen=("NCT00000105",)))
    store.put([], Checkpoint(run="r2", seen=("NCT00000102",)))
    assert store.unseen("r1") == ["NCT00000102", "NCT00000104"]
    assert store.unseen("r2") == ["NCT00000103", "NCT00000104", "NCT00000105"]


def test_end_run_forgets_that_runs_seen_ids_with_its_checkpoint(store):
    store.put([record("NCT00000102")], Checkpoint(run="r1", seen=("NCT00000102",)))
    store.put([], Checkpoint(run="r2", seen=("NCT00000102",)))
    store.end_run("r1", Checkpoint({BASE + "complete": "2026-12-01", BASE + "run": None}))
    assert store.unseen("r1") == ["NCT00000102"] and store.unseen("r2") == []
    assert store.progress() == {BASE + "complete": "2026-12-01"}


def test_seen_ids_need_a_run(store):
    with pytest.raises(ValueError, match="run"):
        store.put([], Checkpoint(seen=("NCT00000102",)))


def test_checkpoints_survive_reopening(tmp_path):
    from api.store.sqlite import SQLiteStore
    path = tmp_path / "s.sqlite3"
    store = SQLiteStore(path)
    store.put([record("NCT00000102")], Checkpoint({BASE + "page": json.dumps([1, "x"])},
                                                  run="r1", seen=("NCT00000102",)))
    store.close()
    again = SQLiteStore(path)
    assert again.progress() == {BASE + "page": '[1, "x"]'} and again.unseen("r1") == []
    again.close()

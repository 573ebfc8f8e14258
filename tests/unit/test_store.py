import re
import threading

import pytest

from api.store import Record, open_store
from api.store.sqlite import SQLiteStore


@pytest.fixture
def store(tmp_path):
    store = SQLiteStore(tmp_path / "store.sqlite3")
    yield store
    store.close()


def record(nct_id="NCT00000102", text='{"a":1}', aliases=()):
    return Record(nct_id, text, aliases)


def test_a_stored_text_comes_back_verbatim(store):
    store.put([record(text='{"b":1.50,"a":"ü"}')])
    assert store.get("NCT00000102") == '{"b":1.50,"a":"ü"}'
    assert store.get("NCT00000103") is None


def test_writes_report_what_they_did(store):
    assert store.put([record()]).added == ("NCT00000102",)
    assert store.put([record()]).unchanged == ("NCT00000102",)
    assert store.put([record(text='{"a":2}')]).replaced == ("NCT00000102",)
    assert store.count() == 1


def test_the_data_timestamp_moves_only_on_change(store, monkeypatch):
    assert store.data_timestamp() is None
    store.put([record()])
    first = store.data_timestamp()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", first)
    monkeypatch.setattr("api.store.sqlite.utc_timestamp", lambda: "2030-01-01T00:00:00")
    store.put([record()])
    assert store.data_timestamp() == first
    store.put([record(text='{"a":2}')])
    assert store.data_timestamp() == "2030-01-01T00:00:00"


def test_aliases_resolve_and_follow_replacement(store):
    store.put([record(aliases=("NCT00000001",))])
    assert store.canonical_id("NCT00000001") == "NCT00000102"
    store.put([record(text='{"a":2}', aliases=("NCT00000002",))])
    assert store.canonical_id("NCT00000001") is None
    assert store.canonical_id("NCT00000002") == "NCT00000102"


def test_a_failed_write_leaves_nothing_behind(store):
    store.put([record()])
    with pytest.raises(Exception):
        store.put([record("NCT00000103"), record("NCT00000104", text=None)])
    assert store.count() == 1 and store.get("NCT00000103") is None


def test_threads_read_concurrently(store):
    store.put([record()])
    results = []
    threads = [threading.Thread(target=lambda: results.append(store.get("NCT00000102")))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ['{"a":1}'] * 8


def test_database_urls(tmp_path):
    store = open_store(f"sqlite:///{tmp_path}/a/b.sqlite3")
    assert (tmp_path / "a" / "b.sqlite3").exists()
    store.close()
    with pytest.raises(ValueError, match="unsupported database URL"):
        open_store("postgresql://localhost/trials")

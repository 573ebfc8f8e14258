import hashlib
import json
import re
import sqlite3
import threading

import pytest

from api.store import Record, StoreError, StoreLayoutError, open_store
from api.store.base import SearchQuery
from api.store.sqlite import SQLiteStore
from api.store.sqlite_open import SCHEMA_VERSION


def record(nct_id="NCT00000102", title="A study", aliases=(), updated="2024-01-01"):
    """A minimal study record; `title` makes versions differ."""
    document = {"protocolSection": {
        "identificationModule": {"nctId": nct_id, "briefTitle": title},
        "statusModule": {"lastUpdatePostDateStruct": {"date": updated}}}}
    return Record(nct_id, json.dumps(document, separators=(",", ":")), tuple(aliases))


def test_a_stored_text_comes_back_verbatim(store):
    text = '{"protocolSection":{"identificationModule":{"nctId":"NCT00000102","briefTitle":"ü 1.50"}}}'
    store.put([Record("NCT00000102", text)])
    assert store.get("NCT00000102").json == text.encode()
    assert store.get("NCT00000103") is None


def test_each_document_carries_the_tag_of_its_bytes(store):
    store.put([record()])
    first = store.get("NCT00000102")
    assert first.tag == hashlib.sha256(first.json).hexdigest()[:32]
    store.put([record(title="Corrected")])
    second = store.get("NCT00000102")
    assert second.tag == hashlib.sha256(second.json).hexdigest()[:32] != first.tag


SCHEMA_3_DOCUMENTS = """
CREATE TABLE documents_3 (
    study_id INTEGER PRIMARY KEY REFERENCES studies (id) ON DELETE CASCADE,
    document BLOB NOT NULL  -- the record's JSON text, UTF-8
);
INSERT INTO documents_3 SELECT study_id, document FROM documents;
DROP TABLE documents;
ALTER TABLE documents_3 RENAME TO documents;
UPDATE store_info SET value = '3' WHERE key = 'schema_version';
"""


def test_a_schema_3_store_is_upgraded_in_place_with_tags(tmp_path):
    """3 -> 4 added the tags; 4 -> 5 rebuilds the index: both on the way."""
    path = tmp_path / "v3.sqlite3"
    store = SQLiteStore(path)
    store.put([record(), record("NCT00000103")])
    store.close()
    with sqlite3.connect(path) as connection:  # the documents table as schema 3 made it
        connection.executescript(SCHEMA_3_DOCUMENTS)
    upgraded = SQLiteStore(path)
    for nct_id in ("NCT00000102", "NCT00000103"):
        document = upgraded.get(nct_id)
        assert document.json == record(nct_id).text.encode()
        assert document.tag == hashlib.sha256(document.json).hexdigest()[:32]
    upgraded.close()
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT value FROM store_info "
                                  "WHERE key = 'schema_version'").fetchone() == (SCHEMA_VERSION,)


def test_a_store_of_a_later_schema_is_refused(tmp_path):
    path = tmp_path / "later.sqlite3"
    SQLiteStore(path).close()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE store_info SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreLayoutError, match=f"has store schema 99, this server reads {SCHEMA_VERSION}"):
        SQLiteStore(path)


def test_writes_report_what_they_did(store):
    assert store.put([record()]).added == ("NCT00000102",)
    assert store.put([record()]).unchanged == ("NCT00000102",)
    assert store.put([record(title="Corrected")]).replaced == ("NCT00000102",)
    assert store.count() == 1


def test_an_older_version_does_not_replace_a_newer_one(store):
    store.put([record(title="New", updated="2025-01-01")])
    assert store.put([record(title="Old", updated="2024-01-01")]).outdated == ("NCT00000102",)
    assert b"New" in store.get("NCT00000102").json


def test_the_data_timestamp_moves_only_on_change(store, monkeypatch):
    assert store.data_timestamp() is None
    store.put([record()])
    first = store.data_timestamp()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", first)
    monkeypatch.setattr(f"{type(store).__module__}.utc_timestamp",
                        lambda: "2030-01-01T00:00:00")
    store.put([record()])
    assert store.data_timestamp() == first
    store.put([record(title="Corrected")])
    assert store.data_timestamp() == "2030-01-01T00:00:00"


def test_documents_are_read_in_id_order_across_batches(store):
    store.put([record(f"NCT0000010{n}") for n in (5, 2, 9, 1)])
    assert [nct_id for nct_id, _ in store.iter_documents(batch_size=2)] == [
        "NCT00000101", "NCT00000102", "NCT00000105", "NCT00000109"]
    assert all(isinstance(document, bytes) for _, document in store.iter_documents())


def test_aliases_resolve_and_follow_replacement(store):
    store.put([record(aliases=("NCT00000001",))])
    assert store.canonical_id("NCT00000001") == "NCT00000102"
    store.put([record(title="Corrected", aliases=("NCT00000002",))])
    assert store.canonical_id("NCT00000001") is None
    assert store.canonical_id("NCT00000002") == "NCT00000102"


def test_a_failed_write_leaves_nothing_behind(store):
    store.put([record()])
    with pytest.raises(ValueError):  # the second record's text is no JSON
        store.put([record("NCT00000103"), Record("NCT00000104", "not json")])
    assert store.count() == 1 and store.get("NCT00000103") is None


def test_threads_read_concurrently(store):
    store.put([record()])
    results = []
    threads = [threading.Thread(target=lambda: results.append(store.get("NCT00000102").json))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [record().text.encode()] * 8


def test_every_process_shares_the_token_secret(tmp_path):
    first = SQLiteStore(tmp_path / "s.sqlite3")
    second = SQLiteStore(tmp_path / "s.sqlite3")
    assert first.token_secret() == second.token_secret() and len(first.token_secret()) == 32


def test_database_urls(tmp_path):
    store = open_store(f"sqlite:///{tmp_path}/b.sqlite3")
    assert (tmp_path / "b.sqlite3").exists()
    store.close()
    with pytest.raises(ValueError, match="only sqlite:/// and postgresql:// stores are "
                                         "supported, not mysql://"):
        open_store("mysql://localhost/trials")


def test_no_directory_is_created_for_a_store(tmp_path):
    with pytest.raises(StoreError, match="cannot be opened as a SQLite store"):
        open_store(f"sqlite:///{tmp_path}/a/b.sqlite3")
    assert not (tmp_path / "a").exists()


def test_the_generation_moves_with_every_change(store):
    assert store.generation() == 0
    store.put([record()])
    store.put([record()])  # unchanged: no move
    assert store.generation() == 1
    store.put([record(title="Corrected")])
    assert store.generation() == 2


def test_a_page_of_no_studies_is_a_count_alone(store):
    store.put([record(f"NCT0990000{n}") for n in range(3)])
    page = store.search(SearchQuery(limit=0, count_total=True))
    assert (page.documents, page.total, page.next_cursor) == ([], 3, None)

"""Opening the SQLite store: no write lock for a current store, bounded waits otherwise, the
index layout checked against the catalogue, schema 4 upgraded, `rebuild_index`."""

import json
import sqlite3
import threading
import time

import pytest

from api.search import criteria as c
from api.search.essie import Term
from api.search.extract import extract, other_text_pieces
from api.store import Record, StoreBusy, StoreLayoutError, sqlite_index
from api.store.sqlite import SQLiteStore
from api.store.sqlite_criteria import Compiler
from api.store.sqlite_open import SCHEMA_VERSION
from tests.stores import opened_at_once

TOKENIZER = "porter unicode61 remove_diacritics 2"


def study(nct_id: str, description: str = "", arm_label: str = "") -> Record:
    """A study with text in two pieces no search area names (piece_text rows)."""
    protocol = {"identificationModule": {"nctId": nct_id, "briefTitle": f"Study {nct_id}"}}
    if description:
        protocol["descriptionModule"] = {"detailedDescription": description}
    if arm_label:
        protocol["armsInterventionsModule"] = {"interventions": [
            {"type": "DRUG", "name": "x", "armGroupLabels": [arm_label]}]}
    return Record(nct_id, json.dumps({"protocolSection": protocol}, separators=(",", ":")))


def matching(store: SQLiteStore, piece: str, word: str) -> list[str]:
    """NCT ids of the studies whose `piece` holds `word`, as the search compiles it."""
    connection = store._connection()
    compiler = Compiler(connection, store._piece_ids)
    where = compiler.condition(c.TextMatch(((piece, 1.0),), Term(word)))
    return [row[0] for row in connection.execute(
        f"SELECT nct_id FROM studies s WHERE {where} ORDER BY nct_id", compiler.params)]


@pytest.fixture
def two_studies(tmp_path):
    """A store path holding "zebra" in one study's description, another's arm label."""
    path = tmp_path / "s.sqlite3"
    store = SQLiteStore(path)
    store.put([study("NCT00000001", description="zebra"), study("NCT00000002", arm_label="zebra")])
    store.close()
    return path


def assert_searches_right(store: SQLiteStore):
    assert matching(store, "DetailedDescription", "zebra") == ["NCT00000001"]
    assert matching(store, "InterventionArmGroupLabel", "zebra") == ["NCT00000002"]


def hold_write_lock(path, seconds: float):
    """Take the write lock of `path` from another connection, for at most `seconds`;
    returns a function that gives it back (and waits until it is given back)."""
    taken, release = threading.Event(), threading.Event()

    def hold():
        connection = sqlite3.connect(path, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("BEGIN IMMEDIATE")
        taken.set()
        release.wait(seconds)
        connection.execute("ROLLBACK")
        connection.close()

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    assert taken.wait(5)

    def give_back():
        release.set()
        thread.join(5)
    return give_back


def test_a_current_store_opens_and_reads_while_the_write_lock_is_held(two_studies):
    give_back = hold_write_lock(two_studies, 4)
    opened = []
    worker = threading.Thread(target=lambda: opened.append(SQLiteStore(two_studies)), daemon=True)
    started = time.monotonic()
    worker.start()
    worker.join(3)
    try:
        assert opened, "opening a current store waited for the write lock"
        assert time.monotonic() - started < 1
        assert opened[0].count() == 2 and opened[0].get("NCT00000001") is not None
        assert_searches_right(opened[0])
    finally:
        give_back()
        worker.join(30)
    opened[0].close()


def test_reading_threads_keep_a_small_page_cache_and_a_writer_a_larger(two_studies):
    store = SQLiteStore(two_studies)
    caches = {}

    def cache_of(name, write):
        if write:
            store.put([study("NCT00000009")])
        store.get("NCT00000001")
        caches[name] = -store._connection().execute("PRAGMA cache_size").fetchone()[0]
    for name, write in (("reader", False), ("writer", True)):
        thread = threading.Thread(target=cache_of, args=(name, write))
        thread.start()
        thread.join(10)
    store.close()
    # Each serving thread's cache fills at the registry's size: what it may hold is what
    # a worker's private memory grows to.
    assert caches == {"reader": 8_000, "writer": 32_000}


def test_creating_a_store_waits_a_bounded_time_and_says_for_what(tmp_path, caplog):
    path = tmp_path / "new.sqlite3"
    give_back = hold_write_lock(path, 5)
    started = time.monotonic()
    with pytest.raises(StoreBusy) as refused:
        SQLiteStore(path, lock_wait=0.5)
    give_back()
    assert time.monotonic() - started < 2
    assert "could not create the store" in str(refused.value)
    assert "TRIALS_STORE_LOCK_WAIT" in str(refused.value)
    assert "waiting up to 0.5 s for the write lock" in caplog.text


def test_an_upgrade_goes_ahead_once_the_lock_is_free(two_studies):
    make_schema_4(two_studies)
    give_back = hold_write_lock(two_studies, 0.5)  # given back by itself, mid-wait
    store = SQLiteStore(two_studies, lock_wait=10)
    assert_searches_right(store)
    store.close()
    give_back()


def test_two_processes_creating_one_store_at_once_both_open_it(tmp_path):
    path = tmp_path / "race.sqlite3"
    stores, errors = opened_at_once(lambda: SQLiteStore(path, lock_wait=10), seconds=20)
    assert not errors and len(stores) == 4
    assert len({store.token_secret() for store in stores}) == 1
    for store in stores:
        store.close()


def make_schema_4(path) -> None:
    """Turn a store into what schema 4 wrote: piece_text rows keyed by the piece's position
    among `other_text_pieces()` (study id * 512 + slot), no layout fingerprint."""
    slots = {piece: slot for slot, piece in enumerate(other_text_pieces())}
    with sqlite3.connect(path) as connection:
        connection.execute("DROP TABLE piece_text")
        connection.execute("CREATE VIRTUAL TABLE piece_text USING fts5("
                           f"text, content='', tokenize='{TOKENIZER}')")
        for study_id, document in connection.execute(
                "SELECT study_id, document FROM documents").fetchall():
            entry = extract(json.loads(document))
            connection.executemany("INSERT INTO piece_text (rowid, text) VALUES (?, ?)", [
                (study_id * 512 + slots[piece], text)
                for piece, text in entry.text.items() if piece in slots])
        connection.execute("DELETE FROM store_info WHERE key = 'index_layout'")
        connection.execute("UPDATE store_info SET value = '4' WHERE key = 'schema_version'")


def test_a_schema_4_store_is_upgraded_in_place_and_searches_right(two_studies):
    make_schema_4(two_studies)
    store = SQLiteStore(two_studies)
    assert_searches_right(store)
    assert store.get("NCT00000001").json == study("NCT00000001", description="zebra").text.encode()
    store.put([study("NCT00000003", description="zebra")])  # writes go on in the new layout
    assert matching(store, "DetailedDescription", "zebra") == ["NCT00000001", "NCT00000003"]
    store.close()
    with sqlite3.connect(two_studies) as connection:
        info = dict(connection.execute("SELECT key, value FROM store_info"))
    assert info["schema_version"] == SCHEMA_VERSION and info["index_layout"] == sqlite_index.fingerprint()


def test_rows_are_keyed_by_piece_ids_so_catalogue_order_does_not_matter(two_studies, monkeypatch):
    """Today's slot numbering followed the order of `other_text_pieces()`: reordered, an
    existing store searched the wrong piece."""
    monkeypatch.setattr(sqlite_index, "other_text_pieces", lambda: other_text_pieces()[::-1])
    sqlite_index._other_text.cache_clear()
    sqlite_index.fingerprint.cache_clear()
    try:
        store = SQLiteStore(two_studies)
        assert_searches_right(store)
        store.close()
    finally:
        sqlite_index._other_text.cache_clear()
        sqlite_index.fingerprint.cache_clear()


def test_a_store_of_another_index_layout_is_refused_naming_the_rebuild(two_studies, monkeypatch):
    monkeypatch.setattr(sqlite_index, "INDEX_FORMAT", sqlite_index.INDEX_FORMAT + 1)
    sqlite_index.fingerprint.cache_clear()
    try:
        with pytest.raises(StoreLayoutError) as refused:
            SQLiteStore(two_studies)
        assert "`flask --app api index rebuild`" in str(refused.value)
        assert "\n" not in str(refused.value)
        assert SQLiteStore.rebuild_index(two_studies) == 2
        store = SQLiteStore(two_studies)
        assert_searches_right(store)
        store.close()
    finally:
        sqlite_index.fingerprint.cache_clear()


def test_rebuilding_reports_progress_and_keeps_every_document(two_studies):
    steps = []
    assert SQLiteStore.rebuild_index(two_studies, progress=lambda n, total: steps.append(
        (n, total))) == 2
    assert steps == [(2, 2)]
    store = SQLiteStore(two_studies)
    assert store.count() == 2
    assert_searches_right(store)
    store.close()


def test_a_file_that_is_no_database_is_refused_in_one_line(tmp_path):
    path = tmp_path / "notes.sqlite3"
    path.write_text("not a database " * 100)
    with pytest.raises(Exception) as refused:
        SQLiteStore(path)
    assert "cannot be opened as a SQLite store" in str(refused.value)
    assert path.read_text().startswith("not a database")


@pytest.mark.parametrize(("table", "refusal"), [
    ("notes (text TEXT)", "not a store of this server"),  # another program's database
    ("studies (nct_id TEXT PRIMARY KEY, document TEXT)", "older version"),  # schema 1 or 2
])
def test_a_database_of_another_layout_is_refused_not_written(tmp_path, table, refusal):
    path = tmp_path / "other.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.execute(f"CREATE TABLE {table}")
    with pytest.raises(StoreLayoutError, match=refusal):
        SQLiteStore(path)
    with sqlite3.connect(path) as connection:
        assert [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")] == [table.split()[0]]


def test_seeding_is_claimed_once(tmp_path):
    first, second = SQLiteStore(tmp_path / "s.sqlite3"), SQLiteStore(tmp_path / "s.sqlite3")
    assert first.claim_seeding() is True
    assert second.claim_seeding() is False and first.claim_seeding() is False
    first.close()
    second.close()

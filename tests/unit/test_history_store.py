"""Every accepted text of a study is kept, numbered from 0, its bytes exactly as stored:
across batches, within one batch, through removal and re-adding, and after pruning."""

import json
import sqlite3

import pytest

from api.store import Record
from api.store.base import SearchQuery, content_tag
from api.store.sqlite import SQLiteStore
from api.store.sqlite_history import DELTA, WHOLE
from api.store.sqlite_open import SCHEMA_VERSION
from tests.conftest import SEED, read_json
from tests.stores import execute, reopen

NCT_ID = "NCT04325594"


def text(status: str = "COMPLETED", date: str = "2025-04-20", title: str | None = None,
         indent: int | None = None, nct_id: str = NCT_ID) -> str:
    """The seed record with its status, last update date (and title) moved on; `indent`
    changes only the bytes' layout, which the history must keep as it was."""
    document = read_json(SEED)
    status_module = document["protocolSection"]["statusModule"]
    status_module["overallStatus"] = status
    status_module["lastUpdatePostDateStruct"]["date"] = date
    if title is not None:
        document["protocolSection"]["identificationModule"]["briefTitle"] = title
    document["protocolSection"]["identificationModule"]["nctId"] = nct_id
    return json.dumps(document, indent=indent, ensure_ascii=False)


def put(store, *texts: str, nct_id: str = NCT_ID):
    return store.put([Record(nct_id, each) for each in texts])


def assert_versions(store, *texts: str, nct_id: str = NCT_ID):
    """The history holds exactly `texts`, in order, each one's bytes and tag exact."""
    history = store.history(nct_id)
    assert len(history.versions) == len(texts)
    for version, expected in zip(history.versions, texts):
        document = store.version(nct_id, version.number)
        assert document.json == expected.encode()
        assert document.tag == version.tag == content_tag(expected.encode())


V0 = text("RECRUITING", "2024-01-10")
V1 = text("ACTIVE_NOT_RECRUITING", "2024-06-02", title="Hydroxychloroquine ü revised")
V2 = text("COMPLETED", "2025-04-20", indent=2)


def test_each_version_comes_back_byte_for_byte(store):
    put(store, V0)
    put(store, V1)
    put(store, V2)
    assert_versions(store, V0, V1, V2)
    assert [v.number for v in store.history(NCT_ID).versions] == [0, 1, 2]
    assert store.get(NCT_ID).json == V2.encode()


def test_a_version_records_date_status_time_and_changed_modules(store):
    put(store, V0)
    put(store, V1)
    first, second = store.history(NCT_ID).versions
    assert (first.date, first.status) == ("2024-01-10", "RECRUITING")
    assert (second.date, second.status) == ("2024-06-02", "ACTIVE_NOT_RECRUITING")
    assert second.stored_at >= first.stored_at and len(first.stored_at) == 19
    assert first.modules == ("protocolSection.identificationModule",
                             "protocolSection.statusModule",
                             "protocolSection.sponsorCollaboratorsModule",
                             "protocolSection.descriptionModule",
                             "protocolSection.conditionsModule",
                             "protocolSection.designModule",
                             "protocolSection.armsInterventionsModule",
                             "protocolSection.eligibilityModule",
                             "protocolSection.contactsLocationsModule", "hasResults")
    assert second.modules == ("protocolSection.identificationModule",
                              "protocolSection.statusModule")


def test_every_accepted_text_of_one_batch_is_kept_in_input_order(store):
    result = put(store, V0, V1, V2)
    assert result.added == (NCT_ID,) and result.replaced == (NCT_ID, NCT_ID)
    assert_versions(store, V0, V1, V2)


def test_numbering_goes_on_across_batches(store):
    put(store, V0, V1)
    put(store, V2)
    assert [v.number for v in store.history(NCT_ID).versions] == [0, 1, 2]
    assert_versions(store, V0, V1, V2)


def test_unchanged_and_outdated_texts_add_no_version(store):
    put(store, V1)
    result = put(store, V1, V0, V1)  # the same, an earlier date, the same again
    assert result.unchanged == (NCT_ID, NCT_ID) and result.outdated == (NCT_ID,)
    assert_versions(store, V1)


def test_a_batch_that_returns_to_the_stored_text_keeps_both_steps(store):
    put(store, V0)
    later = text("RECRUITING", "2024-01-10", title="Renamed, then named back")
    put(store, later, V0)
    assert store.get(NCT_ID).json == V0.encode()
    assert_versions(store, V0, later, V0)


def test_a_removed_study_keeps_its_history_and_continues_its_numbering(store):
    put(store, V0, V1)
    assert store.remove([NCT_ID]) == (NCT_ID,)
    assert store.get(NCT_ID) is None
    assert store.search(SearchQuery(count_total=True)).total == 0 == store.count()
    gone = store.history(NCT_ID)
    assert gone.removed_at is not None
    assert_versions(store, V0, V1)
    assert put(store, V2).added == (NCT_ID,)
    back = store.history(NCT_ID)
    assert back.removed_at is None and [v.number for v in back.versions] == [0, 1, 2]
    assert back.versions[2].modules == ("protocolSection.identificationModule",
                                        "protocolSection.statusModule")  # against V1
    assert_versions(store, V0, V1, V2)


def test_an_unknown_study_or_number_has_no_history(store):
    put(store, V0)
    assert store.history("NCT00000000") is None
    assert store.version("NCT00000000", 0) is None
    assert store.version(NCT_ID, 1) is None and store.version(NCT_ID, -1) is None
    assert store.version(NCT_ID, 2 ** 70) is None  # past SQLite's integers: no error


def test_older_versions_are_kept_as_small_deltas(store):
    put(store, V0, V1, V2)
    rows = execute(store, "SELECT number, encoding, length(body) FROM versions ORDER BY number")
    assert rows[2][1:] == (0, None)  # the current one: its bytes are the document
    assert {row[1] for row in rows[:2]} == {DELTA}
    # V1 -> V2 changes the whole layout, V0 -> V1 two fields: that one is a few hundred bytes
    assert rows[0][2] < len(V0) / 10


def test_a_removed_study_keeps_its_last_text_whole(store):
    put(store, V0, V1)
    store.remove([NCT_ID])
    assert execute(store, "SELECT encoding FROM versions WHERE number = 1") == [(WHOLE,)]


def test_a_refused_batch_keeps_no_version(store):
    put(store, V0)
    clash = json.loads(text())
    clash["protocolSection"]["identificationModule"]["nctIdAliases"] = [NCT_ID]
    with pytest.raises(Exception, match="alias"):
        store.put([Record(NCT_ID, V1), Record("NCT00000999", json.dumps(clash), (NCT_ID,))])
    assert_versions(store, V0)
    assert store.history("NCT00000999") is None


# Pruning


def three_stored(store, nct_id: str = NCT_ID) -> None:
    put(store, V0, nct_id=nct_id)
    put(store, V1, nct_id=nct_id)
    put(store, V2, nct_id=nct_id)


def stamp(store, number: int, stored_at: str) -> None:
    """Pretend version `number` was stored at `stored_at`."""
    execute(store, "UPDATE versions SET stored_at = ? WHERE number = ?", (stored_at, number))


def test_prune_keeps_the_newest_versions_and_their_bytes(store):
    three_stored(store)
    assert store.prune_history(keep_last=2) == 1
    history = store.history(NCT_ID)
    assert [v.number for v in history.versions] == [1, 2]
    assert history.versions[0].modules[0] == "protocolSection.identificationModule"
    assert len(history.versions[0].modules) == 10  # the first kept lists every module
    assert_versions(store, V1, V2)
    assert store.version(NCT_ID, 0) is None
    assert put(store, text("COMPLETED", "2026-01-01")).replaced == (NCT_ID,)
    assert [v.number for v in store.history(NCT_ID).versions] == [1, 2, 3]


def test_prune_never_drops_the_current_version(store):
    three_stored(store)
    assert store.prune_history(keep_last=0) == 2
    assert_versions(store, V2)
    assert store.prune_history(stored_before="9999-01-01") == 0


def test_prune_by_time_and_both_rules(store):
    three_stored(store)
    stamp(store, 0, "2020-01-01T00:00:00")
    stamp(store, 1, "2021-06-01T00:00:00")
    # both rules: only what is older than the newest one *and* stored before 2021
    assert store.prune_history(keep_last=1, stored_before="2021-01-01") == 1
    assert_versions(store, V1, V2)
    assert store.prune_history(stored_before="2021-06-01T00:00:01") == 1
    assert_versions(store, V2)


def test_prune_of_a_middle_version_keeps_the_chain_readable(store):
    three_stored(store)
    stamp(store, 1, "2020-01-01T00:00:00")
    assert store.prune_history(stored_before="2021-01-01") == 1
    assert [v.number for v in store.history(NCT_ID).versions] == [0, 2]
    assert_versions(store, V0, V2)


def test_a_removed_study_pruned_empty_keeps_its_numbers(store):
    put(store, V0, V1)
    store.remove([NCT_ID])
    assert store.prune_history(keep_last=0) == 2
    emptied = store.history(NCT_ID)
    assert emptied.versions == () and emptied.removed_at is not None
    put(store, V2)
    assert [v.number for v in store.history(NCT_ID).versions] == [2]
    assert_versions(store, V2)


def test_prune_needs_a_rule(store):
    with pytest.raises(ValueError, match="keep_last"):
        store.prune_history()
    with pytest.raises(ValueError, match="negative"):
        store.prune_history(keep_last=-1)


def test_history_survives_reopening(tmp_path):
    path = tmp_path / "s.sqlite3"
    store = SQLiteStore(path)
    three_stored(store)
    store.close()
    again = SQLiteStore(path)
    assert_versions(again, V0, V1, V2)
    again.close()


# Upgrading a store of schema 6 (or earlier): each stored document becomes version 0

SCHEMA_6 = """
DROP TABLE versions;
DROP TABLE removed_studies;
DROP TABLE sync_progress;
DROP TABLE sync_seen;
UPDATE store_info SET value = '6' WHERE key = 'schema_version';
"""


@pytest.mark.parametrize("older", ["6", "3"])
def test_an_upgraded_store_keeps_its_data_and_gives_each_study_version_0(tmp_path, older):
    from tests.unit.test_store import SCHEMA_3_DOCUMENTS
    path = tmp_path / "old.sqlite3"
    store = SQLiteStore(path)
    put(store, V0, V1)  # two versions before the upgrade: only the stored one is known
    other = text(nct_id="NCT00000102")
    put(store, other, nct_id="NCT00000102")
    stamped, figures = store.data_timestamp(), store.field_statistics()
    store.close()
    with sqlite3.connect(path) as connection:
        connection.executescript(SCHEMA_6)
        if older == "3":
            connection.executescript(SCHEMA_3_DOCUMENTS)
    upgraded = SQLiteStore(path)
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT value FROM store_info WHERE key = 'schema_version'"
                                  ).fetchone() == (SCHEMA_VERSION,)
    assert upgraded.get(NCT_ID).json == V1.encode() and upgraded.count() == 2
    assert upgraded.field_statistics() == figures
    for nct_id, expected, status in ((NCT_ID, V1, "ACTIVE_NOT_RECRUITING"),
                                     ("NCT00000102", other, "COMPLETED")):
        (only,) = upgraded.history(nct_id).versions
        assert (only.number, only.status, only.stored_at) == (0, status, stamped)
        assert len(only.modules) == 10
        assert_versions(upgraded, expected, nct_id=nct_id)
    put(upgraded, text("COMPLETED", "2025-05-01"))
    assert [v.number for v in upgraded.history(NCT_ID).versions] == [0, 1]
    assert_versions(upgraded, V1, text("COMPLETED", "2025-05-01"))
    upgraded.close()


@pytest.mark.parametrize("workers", [1, 2], ids=["in process", "two workers"])
def test_an_import_records_each_version_as_written(store, workers):
    """The loader works out index entries (in worker processes too): the date and status of
    version 0 come from them, as written, and later ones from the texts."""
    from api.loading import load
    from api.sources import Unit
    def compact(each: str) -> str:  # as the loader stores it
        return json.dumps(json.loads(each), separators=(",", ":"), ensure_ascii=False)

    first, second, third = map(compact, (text("NOT_YET_RECRUITING", "2024-03-01"), V1, V2))
    for batch in ([first], [second, third]):
        report = load(store, [Unit(f"{n}.json", each) for n, each in enumerate(batch)],
                      workers=workers)
        assert not report.refused
    history = store.history(NCT_ID)
    assert [(v.date, v.status) for v in history.versions] == [
        ("2024-03-01", "NOT_YET_RECRUITING"), ("2024-06-02", "ACTIVE_NOT_RECRUITING"),
        ("2025-04-20", "COMPLETED")]
    assert_versions(store, first, second, third)


def test_readers_see_whole_versions_while_versions_are_added_and_pruned(store):
    """Another thread reads history and versions throughout: each answer is one moment's
    (every version's bytes match its tag), never an error, however the writes interleave."""
    import threading
    put(store, V0)
    problems, done = [], threading.Event()

    def read() -> None:
        reader = reopen(store)
        try:
            while not done.is_set():
                history = reader.history(NCT_ID)
                for each in history.versions:
                    document = reader.version(NCT_ID, each.number)
                    if document is not None and content_tag(document.json) != document.tag:
                        problems.append(each.number)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            problems.append(repr(error))
        finally:
            reader.close()

    thread = threading.Thread(target=read)
    thread.start()
    try:
        for step in range(30):
            put(store, text("RECRUITING", f"2024-02-{step + 1:02d}", title=f"Step {step}"))
            if step % 5 == 4:
                store.prune_history(keep_last=2)
    finally:
        done.set()
        thread.join(timeout=10)
    assert not thread.is_alive() and problems == []
    assert [v.number for v in store.history(NCT_ID).versions][-1] == 30

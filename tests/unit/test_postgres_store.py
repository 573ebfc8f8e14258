"""What the PostgreSQL store does beyond the contract's tests (run on both backends by the
`store` fixture): instances sharing one database, parallel writers, its migrations, and an
outage that heals. Each test has a database of its own on the session's throw-away server;
the outage test stops a server of its own."""

import json
import threading
import time

import psycopg
import pytest

from api.exceptions import Unavailable
from api.store import (StoreBusy, StoreError, StoreLayoutError, open_store, postgres_locks,
                       postgres_schema)
from api.store.base import Checkpoint, Record
from api.store.postgres import PostgreSQLStore
from schemas.guard import RecordRefused
from tests.conftest import SEED, new_store_url, read_json, throwaway_server
from tests.stores import execute, opened_at_once, reopen


def study(nct_id: str, title: str = "A study", date: str = "2025-04-20",
          aliases: tuple[str, ...] = ()) -> Record:
    document = read_json(SEED)
    identification = document["protocolSection"]["identificationModule"]
    identification["nctId"], identification["briefTitle"] = nct_id, title
    identification["nctIdAliases"] = list(aliases)
    document["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"] = date
    return Record(nct_id, json.dumps(document), aliases)


@pytest.fixture
def url(request, tmp_path) -> str:
    return new_store_url(request, "postgresql", tmp_path)


@pytest.fixture
def two(url):
    """Two instances on one database, as two servers would hold them."""
    first, second = PostgreSQLStore(url), PostgreSQLStore(url)
    yield first, second
    first.close()
    second.close()


def test_documents_are_kept_as_the_exact_bytes(url):
    store = PostgreSQLStore(url)
    text = json.dumps(read_json(SEED), indent=3)  # a layout jsonb would not keep
    store.put([Record("NCT04325594", text)])
    assert store.get("NCT04325594").json == text.encode()
    assert execute(store, "SELECT pg_typeof(body)::text FROM documents") == [("bytea",)]
    store.close()


def test_a_nul_in_a_value_is_stored_exactly_and_counted_as_a_replacement(url):
    store = PostgreSQLStore(url)
    record = study("NCT00000001", title="Before\u0000after")
    assert "\\u0000" in record.text
    store.put([record])
    assert store.get("NCT00000001").json == record.text.encode()
    longest = store.field_statistics().longest["protocolSection.identificationModule.briefTitle"]
    assert longest[2] == "Before\ufffdafter"
    store.close()


def test_a_long_value_is_counted_whatever_its_length(url):
    """An exactly counted text past what a btree entry holds (2704 bytes, compressed)."""
    import random
    long_title = "".join(random.Random(7).choices("abcdefghijklmnopqrstuvwxyz ", k=20_000))
    store = PostgreSQLStore(url)
    store.put([study("NCT00000001", title=long_title), study("NCT00000002", title=long_title)])
    counts = store.field_statistics().counts["protocolSection.identificationModule.briefTitle"]
    assert counts == {long_title: 2}
    store.remove(["NCT00000002"])
    assert store.field_statistics().counts[
        "protocolSection.identificationModule.briefTitle"] == {long_title: 1}
    store.close()


def test_a_write_through_one_instance_is_seen_by_the_other_at_once(two):
    first, second = two
    assert first.token_secret() == second.token_secret()
    generation = second.generation()
    first.put([study("NCT00000001")])
    assert second.generation() != generation and second.count() == 1
    assert second.data_timestamp() == first.data_timestamp() is not None
    assert second.get("NCT00000001") == first.get("NCT00000001")
    second.remove(["NCT00000001"])
    assert first.get("NCT00000001") is None and first.history("NCT00000001").removed_at


@pytest.mark.parametrize("lock_limit", [512, 20], ids=["study locks", "a large batch alone"])
def test_parallel_writers_each_settle_against_the_others(two, lock_limit, monkeypatch):
    """Two instances write overlapping batches at once: no error, no deadlock, every study
    stored once, its history every accepted text, the statistics those of a rebuild.
    A batch past the study locks' limit takes the store alone (here the larger one)."""
    monkeypatch.setattr(postgres_locks, "MAX_STUDY_LOCKS", lock_limit)
    errors = []

    def write(store, first: int, size: int) -> None:
        try:
            for round_ in range(6):
                # One date throughout: each write replaces (later input wins), none is older.
                store.put([study(f"NCT{n:08d}", title=f"Round {round_} by {first}")
                           for n in range(first, first + size)])
        except Exception as error:  # noqa: BLE001 - the assertion shows it
            errors.append(error)

    threads = [threading.Thread(target=write, args=(store, *batch))
               for store, batch in zip(two, ((0, 30), (25, 10)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    first, second = two
    assert not errors and first.count() == 35
    assert len(first.history("NCT00000027").versions) == 12  # both writers' six rounds
    assert len(first.history("NCT00000001").versions) == 6
    figures = first.field_statistics()
    first.rebuild_statistics()
    assert second.field_statistics() == figures


def test_a_clash_refuses_the_whole_batch_and_writes_nothing(url):
    store = PostgreSQLStore(url)
    store.put([study("NCT00000001", aliases=("NCT00000009",))])
    generation = store.generation()
    with pytest.raises(RecordRefused, match="already an alias of study NCT00000001"):
        store.put([study("NCT00000002"), study("NCT00000003", aliases=("NCT00000009",))],
                  Checkpoint({"page": "2"}))
    assert store.count() == 1 and store.get("NCT00000002") is None
    assert store.generation() == generation and store.progress() == {}
    assert store.canonical_id("NCT00000009") == "NCT00000001"
    store.close()


def test_an_alias_moves_within_one_batch(url):
    """A study rewritten without an alias frees it for a later study of the same batch."""
    store = PostgreSQLStore(url)
    store.put([study("NCT00000001", aliases=("NCT00000009",))])
    store.put([study("NCT00000001", title="Dropped", date="2025-05-01"),
               study("NCT00000002", aliases=("NCT00000009",))])
    assert store.canonical_id("NCT00000009") == "NCT00000002"
    store.close()


def test_writers_at_once_never_make_an_id_both_a_study_and_an_alias(two):
    """One instance stores a study while another gives its id to another study as an
    alias: whichever commits first wins, the other is refused."""
    for round_ in range(5):
        study_id, other = f"NCT0000{round_}001", f"NCT0000{round_}002"
        offers = ([study(study_id)], [study(other, aliases=(study_id,))])
        outcomes, barrier = [], threading.Barrier(2)

        def write(store, records) -> None:
            barrier.wait()
            try:
                store.put(records)
                outcomes.append("stored")
            except RecordRefused:
                outcomes.append("refused")

        threads = [threading.Thread(target=write, args=pair) for pair in zip(two, offers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert sorted(outcomes) == ["refused", "stored"]
        assert (two[0].get(study_id) is None) == (two[0].canonical_id(study_id) == other)


def test_one_instance_claims_the_seeding(two):
    claims, barrier = [], threading.Barrier(4)

    def claim(store) -> None:
        barrier.wait()
        claims.append(store.claim_seeding())

    threads = [threading.Thread(target=claim, args=(store,)) for store in (*two, *two)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(claims) == [False, False, False, True]


def test_one_command_of_a_kind_across_instances(two):
    first, second = two
    with first.exclusive("sync", "sync it"):
        with pytest.raises(StoreBusy, match="cannot sync it: trials primary .* is doing it"):
            with second.exclusive("sync", "sync it"):
                pass
        with second.exclusive("import", "import"):  # another kind: not kept apart
            pass
    with second.exclusive("sync", "sync it"):  # let go when the block ended
        pass


def test_a_newer_schema_is_refused_in_one_line(url):
    store = PostgreSQLStore(url)
    execute(store, "INSERT INTO schema_migrations (version) VALUES (?)",
            (postgres_schema.current_version() + 1,))
    reason = store.unavailable_reason()
    assert "was written by a newer release (schema 2; this release reads up to 1)" in reason
    store.close()
    with pytest.raises(StoreLayoutError, match="newer release") as refused:
        PostgreSQLStore(url)
    assert "\n" not in str(refused.value)


def test_an_older_schema_is_upgraded_once_by_many_instances(url, monkeypatch):
    PostgreSQLStore(url).close()
    applied = []

    def second_migration(cursor) -> None:
        applied.append(True)
        cursor.execute("CREATE TABLE release_two (id integer)")

    monkeypatch.setattr(postgres_schema, "MIGRATIONS", [*postgres_schema.MIGRATIONS,
                                                        second_migration])
    stores, errors = opened_at_once(lambda: PostgreSQLStore(url))
    assert not errors and len(stores) == 4 and applied == [True]
    assert execute(stores[0], "SELECT version FROM schema_migrations ORDER BY version") == [
        (1,), (2,)]
    assert stores[0].unavailable_reason() is None
    for store in stores:
        store.close()


def test_a_database_of_someone_else_is_refused(postgresql_server, request):
    url = postgresql_server.create_database("someone_else")
    request.addfinalizer(lambda: postgresql_server.drop_database("someone_else"))
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("CREATE TABLE studies (id integer)")
    with pytest.raises(StoreLayoutError, match="not a store of this server"):
        PostgreSQLStore(url)


def test_an_unreachable_database_is_one_line(postgresql_server):
    with pytest.raises(StoreError, match="cannot be opened as a PostgreSQL store") as refused:
        open_store(postgresql_server.url("no_such_database"))
    assert "\n" not in str(refused.value)


@pytest.fixture(scope="module")
def own_server():
    """A server of this module's own, to stop and start again."""
    server = throwaway_server()
    yield server
    server.destroy()


def test_an_outage_is_unavailable_then_heals_by_itself(own_server, tmp_path):
    url = own_server.create_database("outage")
    store = open_store(url)
    store.put([study("NCT00000001")])
    own_server.stop()
    try:
        with pytest.raises(Unavailable, match="The database is unavailable; try again later"):
            store.get("NCT00000001")
        with pytest.raises(Unavailable):
            store.put([study("NCT00000002")])
        assert "unavailable" in store.unavailable_reason()
    finally:
        own_server.start()
    deadline = time.monotonic() + 15  # the pool finds it back within seconds: no restart
    while True:
        try:
            assert store.get("NCT00000001") is not None
            break
        except Unavailable:  # nothing else: never another error on the way
            assert time.monotonic() < deadline, "the store did not heal"
            time.sleep(0.2)
    assert store.unavailable_reason() is None
    assert store.put([study("NCT00000002")]).added == ("NCT00000002",)
    again = reopen(store)
    assert again.count() == 2
    again.close()
    store.close()


def test_both_url_schemes_open_the_store(url):
    store = open_store("postgres://" + url.removeprefix("postgresql://"))
    assert isinstance(store, PostgreSQLStore) and store.count() == 0
    store.close()


def test_reads_go_to_the_read_url_and_writes_to_the_primary(url, request):
    """A read URL naming another database: what is written is not read back from it (a
    real standby, streaming from the primary: tests/reliability/test_postgres_replica.py)."""
    other = new_store_url(request, "postgresql", None)
    store = open_store(url, read_url=other)
    store.put([study("NCT00000001")])
    assert store.get("NCT00000001") is None and store.count() == 0  # the read side
    assert store.stored_tags() and store.progress() == {}  # what a write decides on: primary
    assert store.replica_lag() is None  # the read side is no standby: no lag to tell
    store.close()
    primary = open_store(url)
    assert primary.get("NCT00000001") is not None
    primary.close()


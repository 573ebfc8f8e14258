"""Statistics kept in the store (api/store/sqlite_stats*.py, api/statistics): the figures
maintained through imports, replacements and removals equal the ones `stats rebuild`
computes from the documents, whole answers compared."""

import copy
import json

import pytest

from api.services import stats
from api.statistics import fields
from api.store import Record, sqlite_stats_longest
from api.store.postgres import PostgreSQLStore
from api.store.sqlite import SQLiteStore
from api.store.sqlite_open import SCHEMA_VERSION
from tests.conftest import REAL_RECORDS, SEED, new_store_url
from tests.stores import execute

CITY = "protocolSection.contactsLocationsModule.locations.city"
TITLE = "protocolSection.identificationModule.briefTitle"


def study(nct_id: str, cities=("Taraz",), title=None, keywords=None, template=SEED) -> Record:
    """A template study under another NCT id: one site per city, maybe another title,
    conditions keywords replaced (None: as in the template, () : none at all)."""
    document = json.loads(template.read_text(encoding="utf-8"))
    protocol = document["protocolSection"]
    protocol["identificationModule"]["nctId"] = nct_id
    protocol["identificationModule"].pop("nctIdAliases", None)
    if title is not None:
        protocol["identificationModule"]["briefTitle"] = title
    sites = protocol.setdefault("contactsLocationsModule", {}).get("locations") or [{}]
    protocol["contactsLocationsModule"]["locations"] = [
        copy.deepcopy(sites[0]) | {"city": city, "facility": f"Site {n}"}
        for n, city in enumerate(cities)]
    if keywords == ():
        protocol.get("conditionsModule", {}).pop("keywords", None)
    elif keywords is not None:
        protocol.setdefault("conditionsModule", {})["keywords"] = list(keywords)
    return Record(nct_id, json.dumps(document, ensure_ascii=False, separators=(",", ":")))


def answers(store) -> dict:
    """The whole `/stats/*` answers: every leaf and list field, historic ones too."""
    return {
        "values": json.loads(stats.field_values(store, None, [n.path for n in fields.leaves()])),
        "sizes": json.loads(stats.field_sizes(store, [n.path for n in fields.lists()])),
        "size": stats.size_stats(store),
    }


def rebuilt(store) -> dict:
    store.rebuild_statistics()
    return answers(store)


@pytest.fixture
def make_store(request, backend, tmp_path):
    """Open the store called `name` of this test (a SQLite file, or a PostgreSQL database
    of its own), made on first use."""
    made, urls = [], {}

    def make(name="trials.sqlite3", **options):
        if backend == "sqlite":
            made.append(SQLiteStore(tmp_path / name, **options))
        else:
            if name not in urls:
                urls[name] = new_store_url(request, backend, tmp_path)
            made.append(PostgreSQLStore(urls[name], **options))
        return made[-1]
    yield make
    for store in made:
        store.close()


def templates():
    """The seed and the real records of ../shared when present (else the seed alone)."""
    return [SEED, *REAL_RECORDS[:8]]


def load_history(store) -> None:
    """Imports, replacements (values changed, lists grown and shrunk, a field gone), removals."""
    store.put([study(f"NCT9000{n:04d}", cities=("Taraz", "Almaty")[: n % 2 + 1],
                     template=template) for n, template in enumerate(templates())])
    store.put([study("NCT90010001", ("Lyon", "Lyon", "Osaka"), title="A much longer title "
                     "than any other study has in this store, by far, to be the longest"),
               study("NCT90010002", ("Lima",), keywords=("heart", "cells"))])
    store.put([study("NCT90000000", ("Perth", "Accra", "Boston", "Lima")),  # grows
               study("NCT90000001", ("Taraz",), keywords=()),  # shrinks, keywords gone
               study("NCT90010002", ("Lima",), keywords=("heart",))])
    assert store.remove(["NCT90010001", "NCT90000002", "NCT99999999"]) == (
        "NCT90010001", "NCT90000002")


def test_maintained_figures_equal_rebuilt_ones_after_imports_replacements_removals(make_store):
    store = make_store()
    load_history(store)
    maintained = answers(store)
    assert maintained["size"]["total_studies"] == store.count()
    assert maintained == rebuilt(store)


def test_a_removed_longest_value_gives_way_to_the_next(make_store):
    store = make_store()
    store.put([study("NCT90000001", title="x" * 300), study("NCT90000002", title="y" * 200),
               study("NCT90000003", title="z" * 300)])
    (item,) = json.loads(stats.field_values(store, None, ["BriefTitle"]))
    assert item["longest"] == {"length": 300, "nctId": "NCT90000001", "value": "x" * 300}
    store.remove(["NCT90000001"])
    store.put([study("NCT90000003", title="short")])
    (item,) = json.loads(stats.field_values(store, None, ["BriefTitle"]))
    assert item["longest"]["nctId"] == "NCT90000002"
    assert answers(store) == rebuilt(store)


def test_an_emptied_longest_list_is_refilled_from_the_documents(make_store, monkeypatch):
    monkeypatch.setattr(sqlite_stats_longest, "KEPT", 1)
    store = make_store()
    store.put([study(f"NCT9000000{n}", title="t" * (100 + n)) for n in range(5)])
    store.remove(["NCT90000004"])  # the only row kept: the list empties, is read again
    (item,) = json.loads(stats.field_values(store, None, ["BriefTitle"]))
    assert (item["longest"]["length"], item["longest"]["nctId"]) == (103, "NCT90000003")
    assert answers(store) == rebuilt(store)


def cities(store) -> dict:
    (item,) = json.loads(stats.field_values(store, None, ["LocationCity"]))
    return item


def test_past_the_exact_limit_a_field_is_sketched_and_rebuilds_alike(make_store):
    store = make_store(stats_exact_limit=3)
    store.put([study(f"NCT9000000{n}", cities=("Taraz", f"Town {n}")) for n in range(6)])
    store.put([study("NCT90000010", ("Taraz", "Almaty")), study("NCT90000011", ("Almaty",))])
    city = cities(store)
    assert city["uniqueValuesCount"] == 8 and city["missingStudiesCount"] == 0
    # Only values seen in two studies are named; a one-off value never is.
    assert city["topValues"] == [{"value": "Taraz", "studiesCount": 7},
                                 {"value": "Almaty", "studiesCount": 2}]
    assert answers(store) == rebuilt(store)


def test_a_sketched_field_drifts_upwards_on_removal_until_rebuilt(make_store):
    store = make_store(stats_exact_limit=3)
    store.put([study(f"NCT9000000{n}", cities=("Taraz", f"Town {n}")) for n in range(6)])
    store.put([study("NCT90000000", ("Taraz", "Town 0"))])  # unchanged values: no drift
    assert cities(store)["topValues"][0] == {"value": "Taraz", "studiesCount": 6}
    store.remove(["NCT90000001", "NCT90000002"])
    drifted = answers(store)
    city = cities(store)
    assert city["missingStudiesCount"] == 0  # studies counts stay exact
    assert city["topValues"][0]["studiesCount"] == 6  # the sketch cannot take values out
    skip = set(store.field_statistics().sketches)
    assert CITY in skip
    fresh = rebuilt(store)
    assert cities(store)["topValues"][0] == {"value": "Taraz", "studiesCount": 4}
    # Everything but the sketched fields' estimates was exact all along.
    assert ([item for item in drifted["values"] if item["field"] not in skip]
            == [item for item in fresh["values"] if item["field"] not in skip])
    assert (drifted["sizes"], drifted["size"]) == (fresh["sizes"], fresh["size"])


def test_replacing_and_removing_everything_leaves_empty_figures(make_store):
    store = make_store()
    empty = answers(store)
    store.put([study("NCT90000001"), study("NCT90000002", ("Almaty",))])
    store.put([study("NCT90000001", ("Lyon",))])
    store.remove(["NCT90000001", "NCT90000002"])
    assert answers(store) == empty == rebuilt(store)
    assert empty["size"]["total_studies"] == 0


def test_removal_takes_out_the_study_its_aliases_and_index_rows(make_store):
    store = make_store()
    store.put([Record("NCT90000001", study("NCT90000001").text, ("NCT00000042",))])
    generation = store.generation()
    assert store.remove(["NCT90000001"]) == ("NCT90000001",)
    assert store.get("NCT90000001") is None and store.canonical_id("NCT00000042") is None
    assert store.generation() != generation and store.count() == 0
    for table in ("field_values", "sort_keys", "geo", "aliases", "documents"):
        assert execute(store, f"SELECT count(*) FROM {table}") == [(0,)], table
    assert store.remove(["NCT90000001"]) == ()
    assert store.generation() != generation


def as_schema_5(path) -> None:
    """Turn a current store into what schema 5 had: no statistics tables, no gzip sizes,
    no tag index."""
    import sqlite3
    connection = sqlite3.connect(path)
    for table in ("stat_fields", "stat_values", "stat_strings", "stat_sizes", "stat_longest"):
        connection.execute(f"DROP TABLE {table}")
    connection.execute("DROP INDEX studies_by_gzip_size")
    connection.execute("DROP INDEX documents_by_tag")
    # Schema 5's studies table, as its DDL had it.
    connection.executescript("""
        CREATE TABLE studies5 (id INTEGER PRIMARY KEY, nct_id TEXT NOT NULL UNIQUE,
                               present TEXT NOT NULL);
        INSERT INTO studies5 SELECT id, nct_id, present FROM studies;
        DROP TABLE studies;
        ALTER TABLE studies5 RENAME TO studies;""")
    connection.execute("UPDATE store_info SET value = '5' WHERE key = 'schema_version'")
    connection.commit()
    connection.close()


@pytest.mark.sqlite_only
def test_a_schema_5_store_is_upgraded_with_its_statistics_computed(make_store, tmp_path):
    store = make_store()
    load_history(store)
    expected = answers(store)
    store.close()
    as_schema_5(tmp_path / "trials.sqlite3")
    upgraded = make_store()
    assert upgraded._connection().execute(
        "SELECT value FROM store_info WHERE key = 'schema_version'").fetchone() == (SCHEMA_VERSION,)
    assert answers(upgraded) == expected
    plan = upgraded._connection().execute(
        "EXPLAIN QUERY PLAN SELECT tag, study_id FROM documents").fetchall()
    assert "documents_by_tag" in str(plan)

"""Counting by match sets (`api.store.sqlite_sets`): every count equals the studies a full
listing of the same search returns, through additions, replacements and removals, whether a
leaf's set is kept, newly made or absent."""

import json
import random
import sqlite3

import pytest
from pyroaring import BitMap

from api.search.filters import search_criteria
from api.store import Record
from api.store import sqlite_count, sqlite_index, sqlite_sets
from api.store.base import SearchQuery
from api.store.sqlite import SQLiteStore
from tests.unit.test_statistics_store import as_schema_5

STATUSES = ["RECRUITING", "COMPLETED", "WITHDRAWN"]
PHASES = ["PHASE1", "PHASE2", "PHASE3"]
WORDS = ["heart", "failure", "stromal", "cells", "kidney"]
# Sites around Boston, across the antimeridian (Fiji) and near the North Pole (Svalbard).
PLACES = [(42.36, -71.06), (-17.7, 179.8), (78.2, 15.6)]


def sites(rng: random.Random) -> list[dict]:
    """A few sites, scattered up to a degree around the places (some on a cell's edge)."""
    found = []
    for _ in range(rng.randint(0, 4)):
        lat, lon = rng.choice(PLACES)
        lat, lon = lat + rng.uniform(-1, 1), (lon + rng.uniform(-1, 1) + 180) % 360 - 180
        if rng.random() < 0.2:
            lat = round(lat * 8) / 8
        found.append({"facility": "Site", "geoPoint": {"lat": round(lat, 4), "lon": round(lon, 4)}})
    return found


def study(number: int, rng: random.Random) -> Record:
    nct_id = f"NCT{number:08d}"
    document = {"protocolSection": {
        "identificationModule": {"nctId": nct_id,
                                 "briefTitle": " ".join(rng.sample(WORDS, rng.randint(1, 3)))},
        "statusModule": {"overallStatus": rng.choice(STATUSES),
                         "startDateStruct": {"date": rng.choice(["{}", "{}-06", "{}-01-15"]).format(
                             rng.randint(2000, 2024))},
                         "lastUpdatePostDateStruct": {"date": f"2024-0{rng.randint(1, 9)}-01"}},
        "conditionsModule": {"conditions": [rng.choice(WORDS).capitalize() + " Disease"]},
        "designModule": {"phases": rng.sample(PHASES, rng.randint(0, 2))},
        "contactsLocationsModule": {"locations": sites(rng)}}}
    return Record(nct_id, json.dumps(document, separators=(",", ":")))


SEARCHES = [
    {},
    {"query.term": "heart"},
    {"query.term": "heart OR kidney"},
    {"query.cond": "failure"},
    {"filter.overallStatus": ["RECRUITING"]},
    {"filter.overallStatus": ["RECRUITING", "withdrawn"]},
    {"query.term": "heart", "filter.overallStatus": ["COMPLETED"]},
    {"query.term": "NOT heart AND AREA[Phase]PHASE2"},
    {"query.term": "cells AND AREA[StartDate]RANGE[2010,MAX]"},
    {"filter.advanced": "AREA[StartDate]RANGE[2003-01-15,2011-01]"},
    {"filter.advanced": "AREA[StartDate]RANGE[MIN,2004-12-31] OR AREA[LastUpdatePostDate]RANGE[2024-03-01,2024-03-01]"},
    {"filter.advanced": "NOT AREA[StartDate]RANGE[2005-06,2005-06]"},
    {"query.term": "AREA[Phase]PHASE1 OR AREA[OverallStatus]WITHDRAWN"},
    {"filter.geo": "distance(42.36,-71.06,50mi)"},
    {"filter.geo": "distance(42.5,-71,7km)"},
    {"filter.geo": "distance(-17.7,179.8,90mi)"},  # its box crosses the antimeridian
    {"filter.geo": "distance(78.2,15.6,1500km)"},  # the North Pole is inside
    {"filter.geo": "distance(30,-100,3000mi)"},  # more cells than are looked up one by one
    {"query.term": "heart", "filter.geo": "distance(42.36,-71.06,40mi)"},
    {"query.term": "NOT AREA[LocationGeoPoint]DISTANCE[42.36,-71.06,30mi]"},
]


def listed(store, criteria) -> int:
    """How many studies a listing of every page returns."""
    total, cursor = 0, None
    while True:
        page = store.search(SearchQuery(criteria, limit=1000, cursor=cursor))
        total += len(page.documents)
        if (cursor := page.next_cursor) is None:
            return total


def counted(store, criteria) -> int:
    return store.search(SearchQuery(criteria, limit=1, count_total=True)).total


def kept_sets(store) -> dict[str, BitMap]:
    return sqlite_sets.load(store._connection())


def kept_keys(store) -> set[str]:
    return {key for (key,) in store._connection().execute("SELECT DISTINCT key FROM match_sets")}


@pytest.fixture
def grown(store, monkeypatch):
    """A store of 300 random studies in which every text leaf is kept once counted, its
    sets in chunks of 16 ids (so that writes meet many)."""
    monkeypatch.setattr(sqlite_sets, "TRACK_AT", 1)
    monkeypatch.setattr(sqlite_sets, "CHUNK_BITS", 4)
    rng = random.Random(4)
    store.put([study(number, rng) for number in range(300)])
    return store, rng


@pytest.mark.parametrize("values", SEARCHES, ids=lambda values: json.dumps(values))
def test_counts_equal_listings_through_replacements_and_removals(grown, values):
    store, rng = grown
    criteria = search_criteria(values)
    assert counted(store, criteria) == listed(store, criteria)  # sets made on the way
    assert counted(store, criteria) == listed(store, criteria)  # and read back
    store.put([study(number, rng) for number in rng.sample(range(300), 80)])  # replaced
    store.put([study(number, rng) for number in range(300, 340)])  # added
    store.remove([f"NCT{number:08d}" for number in rng.sample(range(340), 30)])
    assert counted(store, criteria) == listed(store, criteria)


@pytest.mark.sqlite_only  # the SQLite store's match sets
def test_a_common_text_leaf_is_kept_and_a_rare_one_is_not(store, monkeypatch):
    monkeypatch.setattr(sqlite_sets, "TRACK_AT", 50)
    monkeypatch.setattr(sqlite_count, "COSTLY_SECONDS", 60.0)  # none is slow to make here
    rng = random.Random(5)
    store.put([study(number, rng) for number in range(200)])
    counted(store, search_criteria({"query.term": "heart"}))
    counted(store, search_criteria({"query.term": "NCT00000007"}))
    texts = {key for key in kept_keys(store) if key.startswith("text:")}
    assert len(texts) == 1 and "heart" in texts.pop()
    assert any(key.startswith("enum:") for key in kept_keys(store))


@pytest.mark.sqlite_only  # the SQLite store's match sets
def test_a_small_text_set_slow_to_list_is_kept_and_counts_right_after(store, monkeypatch):
    monkeypatch.setattr(sqlite_count, "COSTLY_SECONDS", 0.0)  # every listing is "slow"
    rng = random.Random(5)
    store.put([study(number, rng) for number in range(200)])  # far fewer than TRACK_AT
    criteria = search_criteria({"query.cond": "kidney"})
    assert counted(store, criteria) == listed(store, criteria) > 0
    assert any(key.startswith("text:") and key.endswith(":kidnei") for key in kept_keys(store))
    store.put([study(number, rng) for number in rng.sample(range(200), 50)])
    store.remove([f"NCT{number:08d}" for number in rng.sample(range(200), 20)])
    assert counted(store, criteria) == listed(store, criteria)


@pytest.mark.parametrize("dates", ["RANGE[MIN,1000-06]", "RANGE[0999-05-02,2005-03-20]",
                                   "RANGE[0999,MAX]", "RANGE[1000-01,1000-01]",
                                   "RANGE[2005,MAX]", "RANGE[2005-03-15,2005-03-15]",
                                   "RANGE[2006,2005]"])
def test_date_ranges_count_every_year_of_four_digits(store, dates):
    # Years before 1000 have month keys shorter than the rest.
    store.put([Record(f"NCT{number:08d}", json.dumps({"protocolSection": {
        "identificationModule": {"nctId": f"NCT{number:08d}"},
        "statusModule": {"startDateStruct": {"date": date}}}}))
        for number, date in enumerate(["0999-05", "0999-05-02", "1000-01", "1000-06-30",
                                       "2005-03", "2005-03-15", "2005-03-20", "2006"])])
    criteria = search_criteria({"filter.advanced": f"AREA[StartDate]{dates}"})
    assert counted(store, criteria) == listed(store, criteria)


@pytest.mark.sqlite_only  # the SQLite store's match sets
def test_sets_come_back_from_an_index_rebuild(tmp_path, store):
    rng = random.Random(6)
    store.put([study(number, rng) for number in range(100)])
    before = kept_sets(store)
    store.close()
    type(store).rebuild_index(tmp_path / "store.sqlite3")
    store.__init__(tmp_path / "store.sqlite3")
    assert kept_sets(store) == before


@pytest.mark.sqlite_only  # the SQLite store's match sets
def test_searches_of_the_same_indexed_words_share_one_set(grown):
    store, _ = grown
    for text in ("heart failure", "Heart failures", "HEART FAILURE"):
        criteria = search_criteria({"query.term": f'"{text}"'})
        assert counted(store, criteria) == listed(store, criteria)
    assert len({key for key in kept_keys(store) if key.startswith("text:")}) == 1


@pytest.mark.sqlite_only  # the SQLite store's match sets
def test_after_an_import_the_commonest_words_have_sets_already(store, monkeypatch):
    monkeypatch.setattr(sqlite_sets, "TRACK_AT", 20)
    rng = random.Random(8)
    store.put([study(number, rng) for number in range(150)])
    store.optimize()
    texts = {key for key in kept_keys(store) if key.startswith("text:")}
    assert len(texts) >= 2 * len(WORDS) - 2  # most words, in both areas ("cells" -> "cell")
    before = kept_sets(store)
    for word in WORDS:
        criteria = search_criteria({"query.cond": word})
        assert counted(store, criteria) == listed(store, criteria)
    assert kept_sets(store) == before  # read, not made again


def test_a_schema_5_store_of_an_older_index_layout_is_upgraded_with_index_and_sets(tmp_path):
    path = tmp_path / "store.sqlite3"
    store = SQLiteStore(path)
    rng = random.Random(9)
    store.put([study(number, rng) for number in range(80)])
    criteria = search_criteria({"query.term": "heart", "filter.overallStatus": ["COMPLETED"]})
    expected = listed(store, criteria)
    store.close()
    as_schema_5(path)
    connection = sqlite3.connect(path)
    connection.execute("DROP TABLE match_sets")
    connection.execute("DROP TABLE text_sets")
    connection.execute("DELETE FROM field_values")  # what the older layout had is gone
    connection.execute("UPDATE store_info SET value = 'older' WHERE key = 'index_layout'")
    connection.commit()
    connection.close()
    upgraded = SQLiteStore(path)
    assert listed(upgraded, criteria) == counted(upgraded, criteria) == expected > 0
    upgraded.close()


@pytest.mark.sqlite_only  # the SQLite store's match sets
def test_sets_kept_through_replacements_and_removals_equal_those_rebuilt(tmp_path, store,
                                                                        monkeypatch):
    monkeypatch.setattr(sqlite_sets, "CHUNK_BITS", 4)
    rng = random.Random(10)
    store.put([study(number, rng) for number in range(200)])
    store.put([study(number, rng) for number in rng.sample(range(200), 70)])
    store.remove([f"NCT{number:08d}" for number in rng.sample(range(200), 40)])
    kept = kept_sets(store)
    assert any(key.startswith("cell:") for key in kept)
    chunks = store._connection().execute("SELECT count(*) FROM match_sets").fetchone()[0]
    assert chunks > len(kept)  # sets of several chunks
    store.close()
    type(store).rebuild_index(tmp_path / "store.sqlite3")
    store.__init__(tmp_path / "store.sqlite3")
    assert kept_sets(store) == kept


SETS_OF_SCHEMA_7 = """
CREATE TABLE match_sets (
    key        TEXT PRIMARY KEY,
    members    BLOB NOT NULL,
    expression TEXT
)"""


def as_schema_7(path) -> None:
    """The store at `path` as schema 7 left it: sites in a rowid table with an index by
    place, each match set in one row with its text query, no sets of the grid's cells nor
    of the years."""
    connection = sqlite3.connect(path)
    sites = connection.execute("SELECT study_id, lat, lon FROM geo").fetchall()
    connection.execute("DROP TABLE geo")
    connection.executescript(sqlite_index.GEO_SCHEMA_7)
    connection.executemany("INSERT INTO geo VALUES (?, ?, ?)", sites)
    sets, texts = sqlite_sets.load(connection), sqlite_sets.kept_texts(connection)
    connection.execute("DROP TABLE match_sets")
    connection.execute("DROP TABLE text_sets")
    connection.execute(SETS_OF_SCHEMA_7)
    connection.executemany("INSERT INTO match_sets VALUES (?, ?, ?)", [
        (key, members.serialize(), texts.get(key)) for key, members in sets.items()
        if not key.startswith(("cell:", "year:"))])
    connection.execute("UPDATE store_info SET value = ? WHERE key = 'index_layout'",
                       (sqlite_index.fingerprint_of_schema_7(),))
    connection.execute("UPDATE store_info SET value = '7' WHERE key = 'schema_version'")
    connection.commit()
    connection.close()


def test_a_schema_7_store_gets_its_sites_keyed_by_study_and_its_sets_in_chunks(
        tmp_path, monkeypatch):
    monkeypatch.setattr(sqlite_sets, "TRACK_AT", 1)
    monkeypatch.setattr(sqlite_sets, "CHUNK_BITS", 4)
    path = tmp_path / "store.sqlite3"
    store = SQLiteStore(path)
    store.put([study(number, random.Random(number)) for number in range(120)])
    counted(store, search_criteria({"query.term": "heart"}))  # a text set kept
    before, texts, sites = kept_sets(store), sqlite_sets.kept_texts(store._connection()), \
        store._connection().execute("SELECT * FROM geo ORDER BY 1, 2, 3").fetchall()
    assert texts
    searches = [search_criteria({"filter.geo": "distance(42.36,-71.06,50mi)"}),
                search_criteria({"filter.geo": "distance(-17.7,179.8,20mi)"})]
    expected = [listed(store, criteria) for criteria in searches]
    store.close()
    as_schema_7(path)
    upgraded = SQLiteStore(path)
    connection = upgraded._connection()
    assert kept_sets(upgraded) == before and sqlite_sets.kept_texts(connection) == texts
    assert connection.execute("SELECT * FROM geo ORDER BY 1, 2, 3").fetchall() == sites
    assert {name for (name,) in connection.execute(
        "SELECT name FROM sqlite_master WHERE tbl_name = 'geo'")} == {"geo"}  # no place index
    for criteria, count in zip(searches, expected):
        assert counted(upgraded, criteria) == listed(upgraded, criteria) == count > 0
    assert len(upgraded.history("NCT00000001").versions) == 1  # the history is left as it was
    upgraded.close()


def test_a_schema_8_store_gets_the_years_sets_of_its_dates(tmp_path):
    path = tmp_path / "store.sqlite3"
    store = SQLiteStore(path)
    store.put([study(number, random.Random(number)) for number in range(120)])
    before = kept_sets(store)
    assert any(key.startswith("year:") for key in before)
    criteria = search_criteria({"filter.advanced": "AREA[StartDate]RANGE[2003-02-10,2019]"})
    expected = listed(store, criteria)
    store.close()
    connection = sqlite3.connect(path)  # as schema 8 left it: months' sets, not years'
    connection.execute("DELETE FROM match_sets WHERE key LIKE 'year:%'")
    connection.execute("UPDATE store_info SET value = '8' WHERE key = 'schema_version'")
    connection.commit()
    connection.close()
    upgraded = SQLiteStore(path)
    assert kept_sets(upgraded) == before
    assert counted(upgraded, criteria) == listed(upgraded, criteria) == expected > 0
    assert len(upgraded.history("NCT00000001").versions) == 1  # the history is left as it was
    upgraded.close()

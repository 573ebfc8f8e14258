"""Size statistics, the statistics cache and field selection (api/services/stats.py)."""

import gzip
import json

import pytest

from api.exceptions import NotFound
from api.services import stats
from api.store import Record
from api.store.sqlite import SQLiteStore
from tests.conftest import REAL_RECORDS, SEED, requires_shared


class CountingStore:
    """A real store over `documents`, counting how often the statistics are read."""

    def __init__(self, folder, documents: dict[str, str]):
        self.store = SQLiteStore(folder / f"trials-{id(self)}.sqlite3")
        self.store.put([Record(nct_id, text) for nct_id, text in documents.items()])
        self.scans = 0

    def generation(self):
        return self.store.generation()

    def put(self, records):
        return self.store.put(records)

    def field_statistics(self):
        self.scans += 1
        return self.store.field_statistics()

    def size_statistics(self):
        self.scans += 1
        return self.store.size_statistics()


@pytest.fixture
def stores(tmp_path):
    made = []

    def make(documents):
        made.append(CountingStore(tmp_path, documents))
        return made[-1]
    yield make
    for store in made:
        store.store.close()


@pytest.fixture
def seed_store(stores):
    return lambda: stores({"NCT04325594": SEED.read_text(encoding="utf-8")})


def gzip_size(text: str) -> int:
    return len(gzip.compress(text.encode(), compresslevel=6))


def gzip_stats(stores, texts: dict[str, str]) -> dict:
    return stats.size_stats(stores(texts))


@pytest.mark.parametrize(
    ("size", "label"),
    [
        (0, "0-1KB"),
        (1023, "0-1KB"),
        (1024, "1-2KB"),
        (2047, "1-2KB"),
        (2048, "2-4KB"),
        (5000, "4-8KB"),
        (54262, "32-64KB"),
        (1 << 20, "1024-2048KB"),
    ],
)
def test_sizes_fall_in_doubling_kilobyte_ranges(size, label):
    assert stats.size_range(size) == label


@pytest.mark.parametrize(("rank", "expected"), [(5, 10), (25, 30), (50, 50), (75, 80), (95, 100)])
def test_percentiles_are_nearest_rank(rank, expected):
    ordered = list(range(10, 101, 10))
    assert ordered[stats.percentile_rank(len(ordered), rank)] == expected


@pytest.fixture(scope="module")
def real_texts():
    requires_shared()
    return {path.stem: path.read_text(encoding="utf-8") for path in [SEED, *REAL_RECORDS]}


def test_size_stats_match_a_computation_by_hand(real_texts, stores):
    sizes = {nct_id: gzip_size(text) for nct_id, text in real_texts.items()}
    ordered = sorted(sizes.values())
    result = gzip_stats(stores, real_texts)
    assert result["total_studies"] == len(sizes)
    assert result["average_size_bytes"] == round(sum(ordered) / len(ordered))
    assert result["percentiles"]["50"] == ordered[(len(ordered) + 1) // 2 - 1]
    largest = sorted(sizes.items(), key=lambda pair: (-pair[1], pair[0]))[:10]
    assert result["largest_studies"] == [
        {"id": nct_id, "size_bytes": size} for nct_id, size in largest
    ]
    assert sum(item["studies_count"] for item in result["ranges"]) == len(sizes)


def test_size_ranges_come_smallest_first_and_only_when_occupied(real_texts, stores):
    labels = [item["size_range"] for item in gzip_stats(stores, real_texts)["ranges"]]
    lows = [int(label.split("-")[0]) for label in labels]
    assert lows == sorted(lows) and len(set(lows)) == len(lows)


def test_an_empty_store_has_zero_sizes(stores):
    assert gzip_stats(stores, {}) == {
        "total_studies": 0,
        "average_size_bytes": 0,
        "largest_studies": [],
        "percentiles": {},
        "ranges": [],
    }


def test_statistics_are_computed_once_per_generation(seed_store):
    store = seed_store()
    first = stats.field_values(store, None, ["Phase"])
    assert stats.field_values(store, None, ["Phase"]) == first
    stats.field_sizes(store, None)
    assert store.scans == 1


def test_a_new_generation_means_a_new_scan(seed_store):
    store = seed_store()
    stats.field_values(store, None, ["OverallStatus"])
    document = json.loads(SEED.read_text(encoding="utf-8"))
    document["protocolSection"]["statusModule"]["overallStatus"] = "RECRUITING"
    store.put([Record("NCT04325594", json.dumps(document))])
    status = json.loads(stats.field_values(store, None, ["OverallStatus"]))[0]
    assert status["topValues"] == [{"value": "RECRUITING", "studiesCount": 1}]
    assert store.scans == 2


def test_size_and_field_statistics_are_cached_apart(seed_store):
    store = seed_store()
    stats.size_stats(store)
    stats.size_stats(store)
    assert store.scans == 1
    stats.field_values(store, None, None)
    assert store.scans == 2


def test_each_store_has_its_own_cache(seed_store, stores):
    one, other = seed_store(), stores({})
    stats.size_stats(one)
    assert stats.size_stats(other)["total_studies"] == 0


def test_fields_come_in_the_order_asked_and_once(seed_store):
    items = json.loads(stats.field_values(seed_store(), None, ["Phase", "NCTId", "phase"]))
    assert [item["piece"] for item in items] == ["Phase", "NCTId"]


def test_a_dotted_path_names_a_field_too(seed_store):
    items = json.loads(
        stats.field_values(
            seed_store(), None, ["protocolSection.contactsLocationsModule.locations.city"]
        )
    )
    assert [item["piece"] for item in items] == ["LocationCity"]


def test_types_keep_only_fields_of_those_types(seed_store):
    items = json.loads(stats.field_values(seed_store(), ["BOOLEAN", "INTEGER"], None))
    assert items and {item["type"] for item in items} == {"BOOLEAN", "INTEGER"}


@pytest.mark.parametrize(
    ("call", "name", "message"),
    [
        (stats.field_values, "Foo", "Field 'Foo' not found"),
        (stats.field_values, "ConditionsModule", "Field 'ConditionsModule' is not a leaf field"),
        (stats.field_values, "LocationGeoPoint", "Field 'LocationGeoPoint' is not a leaf field"),
        (stats.field_sizes, "NCTId", "Field 'NCTId' is not a list field"),
        (stats.field_sizes, "protocolSection.nothing", "Field 'protocolSection.nothing' not found"),
    ],
    ids=["unknown", "structure", "geo-point", "not-a-list", "unknown-path"],
)
def test_a_field_without_such_statistics_is_not_found(call, name, message, seed_store):
    args = (None, [name]) if call is stats.field_values else ([name],)
    with pytest.raises(NotFound) as raised:
        call(seed_store(), *args)
    assert raised.value.message == message

"""Field statistics kept in the store, against counts by hand (api/statistics, api/store).

Expected figures are counted here, by hand, with a few lines of plain Python over the parsed
documents: each study's distinct values at a dotted path.
"""

import copy
import json
from collections import Counter

import pytest

from api.statistics import fields
from api.statistics.figures import current, size_item, value_item
from api.store import Record
from api.store.sqlite import SQLiteStore
from tests.conftest import REAL_RECORDS, SEED, requires_shared


def values_at(node, keys: list[str]) -> list:
    """Every value at the dotted path `keys` below `node`, through any lists on the way."""
    if isinstance(node, list):
        return [value for item in node for value in values_at(item, keys)]
    if not keys:
        return [node]
    if isinstance(node, dict) and keys[0] in node:
        return values_at(node[keys[0]], keys[1:])
    return []


def lists_at(node, keys: list[str]) -> list[list]:
    """Every list found at the dotted path `keys` below `node`."""
    if not keys:
        return [node] if isinstance(node, list) else []
    if isinstance(node, list):
        return [found for item in node for found in lists_at(item, keys)]
    if isinstance(node, dict) and keys[0] in node:
        return lists_at(node[keys[0]], keys[1:])
    return []


def per_study(documents, path: str) -> list[set]:
    return [set(values_at(document, path.split("."))) for document in documents]


def scanned(documents, folder) -> tuple:
    """The store's field statistics over `documents` (stored in `folder`), items decoded."""
    store = SQLiteStore(folder / "trials.sqlite3")
    try:
        store.put([Record(doc["protocolSection"]["identificationModule"]["nctId"],
                          json.dumps(doc)) for doc in documents])
        figures = store.field_statistics()
        values = {node.path: json.loads(value_item(node, figures)) for node in fields.leaves()}
        sizes = {node.path: json.loads(size_item(node, figures)) for node in fields.lists()}
    finally:
        store.close()
    return figures, values, sizes


@pytest.fixture(scope="module")
def documents():
    requires_shared()
    paths = sorted({SEED, *REAL_RECORDS}, key=lambda path: path.stem)
    return [json.loads(path.read_text(encoding="utf-8")) for path in paths]


@pytest.fixture(scope="module")
def real(documents, tmp_path_factory):
    return scanned(documents, tmp_path_factory.mktemp("real"))


TEXT_FIELDS = {
    "ENUM": [
        "protocolSection.statusModule.overallStatus",
        "protocolSection.designModule.phases",
        "protocolSection.eligibilityModule.stdAges",
        "protocolSection.contactsLocationsModule.locations.status",
    ],
    "STRING": [
        "protocolSection.contactsLocationsModule.locations.city",
        "protocolSection.conditionsModule.conditions",
        "protocolSection.identificationModule.briefTitle",
        "protocolSection.armsInterventionsModule.interventions.name",
        "protocolSection.eligibilityModule.minimumAge",
    ],
}


@pytest.mark.parametrize(
    ("kind", "path"), [(kind, path) for kind, paths in TEXT_FIELDS.items() for path in paths]
)
def test_enum_and_string_counts_match_a_count_by_hand(real, documents, kind, path):
    studies = per_study(documents, path)
    counts = Counter(value for values in studies for value in values)
    top = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))[:250]
    item = real[1][path]
    assert (item["type"], item["missingStudiesCount"], item["uniqueValuesCount"]) == (
        kind,
        sum(not values for values in studies),
        len(counts),
    )
    assert item["topValues"] == [{"value": value, "studiesCount": count} for value, count in top]


@pytest.mark.parametrize("path", TEXT_FIELDS["STRING"])
def test_the_longest_string_matches_a_search_by_hand(real, documents, path):
    candidates = [
        (len(value), document["protocolSection"]["identificationModule"]["nctId"], value)
        for document in documents
        for value in per_study([document], path)[0]
    ]
    length = max(candidate[0] for candidate in candidates)
    nct_id, value = min((c[1], c[2]) for c in candidates if c[0] == length)
    assert real[1][path]["longest"] == {"length": length, "nctId": nct_id, "value": value}


@pytest.mark.parametrize(
    "path",
    [
        "protocolSection.statusModule.startDateStruct.date",
        "protocolSection.statusModule.studyFirstPostDateStruct.date",
    ],
)
def test_dates_match_a_count_by_hand(real, documents, path):
    values = [value for values in per_study(documents, path) for value in values]
    item = real[1][path]
    assert (item["type"], item["min"], item["max"]) == ("DATE", min(values), max(values))
    assert set(item["formats"]) == {
        {4: "yyyy", 7: "yyyy-MM", 10: "yyyy-MM-dd"}[len(value)] for value in values
    }


@pytest.mark.parametrize(
    ("kind", "path"),
    [
        ("INTEGER", "protocolSection.designModule.enrollmentInfo.count"),
        ("INTEGER", "resultsSection.adverseEventsModule.seriousEvents.stats.numAffected"),
        ("NUMBER", "derivedSection.miscInfoModule.modelPredictions.bmiLimits.minBmi"),
    ],
)
def test_numbers_match_a_count_by_hand(real, documents, kind, path):
    studies = per_study(documents, path)
    values = [value for values in studies for value in values]
    item = real[1][path]
    assert item == {
        "type": kind,
        "piece": item["piece"],
        "field": path,
        "missingStudiesCount": sum(not values for values in studies),
        "min": min(values),
        "max": max(values),
        "avg": sum(values) / len(values),
    }


@pytest.mark.parametrize(
    "path",
    [
        "protocolSection.eligibilityModule.healthyVolunteers",
        "protocolSection.oversightModule.oversightHasDmc",
        "hasResults",
    ],
)
def test_booleans_match_a_count_by_hand(real, documents, path):
    studies = per_study(documents, path)
    item = real[1][path]
    assert (item["type"], item["trueCount"], item["falseCount"], item["missingStudiesCount"]) == (
        "BOOLEAN",
        sum(True in values for values in studies),
        sum(False in values for values in studies),
        sum(not values for values in studies),
    )


@pytest.mark.parametrize(
    "path",
    [
        "protocolSection.contactsLocationsModule.locations",
        "protocolSection.conditionsModule.conditions",
        "protocolSection.designModule.phases",
        "protocolSection.armsInterventionsModule.armGroups.interventionNames",
    ],
)
def test_list_sizes_match_a_count_by_hand(real, documents, path):
    studies = [
        {len(found) for found in lists_at(document, path.split("."))} for document in documents
    ]
    counts = Counter(size for sizes in studies for size in sizes)
    item = real[2][path]
    assert item["uniqueSizesCount"] == len(counts)
    assert (item["minSize"], item["maxSize"]) == (min(counts), max(counts))
    assert item["topSizes"] == [
        {"size": size, "studiesCount": count}
        for size, count in sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
    ]


def test_every_document_is_counted(real, documents):
    assert real[0].total == len(documents)


def test_geo_points_have_no_value_statistics(real):
    assert not [path for path in real[1] if path.endswith(".geoPoint")]


def test_historic_fields_are_left_out_of_the_default_selection(real):
    assert "derivedSection.miscInfoModule.modelPredictions.bmiLimits.minBmi" in real[1]
    assert not [path for path in current(fields.leaves()) if ".modelPredictions." in path]


@pytest.fixture
def seed():
    return json.loads(SEED.read_text(encoding="utf-8"))


def test_two_sites_in_one_city_count_once(seed, tmp_path):
    locations = seed["protocolSection"]["contactsLocationsModule"]["locations"]
    locations.append(copy.deepcopy(locations[0]) | {"facility": "Another hospital"})
    _, values, _ = scanned([seed], tmp_path)
    city = values["protocolSection.contactsLocationsModule.locations.city"]
    assert city["topValues"] == [{"value": "Taraz", "studiesCount": 1}]


def test_a_field_no_study_has_is_missing_everywhere(seed, tmp_path):
    _, values, _ = scanned([seed], tmp_path)
    assert values["protocolSection.statusModule.lastKnownStatus"] == {
        "type": "ENUM",
        "piece": "LastKnownStatus",
        "field": "protocolSection.statusModule.lastKnownStatus",
        "missingStudiesCount": 1,
        "uniqueValuesCount": 0,
        "topValues": [],
    }


def test_an_empty_list_has_size_zero(seed, tmp_path):
    seed["protocolSection"]["conditionsModule"]["keywords"] = []
    _, values, sizes = scanned([seed], tmp_path)
    assert sizes["protocolSection.conditionsModule.keywords"]["topSizes"] == [
        {"size": 0, "studiesCount": 1}
    ]
    assert values["protocolSection.conditionsModule.keywords"]["missingStudiesCount"] == 1


def test_no_documents_give_empty_statistics(tmp_path):
    stats, values, sizes = scanned([], tmp_path)
    assert stats.total == 0
    assert values["protocolSection.designModule.enrollmentInfo.count"] == {
        "type": "INTEGER",
        "piece": "EnrollmentCount",
        "field": "protocolSection.designModule.enrollmentInfo.count",
        "missingStudiesCount": 0,
    }
    assert sizes["protocolSection.designModule.phases"] == {
        "field": "protocolSection.designModule.phases",
        "piece": "Phase",
        "uniqueSizesCount": 0,
        "topSizes": [],
    }

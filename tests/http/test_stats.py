"""`GET /stats/size`, `/stats/field/values` (and its old path `/stats/fieldValues`),
`/stats/field/sizes`."""

import copy
import gzip
import json

import pytest

from api.resources.stats.schemas import STATS_SCHEMAS, GzipStatsSchema, ListSizesSchema
from api.store import Record
from tests.conftest import SEED

VALUES = "/api/v2/stats/field/values"
SIZES = "/api/v2/stats/field/sizes"
SIZE = "/api/v2/stats/size"
STATS = [SIZE, VALUES, SIZES]


def variant(nct_id: str, city: str, sites: int = 1) -> Record:
    """The seed study under another NCT id, with `sites` locations in `city`."""
    document = json.loads(SEED.read_text(encoding="utf-8"))
    document["protocolSection"]["identificationModule"]["nctId"] = nct_id
    locations = document["protocolSection"]["contactsLocationsModule"]["locations"]
    locations[:] = [
        copy.deepcopy(locations[0]) | {"city": city, "facility": f"Site {n}"} for n in range(sites)
    ]
    return Record(nct_id, json.dumps(document, ensure_ascii=False, separators=(",", ":")))


@pytest.fixture
def three_studies(store):
    """The seed (one site in Taraz), a study with two sites in Taraz, one in Almaty."""
    store.put([variant("NCT90000001", "Taraz", sites=2), variant("NCT90000002", "Almaty")])
    return store


def get_json(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.text
    assert response.content_type == "application/json"
    return response.json


def test_size_stats_describe_the_stored_studies(client, three_studies):
    sizes = {
        nct_id: len(gzip.compress(text if isinstance(text, bytes) else text.encode(), 6))
        for nct_id, text in three_studies.iter_documents()
    }
    result = get_json(client, SIZE)
    assert result["totalStudies"] == 3
    assert result["averageSizeBytes"] == round(sum(sizes.values()) / 3)
    assert result["largestStudies"] == [
        {"id": nct_id, "sizeBytes": size}
        for nct_id, size in sorted(sizes.items(), key=lambda pair: (-pair[1], pair[0]))
    ]
    assert list(result["percentiles"]) == ["5", "25", "50", "75", "95"]
    GzipStatsSchema().load(result)


def test_a_value_counts_once_per_study(client, three_studies):
    (city,) = get_json(client, f"{VALUES}?fields=LocationCity")
    assert city["topValues"] == [
        {"value": "Taraz", "studiesCount": 2},
        {"value": "Almaty", "studiesCount": 1},
    ]
    assert (city["uniqueValuesCount"], city["missingStudiesCount"]) == (2, 0)


def test_value_items_start_with_type_piece_field_and_missing_count(client):
    (phase,) = get_json(client, f"{VALUES}?fields=Phase")
    assert list(phase)[:4] == ["type", "piece", "field", "missingStudiesCount"]
    assert (phase["type"], phase["field"]) == ("ENUM", "protocolSection.designModule.phases")


@pytest.mark.parametrize("separator", [",", "|"])
def test_fields_and_types_take_commas_or_pipes(client, separator):
    items = get_json(
        client,
        f"{VALUES}?fields=Phase{separator}HealthyVolunteers{separator}"
        f"EnrollmentCount&types=ENUM{separator}BOOLEAN",
    )
    assert [item["piece"] for item in items] == ["Phase", "HealthyVolunteers"]


def test_without_fields_every_current_leaf_field_is_covered(client):
    items = get_json(client, VALUES)
    pieces = {item["piece"] for item in items}
    assert {"NCTId", "OverallStatus", "StartDate", "EnrollmentCount", "HasResults"} <= pieces
    assert "MinBmi" not in pieces  # historic only
    assert "LocationGeoPoint" not in pieces


def test_every_value_item_has_its_type_s_documented_shape(client):
    for item in get_json(client, VALUES):
        # Loading with the response schema fails on any undocumented key.
        STATS_SCHEMAS[item["type"]]().load(item)


def test_the_old_path_answers_like_the_new_one(client):
    assert get_json(client, "/api/v2/stats/fieldValues?fields=Phase") == get_json(
        client, f"{VALUES}?fields=Phase"
    )


def test_list_sizes_count_each_size_once_per_study(client, three_studies):
    (locations,) = get_json(client, f"{SIZES}?fields=Location")
    assert locations == {
        "field": "protocolSection.contactsLocationsModule.locations",
        "piece": "Location",
        "uniqueSizesCount": 2,
        "minSize": 1,
        "maxSize": 2,
        "topSizes": [{"size": 1, "studiesCount": 2}, {"size": 2, "studiesCount": 1}],
    }


def test_without_fields_every_current_list_field_is_covered(client):
    items = get_json(client, SIZES)
    assert {"Location", "Condition", "Phase", "ArmGroupInterventionName"} <= {
        item["piece"] for item in items
    }
    ListSizesSchema(many=True).load(items)


def test_statistics_follow_a_change_of_the_data(client, store):
    assert get_json(client, SIZE)["totalStudies"] == 1
    store.put([variant("NCT90000003", "Shymkent")])  # within the same second, too
    assert get_json(client, SIZE)["totalStudies"] == 2
    (city,) = get_json(client, f"{VALUES}?fields=LocationCity")
    assert {"value": "Shymkent", "studiesCount": 1} in city["topValues"]


def test_repeated_requests_do_not_scan_the_store_again(client, store, monkeypatch):
    get_json(client, VALUES)
    get_json(client, SIZE)

    def no_scan():
        raise AssertionError("the store was scanned again")

    monkeypatch.setattr(store, "iter_documents", no_scan)
    get_json(client, VALUES)
    get_json(client, SIZES)
    get_json(client, SIZE)


@pytest.mark.parametrize("url", STATS)
@pytest.mark.parametrize(
    "parameter", ["query.cond", "filter.overallStatus", "postFilter.ids", "query.term"]
)
def test_search_parameters_are_refused_by_prefix(client, url, parameter):
    response = client.get(f"{url}?{parameter}=x")
    assert (response.status_code, response.text) == (
        400,
        f"Invalid prefix in parameter name: {parameter}",
    )
    assert response.content_type.startswith("text/plain")


@pytest.mark.parametrize("url", STATS)
@pytest.mark.parametrize("parameter", ["aggFilters", "bogusParam", "pageSize"])
def test_other_unknown_parameters_are_refused_by_name(client, url, parameter):
    response = client.get(f"{url}?{parameter}=x")
    assert (response.status_code, response.text) == (400, f"`{parameter}` is unknown parameter")


def test_an_empty_type_item_is_left_out(client):
    assert client.get(f"{VALUES}?types=ENUM,").data == client.get(f"{VALUES}?types=ENUM").data


@pytest.mark.parametrize("value", ["TEXT", "enum"])
def test_a_type_that_is_not_a_field_stats_type_is_refused(client, value):
    response = client.get(f"{VALUES}?types=ENUM,{value}")
    assert (response.status_code, response.text) == (
        400,
        f"Invalid value in parameter `types`: `{value}`",
    )


@pytest.mark.parametrize(
    ("url", "name", "message"),
    [
        (VALUES, "Foo", "Field 'Foo' not found"),
        (VALUES, "ConditionsModule", "Field 'ConditionsModule' is not a leaf field"),
        (SIZES, "Foo", "Field 'Foo' not found"),
        (SIZES, "NCTId", "Field 'NCTId' is not a list field"),
    ],
    ids=["values-unknown", "values-structure", "sizes-unknown", "sizes-not-a-list"],
)
def test_a_field_without_such_statistics_is_404(client, url, name, message):
    response = client.get(f"{url}?fields=Phase,{name}")
    assert (response.status_code, response.text) == (404, message)
    assert response.content_type.startswith("text/plain")


@pytest.mark.parametrize("url", STATS)
def test_stats_are_open_to_any_origin(client, url):
    assert client.get(url).headers["Access-Control-Allow-Origin"] == "*"

"""The stats endpoints over the 22 real registry records and the seed (../shared, read at
test time)."""

import pytest

from api.resources.stats.schemas import STATS_SCHEMAS, GzipStatsSchema, ListSizesSchema
from tests.conformance.conftest import LOADED
from tests.conftest import REFERENCE, requires_shared

pytestmark = pytest.mark.conformance



def test_size_stats_count_every_record(loaded_client):
    sizes = GzipStatsSchema().load(loaded_client.get("/api/v2/stats/size").json)
    assert sizes["total_studies"] == len(LOADED)
    assert sum(item["studies_count"] for item in sizes["ranges"]) == len(LOADED)
    assert len(sizes["largest_studies"]) == 10


def test_every_value_statistic_has_its_type_s_documented_shape(loaded_client):
    items = loaded_client.get("/api/v2/stats/field/values").json
    assert {item["type"] for item in items} == set(STATS_SCHEMAS)
    for item in items:
        STATS_SCHEMAS[item["type"]]().load(item)
        assert 0 <= item["missingStudiesCount"] <= len(LOADED)


def test_every_list_size_statistic_has_the_documented_shape(loaded_client):
    ListSizesSchema(many=True).load(loaded_client.get("/api/v2/stats/field/sizes").json)


def test_the_registry_s_example_field_answers_in_its_shape(loaded_client):
    # REFERENCE.md §13 quotes the registry's item for StdAge.
    (item,) = loaded_client.get("/api/v2/stats/field/values?fields=StdAge").json
    assert list(item) == [
        "type",
        "piece",
        "field",
        "missingStudiesCount",
        "uniqueValuesCount",
        "topValues",
    ]
    assert (item["type"], item["field"]) == ("ENUM", "protocolSection.eligibilityModule.stdAges")


@pytest.fixture(scope="module")
def spec_components():
    requires_shared()
    yaml = pytest.importorskip("yaml")
    spec = (REFERENCE / "ctgov-api-v2" / "ctg-oas-v2.yaml").read_text()
    return yaml.safe_load(spec)["components"]["schemas"]


@pytest.mark.parametrize(
    "name",
    [
        "GzipStats",
        "StudySize",
        "DistItem",
        "EnumStats",
        "StringStats",
        "DateStats",
        "IntegerStats",
        "NumberStats",
        "BooleanStats",
        "ValueCount",
        "LongestString",
        "ListSizes",
        "ListSize",
    ],
)
def test_documented_components_have_the_spec_s_properties(client, spec_components, name):
    ours = client.get("/api/oas/v2").json["components"]["schemas"][name]
    expected = spec_components[name]
    assert set(ours["properties"]) == set(expected["properties"])
    assert sorted(ours.get("required", [])) == sorted(expected.get("required", []))


def test_field_values_stats_is_any_of_the_six_kinds(client, spec_components):
    ours = client.get("/api/oas/v2").json["components"]["schemas"]["FieldValuesStats"]
    assert ours["anyOf"] == spec_components["FieldValuesStats"]["anyOf"]

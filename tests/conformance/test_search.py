"""GET /api/v2/studies over the 22 real registry records (and the seed).

Expected results are computed here from the record files with plain Python, not with the
server's code.
"""

import json
import re

import pytest

from tests.conftest import REAL_RECORDS, SEED, read_json, requires_shared

pytestmark = pytest.mark.conformance


@pytest.fixture(scope="module")
def records():
    requires_shared()
    return {path.stem: read_json(path) for path in [*REAL_RECORDS, SEED]}



def ids(client, **params) -> list[str]:
    response = client.get("/api/v2/studies", query_string={"pageSize": 1000, **params})
    assert response.status_code == 200, response.text
    return [study["protocolSection"]["identificationModule"]["nctId"]
            for study in response.json["studies"]]


def where(records, test) -> set[str]:
    return {nct_id for nct_id, record in records.items() if test(record)}


def protocol(record, module):
    return record["protocolSection"].get(module, {})


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def test_no_criteria_lists_every_study(loaded_client, records):
    assert sorted(ids(loaded_client)) == sorted(records)


@pytest.mark.parametrize("statuses", [["RECRUITING"], ["COMPLETED", "TERMINATED"], ["WITHHELD"]])
def test_status_filter(loaded_client, records, statuses):
    expected = where(records, lambda r: protocol(r, "statusModule")["overallStatus"] in statuses)
    assert set(ids(loaded_client, **{"filter.overallStatus": ",".join(statuses)})) == expected


def test_post_filter_is_the_same_filter(loaded_client):
    assert ids(loaded_client, **{"postFilter.overallStatus": "COMPLETED"}) == ids(
        loaded_client, **{"filter.overallStatus": "COMPLETED"})


@pytest.mark.parametrize("word", ["cancer", "diabetes", "heart", "asthma"])
def test_condition_search_finds_the_condition_words(loaded_client, records, word):
    def mentions(record):
        conditions = protocol(record, "conditionsModule")
        texts = [*conditions.get("conditions", []), *conditions.get("keywords", []),
                 protocol(record, "identificationModule").get("briefTitle", ""),
                 protocol(record, "identificationModule").get("officialTitle", "")]
        browse = record.get("derivedSection", {}).get("conditionBrowseModule", {})
        texts += [mesh["term"] for key in ("meshes", "ancestors") for mesh in browse.get(key, [])]
        return any(word in words(text) or word + "s" in words(text) for text in texts)

    found = set(ids(loaded_client, **{"query.cond": word}))
    assert found == where(records, mentions)


def test_a_word_absent_everywhere_matches_nothing(loaded_client):
    assert ids(loaded_client, **{"query.term": "xylophonist"}) == []


def test_phrases_need_the_words_together(loaded_client, records):
    found = set(ids(loaded_client, **{"query.term": '"heart failure"'}))
    assert "NCT04325594" in found
    assert all("heart failure" in json.dumps(records[nct_id]).lower() for nct_id in found)


def test_boolean_operators(loaded_client):
    heart = set(ids(loaded_client, **{"query.term": "heart"}))
    cancer = set(ids(loaded_client, **{"query.term": "cancer"}))
    assert set(ids(loaded_client, **{"query.term": "heart OR cancer"})) == heart | cancer
    assert set(ids(loaded_client, **{"query.term": "heart AND cancer"})) == heart & cancer
    assert set(ids(loaded_client, **{"query.term": "heart AND NOT cancer"})) == heart - cancer
    assert set(ids(loaded_client, **{"query.term": "(heart OR cancer) AND NOT cancer"})) == heart - cancer


def test_nct_ids_in_a_query_ignore_the_filters(loaded_client):
    found = ids(loaded_client, **{"query.term": "NCT04325594 NCT00184067",
                           "filter.overallStatus": "RECRUITING"})
    assert sorted(found) == ["NCT00184067", "NCT04325594"]


def test_ids_filter_matches_ids(loaded_client):
    assert sorted(ids(loaded_client, **{"filter.ids": "NCT00184067|nct4325594"})) == [
        "NCT00184067", "NCT04325594"]
    assert ids(loaded_client, **{"filter.ids": "NCT99999999"}) == []


def test_area_of_an_enum_piece(loaded_client, records):
    expected = where(records, lambda r: "PHASE3" in protocol(r, "designModule").get("phases", []))
    assert set(ids(loaded_client, **{"filter.advanced": "AREA[Phase]PHASE3"})) == expected


def test_range_over_dates(loaded_client, records):
    def started_2020_or_later(record):
        date = protocol(record, "statusModule").get("startDateStruct", {}).get("date")
        return date is not None and date[:4] >= "2020"

    found = set(ids(loaded_client, **{"filter.advanced": "AREA[StartDate]RANGE[2020-01-01, MAX]"}))
    assert found == where(records, started_2020_or_later)


def test_range_over_ages(loaded_client, records):
    def minimum_age_years(record):
        age = protocol(record, "eligibilityModule").get("minimumAge")
        if age is None:
            return None
        number, unit = age.split()
        return int(number) / {"Years": 1, "Year": 1, "Months": 12, "Month": 12}.get(unit, 365)

    found = set(ids(loaded_client, **{"filter.advanced": "AREA[MinimumAge]RANGE[MIN, 17 years]"}))
    assert found == where(records, lambda r: (minimum_age_years(r) or 99) <= 17)


def test_missing(loaded_client, records):
    found = set(ids(loaded_client, **{"filter.advanced": "AREA[ResultsFirstPostDate]MISSING"}))
    assert found == where(
        records, lambda r: "resultsFirstPostDateStruct" not in protocol(r, "statusModule"))


def test_date_prefix_matches_partial_dates(loaded_client, records):
    found = set(ids(loaded_client, **{"filter.advanced": "AREA[StartDate]2020"}))
    assert found == where(records, lambda r: protocol(r, "statusModule").get(
        "startDateStruct", {}).get("date", "").startswith("2020"))


def test_geo_distance(loaded_client, records):
    def near_bethesda(record):
        sites = protocol(record, "contactsLocationsModule").get("locations", [])
        return any(abs(site.get("geoPoint", {}).get("lat", 0) - 39.0) < 0.8
                   and abs(site.get("geoPoint", {}).get("lon", 0) + 77.1) < 1.0 for site in sites)

    found = set(ids(loaded_client, **{"filter.geo": "distance(39.0035707,-77.1013313,50mi)"}))
    assert found == where(records, near_bethesda) and found


@pytest.mark.parametrize(("facet", "test"), [
    ("results:with", lambda r: r["hasResults"]),
    ("results:without", lambda r: not r["hasResults"]),
    ("studyType:obs", lambda r: protocol(r, "designModule")["studyType"] == "OBSERVATIONAL"),
    ("phase:2 3", lambda r: {"PHASE2", "PHASE3"} & set(protocol(r, "designModule").get("phases", []))),
    ("status:com,results:with", lambda r: r["hasResults"]
     and protocol(r, "statusModule")["overallStatus"] == "COMPLETED"),
    ("phase:na", lambda r: False),  # option keys are case-sensitive: matches nothing
])
def test_agg_filters(loaded_client, records, facet, test):
    assert set(ids(loaded_client, aggFilters=facet)) == where(records, test)


@pytest.mark.parametrize("piece", ["LastUpdatePostDate", "StartDate"])
def test_sort_by_date_descending_missing_last(loaded_client, records, piece):
    path = {"LastUpdatePostDate": ("statusModule", "lastUpdatePostDateStruct"),
            "StartDate": ("statusModule", "startDateStruct")}[piece]

    def date(nct_id):
        return protocol(records[nct_id], path[0]).get(path[1], {}).get("date")

    found = ids(loaded_client, sort=piece)
    dated = [date(nct_id) for nct_id in found if date(nct_id)]
    assert dated == sorted(dated, reverse=True)
    assert [date(nct_id) for nct_id in found][len(dated):] == [None] * (len(found) - len(dated))


def test_sort_by_number_ascending_then_second_key(loaded_client, records):
    found = ids(loaded_client, sort="EnrollmentCount,LastUpdatePostDate:asc")
    counts = [protocol(records[n], "designModule").get("enrollmentInfo", {}).get("count")
              for n in found]
    present = [count for count in counts if count is not None]
    assert present == sorted(present)


def test_relevance_ranks_title_matches_first(loaded_client):
    found = ids(loaded_client, **{"query.term": "cancer", "sort": "@relevance"})
    assert set(found) == set(ids(loaded_client, **{"query.term": "cancer"}))
    assert found == ids(loaded_client, **{"query.term": "cancer", "sort": "@relevance:desc"})
    assert found != ids(loaded_client, **{"query.term": "cancer", "sort": "@relevance:asc"})

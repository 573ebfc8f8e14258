"""`search_studies`, `count_studies` and `find_eligible` on the records, over each transport."""

import pytest

from tests.mcp import expected


def all_pages(mcp, tool: str, arguments: dict) -> tuple[list[dict], int]:
    """Every study of a search, page after page, and the first page's total."""
    page = mcp.answer(tool, arguments)
    studies, total = page["studies"], page["totalCount"]
    while "nextPageToken" in page and page["nextPageToken"]:
        page = mcp.answer(tool, arguments | {"page_token": page["nextPageToken"]})
        studies += page["studies"]
    return studies, total


def ids(studies: list[dict]) -> set[str]:
    return {study["nctId"] for study in studies}


def test_pages_of_summaries_cover_every_record_as_it_reads(mcp, records):
    studies, total = all_pages(mcp, "search_studies", {"page_size": 5})
    assert total == len(records) == len(studies)
    for study in studies:
        wanted = expected.summary(records[study["nctId"]])
        assert {key: study.get(key) for key in wanted} == wanted


@pytest.mark.parametrize("status", ["RECRUITING", "COMPLETED"])
def test_status_keeps_the_studies_of_that_status(mcp, records, status):
    studies, total = all_pages(mcp, "search_studies", {"status": [status]})
    wanted = {nct_id for nct_id, record in records.items()
              if expected.protocol(record)["statusModule"]["overallStatus"] == status}
    assert ids(studies) == wanted and total == len(wanted)


@pytest.mark.parametrize("phases", [["PHASE2"], ["PHASE1", "PHASE3"]])
def test_phase_keeps_the_studies_of_any_of_those_phases(mcp, records, phases):
    studies, _ = all_pages(mcp, "search_studies", {"phase": phases})
    wanted = {nct_id for nct_id, record in records.items()
              if set(expected.summary(record)["phases"]) & set(phases)}
    assert ids(studies) == wanted


def test_condition_finds_the_study_it_names(mcp, records):
    for nct_id, record in records.items():
        condition = expected.summary(record)["conditions"][0]
        studies, _ = all_pages(mcp, "search_studies", {"condition": f'"{condition}"'})
        assert nct_id in ids(studies)


def test_near_keeps_studies_with_a_site_that_near(mcp, records):
    site = next(site for record in records.values() for site in expected.sites(record)
                if "geoPoint" in site)
    lat, lon = site["geoPoint"]["lat"], site["geoPoint"]["lon"]
    near = {"latitude": lat, "longitude": lon, "distance": "100km"}
    studies, _ = all_pages(mcp, "search_studies", {"near": near})
    wanted = {nct_id for nct_id, record in records.items()
              if any("geoPoint" in s and expected.kilometres(
                  lat, lon, s["geoPoint"]["lat"], s["geoPoint"]["lon"]) <= 100
                     for s in expected.sites(record))}
    assert ids(studies) == wanted and wanted


@pytest.mark.parametrize("arguments", [{}, {"status": ["RECRUITING"]}, {"phase": ["PHASE2"]},
                                       {"condition": "cancer"}, {"terms": "covid"}],
                         ids=["all", "status", "phase", "condition", "terms"])
def test_count_is_what_the_search_finds(mcp, arguments):
    studies, total = all_pages(mcp, "search_studies", arguments | {"page_size": 100})
    assert mcp.answer("count_studies", arguments) == {"totalCount": len(studies)}
    assert total == len(studies)


@pytest.mark.parametrize("age", [10, 16, 45, 75])
@pytest.mark.parametrize("sex", [None, "FEMALE", "MALE"])
@pytest.mark.parametrize("healthy", [False, True])
def test_eligible_studies_are_the_recruiting_ones_that_admit_the_person(mcp, records, age, sex,
                                                                       healthy):
    arguments = {"age": f"{age} years", "healthy_volunteer": healthy, "page_size": 100}
    if sex is not None:
        arguments["sex"] = sex
    answer = mcp.answer("find_eligible", arguments)
    wanted = {nct_id for nct_id, record in records.items()
              if expected.admits(record, age, sex, healthy)}
    assert ids(answer["studies"]) == wanted and answer["totalCount"] == len(wanted)
    for study in answer["studies"]:
        eligibility = expected.protocol(records[study["nctId"]])["eligibilityModule"]
        assert study["eligibility"]["eligibilityCriteria"] == eligibility["eligibilityCriteria"]
        assert study["eligibility"].get("maximumAge") == eligibility.get("maximumAge")


def test_a_study_without_a_maximum_age_is_not_dropped_for_it(mcp, records):
    open_ended = {nct_id for nct_id, record in records.items()
                  if expected.admits(record, 90, None, False)
                  and "maximumAge" not in expected.protocol(record)["eligibilityModule"]}
    answer = mcp.answer("find_eligible", {"age": "90 years", "page_size": 100})
    assert open_ended and open_ended <= ids(answer["studies"])


def test_eligible_studies_narrow_by_condition(mcp, records):
    record = next(record for record in records.values()
                  if expected.admits(record, 40, None, False))
    condition = expected.summary(record)["conditions"][0]
    answer = mcp.answer("find_eligible", {"age": "40 years", "condition": f'"{condition}"'})
    assert expected.summary(record)["nctId"] in ids(answer["studies"])
    assert all(expected.admits(records[nct_id], 40, None, False)
               for nct_id in ids(answer["studies"]))

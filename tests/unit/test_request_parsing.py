"""Requests parsed at the edge into typed requests: no app, just the schemas and the loader."""

import pytest
from werkzeug.datastructures import MultiDict

from api import query
from api.exceptions import InvalidRequest
from api.resources.studies.schemas import FetchStudyQuery, ListStudiesQuery
from api.search import criteria as c
from api.services.requests import Output, SearchRequest

LIST = ListStudiesQuery()


def search(*pairs) -> SearchRequest:
    return query.load(LIST, [MultiDict(pairs)])


def refusal(schema, *pairs) -> str:
    with pytest.raises(InvalidRequest) as raised:
        query.load(schema, [MultiDict(pairs)])
    return raised.value.message


def test_no_parameters_is_every_study_ten_at_a_time():
    assert search() == SearchRequest()


@pytest.mark.parametrize("name", ["query.term", "query.cond", "fields", "sort", "pageToken",
                                  "filter.overallStatus", "filter.ids", "filter.geo",
                                  "filter.advanced", "aggFilters", "countTotal", "pageSize",
                                  "format", "markupFormat"])
@pytest.mark.parametrize("empty", ["", " "])
def test_an_empty_value_is_as_if_not_given(name, empty):
    assert search((name, empty)) == search()


def test_empty_list_items_are_dropped():
    assert search(("fields", "NCTId,,|"), ("fields", "")) == search(("fields", "NCTId"))


def test_a_list_parameter_takes_commas_pipes_and_repeats_alike():
    expected = search(("filter.overallStatus", "COMPLETED,RECRUITING"))
    assert search(("filter.overallStatus", "COMPLETED|RECRUITING")) == expected
    assert search(("filter.overallStatus", "COMPLETED"),
                  ("filter.overallStatus", "RECRUITING")) == expected


def test_the_page_size_rules_are_applied_once():
    assert search(("pageSize", "0")).page_size == 10
    assert search(("pageSize", "5000")).page_size == 1000
    assert refusal(LIST, ("pageSize", "-1")) == "Invalid value in parameter `pageSize`: `-1`"


@pytest.mark.parametrize(("text", "value"), [("true", True), ("FALSE", False), ("yes", True)])
def test_booleans_are_read_one_way(text, value):
    assert search(("countTotal", text)).count_total is value


def test_an_unknown_name_is_refused_before_any_value():
    message = refusal(LIST, ("pageSize", "x"), ("filter.phase", "PHASE3"))
    assert message == "`filter.phase` is unknown parameter"


def test_fields_are_resolved_for_the_format_before_any_store_work():
    csv = search(("format", "csv"), ("fields", "NCT Number|phases"))
    assert csv.output == Output("csv", "markdown", ("NCT Number", "Phases"))
    message = refusal(LIST, ("format", "csv"), ("fields", "NCTId"))
    assert message == "Parameter 'fields' contains invalid CSV column name: 'NCTId'"


def test_at_query_stands_for_the_areas_searched():
    request = search(("query.titles", "heart"), ("fields", "@query"))
    assert request.output.selection == query.load(LIST, [MultiDict(
        [("fields", "TitleSearch")])]).output.selection


def test_fhir_takes_no_fields_and_a_study_no_at_query():
    fhir = refusal(FetchStudyQuery(), ("format", "fhir.json"), ("fields", "NCTId"))
    assert fhir.startswith("Parameter 'fields' must not be specified with format 'fhir.json'")
    assert refusal(FetchStudyQuery(), ("fields", "@query")) == (
        "Parameter 'fields' contains invalid field name: '@query'")


def test_only_nct_numbers_in_a_query_ignore_the_filters():
    request = search(("query.id", "nct4325594, NCT1"), ("filter.overallStatus", "COMPLETED"))
    assert request.criteria == c.IdsMatch(("NCT04325594", "NCT00000001"))


def test_the_fingerprint_is_the_parsed_request_not_its_spelling():
    one = search(("fields", "NCTId,BriefTitle"), ("query.term", "heart"), ("pageSize", "3"))
    two = search(("fields", "NCTId|BriefTitle"), ("query.term", "heart"), ("query.cond", ""),
                 ("countTotal", "true"))
    other = search(("fields", "NCTId"), ("query.term", "heart"))
    assert one.fingerprint == two.fingerprint != other.fingerprint


def test_filter_ids_are_canonical_once_and_listed_once():
    request = search(("filter.ids", "nct4325594,NCT04325594,NCT004325594"))
    assert request.criteria == c.IdsMatch(("NCT04325594",))
    assert refusal(LIST, ("filter.ids", "NCT1,bad")) == (
        "Item 2 in parameter `filter.ids` has incorrect format")

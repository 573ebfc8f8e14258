"""Essie parsing is bounded, and values are checked as the registry types them."""

import sys

import pytest

from api.exceptions import InvalidRequest
from api.search import criteria as c
from api.search import filters
from api.search.essie import LIMITS, EssieError, LimitExceeded, parse

DEPTH = LIMITS.depth


def nested(depth: int) -> str:
    return "(" * depth + "heart" + ")" * depth


@pytest.mark.parametrize("query", [
    nested(DEPTH), "NOT " * DEPTH + "heart", "AREA[BasicSearch]" * DEPTH + "heart",
    " AND ".join(["w"] * (LIMITS.items // 2)), "w" * LIMITS.chars,
    # REFERENCE.md §3 and §7 examples
    "AREA[LastUpdatePostDate]RANGE[2023-01-15,MAX]",
    "AREA[MinimumAge]RANGE[MIN, 16 years] AND AREA[MaximumAge]RANGE[16 years, MAX]",
    'SEARCH[Location](AREA[LocationCity]Portland AND AREA[LocationState]Maine)',
    "COVERAGE[FullMatch]\"heart failure\" OR EXPANSION[None](cancer AND NOT lung)",
])
def test_queries_at_the_limits_parse(query):
    parse(query)


@pytest.mark.parametrize(("query", "limit"), [
    (nested(DEPTH + 1), "levels"), ("NOT " * (DEPTH + 1) + "heart", "levels"),
    ("AREA[BasicSearch]" * (DEPTH + 1) + "heart", "levels"),
    ("(w OR " * 40 + "x" + ")" * 40, "levels"),
    (" AND ".join(["w"] * (LIMITS.items // 2 + 1)), "terms"),
    ("w" * (LIMITS.chars + 1), "characters"),
])
def test_queries_past_a_limit_are_refused_naming_it(query, limit):
    with pytest.raises(LimitExceeded, match=limit):
        parse(query)


def test_no_query_reaches_the_recursion_limit():
    deep = "(" * (sys.getrecursionlimit() * 2)
    with pytest.raises(LimitExceeded):
        parse(deep)


def test_the_parameter_and_the_limits_are_named_in_the_refusal():
    with pytest.raises(InvalidRequest) as raised:
        filters.query_criteria("query.cond", nested(DEPTH + 1))
    assert raised.value.message.startswith("Parameter `query.cond` is too complex: nested more")
    assert f"{DEPTH} levels" in raised.value.message


@pytest.mark.parametrize("bound", ["2021-02-30", "2020-13-01", "2020-00", "20-01-01",
                                   "2020-1-1", "2020-01-01T25:00", "yesterday"])
def test_a_range_date_must_be_a_calendar_date(bound):
    with pytest.raises(InvalidRequest, match="invalid date in range"):
        filters.advanced_criteria("filter.advanced", f"AREA[StartDate]RANGE[{bound},MAX]")


@pytest.mark.parametrize("bound", ["2020", "2020-02", "2020-02-29", "2020-02-29T23:59"])
def test_calendar_dates_bound_a_range(bound):
    tree = filters.advanced_criteria("filter.advanced", f"AREA[StartDate]RANGE[{bound},MAX]")
    assert isinstance(tree, c.RangeMatch) and tree.high is None


@pytest.mark.parametrize("bound", ["nan", "inf", "-inf", "1e400", "9" * 400])
def test_a_range_number_must_be_finite(bound):
    with pytest.raises(InvalidRequest, match="invalid number in range"):
        filters.advanced_criteria("filter.advanced", f"AREA[EnrollmentCount]RANGE[{bound},MAX]")


@pytest.mark.parametrize("point", ["nan,nan,5mi", "inf,0,5mi", "91,0,5mi", "0,181,5mi",
                                   "0,0,0mi", "0,0,nanmi", "1e2,0,5mi"])
def test_distance_and_geo_refuse_the_same_points(point):
    with pytest.raises(InvalidRequest, match="Error parsing query"):
        filters.query_criteria("query.term", f"DISTANCE[{point}]")
    with pytest.raises(InvalidRequest, match="has incorrect format"):
        filters.geo_criteria("filter.geo", f"distance({point})")


def test_distance_and_geo_read_a_point_alike():
    essie = filters.query_criteria("query.term", "DISTANCE[39.0035707,-77.1013313,50mi]")
    geo = filters.geo_criteria("filter.geo", "distance(39.0035707,-77.1013313,50mi)")
    assert essie == geo


def test_and_within_and_is_flattened_and_repeats_kept_once():
    tree = filters.query_criteria("query.term", "heart AND (heart AND (cells AND heart))")
    assert isinstance(tree, c.And) and [leaf.term.text for leaf in tree.items] == ["heart", "cells"]


def test_a_query_of_one_repeated_word_is_that_word():
    tree = filters.query_criteria("query.term", " AND ".join(["cancer"] * 100))
    assert isinstance(tree, c.TextMatch) and tree.term.text == "cancer"


def test_a_malformed_query_is_still_a_parse_error():
    with pytest.raises(EssieError, match="missing"):
        parse("(heart")

"""Generated Essie expressions and parameter values: every answer is 200 or a plain-text
4xx, never a server error, whatever the nesting, length or characters."""

from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.search.essie import LIMITS
from tests.fuzzing import budget

pytestmark = pytest.mark.fuzz

WORDS = st.sampled_from(["heart", "failure", "cells", "x", "\\MISSING", '"heart failure"',
                         "AND", "OR", "NOT", "(", ")", "MISSING", "ALL", "2020", "nan",
                         "AREA[Phase]", "AREA[StartDate]", "SEARCH[Location]",
                         "COVERAGE[StartsWith]", "EXPANSION[None]", "RANGE[2020-01,MAX]",
                         "RANGE[2021-02-30,MAX]", "RANGE[nan,1]", "DISTANCE[51.1,71.4,50mi]",
                         "DISTANCE[nan,nan,5mi]", "TILT[StartDate]", "AREA[Nope]", "["])
LEAVES = st.one_of(WORDS, st.text(min_size=1, max_size=12))


def _grow(children):
    return st.one_of(
        st.tuples(children, st.sampled_from([" AND ", " OR ", " "]), children).map("".join),
        children.map(lambda item: f"({item})"),
        children.map(lambda item: f"NOT {item}"),
        st.tuples(st.sampled_from(["AREA[BasicSearch]", "AREA[Condition]", "SEARCH[Location]",
                                   "COVERAGE[FullMatch]", "EXPANSION[Term]"]), children)
        .map("".join),
    )


# Up to several times the depth limit, so both sides of it are drawn.
EXPRESSIONS = st.recursive(LEAVES, _grow, max_leaves=LIMITS.depth * 3)
PARAMETERS = ["query.term", "query.cond", "query.locn", "query.id", "filter.advanced",
              "postFilter.advanced"]


def assert_answered(response):
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.content_type == "text/plain; charset=UTF-8"
        assert response.text and "Traceback" not in response.text


@budget(share=4)
@given(expression=EXPRESSIONS, parameter=st.sampled_from(PARAMETERS),
       count=st.booleans(), sort=st.sampled_from(["", "@relevance", "StartDate"]))
def test_generated_expressions_are_answered(client, expression, parameter, count, sort):
    url = (f"/api/v2/studies?{parameter}={quote(expression)}&countTotal={str(count).lower()}"
           f"&sort={sort}")
    assert_answered(client.get(url))


@budget(share=2)
@given(depth=st.integers(min_value=1, max_value=LIMITS.depth * 20),
       shape=st.sampled_from(["({})", "NOT {}", "AREA[BasicSearch]{}", "(w OR {})",
                              "(AREA[Phase]NA AND {})"]))
def test_deep_nesting_is_a_400_past_the_limit_and_answered_below_it(client, depth, shape):
    expression = "heart"
    for _ in range(depth):
        expression = shape.format(expression)
    response = client.get(f"/api/v2/studies?query.term={quote(expression)}&countTotal=true")
    assert_answered(response)
    if depth > LIMITS.depth:
        assert response.status_code == 400 and "too complex" in response.text


NAMES = ["fields", "sort", "filter.overallStatus", "filter.ids", "filter.geo", "aggFilters",
         "pageSize", "pageToken", "countTotal", "format", "markupFormat", "geoDecay",
         "filter.synonyms"]


@budget(share=2)
@given(values=st.dictionaries(st.sampled_from(NAMES), st.text(max_size=40), max_size=4),
       post=st.booleans())
def test_generated_parameter_values_are_answered(client, values, post):
    if post:
        response = client.post("/api/v2/studies", data=values)
    else:
        response = client.get("/api/v2/studies", query_string=values)
    assert_answered(response)

"""Bad input to every tool: a tool error (`isError`) whose text is the message the HTTP API
answers for the same request, the registry's; never a crash."""

import pytest
from mcp import MCPError

SEED = "NCT04325594"
# (tool, arguments, the same request to the HTTP API)
SAME_AS_HTTP = [
    ("search_studies", {"condition": "(cancer"}, "/api/v2/studies?query.cond=(cancer"),
    ("search_studies", {"status": ["FOO"]}, "/api/v2/studies?filter.overallStatus=FOO"),
    ("search_studies", {"near": {"latitude": 1, "longitude": 2, "distance": "far"}},
     "/api/v2/studies?filter.geo=distance(1.0,2.0,far)"),
    ("search_studies", {"page_size": -1}, "/api/v2/studies?pageSize=-1"),
    ("search_studies", {"page_token": "nonsense"}, "/api/v2/studies?pageToken=nonsense"),
    ("count_studies", {"terms": "AREA[NoSuchArea]x"},
     "/api/v2/studies?query.term=AREA[NoSuchArea]x"),
    ("count_studies", {"intervention": "a AND"}, "/api/v2/studies?query.intr=a AND"),
    ("find_eligible", {"age": "40 years", "condition": "(x"}, "/api/v2/studies?query.cond=(x"),
    ("get_study", {"nct_id": "NCT99999999"}, "/api/v2/studies/NCT99999999"),
    ("get_study", {"nct_id": "not-an-id"}, "/api/v2/studies/not-an-id"),
    ("get_study", {"nct_id": SEED, "fields": ["NoSuchPiece"]},
     f"/api/v2/studies/{SEED}?fields=NoSuchPiece"),
    ("get_study", {"nct_id": SEED, "part": "noSuchPart"},
     "/api/v2/stats/field/values?fields=noSuchPart"),
    ("get_study_history", {"nct_id": "NCT99999999"}, "/api/v2/studies/NCT99999999/history"),
    ("get_study_history", {"nct_id": SEED, "version": 99},
     f"/api/v2/studies/{SEED}/history/99"),
    ("field_values", {"fields": ["NoSuchPiece"]}, "/api/v2/stats/field/values?fields=NoSuchPiece"),
    ("field_values", {"fields": ["Phase"], "types": ["TEXT"]},
     "/api/v2/stats/field/values?fields=Phase&types=TEXT"),
]


@pytest.mark.parametrize("tool,arguments,path", SAME_AS_HTTP,
                         ids=[f"{tool}-{next(iter(arguments.values()))}"
                              for tool, arguments, _ in SAME_AS_HTTP])
def test_a_refusal_carries_the_registrys_message(mcp, http_api, tool, arguments, path):
    response = http_api.get(path)
    assert 400 <= response.status_code < 500
    assert mcp.refusal(tool, arguments) == response.text


@pytest.mark.parametrize("tool,arguments,parameter", [
    ("find_eligible", {"age": "forty"}, "age"),
    ("find_eligible", {"age": "40 years", "sex": "OTHER"}, "sex"),
    ("search_studies", {"phase": ["PHASE9"]}, "phase"),
    ("count_studies", {"phase": ["late"]}, "phase"),
], ids=["age", "sex", "phase", "count-phase"])
def test_a_tool_argument_of_its_own_is_refused_in_the_registrys_words(mcp, tool, arguments,
                                                                      parameter):
    value = arguments[parameter]
    value = value[0] if isinstance(value, list) else value
    assert mcp.refusal(tool, arguments) == f"Invalid value in parameter `{parameter}`: `{value}`"


@pytest.mark.parametrize("tool,arguments", [
    ("search_studies", {"page_size": "ten"}),
    ("count_studies", {"status": "RECRUITING, but as one string"}),
    ("find_eligible", {}),
    ("get_study", {}),
    ("get_study", {"nct_id": SEED, "offset": -1}),
    ("get_study_history", {"nct_id": SEED, "version": "latest"}),
    ("field_values", {"fields": []}),
], ids=["page-size", "status", "no-age", "no-id", "offset", "version", "no-fields"])
def test_arguments_outside_the_input_schema_are_a_tool_error(mcp, tool, arguments):
    assert mcp.refusal(tool, arguments).startswith(f"Error executing tool {tool}")


def test_history_needs_a_version_to_compare_with(mcp):
    assert "`version`" in mcp.refusal("get_study_history", {"nct_id": SEED, "base": 0})


def test_an_absent_study_as_a_resource_is_an_error_with_the_registrys_message(mcp, http_api):
    with pytest.raises(MCPError) as raised:
        mcp.read_resource("study://NCT99999999")
    assert raised.value.error.message == http_api.get("/api/v2/studies/NCT99999999").text

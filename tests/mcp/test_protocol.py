"""What a client sees on connecting: the tools, each with an input JSON Schema and an output
schema, and the `study://` resource template; the command line's own refusals."""

import subprocess

import pytest

from tests.mcp.conftest import COMMAND
from tests.conftest import PROJECT

TOOLS = {"search_studies", "count_studies", "find_eligible", "get_study",
         "get_study_history", "field_values"}


def test_every_tool_is_listed_with_its_schemas(mcp):
    tools = {tool.name: tool for tool in mcp.list_tools().tools}
    assert set(tools) == TOOLS
    for tool in tools.values():
        assert tool.description
        assert tool.input_schema["type"] == "object" and tool.input_schema["properties"]
        assert tool.output_schema["type"] == "object" and tool.output_schema["properties"]


def test_argument_choices_are_in_the_input_schema(mcp):
    tools = {tool.name: tool for tool in mcp.list_tools().tools}
    status = tools["search_studies"].input_schema["properties"]["status"]
    assert "RECRUITING" in str(status)
    assert tools["find_eligible"].input_schema["required"] == ["age"]


def test_the_study_resource_is_a_template(mcp):
    (template,) = mcp.list_resource_templates().resource_templates
    assert template.uri_template == "study://{nctId}"


@pytest.mark.parametrize("address", ["8765", "localhost:", "localhost:99999"])
def test_a_bad_http_address_is_refused(address):
    done = subprocess.run([*COMMAND, "--http", address], cwd=PROJECT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2 and "HOST:PORT" in done.stderr

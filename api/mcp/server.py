"""The MCP server: the tools and the `study://{nctId}` resource over one store, built with
the official SDK (`mcp.server.mcpserver.MCPServer`), run over stdio or streamable HTTP.

A refusal of the store's services (`api.exceptions.RequestError`: an unknown study, a query
that does not parse) is a tool error (`isError`) whose text is the registry's message, as
the HTTP API's `text/plain` body is; for the resource it is an MCP error with that message.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from mcp.server.mcpserver import MCPServer
from mcp.shared.exceptions import MCPError
from mcp.types import INVALID_PARAMS, CallToolResult, TextContent, ToolAnnotations

from api.exceptions import RequestError
from api.mcp.search_tools import SearchTools
from api.mcp.study_tools import StudyTools, on_study
from api.services.studies import study_document
from api.store.base import Store

NAME = "clinical-trials"
INSTRUCTIONS = (
    "Clinical trial records in the ClinicalTrials.gov API v2 format, from this server's own "
    "store. Find studies with search_studies or find_eligible (short summaries), count them "
    "with count_studies, read one with get_study (large parts are listed in `omitted`; fetch "
    "them with `part`), see how it changed with get_study_history, and how values are "
    "distributed with field_values. Query arguments are Essie expressions, as on the "
    "registry's website.")
# Every tool only reads the store, and the store is all they read.
READ_ONLY = ToolAnnotations(read_only_hint=True, open_world_hint=False)


def answering_refusals(tool: Callable) -> Callable:
    """`tool`, answering a refusal as a tool error carrying the registry's message."""
    @functools.wraps(tool)
    def call(*args, **kwargs):
        try:
            return tool(*args, **kwargs)
        except RequestError as error:
            return CallToolResult(content=[TextContent(type="text", text=error.message)],
                                  is_error=True)
    return call


def build_server(store: Store, time_budget: float | None) -> MCPServer:
    """The MCP server over `store`; searches stop after `time_budget` seconds."""
    server = MCPServer(NAME, instructions=INSTRUCTIONS, log_level="WARNING")
    searching, studies = SearchTools(store, time_budget), StudyTools(store)
    for tool in (searching.search_studies, searching.count_studies, searching.find_eligible,
                 studies.get_study, studies.get_study_history, studies.field_values):
        server.add_tool(answering_refusals(tool), annotations=READ_ONLY, structured_output=True)
    server.resource("study://{nctId}", name="study", mime_type="application/json",
                    description="A study record in the registry's API v2 JSON, as stored"
                    )(_study_reader(store))
    return server


def _study_reader(store: Store) -> Callable[[str], str]:
    def study(nctId: str) -> str:  # noqa: N803 - the URI template's variable
        """The stored JSON text of study `nctId` (an alias reads the study listing it)."""
        try:
            return on_study(nctId, lambda nct_id: study_document(store, nct_id).json.decode())
        except RequestError as error:
            raise MCPError(code=INVALID_PARAMS, message=error.message) from None
    return study


def run_stdio(server: MCPServer) -> None:
    """Serve one client on standard input and output until it closes them."""
    server.run("stdio")


def run_http(server: MCPServer, host: str, port: int) -> None:
    """Serve the streamable HTTP transport at `http://HOST:PORT/mcp` until stopped."""
    server.run("streamable-http", host=host, port=port)

"""The MCP server for the tests, reached with the SDK's own client.

One store for the session, loaded with the registry's 22 records and the seed through the
real command line; on it one `flask --app api mcp` spawned by the SDK's stdio client, and
one `flask --app api mcp --http` on a free loopback port, started and stopped here. Every
test that takes `mcp` runs over both transports. The SDK's client is asynchronous; each
connection lives in a blocking portal's event loop (anyio), so the tests stay plain
functions that call `mcp.call(...)`.
"""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import tempfile
from contextlib import asynccontextmanager

import pytest
from anyio.from_thread import start_blocking_portal
from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client

from api import create_app
from tests.conftest import PROJECT, REAL_RECORDS, SEED, read_json, requires_shared, seed_as
from tests.server import free_port, import_records, tool_environment, wait_started

COMMAND = [sys.executable, "-m", "flask", "--app", "api", "mcp"]


# A record stored twice: its second version has a new title (the history tools' subject).
CHANGED = "NCT00184067"
CHANGED_PATHS = ("protocolSection.identificationModule.briefTitle",
                 "protocolSection.statusModule.lastUpdatePostDateStruct.date")
# A copy of the seed under another NCT number, listing ALIAS among its `nctIdAliases`.
ALIASED, ALIAS = "NCT09990001", "NCT09990002"


def _changed(record: dict) -> dict:
    """`record` as a later version: another title, a later update date."""
    changed = json.loads(json.dumps(record))
    protocol = changed["protocolSection"]
    protocol["identificationModule"]["briefTitle"] += " (second version)"
    protocol["statusModule"]["lastUpdatePostDateStruct"]["date"] = "2030-01-01"
    return changed


@pytest.fixture(scope="package")
def first_records() -> dict[str, dict]:
    """The records loaded first, by NCT id, read from their files."""
    requires_shared()
    return {path.stem: read_json(path) for path in [*REAL_RECORDS, SEED]}


@pytest.fixture(scope="package")
def records(first_records) -> dict[str, dict]:
    """What the store holds now: `first_records`, `CHANGED` in its second version, and
    `ALIASED`."""
    return first_records | {CHANGED: _changed(first_records[CHANGED]),
                            ALIASED: json.loads(seed_as(ALIASED, ALIAS))}


@pytest.fixture(scope="package")
def mcp_store_url(records, tmp_path_factory) -> str:
    """A store loaded by `flask --app api import`: the record files, then `CHANGED` again
    and `ALIASED`."""
    folder = tmp_path_factory.mktemp("mcp")
    url = f"sqlite:///{folder}/trials.sqlite3"
    import_records(url, [*REAL_RECORDS, SEED])
    later = []
    for nct_id in (CHANGED, ALIASED):
        later.append(folder / f"{nct_id}.json")
        later[-1].write_text(json.dumps(records[nct_id]), encoding="utf-8")
    import_records(url, later)
    return url


@pytest.fixture(scope="package")
def http_api(mcp_store_url):
    """The HTTP API's test client on the same store: the registry's answers to compare."""
    app = create_app({"DATABASE_URL": mcp_store_url, "TESTING": True, "RECORDS_DIR": ""})
    yield app.test_client()
    app.extensions["store"].close()


class Connection:
    """An initialised `ClientSession`, called from synchronous tests."""

    def __init__(self, portal, session: ClientSession):
        self.portal, self.session = portal, session

    def call(self, tool: str, arguments: dict | None = None):
        """`tools/call`: the `CallToolResult` (structured content checked by the SDK
        against the tool's output schema)."""
        return self.portal.call(self.session.call_tool, tool, arguments or {})

    def answer(self, tool: str, arguments: dict | None = None) -> dict:
        """The structured content of a successful call."""
        result = self.call(tool, arguments)
        assert not result.is_error, result.content
        return result.structured_content

    def refusal(self, tool: str, arguments: dict) -> str:
        """The text of a call that is a tool error."""
        result = self.call(tool, arguments)
        assert result.is_error, result.structured_content
        return result.content[0].text

    def __getattr__(self, name):
        """The session's other requests (`list_tools`, `read_resource`), made in the portal."""
        method = getattr(self.session, name)
        return lambda *args: self.portal.call(method, *args)


@asynccontextmanager
async def _session(transport):
    async with transport as streams:
        async with ClientSession(*streams[:2]) as session:
            await session.initialize()
            yield session


@contextlib.contextmanager
def connected(transport):
    """A `Connection` over `transport` (an SDK client transport, not yet entered)."""
    with start_blocking_portal() as portal:
        with portal.wrap_async_context_manager(_session(transport)) as session:
            yield Connection(portal, session)


@pytest.fixture(scope="package")
def stdio_connection(mcp_store_url):
    """The SDK's stdio client, running `flask --app api mcp` on the store."""
    server = StdioServerParameters(command=COMMAND[0], args=COMMAND[1:], cwd=str(PROJECT),
                                   env=tool_environment(mcp_store_url))
    with tempfile.TemporaryFile("w+") as log, connected(stdio_client(server, errlog=log)) as c:
        yield c


def _listening(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
        return True
    return False


@contextlib.contextmanager
def http_server(store_url: str):
    """`flask --app api mcp --http 127.0.0.1:PORT` on a free port; its endpoint's URL."""
    port = free_port()
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen([*COMMAND, "--http", f"127.0.0.1:{port}"], cwd=PROJECT,
                                  env=tool_environment(store_url), stdout=log, stderr=log)
        try:
            wait_started(server, log, lambda: _listening(port), "MCP server")
            yield f"http://127.0.0.1:{port}/mcp"
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=10)


@pytest.fixture(scope="package")
def http_connection(mcp_store_url):
    """The SDK's streamable HTTP client, on a real server."""
    with http_server(mcp_store_url) as url, connected(streamable_http_client(url)) as c:
        yield c


@pytest.fixture(scope="package", params=["stdio", "http"])
def mcp(request) -> Connection:
    """A connection to the MCP server over each transport in turn."""
    return request.getfixturevalue(f"{request.param}_connection")

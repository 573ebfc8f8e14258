"""Command line: `flask --app api mcp` serves the store to AI assistants over the Model
Context Protocol, on standard input and output (the client starts the command), or with
`--http HOST:PORT` over the streamable HTTP transport at `http://HOST:PORT/mcp`.

It reads the store the HTTP server reads (`TRIALS_DATABASE_URL`). On stdio, standard
output carries the protocol alone: anything else goes to standard error.
"""

from __future__ import annotations

import click
from flask import current_app


class Address(click.ParamType):
    """`HOST:PORT` (`127.0.0.1:8765`, `[::1]:8765`)."""

    name = "HOST:PORT"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        host, _, port = str(value).rpartition(":")
        host = host.removeprefix("[").removesuffix("]")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            self.fail(f"{value!r} is not HOST:PORT (e.g. 127.0.0.1:8765)", param, ctx)
        return host, int(port)


@click.command("mcp")
@click.option("--http", "address", type=Address(), default=None,
              help="Serve streamable HTTP at http://HOST:PORT/mcp instead of stdio.")
def mcp_command(address: tuple[str, int] | None) -> None:
    """Serve the studies to AI assistants over MCP (stdio, or --http HOST:PORT)."""
    # Imported here: the SDK (pydantic, starlette, uvicorn) is for this command alone, not
    # for every start of the application.
    from api.mcp import server

    store = current_app.extensions["store"]
    # Opened now: a store that cannot be used stops the command with its reason, rather
    # than failing each tool call.
    store.count()
    mcp_server = server.build_server(store, current_app.config["SEARCH_TIME_BUDGET"])
    if address is None:
        server.run_stdio(mcp_server)
    else:
        server.run_http(mcp_server, *address)


def init_app(app) -> None:
    """Register the `mcp` command."""
    app.cli.add_command(mcp_command)

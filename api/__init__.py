"""A ClinicalTrials.gov API v2 compatible server: `create_app()` builds it."""

from __future__ import annotations

from flask import Flask
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from api import (cli, cli_history, cli_index, cli_mcp, cli_stats, cli_sync, docs, errors,
                 observability, startup, transport)
from api.resources import operations, pages, register_blueprints
from api.settings import Config
from api.smorest import Api


def create_app(config: dict | None = None) -> Flask:
    """Build the application: settings, store, endpoints, docs, error handling, CLI.

    Settings come from `api.settings` (defaults), then `TRIALS_*` environment variables,
    then `config` (tests pass their own), each checked first: a bad one, or a store that
    cannot be used, stops start-up with one line (`api.startup`).
    """
    app = App(__name__)
    app.config.from_object(Config)
    startup.configure(app, config)
    observability.init_app(app)  # the log first: opening the store may log (seeding)
    # Keep the order keys were written in, and UTF-8 text, as the registry does.
    app.json.sort_keys = False
    app.json.ensure_ascii = False

    docs.init_app(app)
    api = Api(app)
    register_blueprints(api)
    app.register_blueprint(operations.blp)  # outside the API and its document
    app.register_blueprint(pages.blp)  # pages for people: outside the API too
    errors.init_app(app)
    startup.open_app_store(app)
    cli.init_app(app)
    cli_index.init_app(app)
    cli_stats.init_app(app)
    cli_history.init_app(app)
    cli_sync.init_app(app)
    cli_mcp.init_app(app)
    transport.init_app(app)
    app.wsgi_app = AllowAnyOrigin(app.wsgi_app)
    return app


class App(Flask):
    """Flask, answering routing redirects as this server answers every redirect."""

    def raise_routing_exception(self, request):
        """Flask answers a routing redirect itself, past every error handler; this one is
        answered as a path (`errors.redirect_without_host`). Called only when routing
        failed, so it costs a normal request nothing."""
        if isinstance(request.routing_exception, RequestRedirect):
            raise Answered(errors.redirect_without_host(request.routing_exception))
        super().raise_routing_exception(request)


class Answered(HTTPException):
    """An exception carrying the response to send (Flask sends an HTTPException's own)."""

    def __init__(self, response):
        super().__init__(response=response)


class AllowAnyOrigin:
    """WSGI middleware: every response may be read by pages of any origin.

    The registry's API is public and says so to browsers. A middleware rather than a Flask
    hook because it costs less on every request.
    """

    HEADER = ("Access-Control-Allow-Origin", "*")

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        def start(status, headers, exc_info=None):
            return start_response(status, [*headers, self.HEADER], exc_info)

        return self.wsgi_app(environ, start)

"""A ClinicalTrials.gov API v2 compatible server: `create_app()` builds it."""

from __future__ import annotations

from flask import Flask

from api import cli, docs, errors, store, transport
from api.resources import register_blueprints
from api.settings import Config
from api.smorest import Api


def create_app(config: dict | None = None) -> Flask:
    """Build the application: settings, store, endpoints, docs, error handling, CLI.

    Settings come from `api.settings.Config`, then `TRIALS_*` environment variables, then
    `config` (tests pass their own).
    """
    app = Flask(__name__)
    app.config.from_object(Config)
    app.config.from_prefixed_env("TRIALS")
    if config:
        app.config.update(config)
    # Keep the order keys were written in, and UTF-8 text, as the registry does.
    app.json.sort_keys = False
    app.json.ensure_ascii = False

    docs.init_app(app)
    api = Api(app)
    register_blueprints(api)
    errors.init_app(app)
    store.init_app(app)
    cli.init_app(app)
    transport.init_app(app)
    app.wsgi_app = AllowAnyOrigin(app.wsgi_app)
    return app


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

"""A ClinicalTrials.gov API v2 compatible server: `create_app()` builds it."""

from __future__ import annotations

from flask import Flask

from api import cli, docs, errors, store
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
    app.after_request(_allow_any_origin)
    return app


def _allow_any_origin(response):
    # The registry's API is public and answers browsers from any origin.
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response

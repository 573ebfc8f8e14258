"""A ClinicalTrials.gov API v2 compatible server: `create_app()` builds it."""

from __future__ import annotations

import inspect

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
    app = App(__name__)
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


class App(Flask):
    """Flask, asking once per function, not once per call, whether it is `async def`.

    Flask asks (`ensure_sync`, its documented hook) about the view, about each wrapper
    flask-smorest puts around it and about every after-request function, on every request:
    five times for a single study, about 5% of the application's time for that request.
    The answer never changes for a function.
    """

    # Views and hooks are made once; the bound keeps a caller that makes functions on the
    # fly from growing the memo without end.
    MEMO_LIMIT = 4096

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._is_coroutine: dict = {}

    def ensure_sync(self, func):
        # A bound method is made anew at each access; the function under it is what stays.
        key = getattr(func, "__func__", func)
        try:
            verdict = self._is_coroutine.get(key)
        except TypeError:  # an unhashable callable
            return super().ensure_sync(func)
        if verdict is None:
            verdict = inspect.iscoroutinefunction(func)
            if len(self._is_coroutine) < self.MEMO_LIMIT:
                self._is_coroutine[key] = verdict
        return self.async_to_sync(func) if verdict else func


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

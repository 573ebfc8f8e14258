"""What an operator sees of the server: its log (`logs`), each request's id, access line and
metrics (`requests`), and `/metrics` (`metrics`; the route is in `api.resources.operations`)."""

from __future__ import annotations

from flask import Flask

from api.observability import logs
from api.observability.requests import Observed, note_route


def init_app(app: Flask) -> None:
    """Configure the log (`LOG_FORMAT`), count and log every request, and keep the app's
    metrics in `app.extensions["metrics"]`."""
    logs.configure(app.config["LOG_FORMAT"])
    # prometheus_client chooses between this process's memory and files shared by worker
    # processes when it is first imported, from PROMETHEUS_MULTIPROC_DIR: so it is imported
    # only here, when an app is built. The production server's master never builds one, and
    # names the directory (api.serving) before its workers do.
    from api.observability.metrics import Metrics

    metrics = Metrics(lambda: app.extensions["store"])
    app.extensions["metrics"] = metrics
    app.teardown_request(note_route)
    app.wsgi_app = Observed(app.wsgi_app, metrics, log_requests=app.config["LOG_FORMAT"] != "off")

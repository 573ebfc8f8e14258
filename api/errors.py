"""Errors answered the registry's way: a bare `text/plain` message and a status code.

The one place where what went wrong becomes HTTP: each domain error of `api.exceptions`
maps to one status here; its message, worded as the registry words it (REFERENCE.md §5), is
the body. Werkzeug's own errors (no such route, method not allowed, body too large) and any
unexpected failure are answered as plain text too, never as HTML or a stack trace.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Flask, Response, redirect, request, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from api.exceptions import (InvalidRequest, MovedTo, NotFound, RequestError, TooCostly,
                            Unavailable)

log = logging.getLogger(__name__)

TEXT_PLAIN = "text/plain; charset=UTF-8"
STATUS = {InvalidRequest: 400, NotFound: 404, TooCostly: 503, Unavailable: 503}
# How long a client stopped at the time budget should wait before trying again.
RETRY_AFTER_SECONDS = 10


def text_response(message: str, status: int) -> Response:
    """A registry-style error response."""
    return Response(message, status=status, content_type=TEXT_PLAIN)


def _request_error(error: RequestError) -> Response:
    return refusal(error, text_response(error.message, 200))


def refusal(error: RequestError, response: Response) -> Response:
    """`response` (a body saying `error`: the registry's text, or a page for people) with
    the status and headers this server answers `error` with."""
    response.status_code = next(STATUS[kind] for kind in type(error).__mro__ if kind in STATUS)
    if isinstance(error, (TooCostly, Unavailable)):
        # The budget protects other clients; the same search may pass when the server is
        # less busy, so the client is told when to try again rather than that it erred.
        # An unavailable store may come back the same way.
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _redirect_to_canonical(error: MovedTo) -> Response:
    """The same request, with the canonical NCT id in place of the alias."""
    location = url_for(request.endpoint, **{**request.view_args, "nctId": error.nct_id})
    if request.query_string:
        location += "?" + request.query_string.decode("latin-1")
    return redirect(location, 301)


def handle_http_exception(error: HTTPException) -> Response:
    """Werkzeug's own errors (no such route, method not allowed) as plain text too."""
    if error.code is None or error.code < 400:
        return error.get_response()
    response = text_response(error.description or error.name, error.code)
    for name, value in error.get_response().headers.items():
        if name.lower() == "allow":
            response.headers[name] = value
    return response


def redirect_without_host(error: RequestRedirect) -> Response:
    """Werkzeug's 308 to the path with merged slashes, as a path: its own absolute URL is
    built from the request's `Host`, which a client (or a cache in between) must not be able
    to point elsewhere."""
    target = urlsplit(error.new_url)
    # One leading slash: `//host/...` would be read as another host.
    location = "/" + target.path.lstrip("/") + (f"?{target.query}" if target.query else "")
    response = text_response(f"Moved to {location}", error.code)
    response.headers["Location"] = location
    return response


def _handle_unexpected(error: Exception) -> Response:
    log.exception("unexpected error", exc_info=error)
    return text_response("Internal server error", 500)


def init_app(app: Flask) -> None:
    """Register the handlers that shape every error response."""
    for kind in STATUS:
        app.register_error_handler(kind, _request_error)
    app.register_error_handler(MovedTo, _redirect_to_canonical)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, _handle_unexpected)

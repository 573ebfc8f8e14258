"""Errors answered the registry's way: a bare `text/plain` message and a status code.

Every failure a client can cause is one of the exceptions below, raised wherever it is
detected and turned into a response here, once. Wording follows REFERENCE.md §5.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, redirect, request, url_for
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

TEXT_PLAIN = "text/plain; charset=UTF-8"


class ApiError(Exception):
    """A client error: `status` and the registry's message for it."""

    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class BadRequest(ApiError):
    """400: a malformed parameter, an unknown parameter, an unknown field name."""

    status = 400


class NotFound(ApiError):
    """404: no such study, section or module."""

    status = 404


class MovedPermanently(Exception):
    """301: the requested NCT id is an alias of the study `nct_id`."""

    def __init__(self, nct_id: str):
        super().__init__(nct_id)
        self.nct_id = nct_id


def _redirect_to_canonical(error: MovedPermanently) -> Response:
    """The same request, with the canonical NCT id in place of the alias."""
    location = url_for(request.endpoint, **{**request.view_args, "nctId": error.nct_id})
    if request.query_string:
        location += "?" + request.query_string.decode("latin-1")
    return redirect(location, 301)


def text_response(message: str, status: int) -> Response:
    """A registry-style error response."""
    return Response(message, status=status, content_type=TEXT_PLAIN)


def handle_http_exception(error: HTTPException) -> Response:
    """Werkzeug's own errors (no such route, method not allowed) as plain text too."""
    if error.code is None or error.code < 400:
        return error.get_response()
    response = text_response(error.description or error.name, error.code)
    for name, value in error.get_response().headers.items():
        if name.lower() == "allow":
            response.headers[name] = value
    return response


def _handle_unexpected(error: Exception) -> Response:
    log.exception("unexpected error", exc_info=error)
    return text_response("Internal server error", 500)


def init_app(app: Flask) -> None:
    """Register the handlers that shape every error response."""
    app.register_error_handler(ApiError, lambda error: text_response(error.message, error.status))
    app.register_error_handler(MovedPermanently, _redirect_to_canonical)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, _handle_unexpected)

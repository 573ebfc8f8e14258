"""What can go wrong with a request, in domain terms: no HTTP here.

Services, the search and the store raise these; `api.errors` is the one place that turns
each into a status code and a response. Messages are the registry's wording where it has
one (REFERENCE.md §5): they are the response body as they stand.
"""

from __future__ import annotations


class RequestError(Exception):
    """A request the server cannot answer as asked; `message` says why, for the client."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidRequest(RequestError):
    """A malformed, unknown or out-of-bounds parameter, or a query that does not parse."""


class NotFound(RequestError):
    """No such study, section, module or field."""


class TooCostly(RequestError):
    """The request ran past the server's time budget and was stopped."""


class Unavailable(RequestError):
    """The server cannot answer now (its store cannot serve); it may pass without a change
    to the request."""


class MovedTo(Exception):
    """The NCT id asked for is an alias: study `nct_id` is the one it names."""

    def __init__(self, nct_id: str):
        super().__init__(nct_id)
        self.nct_id = nct_id

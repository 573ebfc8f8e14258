"""The flask-smorest base classes, subclassed once so every resource shares them.

- `Api`: errors are the registry's `text/plain` messages, in responses and in the docs.
- `Blueprint`: each endpoint's parameters are loaded once, by its query schema, into the
  typed request its view receives (`api.query`).
- `Resource`: the base of every resource's view class.
"""

from __future__ import annotations

import functools
import http

import flask_smorest
from flask import request
from flask.views import MethodView
from werkzeug.exceptions import UnsupportedMediaType

from api import query as query_parameters
from api.apidoc import RegistryMarshmallowPlugin, schema_name
from api.errors import handle_http_exception

ERROR_SCHEMA = {"type": "string", "description": "A text message describing an error"}


class Api(flask_smorest.Api):
    """flask-smorest's Api with registry-style (`text/plain`) errors."""

    DEFAULT_ERROR_RESPONSE_NAME = None

    def __init__(self, app=None, *, spec_kwargs=None, **kwargs):
        spec_kwargs = {"marshmallow_plugin": RegistryMarshmallowPlugin(
                           schema_name_resolver=schema_name),
                       **(spec_kwargs or {})}
        super().__init__(app, spec_kwargs=spec_kwargs, **kwargs)

    def handle_http_exception(self, error):
        """Answer HTTP errors as plain text, as the registry does."""
        return handle_http_exception(error)

    def _register_responses(self):
        """Document every error status as the registry's `text/plain` message."""
        self.spec.components.schema("errorMessage", ERROR_SCHEMA)
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["content"] = {
                    "text/plain": {"schema": {"$ref": "#/components/schemas/errorMessage"}}
                }
            self.spec.components.response(status.name, response, lazy=True)


class Blueprint(flask_smorest.Blueprint):
    """A resource's blueprint: strict parameters, loaded into typed requests."""

    def alt_response(self, *args, **kwargs):
        """Document another answer, as flask-smorest does, without its per-request wrapper.

        flask-smorest wraps the view once per documented answer; a study view documents
        seven, and the wrappers cost more than the store lookup on every request.
        """
        document = super().alt_response(*args, **kwargs)

        def decorator(func):
            func._apidoc = document(func)._apidoc
            return func

        return decorator

    def error(self, status: int, description: str, example: str | None = None):
        """Document an error answer: the registry's `text/plain` message."""
        return self.alt_response(status, schema="errorMessage", content_type="text/plain",
                                 description=description, example=example)

    def query(self, schema, *, form: bool = False):
        """Load the query string (and with `form`, a form-encoded body) with `schema`; the
        view gets what it loads. Documented as flask-smorest's `arguments` documents it.

        A request without parameters gets the endpoint's defaults, worked out once: most
        requests carry none, and loading an empty query through marshmallow costs more
        than the rest of a single-study request.
        """
        instance = schema() if isinstance(schema, type) else schema
        where = {"location": "form", "required": False} if form else {"location": "query"}
        document = self.arguments(instance, error_status_code=400, **where)
        defaults = functools.cache(lambda: query_parameters.load(instance, ()))

        def decorator(func):
            @functools.wraps(func)
            def wrapper(*args, **kwargs):
                sources = [request.args] if request.environ.get("QUERY_STRING") else []
                if form and request.method == "POST":
                    sources.append(_form())
                loaded = query_parameters.load(instance, sources) if sources else defaults()
                return func(*args, loaded, **kwargs)

            wrapper._apidoc = document(func)._apidoc
            return wrapper

        return decorator


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _form():
    """The form-encoded body; 415 for a body of another kind, which would be ignored."""
    if request.content_length and request.mimetype not in FORM_TYPES:
        raise UnsupportedMediaType("The body must be form-encoded "
                                   "(Content-Type: application/x-www-form-urlencoded)")
    return request.form


class Resource(MethodView):
    """A resource's view class: one instance serves every request (its methods keep no
    state), rather than a new one per request."""

    init_every_request = False

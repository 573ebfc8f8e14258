"""The flask-smorest base classes, subclassed once so every resource shares them.

- `Api`: errors are the registry's `text/plain` messages, in responses and in the docs.
- `Blueprint`: query parameters are parsed strictly; a parameter the endpoint does not know,
  or a value it cannot take, is a 400 with the registry's wording.
- `Resource`: the base of every resource's view class.
- `QuerySchema`, `DelimitedList`: the base of every endpoint's query parameter schema.
"""

from __future__ import annotations

import functools
import http
import inspect
import re

import flask_smorest
from flask import request
from flask.views import MethodView
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.openapi import OpenAPIConverter
import marshmallow as ma
from webargs import fields as webargs_fields
from webargs.flaskparser import FlaskParser

from api.errors import BadRequest, handle_http_exception
from schemas.catalogue import catalogue

UNKNOWN = "unknown parameter"
ERROR_SCHEMA = {"type": "string", "description": "A text message describing an error"}


_FORMATS = {
    "PartialDate": "A date: `yyyy`, `yyyy-MM` or `yyyy-MM-dd`.",
    "NormalizedDate": "A date, `yyyy-MM-dd`.",
    "DateTimeMinutes": "A time, `yyyy-MM-dd'T'HH:mm`.",
    "NormalizedTime": "An age or duration, such as `18 Years`.",
    "markup": "Markdown (CommonMark).",
}


def field_description(converter, field, **kwargs) -> dict:
    """An OpenAPI description for a registry field, from the facts it declares."""
    piece = field.metadata.get("piece")
    if piece is None or "description" in field.metadata:
        return {}
    if "{}" in piece:
        pieces = ", ".join(f"`{name}`" for name in
                           _pieces_at_places(type(field.parent), field.data_key))
        parts = [f"Piece {pieces}, depending on where the structure is used."]
    else:
        parts = [f"Piece `{piece}`: its name in `fields=`, `sort=` and `AREA[...]`."]
    kind = getattr(field, "registry_type", "").removesuffix("[]")
    if kind in _FORMATS:
        parts.append(_FORMATS[kind])
    if field.metadata.get("maxChars"):
        parts.append(f"At most {field.metadata['maxChars']} characters.")
    if field.metadata.get("historicOnly"):
        parts.append("Historic: only older records carry it.")
    return {"description": " ".join(parts)}


@functools.cache
def _pieces_at_places(structure: type, name: str) -> tuple[str, ...]:
    """The piece names field `name` of a shared structure takes at each place it is used."""
    return tuple(node.piece for node in catalogue().nodes
                 if node.name == name and type(node.field.parent) is structure)


@functools.cache
def _projectable() -> frozenset[type]:
    """The Study tree's structures whose keys `fields=` can select one by one."""
    from schemas.study import StudySchema  # the catalogue's root

    branches = {type(node.field.schema) for node in catalogue().nodes if not node.is_leaf}
    return frozenset({StudySchema, *branches})


class RegistryConverter(OpenAPIConverter):
    """Documents each schema with its class docstring, as written for developers."""

    def schema2jsonschema(self, schema):
        result = super().schema2jsonschema(schema)
        cls = schema if isinstance(schema, type) else type(schema)
        if "description" not in result and cls.__doc__:
            result["description"] = inspect.cleandoc(cls.__doc__)
        # `fields=` keeps only the requested leaves (`fields=BriefTitle` has no `nctId`, an
        # absent piece gives `{}`), so an answer need not hold the keys the guard requires of
        # stored records. A leaf structure (GeoPoint) comes whole, as in the official spec.
        if cls in _projectable():
            result.pop("required", None)
        return result


class RegistryMarshmallowPlugin(MarshmallowPlugin):
    """The marshmallow plugin with `RegistryConverter` and field descriptions."""

    Converter = RegistryConverter

    def init_spec(self, spec):
        super().init_spec(spec)
        self.converter.add_attribute_function(field_description)


def schema_name(schema) -> str | None:
    """Component name of a schema: the registry's (`StudySchema` -> `Study`).

    A schema nested with `exclude`/`only` (FlowReason's FlowStats, without `numUnits`) is
    inlined instead of becoming a second, numbered component.
    """
    if getattr(schema, "exclude", None) or getattr(schema, "only", None):
        return None
    cls = schema if isinstance(schema, type) else type(schema)
    return cls.__name__.removesuffix("Schema")


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


class RegistryParser(FlaskParser):
    """Query parsing with the registry's error messages (REFERENCE.md §5)."""

    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "query": ma.RAISE}
    DEFAULT_VALIDATION_STATUS = 400

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        """Turn the first validation problem into the registry's 400 message."""
        # webargs files the messages under the location they came from ("query").
        messages = error.normalized_messages().get("query", error.normalized_messages())
        # The registry rejects unknown names before it looks at any value.
        for name, problems in messages.items():
            if problems == [UNKNOWN]:
                raise BadRequest(f"`{name}` is unknown parameter")
        name, problems = next(iter(messages.items()))
        while isinstance(problems, dict):  # a list field's per-item errors
            problems = next(iter(problems.values()))
        raise BadRequest(problems[0])


class Blueprint(flask_smorest.Blueprint):
    """A resource's blueprint: strict query parameters, registry-style 400s."""

    ARGUMENTS_PARSER = RegistryParser()

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

    def query(self, schema):
        """Parse and validate the query string with `schema`; the view gets the result.

        Documented as flask-smorest's `arguments` documents it. At run time one wrapper
        parses and calls the view, where flask-smorest and webargs would put two around it.
        A request without a query string gets the endpoint's defaults, worked out once:
        most requests carry no parameters, and loading an empty query through marshmallow
        costs more than the rest of a single-study request.
        """
        # One schema instance per endpoint: webargs would build one from a class per request.
        instance = schema() if isinstance(schema, type) else schema
        document = self.arguments(instance, location="query", error_status_code=400)
        parse = functools.partial(self.ARGUMENTS_PARSER.parse, instance, location="query",
                                  error_status_code=400)
        defaults = functools.cache(parse)  # not kept when it raises (a required parameter)

        def decorator(func):
            @functools.wraps(func)
            def wrapper(*args, **kwargs):
                query = parse() if request.environ.get("QUERY_STRING") else dict(defaults())
                return func(*args, query, **kwargs)

            wrapper._apidoc = document(func)._apidoc
            return wrapper

        return decorator


class Resource(MethodView):
    """A resource's view class: one instance serves every request (its methods keep no
    state), rather than a new one per request."""

    init_every_request = False


class QuerySchema(ma.Schema):
    """Base of the query parameter schemas: every unknown parameter is an error."""

    error_messages = {"unknown": UNKNOWN}

    class Meta:
        unknown = ma.RAISE


class DelimitedList(webargs_fields.DelimitedList):
    """A list parameter; items separated by commas or pipes, as the registry accepts.

    The parameter may also be repeated (`fields=NCTId&fields=BriefTitle`): clients generated
    from the registry's OpenAPI document send lists that way, and all their items count.
    """

    _SEPARATORS = re.compile(r"[,|]")
    # webargs hands a repeated parameter over as the list of its values, not the first one.
    is_multiple = True

    def _deserialize(self, value, attr, data, **kwargs):
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(each, str) for each in values):
            raise self.make_error("invalid")
        items = [item.strip() for each in values for item in self._SEPARATORS.split(each)]
        return ma.fields.List._deserialize(self, items, attr, data, **kwargs)


def one_of(parameter: str, choices: list[str]) -> ma.validate.OneOf:
    """A validator accepting `choices`, failing with the registry's wording."""
    return ma.validate.OneOf(choices, error=f"Invalid value in parameter `{parameter}`: `{{input}}`")

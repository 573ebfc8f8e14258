"""Query parameters at the edge: read once, empty values dropped, loaded by the endpoint's
schema into a typed request, refusals worded as the registry words them (REFERENCE.md §5).

- A parameter given with an empty value (`query.term=`, `fields=`) is as if not given:
  browsers and clients send such values for blank form fields. An empty item of a list
  (`fields=NCTId,`) is dropped too.
- A list parameter takes commas or pipes, and may be repeated (`fields=A&fields=B`), as
  clients generated from the registry's OpenAPI document send lists.
- The registry refuses an unknown parameter name before it looks at any value.
"""

from __future__ import annotations

import functools
import re

import marshmallow as ma
from webargs import fields as webargs_fields

from api.exceptions import InvalidRequest
from api.search import fields as search_fields

UNKNOWN = "unknown parameter"
_SEPARATORS = re.compile(r"[,|]")


class QuerySchema(ma.Schema):
    """Base of the query parameter schemas: every unknown parameter is an error."""

    error_messages = {"unknown": UNKNOWN}

    class Meta:
        unknown = ma.RAISE


class DelimitedList(webargs_fields.DelimitedList):
    """A list parameter; items separated by commas or pipes, as the registry accepts.

    `parameters` hands it the items already split (a list); documented by flask-smorest
    as webargs' delimited list.
    """

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.make_error("invalid")
        return ma.fields.List._deserialize(self, value, attr, data, **kwargs)


class Boolean(ma.fields.Boolean):
    """A boolean parameter, read as every boolean of this server is (`search.fields.boolean`)."""

    def _deserialize(self, value, attr, data, **kwargs):
        verdict = search_fields.boolean(value)
        if verdict is None:
            raise self.make_error("invalid", input=value)
        return verdict


def one_of(parameter: str, choices) -> ma.validate.OneOf:
    """A validator accepting `choices`, failing with the registry's wording."""
    return ma.validate.OneOf(list(choices),
                             error=f"Invalid value in parameter `{parameter}`: `{{input}}`")


def parameters(schema: ma.Schema, sources) -> dict:
    """The non-empty parameters of `sources` (multidicts: the query string, a form body),
    each as `schema` loads it: a list for its list fields, else the first value."""
    lists = _list_parameters(schema)
    found: dict = {}
    for source in sources:
        for name in source:
            values = [value for value in source.getlist(name) if value.strip()]
            if name in lists:
                values = [item.strip() for value in values
                          for item in _SEPARATORS.split(value) if item.strip()]
                if values:
                    found.setdefault(name, []).extend(values)
            elif values:
                found.setdefault(name, values[0])
    return found


@functools.cache
def _list_parameters(schema: ma.Schema) -> frozenset[str]:
    """The wire names of `schema`'s list fields (an endpoint's schema lives as long as the
    app: this is worked out once, not per request)."""
    return frozenset(field.data_key or name for name, field in schema.fields.items()
                     if isinstance(field, ma.fields.List))


def load(schema: ma.Schema, sources):
    """`schema` loaded from `sources`; `InvalidRequest` with the registry's message."""
    try:
        return schema.load(parameters(schema, sources))
    except ma.ValidationError as error:
        raise InvalidRequest(_first_problem(error.normalized_messages())) from None


def _first_problem(messages: dict) -> str:
    """The registry's message for a refusal: an unknown name first, else the first problem."""
    for name, problems in messages.items():
        if problems == [UNKNOWN]:
            return f"`{name}` is unknown parameter"
    problems = next(iter(messages.values()))
    while isinstance(problems, dict):  # a list field's per-item errors
        problems = next(iter(problems.values()))
    return problems[0] if isinstance(problems, list) else str(problems)

"""How the OpenAPI document describes the registry's schemas (apispec's marshmallow plugin).

- Each schema is described by its class docstring and named as the registry names the
  component (`StudySchema` -> `Study`).
- Each registry field is described by the facts it declares: its piece name(s), its format,
  its length limit, whether only historic records carry it.
- Structures that `fields=` can project require no key in answers.
"""

from __future__ import annotations

import functools
import inspect

from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.openapi import OpenAPIConverter

from schemas.catalogue import catalogue

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

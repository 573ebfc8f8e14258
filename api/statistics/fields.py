"""Which catalogue fields have statistics: a leaf's FieldStatsType, the lists, the walk's steps."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import NamedTuple

import marshmallow as ma

from api.services.metadata import enum_type
from schemas.catalogue import FieldNode, catalogue

# FieldStatsType of each registry leaf type; other leaves (GeoPoint) have no value statistics.
STATS_TYPES = {
    "text": "STRING",
    "markup": "STRING",
    "NormalizedTime": "STRING",
    "PartialDate": "DATE",
    "NormalizedDate": "DATE",
    "DateTimeMinutes": "DATE",
    "integer": "INTEGER",
    "long": "INTEGER",
    "number": "NUMBER",
    "boolean": "BOOLEAN",
}


def stats_type(node: FieldNode) -> str | None:
    """The FieldStatsType of a leaf (a list of values counts as its values), or None."""
    if not node.is_leaf:
        return None
    if enum_type(node) is not None:
        return "ENUM"
    return STATS_TYPES.get(node.registry_type.removesuffix("[]"))


def is_list(node: FieldNode) -> bool:
    """True for a JSON array: a list of values or of structures."""
    return isinstance(node.field, ma.fields.List) or (
        isinstance(node.field, ma.fields.Nested) and node.field.many
    )


def historic(node: FieldNode) -> bool:
    """True for a field the registry no longer fills (left out unless asked for by name)."""
    return bool(node.metadata.get("historicOnly"))


@functools.cache
def leaves() -> tuple[FieldNode, ...]:
    """Every leaf with value statistics, in catalogue order."""
    return tuple(node for node in catalogue().nodes if stats_type(node) is not None)


@functools.cache
def lists() -> tuple[FieldNode, ...]:
    """Every list field, in catalogue order."""
    return tuple(node for node in catalogue().nodes if is_list(node))


@functools.cache
def types() -> dict[str, str]:
    """The FieldStatsType of every leaf with value statistics, by node path."""
    return {node.path: stats_type(node) for node in leaves()}


class Step(NamedTuple):
    """How the walk treats one key of a JSON object: the catalogue node found there.

    A tuple, not a class with attributes: the walk reads it for every key of every study.
    """

    path: str
    is_list: bool
    counted: bool  # a leaf with value statistics
    children: dict[str, Step]


def _steps(nodes: Iterable[FieldNode]) -> dict[str, Step]:
    return {
        node.name: Step(node.path, is_list(node), stats_type(node) is not None,
                        _steps(node.children))
        for node in nodes
    }


@functools.cache
def steps() -> dict[str, Step]:
    """The walk's steps from a document's top level, made once per process."""
    return _steps(catalogue().roots)

"""The field catalogue: every node of the Study tree with its registry piece name.

Derived from the marshmallow schemas, never written down twice: `fields=` resolves piece
names and dotted paths here, and later `sort=`, Essie `AREA[...]` and `/studies/metadata`
read the same nodes.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import marshmallow as ma

from schemas.study import StudySchema


@dataclass(frozen=True)
class FieldNode:
    """One node of the Study tree: a structure (with children) or a leaf value."""

    name: str  # the wire key, e.g. `nctId`
    path: str  # dotted wire path from the root, e.g. `protocolSection.identificationModule.nctId`
    piece: str  # the registry piece name, e.g. `NCTId`
    field: ma.fields.Field = field(repr=False, compare=False)
    children: tuple[FieldNode, ...] = ()

    @property
    def keys(self) -> tuple[str, ...]:
        """The path as a tuple of wire keys."""
        return tuple(self.path.split("."))

    @property
    def is_leaf(self) -> bool:
        """True for a value the registry treats as one piece (GeoPoint included)."""
        return not self.children

    @property
    def registry_type(self) -> str:
        """The registry's type name: `text`, `PartialDate`, `Status`, `Location[]`, ..."""
        return self.field.registry_type

    @property
    def metadata(self) -> dict:
        """The registry facts the field declares (piece, sourceType, maxChars, ...)."""
        return self.field.metadata

    def walk(self):
        """Yield this node and every node below it, depth first in registry order."""
        yield self
        for child in self.children:
            yield from child.walk()


def _fill(template: str, prefix: str | None) -> str:
    """Resolve a piece template of a shared structure (`"{}Name"`) with its prefix."""
    if "{}" not in template:
        return template
    if prefix is None:
        raise ValueError(f"piece template {template!r} used outside a prefixed structure")
    return template.format(prefix)


def _nodes(schema: ma.Schema, parent_path: str, prefix: str | None) -> tuple[FieldNode, ...]:
    """The catalogue nodes of `schema`'s fields, below `parent_path`."""
    nodes = []
    for field_obj in schema.fields.values():
        template = field_obj.metadata.get("piece")
        if template is None:  # inside a leaf structure such as GeoPoint
            continue
        piece = _fill(template, prefix)
        path = f"{parent_path}.{field_obj.data_key}" if parent_path else field_obj.data_key
        children: tuple[FieldNode, ...] = ()
        if isinstance(field_obj, ma.fields.Nested):
            child_prefix = _fill(field_obj.metadata.get("prefix", template), prefix)
            children = _nodes(field_obj.schema, path, child_prefix)
        nodes.append(FieldNode(field_obj.data_key, path, piece, field_obj, children))
    return tuple(nodes)


class Catalogue:
    """The Study tree's nodes, looked up by piece name or dotted path."""

    def __init__(self, schema: ma.Schema):
        self.roots = _nodes(schema, "", None)
        self.nodes = tuple(node for root in self.roots for node in root.walk())
        self.by_path = {node.path: node for node in self.nodes}
        # Piece names are unique across the tree; the registry matches them without case.
        self.by_piece = {node.piece.lower(): node for node in self.nodes}
        if len(self.by_piece) != len(self.nodes):
            raise ValueError("piece names in the Study schemas are not unique")

    def find(self, name: str) -> FieldNode | None:
        """The node a `fields=` name means: a piece name (any case) or a dotted path."""
        return self.by_path.get(name) or self.by_piece.get(name.lower())


@functools.cache
def catalogue() -> Catalogue:
    """The catalogue of the registry's Study document, built once."""
    return Catalogue(StudySchema())

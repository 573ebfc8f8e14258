"""The registry's self-description: the field tree, the enums and the search areas.

All three are derived from `schemas/` (the Study schemas through the field catalogue, the
enum classes, the search-area definitions), never from a saved copy of the registry's
output, so they always describe what this server accepts and stores.
"""

from __future__ import annotations

import marshmallow as ma

from schemas import fields, search_areas
from schemas.catalogue import FieldNode, catalogue
from schemas.enums import STUDY_ENUMS, RegistryEnum

# FieldNode facts the fields declare in `metadata`, by the attribute names of FieldNodeSchema.
_FACTS = {
    "nested": "nested",
    "maxChars": "max_chars",
    "synonyms": "synonyms",
    "historicOnly": "historic_only",
}


def enum_type(node: FieldNode) -> type[RegistryEnum] | None:
    """The registry enum a node holds (one value or a list of them), or None."""
    field_obj = node.field.inner if isinstance(node.field, ma.fields.List) else node.field
    return field_obj.enum_type if isinstance(field_obj, fields.Enum) else None


def _field_node(node: FieldNode, include_historic: bool) -> dict:
    """One node of the `/studies/metadata` tree, absent facts left out (never null)."""
    item = {
        "name": node.name,
        "piece": node.piece,
        "source_type": node.metadata["sourceType"],
        "type": node.registry_type,
    }
    if enum_type(node) is not None:
        item["is_enum"] = True
    for fact, attribute in _FACTS.items():
        if fact in node.metadata:
            item[attribute] = node.metadata[fact]
    children = [
        _field_node(child, include_historic)
        for child in node.children
        if include_historic or not child.metadata.get("historicOnly")
    ]
    if children:
        item["children"] = children
    return item


def field_tree(include_historic: bool = False) -> list[dict]:
    """The FieldNode tree of the Study document, roots in registry order.

    Historic-only fields (in records captured before the registry dropped them) appear
    only with `include_historic`. The catalogue has no indexed-only fields, so
    `includeIndexedOnly` changes nothing and is not a parameter here.
    """
    return [
        _field_node(root, include_historic)
        for root in catalogue().roots
        if include_historic or not root.metadata.get("historicOnly")
    ]


def _pieces_by_enum() -> dict[str, list[str]]:
    """Every piece holding each enum, in catalogue (registry) order."""
    pieces: dict[str, list[str]] = {}
    for node in catalogue().nodes:
        enum_cls = enum_type(node)
        if enum_cls is not None:
            pieces.setdefault(enum_cls.__name__, []).append(node.piece)
    return pieces


def _enum_item(enum_cls: type[RegistryEnum], value: str) -> dict:
    """One value with its legacy label, and the pieces that used another label."""
    item = {"value": value, "legacy_value": enum_cls.legacy(value)}
    exceptions = enum_cls.exceptions().get(value)
    if exceptions:
        item["exceptions"] = dict(exceptions)
    return item


def enum_infos() -> list[dict]:
    """Every enum the Study schemas use: its pieces and its values, in the spec's order."""
    pieces = _pieces_by_enum()
    return [
        {
            "type": name,
            "pieces": pieces[name],
            "values": [_enum_item(enum_cls, value) for value in enum_cls.values()],
        }
        for name, enum_cls in STUDY_ENUMS.items()
        if name in pieces
    ]


def _part(part: search_areas.Part) -> dict:
    """A search part; its type is its first piece's, without the list marker."""
    node = catalogue().find(part.pieces[0])
    return {
        "pieces": list(part.pieces),
        "type": node.registry_type.removesuffix("[]"),
        "is_enum": enum_type(node) is not None,
        "is_synonyms": part.synonyms,
        "weight": part.weight,
    }


def _area(area: search_areas.SearchArea) -> dict:
    """A search area; `uiLabel` and `param` only where the area has them."""
    item = {"name": area.name}
    if area.ui_label is not None:
        item["ui_label"] = area.ui_label
    if area.param is not None:
        item["param"] = area.param
    item["parts"] = [_part(part) for part in area.parts]
    return item


def search_documents() -> list[dict]:
    """The search documents (only `Study`) with their areas, in definition order."""
    return [{"name": search_areas.DOCUMENT, "areas": [_area(area) for area in search_areas.AREAS]}]

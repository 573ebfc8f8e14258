"""`fields=`: keep only the requested parts of a study, with their full nesting.

A name is a piece (`NCTId`), a branch piece (`ConditionsModule`), a dotted path
(`protocolSection.conditionsModule.conditions`) or a search area (`ConditionSearch`: its
pieces). The list endpoint also takes `@query`: the areas its `query.*` parameters searched.
The result keeps the document's key order; branches left empty are omitted, as the registry
omits absent data.
"""

from __future__ import annotations

import json
import threading

import simdjson

from api.formats.study import FieldsError
from schemas.catalogue import catalogue
from schemas.search_areas import BY_NAME

WHOLE = True  # marks a requested node: keep everything below it


def _nodes(name: str, query_areas: tuple[str, ...] | None) -> list:
    """The catalogue nodes a `fields=` name stands for; 400 if it stands for none."""
    node = catalogue().find(name)
    if node is not None:
        return [node]
    if name == "@query" and query_areas is not None:
        return [node for area in query_areas for node in _nodes(area, ())]
    area = BY_NAME.get(name.lower())
    if area is not None:
        return [catalogue().find(piece) for part in area.parts for piece in part.pieces]
    raise FieldsError(f"Parameter 'fields' contains invalid field name: '{name}'")


def resolve_fields(names: list[str], query_areas: tuple[str, ...] | None = None) -> dict:
    """The tree of requested keys for `names`; `FieldsError` with the registry's message for
    a name that is none of those above.

    `query_areas`: the areas `@query` stands for; None where `@query` is not allowed.
    """
    tree: dict = {}
    for node in (node for name in names for node in _nodes(name, query_areas)):
        branch = tree
        *parents, last = node.keys
        for key in parents:
            if branch.get(key) is WHOLE:
                break
            branch = branch.setdefault(key, {})
        else:
            branch[last] = WHOLE
    return tree


def project(value, tree):
    """`value` reduced to `tree`; None when nothing requested is present."""
    if tree is WHOLE:
        return value
    if isinstance(value, list):
        items = [item for item in (project(element, tree) for element in value) if item is not None]
        return items or None
    if isinstance(value, dict):
        kept = {}
        for key, child in value.items():
            if key in tree and (reduced := project(child, tree[key])) is not None:
                kept[key] = reduced
        return kept or None
    return None


# A parser per thread: simdjson parsers are not shareable, and reusing one is cheaper than
# making one per document.
_parsers = threading.local()


def project_text(text: bytes | str, tree):
    """`project(json.loads(text), tree)`, reading only the requested parts of `text`.

    A page of 1,000 studies with `fields=NCTId,BriefTitle` would otherwise build every
    object of every study to keep two strings of each: simdjson indexes the text in one
    pass, and only the parts kept become Python objects. Text simdjson refuses (a number
    beyond 64 bits, say) is read by the standard parser.
    """
    parser = getattr(_parsers, "parser", None)
    if parser is None:
        parser = _parsers.parser = simdjson.Parser()
    try:
        return _lazy(parser.parse(text), tree)
    except (ValueError, RuntimeError):
        return project(json.loads(text), tree)


def _lazy(value, tree):
    """`project` over simdjson's lazy objects: children are read only under requested keys."""
    if tree is WHOLE:
        return _whole(value)
    if isinstance(value, simdjson.Array):
        items = [item for item in (_lazy(element, tree) for element in value)
                 if item is not None]
        return items or None
    if isinstance(value, simdjson.Object):
        # Only the requested keys are looked up; the document's key order is read only
        # when more than one of them is kept.
        kept = {key: reduced for key, child in tree.items()
                if key in value and (reduced := _lazy(value[key], child)) is not None}
        if len(kept) > 1:
            kept = {key: kept[key] for key in value.keys() if key in kept}
        return kept or None
    return None


def _whole(value):
    if isinstance(value, simdjson.Object):
        return value.as_dict()
    if isinstance(value, simdjson.Array):
        return value.as_list()
    return value

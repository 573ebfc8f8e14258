"""One pass over the stored studies for `/stats/field/values` and `/stats/field/sizes`.

Each document is walked once, guided by the field catalogue: every leaf value is gathered
per field (as a set, so a study counts once per value) and every list's length per list
field; then the study's sets go into the fields' tallies and the document is dropped.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

import marshmallow as ma

from api import json_text
from api.services import stats_tallies as tallies
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
TALLIES = {
    "ENUM": tallies.ValueTally,
    "STRING": tallies.StringTally,
    "DATE": tallies.DateTally,
    "INTEGER": tallies.NumberTally,
    "NUMBER": tallies.NumberTally,
    "BOOLEAN": tallies.BooleanTally,
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


@dataclass(slots=True)
class Step:
    """How the scan treats one key of a JSON object: the catalogue node found there."""

    path: str
    is_list: bool
    counted: bool  # a leaf with value statistics
    children: dict[str, Step]


def _steps(nodes: Iterable[FieldNode]) -> dict[str, Step]:
    return {
        node.name: Step(
            node.path, is_list(node), stats_type(node) is not None, _steps(node.children)
        )
        for node in nodes
    }


def _visit(document: dict, steps: dict[str, Step], values: dict, sizes: dict) -> None:
    """Gather `document`'s leaf values into `values` and list lengths into `sizes`
    (both keyed by node path, each a set)."""
    for key, value in document.items():
        step = steps.get(key)
        if step is None:
            continue
        if step.is_list and isinstance(value, list):
            sizes.setdefault(step.path, set()).add(len(value))
            items = value
        else:
            items = (value,)
        if step.children:
            for item in items:
                if isinstance(item, dict):
                    _visit(item, step.children, values, sizes)
        elif step.counted and items:
            values.setdefault(step.path, set()).update(items)


dumps = json_text.dumps_bytes


@dataclass
class FieldStats:
    """Every field's statistics, each already encoded as one JSON item, by node path."""

    total: int
    values: dict[str, bytes]  # FieldValuesStats of every leaf with value statistics
    types: dict[str, str]  # the FieldStatsType of each of those leaves
    sizes: dict[str, bytes]  # ListSizes of every list field
    current_leaves: list[str]  # the leaves and lists `/studies/metadata` lists by default,
    current_lists: list[str]  # in catalogue order: what a request without `fields` gets


def scan_fields(documents: Iterable[tuple[str, str | bytes]]) -> FieldStats:
    """Tally every field of every document in one pass."""
    steps = _steps(catalogue().roots)
    leaves = [node for node in catalogue().nodes if stats_type(node) is not None]
    lists = [node for node in catalogue().nodes if is_list(node)]
    value_tallies = {node.path: TALLIES[stats_type(node)]() for node in leaves}
    size_tallies = {node.path: tallies.SizeTally() for node in lists}
    total = 0
    for nct_id, text in documents:
        total += 1
        values, sizes = {}, {}
        _visit(json.loads(text), steps, values, sizes)
        for path, seen in values.items():
            value_tallies[path].add(seen, nct_id)
        for path, seen in sizes.items():
            size_tallies[path].add(seen, nct_id)
    return FieldStats(
        total=total,
        values={node.path: _value_item(node, value_tallies[node.path], total) for node in leaves},
        types={node.path: stats_type(node) for node in leaves},
        sizes={node.path: _size_item(node, size_tallies[node.path]) for node in lists},
        current_leaves=[node.path for node in leaves if not _historic(node)],
        current_lists=[node.path for node in lists if not _historic(node)],
    )


def _value_item(node: FieldNode, tally: tallies.Tally, total: int) -> bytes:
    """A FieldValuesStats item: type, piece, field, missing count, then the tally's figures."""
    head = {
        "type": stats_type(node),
        "piece": node.piece,
        "field": node.path,
        "missingStudiesCount": total - tally.studies,
    }
    return dumps(head | tally.summary())


def _size_item(node: FieldNode, tally: tallies.SizeTally) -> bytes:
    """A ListSizes item: field, piece, then the tally's figures."""
    return dumps({"field": node.path, "piece": node.piece} | tally.summary())


def _historic(node: FieldNode) -> bool:
    return bool(node.metadata.get("historicOnly"))

"""What a store indexes for one study, taken from its document once, at write time.

Backend-neutral: the SQLite store turns an `IndexEntry` into rows of its tables; another
store would turn it into its own.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from api.search import fields
from schemas.catalogue import catalogue
from schemas.search_areas import AREAS


@dataclass
class IndexEntry:
    """The searchable facts of one study."""

    # Full text: piece -> its values joined by newlines.
    text: dict[str, str] = field(default_factory=dict)
    # (piece, value, number) for every non-text value.
    values: set[tuple[str, str, float | None]] = field(default_factory=set)
    # Every piece the study has a value for, so `MISSING` works for any piece.
    present: set[str] = field(default_factory=set)
    # piece -> the first value's sort number, for date and numeric pieces.
    sort_keys: dict[str, float] = field(default_factory=dict)
    # Every site's (lat, lon).
    geo: list[tuple[float, float]] = field(default_factory=list)


@functools.cache
def area_piece_weights() -> Mapping[str, float]:
    """Pieces some search area names, in the order first named, each with its highest
    weight in any area: indexed for weighted (relevance) text search."""
    weights: dict[str, float] = {}
    for area in AREAS:
        for part in area.parts:
            for piece in part.pieces:
                weights[piece] = max(weights.get(piece, 0.0), part.weight)
    return MappingProxyType(weights)


@functools.cache
def area_pieces() -> tuple[str, ...]:
    """The pieces of `area_piece_weights`, in order: the full-text index's columns."""
    return tuple(area_piece_weights())


@functools.cache
def other_text_pieces() -> tuple[str, ...]:
    """Text pieces no search area names: indexed for `AREA[piece]` on its own."""
    return tuple(piece for piece in fields.text_columns() if piece not in area_piece_weights())


@functools.cache
def _full_text() -> frozenset[str]:
    return frozenset(fields.text_columns())


# How `extract` reads one wire key of an object: the table of the object below it (None for
# a leaf), the leaf's piece, its kind and whether it is full-text indexed.
_Key = tuple[dict | None, str | None, str | None, bool]


@functools.cache
def _table(path: str) -> dict[str, _Key]:
    """Wire key -> `_Key` below the node at `path` ('' for the root), worked out once."""
    nodes = catalogue().by_path[path].children if path else catalogue().roots
    return {node.name: (None, node.piece, fields.kind(node), node.piece in _full_text())
            if node.is_leaf else (_table(node.path), None, None, False) for node in nodes}


def extract(document: dict) -> IndexEntry:
    """The `IndexEntry` of a study document the guard accepted."""
    entry, texts = IndexEntry(), {}
    _walk(document, _table(""), entry, texts)
    # Values of one piece joined once, at the end: joining as they come is quadratic.
    entry.text = {piece: "\n".join(values) for piece, values in texts.items()}
    return entry


def _walk(value: dict, table: dict[str, _Key], entry: IndexEntry,
          texts: dict[str, list[str]]) -> None:
    for key, child in value.items():
        below, piece, kind, full_text = table[key]
        items = child if isinstance(child, list) else (child,)
        if below is not None:
            for item in items:
                _walk(item, below, entry, texts)
        elif items:
            _leaves(piece, kind, full_text, items, entry, texts)


def _leaves(piece: str, kind: str, full_text: bool, items, entry: IndexEntry,
            texts: dict[str, list[str]]) -> None:
    """Index the values `items` (at least one) of leaf `piece`."""
    entry.present.add(piece)
    if kind == fields.GEO:
        entry.geo.extend((value["lat"], value["lon"]) for value in items)
        return
    if kind == fields.TEXT or full_text:
        texts.setdefault(piece, []).extend(map(str, items))
    if kind == fields.TEXT:
        return
    sorts = kind in (fields.DATE, fields.NUMBER, fields.AGE)
    for value in items:
        number = fields.sort_key(kind, value)
        entry.values.add((piece, fields.stored_value(kind, value), number))
        if sorts and number is not None:
            entry.sort_keys.setdefault(piece, number)

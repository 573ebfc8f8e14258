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


@functools.cache
def _children(path: str) -> dict:
    """Wire key -> (catalogue node, kind) below the node at `path` ('' for the root)."""
    nodes = catalogue().by_path[path].children if path else catalogue().roots
    return {node.name: (node, fields.kind(node) if node.is_leaf else None) for node in nodes}


def extract(document: dict) -> IndexEntry:
    """The `IndexEntry` of a study document the guard accepted."""
    entry = IndexEntry()
    _walk(document, "", entry)
    return entry


def _walk(value: dict, path: str, entry: IndexEntry) -> None:
    for key, child in value.items():
        node, kind = _children(path)[key]
        if kind is None:
            for item in child if isinstance(child, list) else [child]:
                _walk(item, node.path, entry)
        else:
            for item in child if isinstance(child, list) else [child]:
                _leaf(node.piece, kind, item, entry)


def _leaf(piece: str, kind: str, value, entry: IndexEntry) -> None:
    entry.present.add(piece)
    if kind == fields.GEO:
        entry.geo.append((value["lat"], value["lon"]))
        return
    if kind == fields.TEXT or piece in _full_text():
        previous = entry.text.get(piece)
        entry.text[piece] = f"{previous}\n{value}" if previous else str(value)
    if kind == fields.TEXT:
        return
    number = fields.sort_key(kind, value)
    entry.values.add((piece, fields.stored_value(kind, value), number))
    if number is not None and kind in (fields.DATE, fields.NUMBER, fields.AGE):
        entry.sort_keys.setdefault(piece, number)

"""Search criteria: Essie trees bound to the pieces they search, ready for a store to run.

`bind` resolves every `AREA[...]` to concrete pieces and turns each term, range and
`MISSING` into one of the match nodes below. A store only has to know how to evaluate
these nodes (and `And`, `Or`, `Not`, `All`) against its index.
"""

from __future__ import annotations

import datetime
import math
import re
from dataclasses import dataclass

from api.search import fields
from api.search.essie import All, And, Area, Distance, EssieError, Missing, Not, Or, Range, Term
from schemas.catalogue import catalogue
from schemas.search_areas import BY_NAME

__all__ = ["All", "And", "Not", "Or", "TextMatch", "ValueMatch", "RangeMatch", "MissingMatch",
           "GeoMatch", "IdsMatch", "Context", "SortKey", "bind", "combine", "context_for"]


@dataclass(frozen=True)
class Context:
    """The pieces a bare term searches, with their relevance weights."""

    weights: tuple[tuple[str, float], ...]

    @property
    def pieces(self) -> tuple[str, ...]:
        return tuple(piece for piece, _ in self.weights)


@dataclass(frozen=True)
class TextMatch:
    """Full-text match of `term` in any of the pieces (words, stemmed, any case)."""

    weights: tuple[tuple[str, float], ...]
    term: Term


@dataclass(frozen=True)
class ValueMatch:
    """A non-text piece equal to `value` (dates: `2022` matches `2022-03-01`)."""

    piece: str
    kind: str
    value: str


@dataclass(frozen=True)
class RangeMatch:
    """A date, number or age piece within [low, high] (None: open end); never a missing one."""

    piece: str
    low: float | None
    high: float | None


@dataclass(frozen=True)
class MissingMatch:
    """None of the pieces has a value."""

    pieces: tuple[str, ...]


@dataclass(frozen=True)
class GeoMatch:
    """A site within `radius_km` of (lat, lon)."""

    lat: float
    lon: float
    radius_km: float


@dataclass(frozen=True)
class IdsMatch:
    """Studies whose NCT id or one of whose aliases is in `nct_ids`."""

    nct_ids: tuple[str, ...]


@dataclass(frozen=True)
class SortKey:
    """One `sort=` key: a date or numeric piece, or relevance (`piece` None)."""

    piece: str | None
    descending: bool


def context_for(name: str) -> Context:
    """The pieces `AREA[name]` searches: a search area's parts, or one piece or branch."""
    area = BY_NAME.get(name.lower())
    if area is not None:
        weights = {}
        for part in area.parts:
            for piece in part.pieces:
                weights.setdefault(piece, part.weight)
        return Context(tuple(weights.items()))
    node = catalogue().find(name)
    if node is None:
        raise EssieError(f"Unknown area name: '{name}'")
    return Context(tuple((leaf.piece, 1.0) for leaf in node.walk() if leaf.is_leaf))


def bind(tree, context: Context):
    """`tree` with every term, range and MISSING resolved against `context`'s pieces.

    `And` within `And` (and `Or` within `Or`) is flattened and repeated items are kept
    once: the same matches, with fewer and shallower conditions for the store to run.
    """
    if isinstance(tree, Area):
        return bind(tree.item, context_for(tree.name))
    if isinstance(tree, (And, Or)):
        return combine(type(tree), [bind(item, context) for item in tree.items])
    if isinstance(tree, Not):
        return Not(bind(tree.item, context))
    if isinstance(tree, Term):
        return _term(tree, context)
    if isinstance(tree, Range):
        return _range(tree, context)
    if isinstance(tree, Missing):
        return MissingMatch(context.pieces)
    if isinstance(tree, Distance):
        return GeoMatch(tree.lat, tree.lon, tree.radius_km)
    if isinstance(tree, All):
        return tree
    raise EssieError(f"unsupported query element {tree!r}")


def combine(kind: type, items) -> object:
    """`kind` (`And` or `Or`) of `items`, nested ones of the same kind spliced in, each
    distinct item once, in first-seen order; a single item stands for itself."""
    flat: dict = {}
    for item in items:
        for part in item.items if isinstance(item, kind) else (item,):
            flat.setdefault(part, None)
    return next(iter(flat)) if len(flat) == 1 else kind(tuple(flat))


def _term(term: Term, context: Context):
    """A term in a context: text pieces match words; a lone non-text piece matches values."""
    text = set(fields.text_columns())
    searched = tuple((piece, weight) for piece, weight in context.weights if piece in text)
    if len(context.pieces) == 1 and not _is_text(context.pieces[0]):
        piece = context.pieces[0]
        return ValueMatch(piece, fields.kind(catalogue().find(piece)), term.text)
    if not searched:
        raise EssieError(f"no text to search for '{term.text}' in this area")
    return TextMatch(searched, term)


def _is_text(piece: str) -> bool:
    return fields.kind(catalogue().find(piece)) == fields.TEXT


def _range(bounds: Range, context: Context) -> RangeMatch:
    """`RANGE[lo, hi]` over the context's one date, number or age piece."""
    if len(context.pieces) != 1:
        raise EssieError("RANGE needs a single date, number or age field")
    piece = context.pieces[0]
    kind = fields.kind(catalogue().find(piece))
    if kind not in (fields.DATE, fields.NUMBER, fields.AGE):
        raise EssieError(f"RANGE is not supported for {kind} field '{piece}'")

    def key(bound: str | None) -> float | None:
        if bound is None:
            return None
        value = _bound_value(kind, bound)
        if value is None:
            raise EssieError(f"invalid {kind} in range: '{bound}'")
        return value

    return RangeMatch(piece, key(bounds.low), key(bounds.high))


_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def _bound_value(kind: str, text: str) -> float | None:
    """The number a `RANGE` bound compares as, if it is a value of its kind as the registry
    types it: a calendar date (`2021-02-30` is not one), a finite number, an age."""
    if kind == fields.DATE and not _calendar_date(text):
        return None
    if kind == fields.NUMBER and not _NUMBER.fullmatch(text):
        return None
    value = fields.sort_key(kind, text)
    return value if value is not None and math.isfinite(value) else None


def _calendar_date(text: str) -> bool:
    """`yyyy`, `yyyy-MM`, `yyyy-MM-dd` or `yyyy-MM-ddTHH:mm` naming a real month, day and
    time."""
    text, _, clock = text.partition("T")
    if clock and not re.fullmatch(r"([01][0-9]|2[0-3]):[0-5][0-9]", clock):
        return False
    parts = text.split("-")
    if len(parts) > 3 or not all(part.isascii() and part.isdigit() for part in parts):
        return False
    year, month, day = (int(part) for part in parts + ["1"] * (3 - len(parts)))
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return len(parts[0]) == 4 and all(len(part) == 2 for part in parts[1:])

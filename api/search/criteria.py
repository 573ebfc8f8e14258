"""Search criteria: Essie trees bound to the pieces they search, ready for a store to run.

`bind` resolves every `AREA[...]` to concrete pieces and turns each term, range and
`MISSING` into one of the match nodes below. A store only has to know how to evaluate
these nodes (and `And`, `Or`, `Not`, `All`) against its index.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.search import fields
from api.search.essie import All, And, Area, Distance, EssieError, Missing, Not, Or, Range, Term
from schemas.catalogue import catalogue
from schemas.search_areas import BY_NAME

__all__ = ["All", "And", "Not", "Or", "TextMatch", "ValueMatch", "RangeMatch", "MissingMatch",
           "GeoMatch", "IdsMatch", "Context", "bind", "context_for"]


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
    """`tree` with every term, range and MISSING resolved against `context`'s pieces."""
    if isinstance(tree, Area):
        return bind(tree.item, context_for(tree.name))
    if isinstance(tree, (And, Or)):
        return type(tree)(tuple(bind(item, context) for item in tree.items))
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
        value = fields.sort_key(kind, bound)
        if value is None:
            raise EssieError(f"invalid {kind} in range: '{bound}'")
        return value

    return RangeMatch(piece, key(bounds.low), key(bounds.high))

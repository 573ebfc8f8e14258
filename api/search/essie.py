"""The Essie query language, the subset registry users write (REFERENCE.md §7).

Terms, `"phrases"`, `AND`, `OR`, `NOT`, parentheses, `AREA[name]expr`,
`SEARCH[name](expr)`, `RANGE[lo, hi]` (with `MIN`/`MAX`), `MISSING`, `ALL`,
`DISTANCE[lat, lon, radius]`, and the accepted-but-neutral `COVERAGE[...]` and
`EXPANSION[...]`. Precedence, tightest first: terms and source operators, then `NOT` and
context operators, then `AND` (also implied between neighbours), then `OR`.

`parse` turns a query string into a small tree of the node classes below; what the nodes
mean against stored studies is the store's business.

Parsing is bounded (`Limits`): the length of an expression, how deeply it nests and how
many terms and operators it holds are checked before anything else is done with it, so no
query can reach Python's recursion limit or build SQL a database cannot parse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


class EssieError(ValueError):
    """A query that does not parse; the message says what is wrong."""


class LimitExceeded(EssieError):
    """A query past one of the parser's limits; the message names the limit."""


@dataclass(frozen=True)
class Limits:
    """How large an expression may be. Real queries (REFERENCE.md §7, the registry's
    examples) use a few dozen characters, two or three levels and a handful of terms."""

    chars: int = 10_000  # characters in one expression
    depth: int = 16  # nesting: parentheses, NOT, AREA/SEARCH/COVERAGE/EXPANSION/...
    items: int = 256  # words, phrases and operators


LIMITS = Limits()


@dataclass(frozen=True)
class Term:
    """A word or a quoted phrase; `starts_with` from `COVERAGE[StartsWith]`.

    `COVERAGE[FullMatch]` and `[EndsWith]` match as `Contains` does (README: known
    differences): the index keeps words, not whole field values.
    """

    text: str
    starts_with: bool = False


@dataclass(frozen=True)
class And:
    items: tuple


@dataclass(frozen=True)
class Or:
    items: tuple


@dataclass(frozen=True)
class Not:
    item: object


@dataclass(frozen=True)
class Area:
    """`AREA[name]expr`: evaluate `expr` against a search area or a single piece."""

    name: str
    item: object


@dataclass(frozen=True)
class Range:
    """`RANGE[lo, hi]`; None stands for `MIN` / `MAX`."""

    low: str | None
    high: str | None


@dataclass(frozen=True)
class Missing:
    """`MISSING`: the field has no value."""


@dataclass(frozen=True)
class All:
    """`ALL`: every study."""


@dataclass(frozen=True)
class Distance:
    """Within `radius_km` of a point."""

    lat: float
    lon: float
    radius_km: float


COVERAGES = ("FullMatch", "StartsWith", "EndsWith", "Contains")
EXPANSIONS = ("None", "Term", "Concept", "Relaxation", "Lossy")
_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<phrase>"(?:[^"\\]|\\.)*")
  | (?P<operator>(?:AREA|SEARCH|RANGE|COVERAGE|COVER|EXPANSION|DISTANCE|TILT)\[[^\]]*\])
  | (?P<paren>[()])
  | (?P<word>(?:\\.|[^\s()"\[\]])+)
""", re.VERBOSE)
_MILES_KM = 1.609344
# Coordinates and radii as the registry's `filter.geo` pattern writes them: no exponent,
# no NaN or infinity.
_COORDINATE = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_RADIUS = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*(km|mi)?")


def tokenize(query: str) -> list[tuple[str, str]]:
    """(kind, text) tokens of `query`; kinds: phrase, operator, paren, word."""
    tokens, pos = [], 0
    while pos < len(query):
        match = _TOKEN.match(query, pos)
        if match is None:
            raise EssieError(f"mismatched input '{query[pos]}'")
        if match.lastgroup != "space":
            tokens.append((match.lastgroup, match.group()))
        pos = match.end()
    return tokens


def parse(query: str, limits: Limits = LIMITS):
    """The tree of `query`; raises `EssieError` naming the problem (`LimitExceeded` for
    a query past `limits`)."""
    if len(query) > limits.chars:
        raise LimitExceeded(f"longer than {limits.chars} characters")
    tokens = tokenize(query)
    if sum(kind != "paren" for kind, _ in tokens) > limits.items:
        raise LimitExceeded(f"more than {limits.items} terms and operators")
    parser = _Parser(tokens, limits.depth)
    if not parser.tokens:
        raise EssieError("empty query")
    tree = parser.or_expression()
    if parser.peek() is not None:
        raise EssieError(f"extraneous input '{parser.peek()[1]}'")
    return tree


def _operator(token: str) -> tuple[str, str]:
    """`AREA[x]` -> ("AREA", "x")."""
    name, _, argument = token.partition("[")
    return name, argument[:-1].strip()


def _coordinate(text: str, bound: float) -> float:
    """A latitude (`bound` 90) or longitude (180) in decimal degrees, within the bound."""
    if not _COORDINATE.fullmatch(text) or abs(value := float(text)) > bound:
        raise EssieError(f"invalid coordinate: '{text}'")
    return value


def distance(argument: str) -> Distance:
    """`lat, lon, 25mi` (or `km`; miles by default) as a `Distance`: the one reading of a
    point and radius, for `DISTANCE[...]` and `filter.geo` alike."""
    parts = [part.strip() for part in argument.split(",")]
    if len(parts) != 3:
        raise EssieError(f"invalid distance: '{argument}'")
    match = _RADIUS.fullmatch(parts[2])
    if match is None or float(match.group(1)) <= 0:
        raise EssieError(f"invalid distance: '{parts[2]}'")
    radius = float(match.group(1)) * (1 if match.group(2) == "km" else _MILES_KM)
    return Distance(_coordinate(parts[0], 90), _coordinate(parts[1], 180), radius)


class _Parser:
    """Recursive descent over the token list, one method per precedence level.

    Every construct that nests (a parenthesis, `NOT`, a context operator) counts one level
    while it is being read; past `max_depth` the parse stops with `LimitExceeded`, so the
    recursion stays a few frames per level, far below Python's limit.
    """

    def __init__(self, tokens, max_depth: int):
        self.tokens = tokens
        self.pos = 0
        self.depth = 0
        self.max_depth = max_depth

    def nested(self, read):
        """`read()` one level deeper."""
        if self.depth >= self.max_depth:
            raise LimitExceeded(f"nested more than {self.max_depth} levels deep")
        self.depth += 1
        try:
            return read()
        finally:
            self.depth -= 1

    def peek(self):
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self):
        token = self.peek()
        self.pos += 1
        return token

    def or_expression(self):
        items = [self.and_expression()]
        while self._keyword("OR"):
            self.take()
            items.append(self.and_expression())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_expression(self):
        items = [self.unary()]
        while (token := self.peek()) is not None and token != ("paren", ")") and not self._keyword("OR"):
            if self._keyword("AND"):
                self.take()
            items.append(self.unary())
        return items[0] if len(items) == 1 else And(tuple(items))

    def unary(self):
        token = self.peek()
        if token is None:
            raise EssieError("mismatched input '<EOF>'")
        if self._keyword("NOT"):
            self.take()
            return Not(self.nested(self.unary))
        if token[0] == "operator":
            name, argument = _operator(self.take()[1])
            return self.nested(lambda: self.context(name, argument))
        return self.primary()

    def context(self, name: str, argument: str):
        if name == "AREA" or name == "SEARCH":
            if not argument:
                raise EssieError(f"missing area name in {name}[]")
            return Area(argument, self.unary())
        if name in ("COVERAGE", "COVER"):
            if argument not in COVERAGES:
                raise EssieError(f"Invalid coverage: {argument}")
            return self._covered(self.unary(), argument)
        if name == "EXPANSION":
            if argument not in EXPANSIONS:
                raise EssieError(f"Invalid expansion: {argument}")
            return self.unary()
        if name == "RANGE":
            return self._range(argument)
        if name == "DISTANCE":
            return distance(argument)
        return self.unary()  # TILT[...] only reorders results

    def _covered(self, item, coverage: str):
        """Apply a coverage to the terms in `item` (only StartsWith changes matching)."""
        if isinstance(item, Term):
            return Term(item.text, coverage == "StartsWith")
        if isinstance(item, Area):
            return Area(item.name, self._covered(item.item, coverage))
        if isinstance(item, Not):
            return Not(self._covered(item.item, coverage))
        if isinstance(item, (And, Or)):
            return type(item)(tuple(self._covered(child, coverage) for child in item.items))
        return item

    def _range(self, argument: str) -> Range:
        bounds = [bound.strip() for bound in argument.split(",")]
        if len(bounds) != 2 or not all(bounds):
            raise EssieError(f"invalid range: '{argument}'")
        low, high = (None if bound in ("MIN", "MAX") else bound for bound in bounds)
        return Range(low, high)

    def primary(self):
        kind, text = self.take()
        if kind == "paren":
            if text == ")":
                raise EssieError("mismatched input ')'")
            tree = self.nested(self.or_expression)
            if self.take() != ("paren", ")"):
                raise EssieError("missing ')'")
            return tree
        if kind == "phrase":
            return Term(re.sub(r"\\(.)", r"\1", text[1:-1]))
        if text == "MISSING":
            return Missing()
        if text == "ALL":
            return All()
        if text in ("AND", "OR"):
            raise EssieError(f"mismatched input '{text}'")
        return Term(re.sub(r"\\(.)", r"\1", text))

    def _keyword(self, word: str) -> bool:
        return self.peek() == ("word", word)

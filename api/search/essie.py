"""The Essie query language, the subset registry users write (REFERENCE.md §7).

Terms, `"phrases"`, `AND`, `OR`, `NOT`, parentheses, `AREA[name]expr`,
`SEARCH[name](expr)`, `RANGE[lo, hi]` (with `MIN`/`MAX`), `MISSING`, `ALL`,
`DISTANCE[lat, lon, radius]`, and the accepted-but-neutral `COVERAGE[...]` and
`EXPANSION[...]`. Precedence, tightest first: terms and source operators, then `NOT` and
context operators, then `AND` (also implied between neighbours), then `OR`.

`parse` turns a query string into a small tree of the node classes below; what the nodes
mean against stored studies is the store's business.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


class EssieError(ValueError):
    """A query that does not parse; the message says what is wrong."""


@dataclass(frozen=True)
class Term:
    """A word or a quoted phrase; `starts_with` from `COVERAGE[StartsWith]`."""

    text: str
    starts_with: bool = False
    full_match: bool = False


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


def parse(query: str):
    """The tree of `query`; raises `EssieError` naming the problem."""
    parser = _Parser(tokenize(query))
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


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise EssieError(f"invalid number: '{text}'") from None


def distance(argument: str) -> Distance:
    """`lat, lon, 25mi` (or `km`; miles by default, as `filter.geo`) as a `Distance`."""
    parts = [part.strip() for part in argument.split(",")]
    if len(parts) != 3:
        raise EssieError(f"invalid distance: '{argument}'")
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(km|mi)?", parts[2])
    if match is None:
        raise EssieError(f"invalid distance: '{parts[2]}'")
    radius = float(match.group(1)) * (1 if match.group(2) == "km" else _MILES_KM)
    return Distance(_number(parts[0]), _number(parts[1]), radius)


class _Parser:
    """Recursive descent over the token list, one method per precedence level."""

    def __init__(self, tokens):
        self.tokens = tokens
        self.pos = 0

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
            return Not(self.unary())
        if token[0] == "operator":
            return self.context(*_operator(self.take()[1]))
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
        """Apply a coverage to the terms in `item` (StartsWith and FullMatch change matching)."""
        if isinstance(item, Term):
            return Term(item.text, coverage == "StartsWith", coverage == "FullMatch")
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
            tree = self.or_expression()
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

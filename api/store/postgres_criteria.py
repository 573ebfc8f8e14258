"""Criteria tree -> one SQL condition on `t` (a row of `study_text`), with parameters.

The same matches as the SQLite store (`sqlite_criteria`), leaf for leaf: words are FTS5's
(`postgres_index`), so a text term is a tsquery of `<piece>.<word>` lexemes, a phrase
`<->` between its words in each piece it searches, `^` the piece's start lexeme before it,
cast from text (no dictionary: the words are already as indexed). The `AND`s and `OR`s of
text leaves over area pieces become one tsquery: one GIN lookup, however many terms.
Values, ranges, `MISSING`, distance and ids read the other index tables.
"""

from __future__ import annotations

import math

from api.search import criteria as c
from api.search import fields, geo
from api.search.extract import area_piece_weights
from api.store.fts5_tokens import query_tokens
from api.store.postgres_index import fold, piece_codes
from api.store.postgres_words import RANK_WEIGHTS, lexeme, rank_pieces, start_lexeme
from api.store.sqlite_criteria import one_piece_values, text_leaves

# A text leaf none of whose pieces can match (a term without words, as `!!!`): FTS5
# matches nothing for it, and a tsquery cannot say nothing.
NOTHING = "NOTHING"


def phrase(piece: str, term) -> str | None:
    """The tsquery of `term` in one piece; None when the term has no words."""
    # FTS5 reads a query string up to a NUL: the SQLite store turns NULs into spaces.
    words = query_tokens(term.text.replace("\x00", " "))
    if not words:
        return None
    lexemes = [start_lexeme(piece)] if term.starts_with else []
    lexemes += [lexeme(piece, word) for word in words]
    return lexemes[0] if len(lexemes) == 1 else "(" + " <-> ".join(lexemes) + ")"


def text_query(pieces, term) -> str:
    """The tsquery of `term` in any of `pieces`, or `NOTHING`."""
    found = [query for piece in pieces if (query := phrase(piece, term)) is not None]
    return "(" + " | ".join(found) + ")" if found else NOTHING


def area_query(node) -> str | None:
    """The `study_text.area` tsquery (or `NOTHING`) of a text leaf over area pieces only,
    or of an `And`/`Or` of such leaves at any depth; None for anything else."""
    if isinstance(node, c.TextMatch):
        pieces = [piece for piece, _ in node.weights]
        if not all(piece in area_piece_weights() for piece in pieces):
            return None
        return text_query(pieces, node.term)
    if not isinstance(node, (c.And, c.Or)):
        return None
    queries = [area_query(item) for item in node.items]
    if any(query is None for query in queries):
        return None
    if isinstance(node, c.And):
        return NOTHING if NOTHING in queries else "(" + " & ".join(queries) + ")"
    queries = [query for query in queries if query != NOTHING]
    return "(" + " | ".join(queries) + ")" if queries else NOTHING


class Compiler:
    """Builds SQL conditions and collects their named parameters (psycopg `%(name)s`)."""

    def __init__(self):
        self.params: dict[str, object] = {}
        self.area_leaves: list[c.TextMatch] = []  # the area text leaves met, for relevance
        self._conjunct = True  # compiling a term the whole condition ANDs (see `_text`)

    def param(self, value) -> str:
        """A named parameter holding `value`."""
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f"%({name})s"

    def condition(self, node) -> str:
        """The SQL condition `node` stands for."""
        if (query := area_query(node)) is not None:
            return self._area_match(node, query)
        if (enums := one_piece_values(node)) is not None:
            return self._values(f"piece = {self.param(piece_codes()[enums[0]])} AND value = "
                                f"ANY({self.param([fold(value) for value in enums[1]])})")
        if isinstance(node, (c.And, c.Or)):
            # The area text items of a mixed group still run as one tsquery.
            conjunct = isinstance(node, c.And)
            texts = [item for item in node.items if area_query(item) is not None]
            parts = [self._within(item, conjunct) for item in node.items
                     if area_query(item) is None]
            if texts:
                parts.insert(0, self._within(c.combine(type(node), texts), conjunct))
            return "(" + (" AND " if conjunct else " OR ").join(parts) + ")"
        if isinstance(node, c.Not):
            return f"NOT {self._within(node.item, False)}"
        if isinstance(node, c.All):
            return "TRUE"
        return getattr(self, f"_{type(node).__name__}")(node)

    def rank(self) -> str:
        """The relevance of a row (higher: more relevant) to the text leaves compiled so
        far: ts_rank of their words in the pieces relevance weighs (`rank_pieces`), with
        their weights; 0 without such leaves."""
        weighed = rank_pieces()
        queries = [query for leaf in dict.fromkeys(self.area_leaves)
                   if (query := text_query([piece for piece, _ in leaf.weights
                                            if piece in weighed], leaf.term)) != NOTHING]
        if not queries:
            return "0::float8"
        return (f"ts_rank('{RANK_WEIGHTS}', t.rank, {self.param(' | '.join(queries))}::tsquery)"
                f"::float8")

    def _area_match(self, node, query: str) -> str:
        if query == NOTHING:
            return "FALSE"
        self.area_leaves += text_leaves(node)
        return self._text("area", query)

    def _within(self, node, conjunct: bool) -> str:
        """`node`'s condition, where the whole condition ANDs it only if `conjunct`."""
        outer, self._conjunct = self._conjunct, self._conjunct and conjunct
        try:
            return self.condition(node)
        finally:
            self._conjunct = outer

    def _text(self, column: str, query: str) -> str:
        # The planner does not count reading a vector from TOAST: 40 times slower than the
        # GIN index, which alone answers a query without phrases. A term the whole
        # condition ANDs is tested on the row, which lets it read the index (a bitmap
        # scan), `enable_seqscan` being off (`postgres_search`). Under NOT or OR it would
        # test every row's vector: there it is a subquery of its own (`OFFSET 0` keeps it
        # apart, so that no order asked of it makes the planner walk the table instead).
        if self._conjunct:
            return f"t.{column} @@ {self.param(query)}::tsquery"
        return (f"t.study_id IN (SELECT study_id FROM study_text WHERE {column} @@ "
                f"{self.param(query)}::tsquery OFFSET 0)")

    def _values(self, where: str) -> str:
        return f"t.study_id IN (SELECT study_id FROM field_values WHERE {where})"

    def _TextMatch(self, node: c.TextMatch) -> str:
        # A term over pieces some of which no area names (see postgres_index): the OR of
        # its words in `other` and its words in `area`.
        areas = area_piece_weights()
        others = text_query([piece for piece, _ in node.weights if piece not in areas], node.term)
        indexed = tuple((piece, weight) for piece, weight in node.weights if piece in areas)
        alone = others == NOTHING or not indexed
        outer, self._conjunct = self._conjunct, self._conjunct and alone
        try:
            parts = [self._text("other", others)] if others != NOTHING else []
            if indexed:
                parts.append(self.condition(c.TextMatch(indexed, node.term)))
        finally:
            self._conjunct = outer
        return "(" + " OR ".join(parts) + ")" if parts else "FALSE"

    def _ValueMatch(self, node: c.ValueMatch) -> str:
        piece = f"piece = {self.param(piece_codes()[node.piece])}"
        if node.kind == fields.DATE:
            # `2022` matches `2022-03-01`; no escape character, as in SQLite's LIKE.
            value = fold(node.value)
            return self._values(f"{piece} AND (value = {self.param(value)} OR value LIKE "
                                f"{self.param(value + '-%')} ESCAPE '')")
        if node.kind in (fields.NUMBER, fields.AGE):
            number = fields.sort_key(node.kind, node.value)
            return self._values(f"{piece} AND num = {self.param(number)}::float8")
        value = node.value
        if node.kind == fields.BOOLEAN:
            value = fields.stored_value(fields.BOOLEAN, value)
        return self._values(f"{piece} AND value = {self.param(fold(value))}")

    def _RangeMatch(self, node: c.RangeMatch) -> str:
        where = f"piece = {self.param(piece_codes()[node.piece])} AND num IS NOT NULL"
        if node.low is not None:
            where += f" AND num >= {self.param(node.low)}::float8"
        if node.high is not None:
            where += f" AND num <= {self.param(node.high)}::float8"
        return self._values(where)

    def _MissingMatch(self, node: c.MissingMatch) -> str:
        codes = [piece_codes()[piece] for piece in node.pieces]
        return f"NOT t.present && {self.param(codes)}::integer[]"

    def _GeoMatch(self, node: c.GeoMatch) -> str:
        # SQLite's condition, term for term (the same box, the same haversine), so that a
        # site on the edge of the circle is in or out in both stores.
        area = geo.box(node)
        lat, lon = self.param(math.radians(node.lat)), self.param(math.radians(node.lon))
        where = (f"lat BETWEEN {self.param(area.south)}::float8 "
                 f"AND {self.param(area.north)}::float8")
        if area.west is not None:
            where += (f" AND lon BETWEEN {self.param(area.west)}::float8 "
                      f"AND {self.param(area.east)}::float8")
        where += (f" AND 2 * {geo.EARTH_KM} * asin(least(1, sqrt(power(sin((radians(lat) - "
                  f"{lat}::float8) / 2), 2) + cos({lat}::float8) * cos(radians(lat)) * "
                  f"power(sin((radians(lon) - {lon}::float8) / 2), 2)))) <= "
                  f"{self.param(node.radius_km)}::float8")
        return f"t.study_id IN (SELECT study_id FROM geo WHERE {where})"

    def _IdsMatch(self, node: c.IdsMatch) -> str:
        ids = self.param(list(node.nct_ids))
        return (f"t.study_id IN (SELECT id FROM studies WHERE nct_id = ANY({ids}) "
                f"UNION SELECT study_id FROM aliases WHERE alias = ANY({ids}))")

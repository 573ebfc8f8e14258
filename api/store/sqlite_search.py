"""Running a search against the SQLite index: criteria tree -> SQL, keyset paging.

Every criteria node becomes a condition on `s.id`; full-text leaves query the FTS5 tables,
the others `field_values`, `geo` and `aliases`. Results are ordered by the sort keys, then
by study id, and a page continues strictly after the previous page's last row (keyset), so
paging stays consistent without OFFSET scans.
"""

from __future__ import annotations

import functools
import math
import sqlite3

from api.search import criteria as c
from api.search import fields
from api.search.extract import area_pieces, other_text_pieces
from api.store.base import SearchPage, SearchRequest
from api.store.sqlite_index import PIECE_SLOTS, piece_slots
from schemas.search_areas import AREAS

_KM_PER_DEGREE = 111.195


def _phrase(text: str) -> str:
    """An FTS5 string literal (the tokenizer splits it into words; several words: a phrase)."""
    return '"' + text.replace('"', '""') + '"'


class _Compiler:
    """Builds one SQL condition and its parameters from a criteria tree."""

    def __init__(self, piece_ids: dict[str, int]):
        self.ids = piece_ids
        self.params: dict[str, object] = {}
        self.area_queries: list[str] = []  # area_text matches, for relevance

    def condition(self, node) -> str:
        if isinstance(node, c.And):
            return "(" + " AND ".join(self.condition(item) for item in node.items) + ")"
        if isinstance(node, c.Or):
            return "(" + " OR ".join(self.condition(item) for item in node.items) + ")"
        if isinstance(node, c.Not):
            return f"NOT {self.condition(node.item)}"
        if isinstance(node, c.All):
            return "1"
        return getattr(self, f"_{type(node).__name__}")(node)

    def param(self, value) -> str:
        """A named parameter holding `value`."""
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    def _TextMatch(self, node: c.TextMatch) -> str:
        term = ("^" if node.term.starts_with else "") + _phrase(node.term.text)
        pieces = [piece for piece, _ in node.weights]
        indexed = set(area_pieces())
        in_areas = [piece for piece in pieces if piece in indexed]
        others = [piece for piece in pieces if piece not in indexed]
        parts = []
        if in_areas:
            query = "{" + " ".join(in_areas) + "} : " + term
            self.area_queries.append(query)
            parts.append(f"s.id IN (SELECT rowid FROM area_text WHERE area_text MATCH "
                         f"{self.param(query)})")
        if others:
            # The rowid says which piece a row holds (sqlite_index): match, then keep those.
            slots = ", ".join(str(slot) for slot in sorted(piece_slots(others)))
            parts.append(f"s.id IN (SELECT rowid / {PIECE_SLOTS} FROM piece_text "
                         f"WHERE piece_text MATCH {self.param(term)} "
                         f"AND rowid % {PIECE_SLOTS} IN ({slots}))")
        return "(" + " OR ".join(parts) + ")"

    def _ValueMatch(self, node: c.ValueMatch) -> str:
        piece = self.param(self.ids[node.piece])
        if node.kind == fields.DATE:
            value, prefix = self.param(node.value), self.param(node.value + "-%")
            match = f"(value = {value} OR value LIKE {prefix})"
        elif node.kind in (fields.NUMBER, fields.AGE):
            match = f"num = {self.param(fields.sort_key(node.kind, node.value))}"
        elif node.kind == fields.BOOLEAN:
            truth = node.value.lower() in ("true", "yes", "y")
            match = f"value = {self.param('true' if truth else 'false')}"
        else:
            match = f"value = {self.param(node.value)}"
        return f"s.id IN (SELECT study_id FROM field_values WHERE piece = {piece} AND {match})"

    def _RangeMatch(self, node: c.RangeMatch) -> str:
        bounds = [f"piece = {self.param(self.ids[node.piece])}", "num IS NOT NULL"]
        if node.low is not None:
            bounds.append(f"num >= {self.param(node.low)}")
        if node.high is not None:
            bounds.append(f"num <= {self.param(node.high)}")
        return f"s.id IN (SELECT study_id FROM field_values WHERE {' AND '.join(bounds)})"

    def _MissingMatch(self, node: c.MissingMatch) -> str:
        # A scan of `studies`, acceptable for a rarely used operator.
        absent = [f"s.present NOT LIKE {self.param(f'%,{self.ids[piece]},%')}"
                  for piece in node.pieces]
        return "(" + " AND ".join(absent) + ")"

    def _GeoMatch(self, node: c.GeoMatch) -> str:
        degrees = node.radius_km / _KM_PER_DEGREE
        bounds = [f"lat BETWEEN {self.param(node.lat - degrees)} AND {self.param(node.lat + degrees)}"]
        cos_lat = math.cos(math.radians(node.lat))
        if cos_lat > 0.01 and degrees / cos_lat < 180:
            spread = degrees / cos_lat
            low, high = node.lon - spread, node.lon + spread
            if low >= -180 and high <= 180:  # no box across the antimeridian: the check below
                bounds.append(f"lon BETWEEN {self.param(low)} AND {self.param(high)}")
        bounds.append(f"distance_km(lat, lon, {self.param(node.lat)}, {self.param(node.lon)}) "
                      f"<= {self.param(node.radius_km)}")
        return f"s.id IN (SELECT study_id FROM geo WHERE {' AND '.join(bounds)})"

    def _IdsMatch(self, node: c.IdsMatch) -> str:
        ids = ", ".join(self.param(nct_id) for nct_id in node.nct_ids)
        aliases = ", ".join(self.param(nct_id) for nct_id in node.nct_ids)
        return (f"s.id IN (SELECT id FROM studies WHERE nct_id IN ({ids}) "
                f"UNION SELECT study_id FROM aliases WHERE alias IN ({aliases}))")


def _relevance(compiler: _Compiler) -> str:
    """A SQL expression scoring `s.id` (lower is more relevant) from the area matches."""
    if not compiler.area_queries:
        return "0"
    weights = ", ".join(compiler.param(weight) for weight in _weights())
    query = compiler.param(" OR ".join(f"({q})" for q in compiler.area_queries))
    return (f"coalesce((SELECT bm25(area_text, {weights}) FROM area_text "
            f"WHERE area_text MATCH {query} AND rowid = s.id), 0)")


@functools.cache
def _weights() -> tuple[float, ...]:
    """Per-column bm25 weights: each piece's highest weight in any search area."""
    weight = {}
    for area in AREAS:
        for part in area.parts:
            for piece in part.pieces:
                weight[piece] = max(weight.get(piece, 0.0), part.weight)
    return tuple(weight[piece] for piece in area_pieces())


def _order(request: SearchRequest, compiler: _Compiler) -> tuple[list[str], list[str]]:
    """Joins and ascending key expressions (ending with s.id) for `request.sort`."""
    joins, keys = [], []
    for index, key in enumerate(request.sort):
        if key.piece is None:
            keys.append(f"({_relevance(compiler)}) * {1 if key.descending else -1}")
            continue
        alias = f"k{index}"
        joins.append(f"LEFT JOIN sort_keys {alias} ON {alias}.study_id = s.id "
                     f"AND {alias}.piece = {compiler.param(compiler.ids[key.piece])}")
        keys.append(f"({alias}.num IS NULL)")
        keys.append(f"coalesce({'-' if key.descending else ''}{alias}.num, 0)")
    keys.append("s.id")
    return joins, keys


def search(connection: sqlite3.Connection, request: SearchRequest,
           piece_ids: dict[str, int]) -> SearchPage:
    """One page of results for `request`; `piece_ids` numbers the pieces as the index does."""
    compiler = _Compiler(piece_ids)
    where = compiler.condition(request.criteria) if request.criteria is not None else "1"
    total = None
    if request.count_total:
        total = connection.execute(f"SELECT count(*) FROM studies s WHERE {where}",
                                   compiler.params).fetchone()[0]
    joins, keys = _order(request, compiler)
    key_list = ", ".join(keys)
    keyset = ""
    if request.after is not None:
        marks = ", ".join(compiler.param(value) for value in request.after)
        keyset = f" AND ({key_list}) > ({marks})"
    limit = compiler.param(request.limit + 1)
    sql = (f"SELECT s.id, {key_list} FROM studies s {' '.join(joins)} "
           f"WHERE {where}{keyset} ORDER BY {key_list} LIMIT {limit}")
    rows = connection.execute(sql, compiler.params).fetchall()
    more = len(rows) > request.limit
    rows = rows[:request.limit]
    next_after = tuple(rows[-1][1:]) if more else None
    return SearchPage(_documents(connection, [row[0] for row in rows]), total, next_after)


def _documents(connection: sqlite3.Connection, ids: list[int]) -> list[bytes]:
    """The stored documents of `ids`, in that order."""
    if not ids:
        return []
    marks = ", ".join("?" for _ in ids)
    found = dict(connection.execute(
        f"SELECT study_id, document FROM documents WHERE study_id IN ({marks})", ids))
    return [found[study_id] for study_id in ids]

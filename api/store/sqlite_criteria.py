"""Criteria tree -> one SQL condition on `s.id` (a row of `studies s`), with parameters.

Full-text leaves query the FTS5 tables; the others `field_values`, `geo` and `aliases`.
A value or range leaf is written in one of two forms, chosen by a cheap look at the index:

- `s.id IN (SELECT ...)`, which SQLite computes once: best when few studies match;
- `EXISTS (... WHERE study_id = s.id ...)`, a probe per candidate study: best when many
  match, because a page of ten then needs only the first few candidates, not every match.
"""

from __future__ import annotations

import math
import sqlite3

from api.search import criteria as c
from api.search import fields
from api.search.extract import area_piece_weights
from api.store.sqlite_index import PIECE_SLOTS, piece_slots

_KM_PER_DEGREE = 111.195
_EARTH_KM = 6371.0088
# A leaf matching at least this many rows is "dense": probed per study, not listed.
DENSE = 1000


def phrase(text: str) -> str:
    """An FTS5 string literal (the tokenizer splits it into words; several words: a phrase).

    A NUL character would end FTS5's query text early; as a separator it changes nothing.
    """
    return '"' + text.replace("\x00", " ").replace('"', '""') + '"'


def area_query(node: c.TextMatch) -> str | None:
    """The `area_text` MATCH expression of a text leaf, if all its pieces are area pieces."""
    pieces = [piece for piece, _ in node.weights]
    if not all(piece in area_piece_weights() for piece in pieces):
        return None
    term = ("^" if node.term.starts_with else "") + phrase(node.term.text)
    return "{" + " ".join(pieces) + "} : " + term


class Compiler:
    """Builds SQL conditions and collects their named parameters."""

    def __init__(self, connection: sqlite3.Connection, piece_ids: dict[str, int],
                 listing: bool = True):
        self.connection = connection
        self.ids = piece_ids
        self.listing = listing  # False when counting every match: listing forms are best
        self.params: dict[str, object] = {}
        self.area_queries: list[str] = []  # area_text matches, for relevance

    def param(self, value) -> str:
        """A named parameter holding `value`."""
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    def condition(self, node) -> str:
        """The SQL condition `node` stands for."""
        if isinstance(node, c.And):
            return "(" + " AND ".join(self.condition(item) for item in node.items) + ")"
        if isinstance(node, c.Or):
            return "(" + " OR ".join(self.condition(item) for item in node.items) + ")"
        if isinstance(node, c.Not):
            return f"NOT {self.condition(node.item)}"
        if isinstance(node, c.All):
            return "1"
        return getattr(self, f"_{type(node).__name__}")(node)

    def _rows(self, table: str, where: str, values: dict) -> str:
        """Studies with a `table` row meeting `where` (`{name}` marks a value), in the form
        that suits how many rows match."""
        own = where.format(**{name: f":{name}" for name in values})
        sample = f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {own} LIMIT {DENSE})"
        dense = self.listing and self.connection.execute(sample, values).fetchone()[0] >= DENSE
        bound = where.format(**{name: self.param(value) for name, value in values.items()})
        if dense:
            return f"EXISTS (SELECT 1 FROM {table} WHERE study_id = s.id AND {bound})"
        return f"s.id IN (SELECT study_id FROM {table} WHERE {bound})"

    def _values(self, where: str, values: dict) -> str:
        return self._rows("field_values", where, values)

    def _TextMatch(self, node: c.TextMatch) -> str:
        query = area_query(node)
        if query is not None:
            self.area_queries.append(query)
            return f"s.id IN (SELECT rowid FROM area_text WHERE area_text MATCH {self.param(query)})"
        # Other text pieces: the rowid says which piece a row holds (see sqlite_index).
        term = ("^" if node.term.starts_with else "") + phrase(node.term.text)
        indexed = [(piece, weight) for piece, weight in node.weights
                   if piece in area_piece_weights()]
        slots = ", ".join(str(slot) for slot in sorted(piece_slots(
            [piece for piece, _ in node.weights if piece not in area_piece_weights()])))
        parts = [f"s.id IN (SELECT rowid / {PIECE_SLOTS} FROM piece_text WHERE piece_text "
                 f"MATCH {self.param(term)} AND rowid % {PIECE_SLOTS} IN ({slots}))"]
        if indexed:
            parts.append(self._TextMatch(c.TextMatch(tuple(indexed), node.term)))
        return "(" + " OR ".join(parts) + ")"

    def _ValueMatch(self, node: c.ValueMatch) -> str:
        params = {"piece": self.ids[node.piece]}
        if node.kind == fields.DATE:
            params |= {"value": node.value, "prefix": node.value + "-%"}
            return self._values("piece = {piece} AND (value = {value} OR value LIKE {prefix})",
                                params)
        if node.kind in (fields.NUMBER, fields.AGE):
            params["num"] = fields.sort_key(node.kind, node.value)
            return self._values("piece = {piece} AND num = {num}", params)
        if node.kind == fields.BOOLEAN:
            params["value"] = "true" if node.value.lower() in ("true", "yes", "y") else "false"
        else:
            params["value"] = node.value
        return self._values("piece = {piece} AND value = {value}", params)

    def _RangeMatch(self, node: c.RangeMatch) -> str:
        where, params = "piece = {piece} AND num IS NOT NULL", {"piece": self.ids[node.piece]}
        if node.low is not None:
            where, params["low"] = where + " AND num >= {low}", node.low
        if node.high is not None:
            where, params["high"] = where + " AND num <= {high}", node.high
        return self._values(where, params)

    def _MissingMatch(self, node: c.MissingMatch) -> str:
        # A scan of `studies`, acceptable for a rarely used operator.
        absent = [f"s.present NOT LIKE {self.param(f'%,{self.ids[piece]},%')}"
                  for piece in node.pieces]
        return "(" + " AND ".join(absent) + ")"

    def _GeoMatch(self, node: c.GeoMatch) -> str:
        degrees = node.radius_km / _KM_PER_DEGREE
        values = {"south": node.lat - degrees, "north": node.lat + degrees,
                  "lat": math.radians(node.lat), "lon": math.radians(node.lon),
                  "radius": node.radius_km}
        where = "lat BETWEEN {south} AND {north}"
        cos_lat = math.cos(math.radians(node.lat))
        if cos_lat > 0.01 and degrees / cos_lat < 180:
            west, east = node.lon - degrees / cos_lat, node.lon + degrees / cos_lat
            if west >= -180 and east <= 180:  # a box across the antimeridian: distance alone
                where += " AND lon BETWEEN {west} AND {east}"
                values |= {"west": west, "east": east}
        # Haversine, in SQL: no Python call per site.
        where += (f" AND 2 * {_EARTH_KM} * asin(min(1, sqrt(pow(sin((radians(lat) - {{lat}}) / 2),"
                  " 2) + cos({lat}) * cos(radians(lat)) * pow(sin((radians(lon) - {lon}) / 2), 2))))"
                  " <= {radius}")
        return self._rows("geo", where, values)

    def _IdsMatch(self, node: c.IdsMatch) -> str:
        ids = ", ".join(self.param(nct_id) for nct_id in node.nct_ids)
        aliases = ", ".join(self.param(nct_id) for nct_id in node.nct_ids)
        return (f"s.id IN (SELECT id FROM studies WHERE nct_id IN ({ids}) "
                f"UNION SELECT study_id FROM aliases WHERE alias IN ({aliases}))")

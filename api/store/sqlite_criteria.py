"""Criteria tree -> one SQL condition on `s.id` (a row of `studies s`), with parameters.

Full-text leaves query the FTS5 tables; the others `field_values`, `geo` (through the
grid's match sets, `sqlite_geo`) and `aliases`.
A value or range leaf is written in one of two forms, chosen by a cheap look at the index:

- `s.id IN (SELECT ...)`, which SQLite computes once: best when few studies match;
- `EXISTS (... WHERE study_id = s.id ...)`, a probe per candidate study: best when many
  match, because a page of ten then needs only the first few candidates, not every match.

Text leaves over search-area pieces combine: the `AND`s and `OR`s of such leaves become one
FTS5 expression, run as one full-text lookup, however many terms a query has. So the SQL a
tree compiles to nests no deeper than the tree's mixed levels, and a query of many terms
costs one index walk, not one subquery per term.
"""

from __future__ import annotations

import sqlite3

from api import json_text
from api.search import criteria as c
from api.search import fields
from api.search.extract import area_piece_weights
from api.store import sqlite_geo

# A leaf matching at least this many rows is "dense": probed per study, not listed.
DENSE = 1000


def phrase(text: str) -> str:
    """An FTS5 string literal (the tokenizer splits it into words; several words: a phrase).

    A NUL character would end FTS5's query text early; as a separator it changes nothing.
    """
    return '"' + text.replace("\x00", " ").replace('"', '""') + '"'


def area_query(node) -> str | None:
    """The `area_text` MATCH expression of a text leaf over area pieces only, or of an
    `And`/`Or` of such leaves (at any depth); None for anything else."""
    fragment = _fts(node)
    if fragment is None:
        return None
    columns, body = fragment
    return f"{columns} : {body}" if columns else body


def _fts(node) -> tuple[str | None, str] | None:
    """(column filter, FTS5 expression), the filter None when the expression carries its own
    filters; None when `node` is not made only of area text leaves."""
    if isinstance(node, c.TextMatch):
        pieces = [piece for piece, _ in node.weights]
        if not all(piece in area_piece_weights() for piece in pieces):
            return None
        return "{" + " ".join(pieces) + "}", ("^" if node.term.starts_with else "") + phrase(
            node.term.text)
    if not isinstance(node, (c.And, c.Or)):
        return None
    fragments = [_fts(item) for item in node.items]
    if any(fragment is None for fragment in fragments):
        return None
    operator = " AND " if isinstance(node, c.And) else " OR "
    columns = {columns for columns, _ in fragments}
    if len(columns) == 1 and None not in columns:  # one filter for the whole group
        return columns.pop(), "(" + operator.join(body for _, body in fragments) + ")"
    return None, "(" + operator.join(f"{columns} : {body}" if columns else body
                                     for columns, body in fragments) + ")"


def one_piece_values(node) -> tuple[str, list[str]] | None:
    """(piece, values) of an `Or` of enum values of one piece (`filter.overallStatus=A,B`),
    which one index range answers; None for anything else."""
    if not isinstance(node, c.Or) or not all(
            isinstance(item, c.ValueMatch) and item.kind == fields.ENUM for item in node.items):
        return None
    pieces = {item.piece for item in node.items}
    return (pieces.pop(), [item.value for item in node.items]) if len(pieces) == 1 else None


def only_subquery(condition: str) -> str | None:
    """The subquery of a condition that is just `s.id IN (subquery)`, else None. (Values are
    bound parameters, so every parenthesis in the text is SQL's.)"""
    head = "s.id IN ("
    if not condition.startswith(head) or not condition.endswith(")"):
        return None
    depth = 0
    for position, character in enumerate(condition[len(head) - 1:], start=len(head) - 1):
        depth += {"(": 1, ")": -1}.get(character, 0)
        if depth == 0:
            return condition[len(head):-1] if position == len(condition) - 1 else None
    return None


def text_leaves(node) -> list[c.TextMatch]:
    """Every text leaf of a tree, for relevance ranking."""
    if isinstance(node, c.TextMatch):
        return [node]
    if isinstance(node, (c.And, c.Or)):
        return [leaf for item in node.items for leaf in text_leaves(item)]
    if isinstance(node, c.Not):
        return text_leaves(node.item)
    return []


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
        if (query := area_query(node)) is not None:
            return self.area_match(query)
        if (enums := one_piece_values(node)) is not None:
            return self._values("piece = {piece} AND value IN (SELECT value FROM json_each("
                                "{values}))", {"piece": self.ids[enums[0]],
                                               "values": json_text.dumps(enums[1])})
        if isinstance(node, (c.And, c.Or)):
            # The area text items of a mixed group still run as one full-text lookup.
            queries = [(item, area_query(item)) for item in node.items]
            texts = [item for item, query in queries if query is not None]
            others = [item for item, query in queries if query is None]
            parts = [self.condition(item) for item in others]
            if texts:
                parts.insert(0, self.condition(c.combine(type(node), texts)))
            operator = " AND " if isinstance(node, c.And) else " OR "
            return "(" + operator.join(parts) + ")"
        if isinstance(node, c.Not):
            return f"NOT {self.condition(node.item)}"
        if isinstance(node, c.All):
            return "1"
        return getattr(self, f"_{type(node).__name__}")(node)

    def _rows(self, table: str, where: str, values: dict) -> str:
        """Studies with a `table` row meeting `where` (`{name}` marks a value, `{NUM}` the
        `num` column), in the form that suits how many rows match."""
        own = where.format(NUM="num", **{name: f":{name}" for name in values})
        sample = f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {own} LIMIT {DENSE})"
        dense = self.listing and self.connection.execute(sample, values).fetchone()[0] >= DENSE
        bound = {name: self.param(value) for name, value in values.items()}
        if dense:
            # A probe reads the study's own rows (study_id leads the key); a bare `num`
            # range would lead the planner to walk the whole range of the num index, for
            # every candidate study: `+num` keeps that index out of it.
            return (f"EXISTS (SELECT 1 FROM {table} WHERE study_id = s.id AND "
                    f"{where.format(NUM='+num', **bound)})")
        return f"s.id IN (SELECT study_id FROM {table} WHERE {where.format(NUM='num', **bound)})"

    def _values(self, where: str, values: dict) -> str:
        return self._rows("field_values", where, values)

    def area_match(self, query: str) -> str:
        """Studies whose `area_text` row matches the FTS5 expression `query`."""
        self.area_queries.append(query)
        return f"s.id IN (SELECT rowid FROM area_text WHERE area_text MATCH {self.param(query)})"

    def _TextMatch(self, node: c.TextMatch) -> str:
        # Other text pieces: a piece_text column each (see sqlite_index).
        term = ("^" if node.term.starts_with else "") + phrase(node.term.text)
        indexed = [(piece, weight) for piece, weight in node.weights
                   if piece in area_piece_weights()]
        others = " ".join(piece for piece, _ in node.weights if piece not in area_piece_weights())
        parts = [f"s.id IN (SELECT rowid FROM piece_text WHERE piece_text "
                 f"MATCH {self.param('{' + others + '} : ' + term)})"]
        if indexed:
            parts.append(self.condition(c.TextMatch(tuple(indexed), node.term)))
        return "(" + " OR ".join(parts) + ")"

    def _ValueMatch(self, node: c.ValueMatch) -> str:
        params = {"piece": self.ids[node.piece]}
        if node.kind == fields.DATE:
            params |= {"value": node.value, "prefix": node.value + "-%"}
            return self._values("piece = {piece} AND (value = {value} OR value LIKE {prefix})",
                                params)
        if node.kind in (fields.NUMBER, fields.AGE):
            params["num"] = fields.sort_key(node.kind, node.value)
            return self._values("piece = {piece} AND {NUM} = {num}", params)
        if node.kind == fields.BOOLEAN:
            params["value"] = fields.stored_value(fields.BOOLEAN, node.value)
        else:
            params["value"] = node.value
        return self._values("piece = {piece} AND value = {value}", params)

    def _RangeMatch(self, node: c.RangeMatch) -> str:
        where, params = "piece = {piece} AND {NUM} IS NOT NULL", {"piece": self.ids[node.piece]}
        if node.low is not None:
            where, params["low"] = where + " AND {NUM} >= {low}", node.low
        if node.high is not None:
            where, params["high"] = where + " AND {NUM} <= {high}", node.high
        return self._values(where, params)

    def _MissingMatch(self, node: c.MissingMatch) -> str:
        # A scan of `studies`, acceptable for a rarely used operator.
        absent = [f"s.present NOT LIKE {self.param(f'%,{self.ids[piece]},%')}"
                  for piece in node.pieces]
        return "(" + " AND ".join(absent) + ")"

    def _GeoMatch(self, node: c.GeoMatch) -> str:
        # The grid's cells say how many studies may match (`sqlite_geo`): many, a probe of
        # each candidate's own sites; few, those that do, listed.
        met = sqlite_geo.cells_met(self.connection, node)
        if self.listing and len(met[0]) + len(met[1]) >= DENSE:
            where, values = sqlite_geo.where(node)
            bound = {name: self.param(value) for name, value in values.items()}
            return f"EXISTS (SELECT 1 FROM geo WHERE study_id = s.id AND {where.format(**bound)})"
        found = sqlite_geo.members(self.connection, node, met)
        return f"s.id IN (SELECT value FROM json_each({self.param(json_text.dumps(list(found)))}))"

    def _IdsMatch(self, node: c.IdsMatch) -> str:
        # One parameter, a JSON array, whatever the number of ids (aggregators send
        # thousands; SQLite limits the number of parameters).
        ids = f"(SELECT value FROM json_each({self.param(json_text.dumps(node.nct_ids))}))"
        return (f"s.id IN (SELECT id FROM studies WHERE nct_id IN {ids} "
                f"UNION SELECT study_id FROM aliases WHERE alias IN {ids})")

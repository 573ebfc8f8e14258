"""countTotal by set operations on the match sets of a search's leaves (`sqlite_sets`).

A leaf with a kept set costs a read of a few kilobytes; a date range, the sets of the
months inside it and the index rows of the (at most two) months it cuts; a `filter.geo`
circle, the sets of the grid cells wholly inside it and the sites of the other studies of
the cells it cuts; any other leaf (ids, numbers, text outside the search areas) its study
ids from the index. AND, OR
and NOT are then bitmap operations, so a count costs what its rarest leaves cost, not what
its commonest ones match. A full-text leaf met with at least `TRACK_AT` matches is kept
from then on, when the write lock is free.
"""

from __future__ import annotations

import math
import sqlite3
import time

from pyroaring import BitMap

from api.search import criteria as c
from api.search import fields
from api.search.essie import Term
from api.store import sqlite_geo, sqlite_open
from api.store import sqlite_sets as sets
from api.store.sqlite_criteria import (Compiler, area_query, one_piece_values, only_subquery,
                                      text_leaves)

# After a large import (`warm`): the text sets of the words most studies have, for the areas
# searched most (`query.term`, `query.cond`), so that a first count of them is fast too.
WARM_AREAS = ("BasicSearch", "ConditionSearch")
WARM_WORDS = 64
WARM_SECONDS = 60.0
# A text set made for a count is kept if it is large (`sets.TRACK_AT`) or was slow to make:
# a word most studies have in other pieces but few in the area's ("surgery" among
# conditions) walks every entry of the word for a small set, 50 ms at 600,000 studies.
COSTLY_SECONDS = 0.005
# The last month a date key can have (`sqlite_sets.month_key`: yyyymm).
MAX_MONTH = 999_912


class Counter:
    """Counts a criteria tree by set operations, if kept sets make that worth it.

    `count()` gives None when no leaf of the tree has a kept set (nor is a common full-text
    leaf, which it then keeps): the index counts such a tree as fast.
    """

    def __init__(self, connection: sqlite3.Connection, piece_ids: dict[str, int]):
        self.connection = connection
        self.ids = piece_ids
        self._kept: dict[str, BitMap] = {}
        self._expressions: dict[str, str] = {}  # of the text leaves met, by key
        self._node_keys: dict[object, list[str] | None] = {}
        self._new_texts: dict[str, BitMap] = {}

    def count(self, criteria) -> int | None:
        if not self._worth_it(criteria):
            return None
        connection = self.connection
        # One read transaction: the sets and the index rows read are of one generation.
        connection.execute("BEGIN")
        try:
            generation = sqlite_open.info(connection, "generation")
            total = len(self._members(criteria))
        finally:
            connection.execute("COMMIT")
        if self._new_texts:
            self._keep(self._new_texts, generation)
        return total

    def _keys(self, node) -> list[str] | None:
        """The kept-set keys a leaf stands for (their union), or None if it has none."""
        if node not in self._node_keys:
            self._node_keys[node] = self._keys_of(node)
        return self._node_keys[node]

    def _keys_of(self, node) -> list[str] | None:
        if isinstance(node, c.TextMatch) and (expression := area_query(node)) is not None:
            key = sets.text_key(node)
            self._expressions[key] = expression
            return [key]
        if isinstance(node, c.ValueMatch) and node.kind == fields.ENUM:
            return [sets.enum_key(self.ids[node.piece], node.value)]
        if (enums := one_piece_values(node)) is not None:
            return [sets.enum_key(self.ids[enums[0]], value) for value in enums[1]]
        if isinstance(node, c.All):
            return [sets.ALL]
        return None

    def _by_month(self, node) -> bool:
        return isinstance(node, c.RangeMatch) and sets.value_kinds().get(node.piece) == fields.DATE

    def _worth_it(self, node) -> bool:
        """Whether a leaf of the tree has a kept set, or could be kept."""
        if self._keys(node) is not None or self._by_month(node) or isinstance(node, c.GeoMatch):
            return True
        if self._text_group(node):
            return self._all_kept(node)
        if isinstance(node, (c.And, c.Or)):
            return any(self._worth_it(item) for item in node.items)
        if isinstance(node, c.Not):
            return self._worth_it(node.item)
        return False

    def _set(self, key: str) -> BitMap:
        """A kept set (empty if an enum value no study has); a text set, read or made."""
        if key not in self._kept:
            self._kept |= sets.load(self.connection, [key])
        if key in self._kept:
            return self._kept[key]
        if not key.startswith("text:"):
            return BitMap()
        started = time.monotonic()
        members = sets.text_members(self.connection, self._expressions[key])
        if len(members) >= sets.TRACK_AT or time.monotonic() - started >= COSTLY_SECONDS:
            self._new_texts[key] = members
        return members

    def _text_group(self, node) -> bool:
        """An AND/OR of full-text leaves that the index answers as one FTS5 query."""
        return isinstance(node, (c.And, c.Or)) and area_query(node) is not None

    def _all_kept(self, node) -> bool:
        """Whether every full-text leaf of a text group has a kept set."""
        keys = [key for leaf in text_leaves(node) for key in self._keys(leaf)]
        self._kept |= sets.load(self.connection, [key for key in keys if key not in self._kept])
        return all(key in self._kept for key in keys)

    def _members(self, node) -> BitMap:
        keys = self._keys(node)
        if keys is not None:
            return BitMap.union(*(self._set(key) for key in keys)) if len(keys) > 1 \
                else self._set(keys[0])
        if self._text_group(node) and not self._all_kept(node):
            # One walk of the index for the whole group, rather than one per word.
            return sets.text_members(self.connection, area_query(node))
        if isinstance(node, c.And):
            ordered = sorted(node.items, key=lambda item: self._keys(item) is None)
            result = self._members(ordered[0])
            for item in ordered[1:]:
                if not result:
                    break
                result = result & self._members(item)
            return result
        if isinstance(node, c.Or):
            return BitMap.union(*(self._members(item) for item in node.items))
        if isinstance(node, c.Not):
            return self._set(sets.ALL) - self._members(node.item)
        if self._by_month(node):
            return self._range_members(node)
        if isinstance(node, c.GeoMatch):
            return sqlite_geo.members(self.connection, node)
        return self._index_members(node)

    def _range_members(self, node: c.RangeMatch) -> BitMap:
        """A date range: the sets of the months inside it, and the index rows of the
        months it cuts (at most two, at its ends)."""
        piece = self.ids[node.piece]
        low = -math.inf if node.low is None else node.low
        high = math.inf if node.high is None else node.high
        if low > high:
            return BitMap()
        # A month yyyymm holds the dates [yyyymm00, yyyymm00 + 100).
        first = 0 if low == -math.inf else math.ceil(low / 100)
        last = MAX_MONTH if high == math.inf else math.floor(high / 100) - 1
        found = self._months_members(piece, max(first, 0), min(last, MAX_MONTH))
        for month in {month for month in (first - 1, last + 1)
                      if 0 <= month <= MAX_MONTH and month * 100 <= high
                      and month * 100 + 100 > low}:
            # One upper bound: given two, SQLite bounded the index range by `high` alone,
            # and read every date from the cut month to the range's end (20 ms at 600,000
            # studies for `RANGE[2005-03-15,MAX]`, to find none).
            end, below = (high, "<=") if high < month * 100 + 100 else (month * 100 + 100, "<")
            found.update(row[0] for row in self.connection.execute(
                "SELECT study_id FROM field_values WHERE piece = ? AND num IS NOT NULL AND "
                f"num >= ? AND num {below} ?", (piece, max(month * 100, low), end)))
        return found

    def _months_members(self, piece: int, first: int, last: int) -> BitMap:
        """The studies of the months from `first` to `last` (yyyymm): the sets of the
        years they cover whole (months 00, a year alone, to 12), and of the other months."""
        if first > last:
            return BitMap()
        whole = (first + 99) // 100, (last - 12) // 100  # the years inside, first to last
        if whole[0] > whole[1]:  # parts of two years at most
            return sets.months_union(self.connection, piece, first, last)
        return (sets.years_union(self.connection, piece, *whole)
                | sets.months_union(self.connection, piece, first, whole[0] * 100 - 1)
                | sets.months_union(self.connection, piece, whole[1] * 100 + 100, last))

    def _index_members(self, node) -> BitMap:
        """The studies of a leaf without a set, read from the index."""
        compiler = Compiler(self.connection, self.ids, listing=False)
        condition = compiler.condition(node)
        rows = only_subquery(condition)
        sql = rows if rows is not None else f"SELECT s.id FROM studies s WHERE {condition}"
        return BitMap(row[0] for row in self.connection.execute(sql, compiler.params))

    def _keep(self, made: dict[str, BitMap], generation: str | None) -> None:
        """Store newly made text sets if the write lock is free right now (a search never
        waits for it) and the data is still of the generation they were made from;
        otherwise they are made again next time."""
        connection = self.connection
        timeout = connection.execute("PRAGMA busy_timeout").fetchone()[0]
        connection.execute("PRAGMA busy_timeout = 0")
        try:
            connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:  # another process writes
            return
        finally:
            connection.execute(f"PRAGMA busy_timeout = {int(timeout)}")
        try:
            if sqlite_open.info(connection, "generation") == generation:
                room = sets.MAX_TEXT_SETS - len(sets.kept_texts(connection))
                sets.save(connection, dict(list(made.items())[:max(room, 0)]), self._expressions)
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise


def warm(connection: sqlite3.Connection, budget: float = WARM_SECONDS) -> int:
    """Keep the text sets of the `WARM_WORDS` words most studies have, in each of
    `WARM_AREAS`, within about `budget` seconds, in one write transaction; returns how
    many sets were made. A word is taken only if searching for it finds itself (its
    indexed form is its own stem), so each set is exactly that of a search for it."""
    deadline = time.monotonic() + budget
    connection.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.index_words USING "
                       "fts5vocab(main, area_text, row)")
    words = [word for (word,) in connection.execute(
        "SELECT term FROM temp.index_words WHERE doc >= ? ORDER BY doc DESC LIMIT ?",
        (sets.TRACK_AT, WARM_WORDS))]
    made = 0
    connection.execute("BEGIN IMMEDIATE")
    try:
        kept = sets.kept_texts(connection)
        for area in WARM_AREAS:
            for word in words:
                node = c.TextMatch(c.context_for(area).weights, Term(word))
                key = sets.text_key(node)
                if (key in kept or key.rpartition(":")[2] != word
                        or len(kept) >= sets.MAX_TEXT_SETS or time.monotonic() > deadline):
                    continue
                kept[key] = area_query(node)
                sets.save(connection, {key: sets.text_members(connection, kept[key])}, kept)
                made += 1
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    return made


def text_counts(connection: sqlite3.Connection, criteria: list, limit: int) -> list[int]:
    """How many studies each of `criteria` matches, counted up to `limit`: each count reads
    at most `limit` matches from the full-text index (some 60 ns a match, a twentieth of
    what scoring it costs, which reads the study's column sizes). A criterion that is not
    a text match over search areas counts as `limit`."""
    sql = "SELECT count(*) FROM (SELECT 1 FROM area_text WHERE area_text MATCH ? LIMIT ?)"
    counts = []
    for node in criteria:
        match = area_query(node)
        counts.append(limit if match is None else
                      connection.execute(sql, (match, limit)).fetchone()[0])
    return counts

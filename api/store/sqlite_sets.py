"""Match sets: the studies a search leaf matches, kept as compressed bitmaps (Roaring).

`countTotal` of a common term or filter would otherwise walk every match: 600,000 full-text
postings for a word most studies have. With the match sets of its leaves at hand, any
AND/OR/NOT of them is counted by set operations on bitmaps of a few kilobytes: microseconds,
whatever the number of matches.

Which leaves are kept (table `match_sets`, one row per key and chunk of study ids; a text
set's query in `text_sets`):

- `all`: every study;
- `enum:<piece id>:<value>`: every value of every enum piece (`filter.overallStatus`, a
  phase, a study type...): a bounded number of sets;
- `month:<piece id>:<yyyymm>`: the studies with a date of that month in a date piece, for
  date ranges (`AREA[StartDate]RANGE[2019,MAX]`), and `year:<piece id>:<yyyy>` of that
  year, so that a range of decades reads dozens of sets, not hundreds;
- `cell:<row>:<column>`: the studies with a site in that cell of the `filter.geo` grid
  (`api.search.geo`, cells of 1/8 degree), for circles (`sqlite_geo`);
- `text:<pieces>:<words as indexed>`: a full-text leaf over search-area pieces, once a
  count has met it with at least `TRACK_AT` matches (a rare word is cheap to count; a
  common one is kept from then on, for every worker and instance sharing the store), at
  most `MAX_TEXT_SETS`; after a large import, the commonest words already
  (`sqlite_count.warm`).

Every write brings the sets up to date in the same transaction (`written`): the studies
written or removed are taken out of the sets they were in, then put into those they now
match, so a set is exactly what the index says at every generation. How counts use them:
`sqlite_count`.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Iterable, Iterator

from pyroaring import BitMap

from api import json_text
from api.search import criteria as c
from api.search import fields, geo
from api.search.extract import IndexEntry
from api.store.fts5_tokens import query_tokens

SCHEMA = """
CREATE TABLE IF NOT EXISTS match_sets (
    key     TEXT NOT NULL,
    chunk   INTEGER NOT NULL, -- the set's study ids from chunk * 65536 to chunk * 65536 + 65535
    members BLOB NOT NULL,    -- as a serialized Roaring bitmap
    PRIMARY KEY (key, chunk)  -- a rowid table: rows of kilobytes, which WITHOUT ROWID suits ill
);
CREATE TABLE IF NOT EXISTS text_sets (
    key        TEXT PRIMARY KEY,
    expression TEXT NOT NULL  -- the FTS5 query of a kept text set, which keeps it up to date
) WITHOUT ROWID"""
# A set is stored in chunks of 2^16 study ids, Roaring's own unit: a write (an import
# appends studies with new ids) rewrites only the chunks of the ids it touches, whatever
# the size of the set; whole sets rewritten each batch made an import slower as it grew.
CHUNK_BITS = 16
ALL = "all"
CELL_PREFIX = "cell:"
# A full-text leaf counted with at least this many matches is kept as a set from then on.
TRACK_AT = 5_000
MAX_TEXT_SETS = 512
# Runs of written study ids closer than this are re-read from the full-text index as one
# rowid range (FTS5 reads a range of its postings, but not a list of rowids).
_RANGE_GAP = 64


@functools.cache
def value_kinds() -> dict[str, str]:
    """Pieces whose values have sets: enums (a set per value), dates (a set per month)."""
    return {node.piece: fields.kind(node) for node in fields.leaves()
            if fields.kind(node) in (fields.ENUM, fields.DATE)}


def enum_key(piece_id: int, value: str) -> str:
    # The index compares values without regard to ASCII case (COLLATE NOCASE): so does the key.
    return f"enum:{piece_id}:{value.lower()}"


def month_key(piece_id: int, month: int | str) -> str:
    """`month` is yyyymm, month 00 for a date of a year alone (see `fields.date_key`);
    "" gives the prefix of every month key of the piece."""
    return f"month:{piece_id}:{month}"


def year_key(piece_id: int, year: int) -> str:
    """Four digits, so that keys sort as their years do."""
    return f"year:{piece_id}:{year:04d}"


def _value_keys(kind: str, piece_id: int, value: str, num: float | None) -> tuple[str, ...]:
    if kind == fields.ENUM:
        return (enum_key(piece_id, value),)
    if num is None:
        return ()
    return month_key(piece_id, int(num // 100)), year_key(piece_id, int(num // 10000))


def cell_key(cell: tuple[int, int]) -> str:
    return f"{CELL_PREFIX}{cell[0]}:{cell[1]}"


def cell_of_key(key: str) -> tuple[int, int]:
    row, column = key.removeprefix(CELL_PREFIX).split(":")
    return int(row), int(column)


def _entry_keys(entry: IndexEntry, piece_ids: dict[str, int]) -> set[str]:
    kinds = value_kinds()
    keys = {key for piece, value, num in entry.values if piece in kinds
            for key in _value_keys(kinds[piece], piece_ids[piece], value, num)}
    keys.update(cell_key(geo.cell_of(lat, lon)) for lat, lon in entry.geo)
    return keys | {ALL}


def create(connection: sqlite3.Connection) -> None:
    """Make the tables, inside the caller's transaction."""
    for statement in SCHEMA.split(";"):
        connection.execute(statement)


def upgrade(connection: sqlite3.Connection) -> None:
    """Sets of store schema 7 and earlier, one row per set with its text query, into
    chunks and `text_sets`, inside the caller's transaction."""
    columns = {row[1] for row in connection.execute("PRAGMA table_info(match_sets)")}
    if "expression" not in columns:
        return
    connection.execute("ALTER TABLE match_sets RENAME TO match_sets_7")
    create(connection)
    connection.execute("INSERT INTO text_sets (key, expression) SELECT key, expression "
                       "FROM match_sets_7 WHERE expression IS NOT NULL")
    save(connection, {key: BitMap.deserialize(members) for key, members
                      in connection.execute("SELECT key, members FROM match_sets_7")})
    connection.execute("DROP TABLE match_sets_7")


def _union(rows: Iterable[tuple[str, bytes]]) -> dict[str, BitMap]:
    """Sets from their chunks' rows."""
    found: dict[str, BitMap] = {}
    for key, members in rows:
        chunk = BitMap.deserialize(members)
        if key in found:
            found[key] |= chunk
        else:
            found[key] = chunk
    return found


def load(connection: sqlite3.Connection, keys: Iterable[str] | None = None,
         chunks: Iterable[int] | None = None) -> dict[str, BitMap]:
    """The kept sets of `keys` (None: every one), whole or (`chunks`) those chunks alone."""
    sql, params = "SELECT key, members FROM match_sets", []
    if keys is not None:
        sql += " WHERE key IN (SELECT value FROM json_each(?))"
        params.append(_json_list(keys))
        if chunks is not None:
            sql += " AND chunk IN (SELECT value FROM json_each(?))"
            params.append(_json_list(chunks))
    return _union(connection.execute(sql, params))


def load_prefix(connection: sqlite3.Connection, prefix: str) -> dict[str, BitMap]:
    """Every kept set whose key starts with `prefix` (which ends with ':')."""
    return _union(connection.execute("SELECT key, members FROM match_sets WHERE key > ? AND "
                                     "key < ?", (prefix, prefix[:-1] + ";")))


def months_union(connection: sqlite3.Connection, piece_id: int, first: int,
                 last: int) -> BitMap:
    """The union of the month sets of a date piece from month `first` to `last` (yyyymm,
    within two years: whole years are read by `years_union`)."""
    keys = [month_key(piece_id, year * 100 + month)
            for year in range(first // 100, last // 100 + 1) for month in range(13)
            if first <= year * 100 + month <= last]
    return BitMap.union(BitMap(), *load(connection, keys).values())


def _cell_sets(connection: sqlite3.Connection) -> dict[str, BitMap]:
    """Every grid cell's set, from the index's sites."""
    found: dict[str, BitMap] = {}
    for study_id, lat, lon in connection.execute("SELECT study_id, lat, lon FROM geo"):
        found.setdefault(cell_key(geo.cell_of(lat, lon)), BitMap()).add(study_id)
    return found


def add_cells(connection: sqlite3.Connection) -> None:
    """Make the grid cells' sets (a store of schema 7 has the others only)."""
    save(connection, _cell_sets(connection))


def add_years(connection: sqlite3.Connection) -> None:
    """Make the years' sets from the months' (a store of schema 8 has the months' only)."""
    years: dict[str, BitMap] = {}
    for key, members in load_prefix(connection, "month:").items():
        piece, month = key.removeprefix("month:").split(":")
        years.setdefault(year_key(int(piece), int(month) // 100), BitMap()).update(members)
    save(connection, years)


def years_union(connection: sqlite3.Connection, piece_id: int, first: int,
                last: int) -> BitMap:
    """The union of the year sets of a date piece from year `first` to `last`, in one read
    of their chunks (keys sort as their years) and one union of them all."""
    return BitMap.union(BitMap(), *(BitMap.deserialize(members) for (members,) in
                                    connection.execute(
                                        "SELECT members FROM match_sets WHERE key >= ? AND "
                                        "key <= ?", (year_key(piece_id, first),
                                                     year_key(piece_id, last)))))


def _json_list(items: Iterable[str]) -> str:
    return json_text.dumps(list(items))


def _chunk_of(members: BitMap, chunk: int) -> BitMap:
    """The members of a set in one chunk."""
    part = BitMap()
    part.add_range(chunk << CHUNK_BITS, (chunk + 1) << CHUNK_BITS)
    return part & members


def _chunks(members: BitMap) -> Iterator[tuple[int, BitMap]]:
    """The non-empty chunks of a set: (chunk number, its members)."""
    if members:
        for chunk in range(members.min() >> CHUNK_BITS, (members.max() >> CHUNK_BITS) + 1):
            if part := _chunk_of(members, chunk):
                yield chunk, part


def chunks_of(study_ids: Iterable[int]) -> list[int]:
    """The chunks study ids fall in."""
    return sorted({study_id >> CHUNK_BITS for study_id in study_ids})


def save(connection: sqlite3.Connection, sets: dict[str, BitMap],
         expressions: dict[str, str] | None = None, chunks: list[int] | None = None) -> None:
    """Write `sets`, whole or (`chunks`) those chunks alone, from their members then;
    `expressions`: the queries of new text sets."""
    if chunks is None:
        connection.execute("DELETE FROM match_sets WHERE key IN (SELECT value FROM json_each(?))",
                           (_json_list(sets),))
        rows = [(key, chunk, part) for key, members in sets.items()
                for chunk, part in _chunks(members)]
        emptied = []
    else:
        parts = [(key, chunk, _chunk_of(members, chunk)) for key, members in sets.items()
                 for chunk in chunks]
        rows = [(key, chunk, part) for key, chunk, part in parts if part]
        emptied = [(key, chunk) for key, chunk, part in parts if not part]
    for *_, part in rows:
        part.run_optimize()  # runs of consecutive ids as runs: most sets shrink
    connection.executemany(
        "INSERT INTO match_sets (key, chunk, members) VALUES (?, ?, ?) "
        "ON CONFLICT (key, chunk) DO UPDATE SET members = excluded.members",
        [(key, chunk, part.serialize()) for key, chunk, part in rows])
    connection.executemany("DELETE FROM match_sets WHERE key = ? AND chunk = ?", emptied)
    if expressions:
        connection.executemany("INSERT OR IGNORE INTO text_sets (key, expression) VALUES (?, ?)",
                               [(key, expressions[key]) for key in sets if key in expressions])


def _ranges(ids: BitMap) -> list[tuple[int, int]]:
    """`ids` as runs (first, last) with gaps under `_RANGE_GAP` inside a run."""
    runs: list[list[int]] = []
    for study_id in ids:
        if runs and study_id - runs[-1][1] < _RANGE_GAP:
            runs[-1][1] = study_id
        else:
            runs.append([study_id, study_id])
    return [(first, last) for first, last in runs]


def kept_texts(connection: sqlite3.Connection) -> dict[str, str]:
    """Every kept text set's key and FTS5 query."""
    return dict(connection.execute("SELECT key, expression FROM text_sets"))


def text_key(node: c.TextMatch) -> str:
    """The key of a full-text leaf's set: its pieces and its words as indexed, so that
    `Heart failures` and `heart failure` share one set, as they share every match."""
    pieces = ",".join(sorted(piece for piece, _ in node.weights))
    start = "^" if node.term.starts_with else ""
    return f"text:{pieces}:{start}{' '.join(query_tokens(node.term.text))}"


def text_members(connection: sqlite3.Connection, expression: str,
                  within: BitMap | None = None) -> BitMap:
    """The studies whose `area_text` row matches `expression` (only those of `within`)."""
    sql = "SELECT rowid FROM area_text WHERE area_text MATCH ?"
    if within is None:
        return BitMap(row[0] for row in connection.execute(sql, (expression,)))
    found = BitMap()
    for first, last in _ranges(within):
        found.update(row[0] for row in connection.execute(
            sql + " AND rowid BETWEEN ? AND ?", (expression, first, last)))
    return found & within


def written(connection: sqlite3.Connection, old: dict[int, IndexEntry],
            entries: list[tuple[int, IndexEntry]], piece_ids: dict[str, int]) -> None:
    """Bring every kept set up to date after a write, inside its transaction.

    `old`: what the studies replaced or removed were indexed with, by study id; `entries`:
    what the studies written are indexed with now (the full-text index already holds
    them). Only the chunks of these studies' ids, of the sets they were or are in, are
    read and written again.
    """
    if not (old or entries):
        return
    before = {study_id: _entry_keys(entry, piece_ids) for study_id, entry in old.items()}
    now = {study_id: _entry_keys(entry, piece_ids) for study_id, entry in entries}
    texts = kept_texts(connection)
    keys = set(texts).union(*before.values(), *now.values())
    chunks = chunks_of(set(before) | set(now))
    sets = load(connection, keys, chunks)
    earlier = BitMap(before)
    for key in keys:
        members = sets.setdefault(key, BitMap())
        members -= earlier
    for study_id, study_keys in now.items():
        for key in study_keys:
            sets[key].add(study_id)
    stored = BitMap(now)
    for key, expression in texts.items():
        if stored:
            sets[key] |= text_members(connection, expression, stored)
    save(connection, sets, chunks=chunks)


def rebuild(connection: sqlite3.Connection, piece_ids: dict[str, int]) -> None:
    """Compute every set from the index again (after an index rebuild), keeping the text
    sets that were kept."""
    texts = kept_texts(connection)
    connection.execute("DELETE FROM match_sets")
    sets: dict[str, BitMap] = {ALL: BitMap(row[0] for row in connection.execute(
        "SELECT id FROM studies"))}
    kinds = {piece_ids[piece]: kind for piece, kind in value_kinds().items() if piece in piece_ids}
    rows = connection.execute(
        "SELECT piece, value, num, study_id FROM field_values WHERE piece IN "
        "(SELECT value FROM json_each(?))", (_json_list(kinds),))
    for piece, value, num, study_id in rows:
        for key in _value_keys(kinds[piece], piece, value, num):
            sets.setdefault(key, BitMap()).add(study_id)
    sets |= _cell_sets(connection)
    for key, expression in texts.items():
        sets[key] = text_members(connection, expression)
    save(connection, sets, texts)

"""The SQLite store's search index: its tables, and keeping them in step with the studies.

- `area_text` (FTS5): one column per piece a search area names, for weighted text search;
- `piece_text` (FTS5): one row per study, a column per other text piece (named after it,
  in name order), for `AREA[piece]` on it; no column sizes (nothing ranks by them).
  Not a row per study and piece: FTS5's work per row, not per word, dominated the
  import, and results sections have dozens of such pieces;
- `field_values`: every non-text value (enums, dates, numbers, booleans, ages), kept in
  study order (no rowid table beside it: one B-tree fewer to write per value);
- `studies.present`: which pieces a study has at all, for `MISSING`;
- `sort_keys`: one number per study and date or numeric piece, for `sort=`;
- `geo`: every site's coordinates, keyed by study (circles: `sqlite_geo`).

Pieces are stored as small integers (`pieces` table): ids are given once and never change,
so rows keyed by them keep their meaning whatever the catalogue's order. Everything else
the code derives from the catalogue (columns, which piece goes to which table, the
tokenizer, the DDL) is summed up by `fingerprint()`, kept with the data: a store indexed
under another layout is rebuilt or refused, never searched wrongly. Each table has only the
indexes searches need: removing a study's rows goes through those, with the values it was
indexed with, which come from the stored document being replaced (the contentless
full-text tables need them anyway).
"""

from __future__ import annotations

import functools
import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable

from api.search import fields
from api.search.extract import IndexEntry, area_pieces, extract, other_text_pieces
from api.search.fields import leaves

TOKENIZER = "porter unicode61 remove_diacritics 2"
# Piece ids stay below this (rows of index tables are keyed by them).
PIECE_STRIDE = 4096
# Bump when the code changes what is indexed for a document in a way the layout below does
# not show (how `extract` reads values, how they are converted to numbers).
# 2: a piece's values joined once, as they come (an empty first value no longer dropped).
INDEX_FORMAT = 2
# The tables `rebuild` drops and fills again; `pieces` is kept (its ids are stable).
TABLES = ("area_text", "piece_text", "field_values", "sort_keys", "geo")
# Sites keyed by study: a study's rows side by side, appended to by an import (which
# writes studies in id order). No index by place: circles go through the grid's match
# sets (`sqlite_geo`).
GEO_SCHEMA = """
CREATE TABLE geo (
    study_id INTEGER NOT NULL,
    lat      REAL NOT NULL,
    lon      REAL NOT NULL,
    PRIMARY KEY (study_id, lat, lon)
) WITHOUT ROWID"""
# The table of store schema 7 and earlier: a rowid table with an index by place.
GEO_SCHEMA_7 = """
CREATE TABLE geo (
    study_id INTEGER NOT NULL,
    lat      REAL NOT NULL,
    lon      REAL NOT NULL
);
CREATE INDEX geo_by_place ON geo (lat, lon, study_id);
CREATE INDEX geo_by_study ON geo (study_id, lat, lon)"""
PIECES = """
CREATE TABLE IF NOT EXISTS pieces (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
)"""


@functools.cache
def schema() -> str:
    """DDL of the index tables (without `pieces`); they must not exist yet."""
    return _schema(GEO_SCHEMA)


def _schema(geo_schema: str) -> str:
    """The DDL, with the `geo` table of `geo_schema` (the current one, or schema 7's)."""
    columns = ", ".join(area_pieces())
    return f"""
CREATE VIRTUAL TABLE area_text USING fts5(
    {columns}, content='', tokenize='{TOKENIZER}');
CREATE VIRTUAL TABLE piece_text USING fts5(
    {", ".join(_other_text())}, content='', columnsize=0, tokenize='{TOKENIZER}');
CREATE TABLE field_values (
    study_id INTEGER NOT NULL,
    piece    INTEGER NOT NULL,
    value    TEXT NOT NULL COLLATE NOCASE,
    num      REAL,
    PRIMARY KEY (study_id, piece, value)
) WITHOUT ROWID;
CREATE INDEX field_values_by_value ON field_values (piece, value, study_id);
CREATE INDEX field_values_by_num ON field_values (piece, num, study_id)
    WHERE num IS NOT NULL;
CREATE TABLE sort_keys (
    piece    INTEGER NOT NULL,
    study_id INTEGER NOT NULL,
    num      REAL NOT NULL,
    PRIMARY KEY (piece, study_id)
) WITHOUT ROWID;
CREATE INDEX sort_keys_by_num ON sort_keys (piece, num, study_id);
{geo_schema.strip()};
"""


@functools.cache
def fingerprint() -> str:
    return _fingerprint(GEO_SCHEMA)


@functools.cache
def fingerprint_of_schema_7() -> str:
    """The layout of a store of schema 7 indexed by the code of this layout otherwise: its
    `geo` table alone differs, and is upgraded in place (`upgrade_geo`)."""
    return _fingerprint(GEO_SCHEMA_7)


def _fingerprint(geo_schema: str) -> str:
    """A digest of the index layout the code derives from the catalogue and search areas.

    Covers the DDL (the area_text columns and their order, the tokenizer), the pieces that
    go to piece_text, every leaf piece with its kind and whether it is full-text indexed,
    the rowid stride and `INDEX_FORMAT`. Computed once per process.
    """
    full_text = set(fields.text_columns())
    # Sets are sorted: rows are keyed by piece ids, so only area_text's column order counts.
    layout = {
        "format": INDEX_FORMAT, "stride": PIECE_STRIDE, "ddl": _schema(geo_schema),
        "area_text": list(area_pieces()), "piece_text": sorted(other_text_pieces()),
        "pieces": sorted([node.piece, fields.kind(node), node.piece in full_text]
                         for node in leaves()),
    }
    return hashlib.sha256(json.dumps(layout, sort_keys=True).encode()).hexdigest()[:32]


def create(connection: sqlite3.Connection) -> None:
    """Make the index tables (and `pieces` if missing), inside the caller's transaction."""
    connection.execute(PIECES)
    for statement in schema().split(";"):
        if statement.strip():
            connection.execute(statement)


def upgrade_geo(connection: sqlite3.Connection) -> None:
    """Schema 7 -> 8: the sites into the table keyed by study, inside the caller's
    transaction (copied in key order, then the old table and its indexes dropped)."""
    connection.execute(GEO_SCHEMA.replace("CREATE TABLE geo", "CREATE TABLE geo_new"))
    connection.execute("INSERT OR IGNORE INTO geo_new (study_id, lat, lon) "
                       "SELECT study_id, lat, lon FROM geo ORDER BY study_id, lat, lon")
    connection.execute("DROP TABLE geo")
    connection.execute("ALTER TABLE geo_new RENAME TO geo")


def piece_ids(connection: sqlite3.Connection) -> dict[str, int]:
    """Every leaf piece's id, numbering new pieces after the existing ones (a write)."""
    connection.executemany("INSERT OR IGNORE INTO pieces (name) VALUES (?)",
                           [(node.piece,) for node in leaves()])
    return read_piece_ids(connection)


def read_piece_ids(connection: sqlite3.Connection) -> dict[str, int]:
    """The ids the store has given pieces so far (a read)."""
    return dict(connection.execute("SELECT name, id FROM pieces"))


def covers(ids: dict[str, int]) -> bool:
    """Whether `ids` numbers every leaf piece, each below the rowid stride."""
    return all(ids.get(node.piece, PIECE_STRIDE) < PIECE_STRIDE for node in leaves())


def rebuild(connection: sqlite3.Connection, ids: dict[str, int],
            progress: Callable[[int, int], None] | None = None, batch_size: int = 500) -> int:
    """Drop the index and index every stored document again, inside the caller's
    transaction; `progress(n, total)` after each batch of n studies. Returns how many."""
    for table in TABLES:
        connection.execute(f"DROP TABLE IF EXISTS {table}")
    create(connection)
    total = connection.execute("SELECT count(*) FROM documents").fetchone()[0]
    done = 0
    for batch in _documents(connection, batch_size):
        entries = [(study_id, extract(json.loads(document))) for study_id, document in batch]
        add(connection, entries, ids)
        connection.executemany("UPDATE studies SET present = ? WHERE id = ?",
                               [(present(entry, ids), study_id) for study_id, entry in entries])
        done += len(batch)
        if progress is not None:
            progress(len(batch), total)
    return done


def keyset_batches(connection: sqlite3.Connection, sql: str, batch_size: int,
                   first) -> Iterable[list]:
    """The rows of `sql` in batches of `batch_size`: `sql` selects its key first and ends
    `WHERE key > ? ORDER BY key LIMIT ?`; `first` is below every key. A full pass holds one
    batch at a time, and each batch seeks from the last key, not from the start."""
    after = first
    while True:
        rows = connection.execute(sql, (after, batch_size)).fetchall()
        if rows:
            yield rows
        if len(rows) < batch_size:
            return
        after = rows[-1][0]


def _documents(connection: sqlite3.Connection, batch_size: int) -> Iterable[list]:
    return keyset_batches(connection, "SELECT study_id, document FROM documents WHERE "
                          "study_id > ? ORDER BY study_id LIMIT ?", batch_size, 0)


def documents_by_nct_id(connection: sqlite3.Connection, batch_size: int) -> Iterable[list]:
    """Every study's (NCT id, stored document), in NCT id order, in batches."""
    return keyset_batches(connection, "SELECT nct_id, document FROM studies JOIN documents "
                          "ON study_id = studies.id WHERE nct_id > ? ORDER BY nct_id LIMIT ?",
                          batch_size, "")


def _statements(table: str, pieces: tuple[str, ...]) -> tuple[str, str]:
    """A full-text table's statements: the FTS5 'delete' command, and a plain insert."""
    columns, marks = ", ".join(pieces), ", ".join("?" for _ in pieces)
    return (f"INSERT INTO {table} ({table}, rowid, {columns}) VALUES (?, ?, {marks})",
            f"INSERT INTO {table} (rowid, {columns}) VALUES (?, {marks})")


@functools.cache
def _area_statements() -> tuple[str, str]:
    return _statements("area_text", area_pieces())


@functools.cache
def _piece_statements() -> tuple[str, str]:
    return _statements("piece_text", _other_text())


def present(entry: IndexEntry, ids: dict[str, int]) -> str:
    """The `studies.present` text: `,id,id,` of every piece the study has."""
    return "," + ",".join(str(number) for number in sorted(ids[p] for p in entry.present)) + ","


def add(connection: sqlite3.Connection, entries: list[tuple[int, IndexEntry]],
        ids: dict[str, int]) -> None:
    """Index studies: (study id, entry) pairs, in one statement per table."""
    connection.executemany(_area_statements()[1], [
        (study_id, *(entry.text.get(piece) for piece in area_pieces()))
        for study_id, entry in entries])
    connection.executemany(_piece_statements()[1], [
        (study_id, *row) for study_id, entry in entries
        if (row := _piece_row(entry)) is not None])
    # Values equal but for case are one row (the key is NOCASE, as every match on it).
    connection.executemany(
        "INSERT OR IGNORE INTO field_values (study_id, piece, value, num) VALUES (?, ?, ?, ?)",
        [(study_id, ids[piece], value, num) for study_id, entry in entries
         for piece, value, num in entry.values])
    connection.executemany("INSERT INTO sort_keys (piece, study_id, num) VALUES (?, ?, ?)", [
        (ids[piece], study_id, num) for study_id, entry in entries
        for piece, num in entry.sort_keys.items()])
    # A study's site given twice is one row.
    connection.executemany("INSERT OR IGNORE INTO geo (study_id, lat, lon) VALUES (?, ?, ?)", [
        (study_id, lat, lon) for study_id, entry in entries for lat, lon in entry.geo])


def remove(connection: sqlite3.Connection, study_id: int, entry: IndexEntry,
           ids: dict[str, int]) -> None:
    """Take a study out of the index; `entry` is what it was indexed with."""
    connection.execute(_area_statements()[0],
                       ("delete", study_id, *(entry.text.get(piece) for piece in area_pieces())))
    if (row := _piece_row(entry)) is not None:
        connection.execute(_piece_statements()[0], ("delete", study_id, *row))
    connection.executemany(
        "DELETE FROM field_values WHERE piece = ? AND value = ? AND study_id = ?",
        [(ids[piece], value, study_id) for piece, value, _ in entry.values])
    connection.executemany("DELETE FROM sort_keys WHERE piece = ? AND study_id = ?",
                           [(ids[piece], study_id) for piece in entry.sort_keys])
    if entry.geo:
        connection.execute("DELETE FROM geo WHERE study_id = ?", (study_id,))


@functools.cache
def _other_text() -> tuple[str, ...]:
    """piece_text's columns: by name, so that the catalogue's order does not matter."""
    return tuple(sorted(other_text_pieces()))


def _piece_row(entry: IndexEntry) -> tuple[str | None, ...] | None:
    """A study's piece_text values, a column each; None when it has none of those pieces."""
    row = tuple(entry.text.get(piece) for piece in _other_text())
    return row if any(value is not None for value in row) else None

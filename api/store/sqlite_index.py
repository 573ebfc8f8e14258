"""The SQLite store's search index: its tables, and keeping them in step with the studies.

- `area_text` (FTS5): one column per piece a search area names, for weighted text search;
- `piece_text` (FTS5): one row per study and other text piece, for `AREA[piece]` on it
  (the rowid says which study and piece: `study id * PIECE_SLOTS + piece slot`);
- `field_values`: every non-text value (enums, dates, numbers, booleans, ages);
- `studies.present`: which pieces a study has at all, for `MISSING`;
- `sort_keys`: one number per study and date or numeric piece, for `sort=`;
- `geo`: every site's coordinates.

Pieces are stored as small integers (`pieces` table), which keeps the value tables and their
indexes compact. Each table has only the indexes searches need: removing a study's rows
goes through those, with the values it was indexed with, which come from the stored
document being replaced (the contentless full-text tables need them anyway).
"""

from __future__ import annotations

import functools
import sqlite3

from api.search.extract import IndexEntry, area_pieces, other_text_pieces
from api.search.fields import leaves

TOKENIZER = "porter unicode61 remove_diacritics 2"
# piece_text rowids: study id times this, plus the piece's index among other_text_pieces.
PIECE_SLOTS = 512


def schema() -> str:
    """DDL of the index tables."""
    columns = ", ".join(area_pieces())
    return f"""
CREATE TABLE IF NOT EXISTS pieces (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
CREATE VIRTUAL TABLE IF NOT EXISTS area_text USING fts5(
    {columns}, content='', tokenize='{TOKENIZER}');
CREATE VIRTUAL TABLE IF NOT EXISTS piece_text USING fts5(
    text, content='', tokenize='{TOKENIZER}');
CREATE TABLE IF NOT EXISTS field_values (
    study_id INTEGER NOT NULL,
    piece    INTEGER NOT NULL,
    value    TEXT NOT NULL COLLATE NOCASE,
    num      REAL
);
CREATE INDEX IF NOT EXISTS field_values_by_value ON field_values (piece, value, study_id);
CREATE INDEX IF NOT EXISTS field_values_by_num ON field_values (piece, num, study_id)
    WHERE num IS NOT NULL;
CREATE INDEX IF NOT EXISTS field_values_by_study ON field_values (study_id, piece, num);
CREATE TABLE IF NOT EXISTS sort_keys (
    piece    INTEGER NOT NULL,
    study_id INTEGER NOT NULL,
    num      REAL NOT NULL,
    PRIMARY KEY (piece, study_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sort_keys_by_num ON sort_keys (piece, num, study_id);
CREATE TABLE IF NOT EXISTS geo (
    study_id INTEGER NOT NULL,
    lat      REAL NOT NULL,
    lon      REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS geo_by_place ON geo (lat, lon, study_id);
CREATE INDEX IF NOT EXISTS geo_by_study ON geo (study_id, lat, lon);
"""


def piece_ids(connection: sqlite3.Connection) -> dict[str, int]:
    """Every leaf piece's id, numbering new pieces after the existing ones (ids are stable)."""
    connection.executemany("INSERT OR IGNORE INTO pieces (name) VALUES (?)",
                           [(node.piece,) for node in leaves()])
    return dict(connection.execute("SELECT name, id FROM pieces"))


@functools.cache
def _piece_slot() -> dict[str, int]:
    return {piece: slot for slot, piece in enumerate(other_text_pieces())}


def piece_slots(pieces) -> list[int]:
    """The `piece_text` slots of `pieces` (other text pieces)."""
    return [_piece_slot()[piece] for piece in pieces]


@functools.cache
def _area_statements() -> tuple[str, str]:
    """The `area_text` statements: the FTS5 'delete' command, and a plain insert."""
    columns = ", ".join(area_pieces())
    marks = ", ".join("?" for _ in area_pieces())
    return (f"INSERT INTO area_text (area_text, rowid, {columns}) VALUES (?, ?, {marks})",
            f"INSERT INTO area_text (rowid, {columns}) VALUES (?, {marks})")


def present(entry: IndexEntry, ids: dict[str, int]) -> str:
    """The `studies.present` text: `,id,id,` of every piece the study has."""
    return "," + ",".join(str(number) for number in sorted(ids[p] for p in entry.present)) + ","


def add(connection: sqlite3.Connection, entries: list[tuple[int, IndexEntry]],
        ids: dict[str, int]) -> None:
    """Index studies: (study id, entry) pairs, in one statement per table."""
    connection.executemany(_area_statements()[1], [
        (study_id, *(entry.text.get(piece) for piece in area_pieces()))
        for study_id, entry in entries])
    connection.executemany("INSERT INTO piece_text (rowid, text) VALUES (?, ?)", [
        row for study_id, entry in entries for row in _piece_rows(study_id, entry)])
    connection.executemany(
        "INSERT INTO field_values (study_id, piece, value, num) VALUES (?, ?, ?, ?)",
        [(study_id, ids[piece], value, num) for study_id, entry in entries
         for piece, value, num in entry.values])
    connection.executemany("INSERT INTO sort_keys (piece, study_id, num) VALUES (?, ?, ?)", [
        (ids[piece], study_id, num) for study_id, entry in entries
        for piece, num in entry.sort_keys.items()])
    connection.executemany("INSERT INTO geo (study_id, lat, lon) VALUES (?, ?, ?)", [
        (study_id, lat, lon) for study_id, entry in entries for lat, lon in entry.geo])


def remove(connection: sqlite3.Connection, study_id: int, entry: IndexEntry,
           ids: dict[str, int]) -> None:
    """Take a study out of the index; `entry` is what it was indexed with."""
    connection.execute(_area_statements()[0],
                       ("delete", study_id, *(entry.text.get(piece) for piece in area_pieces())))
    connection.executemany("INSERT INTO piece_text (piece_text, rowid, text) VALUES ('delete', ?, ?)",
                           _piece_rows(study_id, entry))
    connection.executemany(
        "DELETE FROM field_values WHERE piece = ? AND value = ? AND study_id = ?",
        [(ids[piece], value, study_id) for piece, value, _ in entry.values])
    connection.executemany("DELETE FROM sort_keys WHERE piece = ? AND study_id = ?",
                           [(ids[piece], study_id) for piece in entry.sort_keys])
    connection.executemany("DELETE FROM geo WHERE lat = ? AND study_id = ?",
                           [(lat, study_id) for lat, _ in entry.geo])


def _piece_rows(study_id: int, entry: IndexEntry) -> list[tuple[int, str]]:
    slots = _piece_slot()
    return [(study_id * PIECE_SLOTS + slots[piece], text)
            for piece, text in entry.text.items() if piece in slots]

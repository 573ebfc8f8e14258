"""Every text a study has had in the SQLite store, kept append-only and numbered from 0.

One `versions` row per version, keyed by (NCT id, number), not by `studies.id`: a removed
study's row goes, its history stays. Storage grows by what changed:

- the current version's bytes are `documents.document` already: its row holds no body;
- each older version is a *reverse delta* against its successor: zstandard with the
  successor's bytes as a raw-content dictionary, so a version that moved a status and a date
  costs a few hundred bytes, not a copy. Reading version k decompresses from the newest back;
- a removed study's last text is kept whole (compressed) in its row, the base of its chain.

Reverse deltas (rather than forward ones from version 0) because the newest version is the one
read most and written over: appending a version re-encodes only its predecessor, and the
current one costs nothing beyond `documents`. An import of new studies writes one small row
per study and compresses nothing.

`modules` NULL means "every module the text has" (a study's first version kept): worked out
when read, so an import does not write the list for every study.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator

import orjson

from api.search.extract import IndexEntry
from api.store.base import History
# The texts' encodings and the pure functions behind them are the same for every backend.
from api.store.history_deltas import (CURRENT, DELTA, WHOLE, Text, decoded, delta, entry_facts,
                                      history_of, unwhole, version_rows, whole)

_MAX_NUMBER = 2 ** 63

SCHEMA = """
CREATE TABLE IF NOT EXISTS versions (
    nct_id    TEXT NOT NULL,
    number    INTEGER NOT NULL,
    date      TEXT,            -- lastUpdatePostDateStruct.date, as written
    status    TEXT,            -- statusModule.overallStatus
    stored_at TEXT NOT NULL,   -- UTC yyyy-MM-ddTHH:MM:SS
    tag       TEXT NOT NULL,   -- content_tag of its bytes
    modules   TEXT,            -- changed modules, comma-separated (NULL: all it has)
    encoding  INTEGER NOT NULL, -- CURRENT (bytes in documents), DELTA or WHOLE
    body      BLOB,            -- DELTA: against the next kept version, WHOLE: zstd
    PRIMARY KEY (nct_id, number)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS removed_studies (
    nct_id      TEXT PRIMARY KEY,
    removed_at  TEXT NOT NULL,
    next_number INTEGER NOT NULL  -- numbers are never reused, even if pruning emptied it
) WITHOUT ROWID;
"""


def create(connection: sqlite3.Connection) -> None:
    """The history's tables (inside the caller's transaction)."""
    for statement in SCHEMA.split(";"):
        if statement.strip():
            connection.execute(statement)


def seed(connection: sqlite3.Connection, stored_at: str) -> None:
    """Upgrade: every current study without a history gets version 0, its stored document."""
    status = "$.protocolSection.statusModule.overallStatus"
    date = "$.protocolSection.statusModule.lastUpdatePostDateStruct.date"
    connection.execute(
        "INSERT OR IGNORE INTO versions (nct_id, number, date, status, stored_at, tag, "
        "modules, encoding, body) SELECT nct_id, 0, json_extract(CAST(document AS TEXT), ?), "
        "json_extract(CAST(document AS TEXT), ?), ?, tag, NULL, ?, NULL FROM studies "
        "JOIN documents ON study_id = studies.id", (date, status, stored_at, CURRENT))


def next_number(connection: sqlite3.Connection, nct_id: str) -> int:
    """The number the next version of `nct_id` gets (0 for a study never stored)."""
    return connection.execute(
        "SELECT max(coalesce((SELECT max(number) + 1 FROM versions WHERE nct_id = ?1), 0), "
        "coalesce((SELECT next_number FROM removed_studies WHERE nct_id = ?1), 0))",
        (nct_id,)).fetchone()[0]


def append(connection: sqlite3.Connection, nct_id: str, chain: list[Text],
           previous: Text | None, stored_at: str) -> None:
    """Append the accepted texts `chain` (in order, the last one now current) to the
    history of `nct_id`, whose newest kept text was `previous` (None if never stored or its
    history is empty); the previous newest row becomes a delta against its successor."""
    number = next_number(connection, nct_id)
    if previous is not None and number:
        connection.execute(
            "UPDATE versions SET encoding = ?, body = ? WHERE nct_id = ? AND number = "
            "(SELECT max(number) FROM versions WHERE nct_id = ?)",
            (DELTA, delta(previous.json, chain[0].json), nct_id, nct_id))
    rows = version_rows(nct_id, number, chain, previous, stored_at)
    connection.executemany("INSERT INTO versions (nct_id, number, date, status, stored_at, "
                           "tag, modules, encoding, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           rows)
    connection.execute("DELETE FROM removed_studies WHERE nct_id = ?", (nct_id,))


def append_new(connection: sqlite3.Connection, nct_id: str, tag: str, entry: IndexEntry,
               stored_at: str) -> bool:
    """The common case of an import: a study never stored gets version 0, its date and
    status read from its index entry (no parse, no compression). False (nothing written)
    when it has a history to continue."""
    if next_number(connection, nct_id):
        return False
    date, status = entry_facts(entry)
    connection.execute("INSERT INTO versions (nct_id, number, date, status, stored_at, tag, "
                       "modules, encoding, body) VALUES (?, 0, ?, ?, ?, ?, NULL, ?, NULL)",
                       (nct_id, date, status, stored_at, tag, CURRENT))
    return True


def keep(connection: sqlite3.Connection, chain: list, stored, stamp: str,
         written: tuple[str, IndexEntry] | None = None) -> None:
    """Append the accepted records `chain` of one study (`api.store.base.Record`s, in
    order) to its history, stored at `stamp`. `stored`: its stored document (`.text`, None
    if not stored; `.parsed()`); `written`: the last record's tag and index entry, when it
    is written as the study's document."""
    nct_id = chain[0].nct_id
    if (stored.text is None and len(chain) == 1 and written is not None
            and append_new(connection, nct_id, *written, stamp)):
        return  # a study never stored: the import's cheap path
    if stored.text is not None:
        previous = Text(stored.text, stored.parsed())
    else:  # removed earlier: its history continues from its last text
        last = newest_text(connection, nct_id)
        previous = None if last is None else Text(last, orjson.loads(last))
    texts = [Text(document, orjson.loads(document))
             for document in (record.text.encode() for record in chain)]
    append(connection, nct_id, texts, previous, stamp)


def removed(connection: sqlite3.Connection, nct_id: str, document: bytes,
            removed_at: str) -> None:
    """Study `nct_id` (current text `document`) is being removed: its newest row keeps that
    text whole, and the study is marked removed."""
    number = next_number(connection, nct_id)
    connection.execute(
        "UPDATE versions SET encoding = ?, body = ? WHERE nct_id = ? AND number = ? - 1 "
        "AND encoding = ?", (WHOLE, whole(document), nct_id, number, CURRENT))
    connection.execute("INSERT OR REPLACE INTO removed_studies (nct_id, removed_at, "
                       "next_number) VALUES (?, ?, ?)", (nct_id, removed_at, number))


def newest_text(connection: sqlite3.Connection, nct_id: str) -> bytes | None:
    """The newest kept text of a study not currently stored (a removed one's), or None."""
    row = connection.execute("SELECT encoding, body FROM versions WHERE nct_id = ? "
                             "ORDER BY number DESC LIMIT 1", (nct_id,)).fetchone()
    return unwhole(row[1]) if row and row[0] == WHOLE else None


def _texts(connection: sqlite3.Connection, nct_id: str,
           down_to: int) -> Iterator[tuple[int, str, bytes]]:
    """(number, tag, bytes) of each kept version numbered `down_to` or more, newest first."""
    return decoded(connection.execute(
        "SELECT number, tag, encoding, body FROM versions WHERE nct_id = ? AND "
        "number >= ? ORDER BY number DESC", (nct_id, down_to)),
        lambda: _current(connection, nct_id))


def _current(connection: sqlite3.Connection, nct_id: str) -> bytes:
    return connection.execute(
        "SELECT document FROM documents WHERE study_id = (SELECT id FROM studies WHERE "
        "nct_id = ?)", (nct_id,)).fetchone()[0]


@contextlib.contextmanager
def snapshot(connection: sqlite3.Connection):
    """One read transaction around several reads, so that a write committed meanwhile (a
    prune, a new version) is not half seen."""
    if connection.in_transaction:
        yield
        return
    connection.execute("BEGIN")
    try:
        yield
    finally:
        connection.execute("COMMIT")


def version(connection: sqlite3.Connection, nct_id: str, number: int) -> tuple[bytes, str] | None:
    """Version `number` of `nct_id`: (its bytes, its tag), None if not kept."""
    if not 0 <= number < _MAX_NUMBER:  # SQLite's integers end at 2**63
        return None
    with snapshot(connection):
        for found, tag, text in _texts(connection, nct_id, number):
            if found == number:
                return text, tag
    return None


def texts(connection: sqlite3.Connection, nct_id: str) -> list[tuple[int, bytes]]:
    """Every kept version of `nct_id` as (number, bytes), oldest first."""
    return [(number, text) for number, _, text in _texts(connection, nct_id, 0)][::-1]


def history(connection: sqlite3.Connection, nct_id: str) -> History | None:
    """The versions kept of `nct_id` and when it was removed; None if never stored."""
    with snapshot(connection):
        return _history(connection, nct_id)


def _history(connection: sqlite3.Connection, nct_id: str) -> History | None:
    rows = connection.execute("SELECT number, date, status, stored_at, tag, modules FROM "
                              "versions WHERE nct_id = ? ORDER BY number", (nct_id,)).fetchall()
    gone = connection.execute("SELECT removed_at FROM removed_studies WHERE nct_id = ?",
                              (nct_id,)).fetchone()
    return history_of(nct_id, rows, gone[0] if gone else None,
                      lambda number: version(connection, nct_id, number)[0])

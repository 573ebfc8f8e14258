"""The embedded default store: one SQLite file through the standard library.

Chosen because it needs no server: `make run` works on a machine that has only Python.
Each thread gets its own connection (the production server runs worker threads); WAL
journaling lets readers go on while an import writes. Documents live in their own table so
that the search tables and scans over `studies` stay small.
"""

from __future__ import annotations

import json
import math
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

from api.search.extract import extract
from api.store import sqlite_index, sqlite_search
from api.store.base import (Document, Record, SearchPage, SearchRequest, Store, WriteResult,
                            content_tag, utc_timestamp)

SCHEMA_VERSION = "4"
SCHEMA = """
CREATE TABLE IF NOT EXISTS studies (
    id      INTEGER PRIMARY KEY,
    nct_id  TEXT NOT NULL UNIQUE,
    present TEXT NOT NULL  -- ids of the pieces it has, `,3,17,`: see sqlite_index
);
CREATE TABLE IF NOT EXISTS documents (
    study_id INTEGER PRIMARY KEY REFERENCES studies (id) ON DELETE CASCADE,
    document BLOB NOT NULL, -- the record's JSON text, UTF-8
    tag      TEXT NOT NULL  -- its entity tag: content_tag(document)
);
CREATE TABLE IF NOT EXISTS aliases (
    alias    TEXT PRIMARY KEY,
    study_id INTEGER NOT NULL REFERENCES studies (id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS aliases_by_study ON aliases (study_id);
CREATE TABLE IF NOT EXISTS store_info (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
"""
# Schema 3 differs from 4 only by the documents' tags: upgraded in place.
UPGRADABLE_VERSION = "3"
# Which date decides whether an offered record is newer than the stored one.
VERSION_PIECE = "LastUpdatePostDate"


def _ensure_math(connection: sqlite3.Connection) -> None:
    """SQLite's math functions (`filter.geo` needs them), from Python where not built in."""
    try:
        connection.execute("SELECT sin(0), asin(0), radians(0), pow(2, 2)")
    except sqlite3.OperationalError:
        for name, function in (("sin", math.sin), ("cos", math.cos), ("asin", math.asin),
                               ("sqrt", math.sqrt), ("pow", math.pow),
                               ("radians", math.radians)):
            connection.create_function(name, 2 if name == "pow" else 1, function,
                                       deterministic=True)


class SQLiteStore(Store):
    """Studies, their aliases and their search index in one SQLite database file."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._create()

    def _create(self) -> None:
        connection = self._connection()
        connection.execute("BEGIN IMMEDIATE")
        try:
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
            version = self._info(connection, "schema_version") if "store_info" in tables else None
            if version is None and "studies" in tables:
                raise RuntimeError(f"{self.path} was made by an older version of this server; "
                                   "move it aside and load the records again")
            if version == UPGRADABLE_VERSION:
                self._add_tags(connection)
            elif version not in (None, SCHEMA_VERSION):
                raise RuntimeError(f"{self.path} has store schema {version}, "
                                   f"this server reads {SCHEMA_VERSION}")
            for statement in (SCHEMA + sqlite_index.schema()).split(";"):
                if statement.strip():
                    connection.execute(statement)
            self._set_info(connection, "schema_version", SCHEMA_VERSION)
            self._piece_ids = sqlite_index.piece_ids(connection)
            if self._info(connection, "token_secret") is None:
                self._set_info(connection, "token_secret", secrets.token_hex(32))
            # It never changes: read once, not on every page of every search.
            self._token_secret = bytes.fromhex(self._info(connection, "token_secret"))
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise

    @staticmethod
    def _add_tags(connection: sqlite3.Connection) -> None:
        """Schema 3 -> 4: tag every stored document, inside the opening transaction."""
        connection.create_function("content_tag", 1, content_tag, deterministic=True)
        connection.execute("ALTER TABLE documents ADD COLUMN tag TEXT NOT NULL DEFAULT ''")
        connection.execute("UPDATE documents SET tag = content_tag(document)")

    def _connection(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use."""
        connection = getattr(self._local, "connection", None)
        if connection is None:
            # Autocommit mode: transactions are explicit (`BEGIN IMMEDIATE` in `put`).
            connection = sqlite3.connect(self.path, isolation_level=None,
                                         check_same_thread=False, timeout=30)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute("PRAGMA foreign_keys=ON")
            # Reads straight from the mapped file, without a copy through read() calls.
            connection.execute("PRAGMA mmap_size=1073741824")
            # Imports write into several indexes at once; a larger cache spares re-reads.
            connection.execute("PRAGMA cache_size=-32000")
            _ensure_math(connection)
            self._local.connection = connection
            with self._lock:
                self._connections.append(connection)
        return connection

    @staticmethod
    def _info(connection, key: str) -> str | None:
        row = connection.execute("SELECT value FROM store_info WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    @staticmethod
    def _set_info(connection, key: str, value: str) -> None:
        connection.execute("INSERT OR REPLACE INTO store_info (key, value) VALUES (?, ?)",
                           (key, value))

    def get(self, nct_id: str) -> Document | None:
        row = self._connection().execute(
            "SELECT document, tag FROM documents WHERE study_id = "
            "(SELECT id FROM studies WHERE nct_id = ?)", (nct_id,)).fetchone()
        return Document(*row) if row else None

    def canonical_id(self, alias: str) -> str | None:
        row = self._connection().execute(
            "SELECT nct_id FROM studies JOIN aliases ON aliases.study_id = studies.id "
            "WHERE alias = ?", (alias,)).fetchone()
        return row[0] if row else None

    def put(self, records: list[Record]) -> WriteResult:
        outcome = {"added": [], "replaced": [], "unchanged": [], "outdated": []}
        connection = self._connection()
        connection.execute("BEGIN IMMEDIATE")
        try:
            indexed = []
            for record in records:
                what, study_id, entry = self._put_one(connection, record)
                outcome[what].append(record.nct_id)
                if entry is not None:
                    indexed.append((study_id, entry))
            sqlite_index.add(connection, indexed, self._piece_ids)
            if outcome["added"] or outcome["replaced"]:
                self._set_info(connection, "data_timestamp", utc_timestamp())
                connection.execute(
                    "INSERT INTO store_info (key, value) VALUES ('generation', '1') ON CONFLICT "
                    "(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1")
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        return WriteResult(**{what: tuple(ids) for what, ids in outcome.items()})

    def _put_one(self, connection: sqlite3.Connection, record: Record):
        """Write one record inside the open transaction, all but its index rows.

        Returns what happened (`added`, ...), the study's row id, and the `IndexEntry` to
        index it with (None when nothing changed).
        """
        document = record.text.encode()
        stored = connection.execute(
            "SELECT studies.id, document FROM studies JOIN documents ON study_id = studies.id "
            "WHERE nct_id = ?", (record.nct_id,)).fetchone()
        if stored is not None and stored[1] == document:
            return "unchanged", stored[0], None
        entry = record.index if record.index is not None else extract(json.loads(record.text))
        present = sqlite_index.present(entry, self._piece_ids)
        if stored is None:
            study_id = connection.execute("INSERT INTO studies (nct_id, present) VALUES (?, ?)",
                                          (record.nct_id, present)).lastrowid
            connection.execute("INSERT INTO documents (study_id, document, tag) "
                               "VALUES (?, ?, ?)", (study_id, document, content_tag(document)))
            what = "added"
        else:
            study_id, old = stored
            old_entry = extract(json.loads(old))
            if entry.sort_keys.get(VERSION_PIECE, 0) < old_entry.sort_keys.get(VERSION_PIECE, 0):
                return "outdated", study_id, None
            sqlite_index.remove(connection, study_id, old_entry, self._piece_ids)
            connection.execute("UPDATE studies SET present = ? WHERE id = ?", (present, study_id))
            connection.execute("UPDATE documents SET document = ?, tag = ? WHERE study_id = ?",
                               (document, content_tag(document), study_id))
            connection.execute("DELETE FROM aliases WHERE study_id = ?", (study_id,))
            what = "replaced"
        connection.executemany("INSERT OR REPLACE INTO aliases (alias, study_id) VALUES (?, ?)",
                               [(alias, study_id) for alias in record.aliases])
        return what, study_id, entry

    def search(self, request: SearchRequest) -> SearchPage:
        return sqlite_search.search(self._connection(), request, self._piece_ids)

    def token_secret(self) -> bytes:
        """A secret made with the store, shared by every process serving it (page tokens)."""
        return self._token_secret

    def iter_documents(self, batch_size: int = 500) -> Iterator[tuple[str, bytes]]:
        after = ""
        while True:
            rows = self._connection().execute(
                "SELECT nct_id, document FROM studies JOIN documents ON study_id = studies.id "
                "WHERE nct_id > ? ORDER BY nct_id LIMIT ?", (after, batch_size)).fetchall()
            yield from rows
            if len(rows) < batch_size:
                return
            after = rows[-1][0]

    def count(self) -> int:
        return self._connection().execute("SELECT count(*) FROM studies").fetchone()[0]

    def generation(self) -> int:
        return int(self._info(self._connection(), "generation") or 0)

    def data_timestamp(self) -> str | None:
        return self._info(self._connection(), "data_timestamp")

    def optimize(self) -> None:
        """Refresh the query planner's statistics, after a large import."""
        self._connection().execute("PRAGMA optimize")

    def close(self) -> None:
        with self._lock:
            for connection in self._connections:
                connection.close()
            self._connections.clear()
        self._local = threading.local()

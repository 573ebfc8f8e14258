"""The embedded default store: one SQLite file through the standard library.

Chosen because it needs no server: `make run` works on a machine that has only Python.
Each thread gets its own connection (the production server runs worker threads); WAL
journaling lets readers go on while an import writes.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from api.store.base import Record, Store, WriteResult, utc_timestamp

SCHEMA = """
CREATE TABLE IF NOT EXISTS studies (
    nct_id   TEXT PRIMARY KEY,
    document TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS aliases (
    alias  TEXT PRIMARY KEY,
    nct_id TEXT NOT NULL REFERENCES studies (nct_id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS aliases_by_study ON aliases (nct_id);
CREATE TABLE IF NOT EXISTS store_info (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
"""


class SQLiteStore(Store):
    """Studies in one SQLite database file."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        with self._connection() as connection:
            connection.executescript(SCHEMA)

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
            self._local.connection = connection
            with self._lock:
                self._connections.append(connection)
        return connection

    def get(self, nct_id: str) -> str | None:
        row = self._connection().execute(
            "SELECT document FROM studies WHERE nct_id = ?", (nct_id,)).fetchone()
        return row[0] if row else None

    def canonical_id(self, alias: str) -> str | None:
        row = self._connection().execute(
            "SELECT nct_id FROM aliases WHERE alias = ?", (alias,)).fetchone()
        return row[0] if row else None

    def put(self, records: list[Record]) -> WriteResult:
        added, replaced, unchanged = [], [], []
        connection = self._connection()
        connection.execute("BEGIN IMMEDIATE")
        try:
            for record in records:
                stored = connection.execute(
                    "SELECT document FROM studies WHERE nct_id = ?", (record.nct_id,)).fetchone()
                if stored and stored[0] == record.text:
                    unchanged.append(record.nct_id)
                    continue
                (replaced if stored else added).append(record.nct_id)
                connection.execute(
                    "INSERT INTO studies (nct_id, document) VALUES (?, ?) "
                    "ON CONFLICT (nct_id) DO UPDATE SET document = excluded.document",
                    (record.nct_id, record.text))
                connection.execute("DELETE FROM aliases WHERE nct_id = ?", (record.nct_id,))
                connection.executemany(
                    "INSERT OR REPLACE INTO aliases (alias, nct_id) VALUES (?, ?)",
                    [(alias, record.nct_id) for alias in record.aliases])
            if added or replaced:
                connection.execute(
                    "INSERT OR REPLACE INTO store_info (key, value) VALUES ('data_timestamp', ?)",
                    (utc_timestamp(),))
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        return WriteResult(tuple(added), tuple(replaced), tuple(unchanged))

    def count(self) -> int:
        return self._connection().execute("SELECT count(*) FROM studies").fetchone()[0]

    def data_timestamp(self) -> str | None:
        row = self._connection().execute(
            "SELECT value FROM store_info WHERE key = 'data_timestamp'").fetchone()
        return row[0] if row else None

    def close(self) -> None:
        with self._lock:
            for connection in self._connections:
                connection.close()
            self._connections.clear()
        self._local = threading.local()

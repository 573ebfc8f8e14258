"""Sync checkpoints in the SQLite store: written in the transaction of the data they describe.

A sync commits its page token and high-water mark with the page's records (`Store.put(...,
checkpoint=)`), so that after a kill the progress read back is exactly what was stored. A
`--full` run records the NCT ids the upstream listed (`seen`); what it did not list is what
its reconcile removes (`unseen`).
"""

from __future__ import annotations

import sqlite3

from api.store.base import Checkpoint

SCHEMA = """
CREATE TABLE IF NOT EXISTS sync_progress (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sync_seen (
    run    TEXT NOT NULL,
    nct_id TEXT NOT NULL,
    PRIMARY KEY (run, nct_id)
) WITHOUT ROWID;
"""


def create(connection: sqlite3.Connection) -> None:
    """The checkpoint tables (inside the caller's transaction)."""
    for statement in SCHEMA.split(";"):
        if statement.strip():
            connection.execute(statement)


def write(connection: sqlite3.Connection, checkpoint: Checkpoint | None) -> None:
    """Write `checkpoint` inside the caller's transaction (nothing for None)."""
    if checkpoint is None:
        return
    for key, value in checkpoint.entries.items():
        if value is None:
            connection.execute("DELETE FROM sync_progress WHERE key = ?", (key,))
        else:
            connection.execute("INSERT OR REPLACE INTO sync_progress (key, value) "
                               "VALUES (?, ?)", (key, str(value)))
    if checkpoint.seen:
        if checkpoint.run is None:
            raise ValueError("a checkpoint's seen ids need the run they belong to")
        connection.executemany("INSERT OR IGNORE INTO sync_seen (run, nct_id) VALUES (?, ?)",
                               [(checkpoint.run, nct_id) for nct_id in checkpoint.seen])


def progress(connection: sqlite3.Connection, prefix: str) -> dict[str, str]:
    """The entries whose key starts with `prefix` (compared exactly, not as a pattern)."""
    return dict(connection.execute(
        "SELECT key, value FROM sync_progress WHERE substr(key, 1, ?) = ? ORDER BY key",
        (len(prefix), prefix)))


def unseen(connection: sqlite3.Connection, run: str) -> list[str]:
    """Current studies' NCT ids not seen in `run`, in NCT id order."""
    return [row[0] for row in connection.execute(
        "SELECT nct_id FROM studies WHERE NOT EXISTS (SELECT 1 FROM sync_seen WHERE run = ? "
        "AND sync_seen.nct_id = studies.nct_id) ORDER BY nct_id", (run,))]


def end_run(connection: sqlite3.Connection, run: str) -> None:
    """Forget the seen ids of `run` (inside the caller's transaction)."""
    connection.execute("DELETE FROM sync_seen WHERE run = ?", (run,))

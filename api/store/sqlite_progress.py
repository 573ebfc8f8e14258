"""Sync checkpoints in the SQLite store: its tables (`api.store.checkpoints` writes and reads them).

A sync commits its page token and high-water mark with the page's records (`Store.put(...,
checkpoint=)`), so that after a kill the progress read back is exactly what was stored. A
`--full` run records the NCT ids the upstream listed (`seen`); what it did not list is what
its reconcile removes (`unseen`).
"""

from __future__ import annotations

import sqlite3

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

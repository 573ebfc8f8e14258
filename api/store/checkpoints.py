"""Sync checkpoints, for every backend: written in the transaction of the data they describe.

A sync commits its page token and high-water mark with the page's records (`Store.put(...,
checkpoint=)`), so that after a kill the progress read back is exactly what was stored. A
`--full` run records the NCT ids the upstream listed (`seen`); what it did not list is what
its reconcile removes (`unseen`). Each function takes a DB-API connection with `?`
parameters over the store's `sync_progress` and `sync_seen` tables (`sqlite_progress`,
`postgres_schema`).
"""

from __future__ import annotations

from api.store.base import Checkpoint


def write(connection, checkpoint: Checkpoint | None) -> None:
    """Write `checkpoint` inside the caller's transaction (nothing for None)."""
    if checkpoint is None:
        return
    for key, value in checkpoint.entries.items():
        if value is None:
            connection.execute("DELETE FROM sync_progress WHERE key = ?", (key,))
        else:
            connection.execute("INSERT INTO sync_progress (key, value) VALUES (?, ?) ON CONFLICT "
                               "(key) DO UPDATE SET value = excluded.value", (key, str(value)))
    if checkpoint.seen:
        if checkpoint.run is None:
            raise ValueError("a checkpoint's seen ids need the run they belong to")
        connection.executemany("INSERT INTO sync_seen (run, nct_id) VALUES (?, ?) "
                               "ON CONFLICT DO NOTHING",
                               [(checkpoint.run, nct_id) for nct_id in checkpoint.seen])


def progress(connection, prefix: str) -> dict[str, str]:
    """The entries whose key starts with `prefix` (compared exactly, not as a pattern)."""
    return dict(connection.execute(
        "SELECT key, value FROM sync_progress WHERE substr(key, 1, ?) = ? ORDER BY key",
        (len(prefix), prefix)))


def unseen(connection, run: str) -> list[str]:
    """Current studies' NCT ids not seen in `run`, in NCT id order."""
    return [row[0] for row in connection.execute(
        "SELECT nct_id FROM studies WHERE NOT EXISTS (SELECT 1 FROM sync_seen WHERE run = ? "
        "AND sync_seen.nct_id = studies.nct_id) ORDER BY nct_id", (run,))]


def end_run(connection, run: str) -> None:
    """Forget the seen ids of `run` (inside the caller's transaction)."""
    connection.execute("DELETE FROM sync_seen WHERE run = ?", (run,))

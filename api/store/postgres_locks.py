"""The PostgreSQL store's advisory locks: what SQLite's single write lock does, finer.

- Writers (`put`, `remove`) hold the *writers* lock shared, and each study they write
  exclusively, with the ids their aliases name (by a hash of the id, taken in one order so
  that two writers never wait for each other in a cycle): imports run in parallel, two
  writes of one study one after the other, each settled against the other's result.
- Whole-store work (pruning the history, rebuilding the statistics) holds the writers lock
  exclusively: writes wait for it, as they wait for SQLite's write lock.
- `exclusive(name)`: one long-running command of a kind at a time (a sync), across every
  instance and host; a session lock, let go by the server when the holder's connection
  ends however it ends.

Transaction locks (`_xact_`) go with their transaction. Each kind has its own class number
(the first key), apart from the migrations' (`postgres_schema.MIGRATION_LOCK`).
"""

from __future__ import annotations

import contextlib

import psycopg

from api.store.errors import StoreBusy

WRITERS = (20_260_015, 0)
STUDIES = 20_260_016
COMMANDS = 20_260_017
# Study locks one transaction takes at most: the server's lock table is shared and bounded
# (max_locks_per_transaction x max_connections); a larger batch takes the writers lock
# exclusively instead, and runs alone.
MAX_STUDY_LOCKS = 512


def write_shared(connection: psycopg.Connection, studies: list[str]) -> None:
    """Inside a write transaction: the writers lock shared, then each of `studies` (for
    more than `MAX_STUDY_LOCKS`, the writers lock exclusively)."""
    if len(studies) > MAX_STUDY_LOCKS:
        connection.execute("SELECT pg_advisory_xact_lock(%s, %s)", WRITERS)
        return
    connection.execute("SELECT pg_advisory_xact_lock_shared(%s, %s)", WRITERS)
    if studies:
        connection.execute(
            "SELECT pg_advisory_xact_lock(%s, key) FROM (SELECT DISTINCT hashtext(n) AS key "
            "FROM unnest(%s::text[]) AS n ORDER BY key) AS keys", (STUDIES, studies)).fetchall()


def write_whole(connection: psycopg.Connection, name: str, purpose: str,
                lock_wait: float) -> None:
    """Inside a transaction: the writers lock exclusively, waiting at most `lock_wait`
    seconds (then `StoreBusy`, saying that this could not `purpose`)."""
    connection.execute(f"SET LOCAL lock_timeout = {int(lock_wait * 1000)}")
    try:
        connection.execute("SELECT pg_advisory_xact_lock(%s, %s)", WRITERS)
    except psycopg.errors.LockNotAvailable:
        raise StoreBusy(f"{name}: writers held the store for {lock_wait:g} s, so this could "
                        f"not {purpose}; try again when they are done (an import?), or raise "
                        "TRIALS_STORE_LOCK_WAIT") from None
    connection.execute("SET LOCAL lock_timeout = 0")


@contextlib.contextmanager
def command(connection: psycopg.Connection, store_name: str, name: str, purpose: str):
    """Hold the `name` command lock on `connection` for the block, else `StoreBusy` at once
    naming who holds it."""
    key = (COMMANDS, _key(connection, name))
    if not connection.execute("SELECT pg_try_advisory_lock(%s, %s)", key).fetchone()[0]:
        raise StoreBusy(f"{store_name}: cannot {purpose}: {_holder(connection, key)} is doing "
                        f"it (it holds the {name} lock); try again when it is done")
    try:
        yield
    finally:
        with contextlib.suppress(psycopg.Error):  # a lost connection let go of it already
            connection.execute("SELECT pg_advisory_unlock(%s, %s)", key)


def _key(connection: psycopg.Connection, name: str) -> int:
    return connection.execute("SELECT hashtext(%s)", (name,)).fetchone()[0]


def _holder(connection: psycopg.Connection, key: tuple[int, int]) -> str:
    """Who holds an advisory lock: its session's application name and server process."""
    row = connection.execute(
        "SELECT activity.application_name, activity.pid, activity.client_addr::text FROM "
        "pg_locks JOIN pg_stat_activity AS activity USING (pid) WHERE locktype = 'advisory' "
        "AND granted AND classid = %s::oid AND objid = (%s::bigint & 4294967295)::oid "
        "AND objsubid = 2", key).fetchone()
    if row is None:
        return "another process"
    application, pid, address = row
    return f"{application or 'a client'} (server process {pid}, from {address or 'a socket'})"

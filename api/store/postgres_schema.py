"""The PostgreSQL store's layout, created and upgraded by the application: versioned migrations.

`MIGRATIONS[n - 1]` takes a database from schema n - 1 to n; `schema_migrations` holds one
row per migration applied. Opening reads the version without a lock (the common case: the
layout is current, nothing is written). Otherwise the missing migrations run in one
transaction under an advisory lock, so that several instances starting at once on a new
database upgrade it once: the others wait for the lock, read the version again and find
nothing to do. A database written by a newer release is refused, never downgraded.

Text that is ordered or compared (NCT ids, aliases, timestamps, statistics' values) is
`COLLATE "C"`: byte order, as SQLite's, whatever the database's locale.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable

import psycopg
from psycopg import errors

from api.store import postgres_index, postgres_stats
from api.store.errors import StoreBusy, StoreLayoutError, stale_index

log = logging.getLogger(__name__)

# The advisory lock (class, key) that migrations run under; other keys: `postgres_locks`.
MIGRATION_LOCK = (20_260_014, 0)

CORE = """
CREATE TABLE store_info (
    key   text COLLATE "C" PRIMARY KEY,
    value text NOT NULL
);
CREATE TABLE store_state (   -- one row: what every instance keys its caches on
    singleton      boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    generation     bigint NOT NULL DEFAULT 0,
    data_timestamp text,     -- UTC yyyy-MM-ddTHH:MM:SS of the last change
    seeded         text      -- when an instance claimed the seeding (`claim_seeding`)
);
INSERT INTO store_state DEFAULT VALUES;
CREATE TABLE studies (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    nct_id    text COLLATE "C" NOT NULL UNIQUE,
    tag       text NOT NULL,              -- content_tag(documents.body)
    gzip_size integer NOT NULL DEFAULT 0  -- for /stats/size: see stats_tables
);
CREATE INDEX studies_by_gzip_size ON studies (gzip_size, nct_id);
CREATE TABLE documents (
    study_id bigint PRIMARY KEY REFERENCES studies (id) ON DELETE CASCADE,
    body     bytea NOT NULL  -- the exact bytes received (jsonb would reorder the keys)
);
CREATE TABLE aliases (
    alias    text COLLATE "C" PRIMARY KEY,
    study_id bigint NOT NULL REFERENCES studies (id) ON DELETE CASCADE
);
CREATE INDEX aliases_by_study ON aliases (study_id);
CREATE TABLE versions (  -- the history: see history_deltas and postgres_history
    nct_id    text COLLATE "C" NOT NULL,
    number    bigint NOT NULL,
    date      text,
    status    text,
    stored_at text COLLATE "C" NOT NULL,
    tag       text NOT NULL,
    modules   text,
    encoding  smallint NOT NULL,
    body      bytea,
    PRIMARY KEY (nct_id, number)
);
CREATE TABLE removed_studies (
    nct_id      text COLLATE "C" PRIMARY KEY,
    removed_at  text NOT NULL,
    next_number bigint NOT NULL
);
CREATE TABLE sync_progress (
    key   text COLLATE "C" PRIMARY KEY,
    value text NOT NULL
);
CREATE TABLE sync_seen (
    run    text COLLATE "C" NOT NULL,
    nct_id text COLLATE "C" NOT NULL,
    PRIMARY KEY (run, nct_id)
);
"""


def _first(cursor: psycopg.Cursor) -> None:
    """Schema 1: the studies, their documents, aliases, history, checkpoints, statistics
    and search index (`postgres_index`), and the page-token secret."""
    cursor.execute(CORE)
    postgres_stats.create(cursor)
    postgres_index.create(cursor)
    cursor.execute("INSERT INTO store_info (key, value) VALUES ('token_secret', %s)",
                   (secrets.token_hex(32),))
    set_index_layout(cursor)


# In order: a release that changes the layout appends one, and never edits a released one.
MIGRATIONS: list[Callable[[psycopg.Cursor], None]] = [_first]


def current_version() -> int:
    """The schema this code reads and writes."""
    return len(MIGRATIONS)


def version(connection: psycopg.Connection) -> int | None:
    """The database's schema (None: no store there yet); `StoreLayoutError` for a database
    holding a `studies` table that is not this server's."""
    found = connection.execute(
        "SELECT to_regclass('schema_migrations') IS NOT NULL, "
        "to_regclass('studies') IS NOT NULL").fetchone()
    if not found[0]:
        if found[1]:
            raise StoreLayoutError("the database has a studies table but is not a store of "
                                   "this server (no schema_migrations); use another database")
        return None
    return connection.execute("SELECT max(version) FROM schema_migrations").fetchone()[0]


def refusal(found: int | None, name: str) -> str | None:
    """Why this code cannot use a database at schema `found`, None if it can (or can
    upgrade it)."""
    if found is not None and found > current_version():
        return (f"{name} was written by a newer release (schema {found}; this release reads "
                f"up to {current_version()}): run that release, or a newer one")
    return None


def migrate(connection: psycopg.Connection, name: str, lock_wait: float) -> None:
    """Make the database current: refuse a newer one, apply the missing migrations (one
    transaction, under the migration lock, waiting at most `lock_wait` seconds).
    `connection` is in autocommit mode."""
    found = version(connection)
    if (reason := refusal(found, name)) is not None:
        raise StoreLayoutError(reason)
    if found == current_version():
        return
    try:
        # A session lock taken before the transaction begins: a transaction begun first
        # would read the catalogue as it was then, missing the tables that another instance
        # made while this one waited.
        connection.execute(f"SET lock_timeout = {int(lock_wait * 1000)}")
        connection.execute("SELECT pg_advisory_lock(%s, %s)", MIGRATION_LOCK)
    except errors.LockNotAvailable:
        raise StoreBusy(f"{name}: another instance held the migration lock for {lock_wait:g} s, "
                        "so the schema could not be upgraded; try again when it is done, "
                        "or raise TRIALS_STORE_LOCK_WAIT") from None
    finally:
        connection.execute("RESET lock_timeout")
    try:
        with connection.transaction(), connection.cursor() as cursor:
            found = version(connection)  # another instance may have done it meanwhile
            if (reason := refusal(found, name)) is not None:
                raise StoreLayoutError(reason)
            for number in range((found or 0) + 1, current_version() + 1):
                log.warning("%s: applying store schema migration %d", name, number)
                if number == 1:
                    cursor.execute("CREATE TABLE schema_migrations (version integer PRIMARY "
                                   "KEY, applied_at timestamptz NOT NULL DEFAULT now())")
                MIGRATIONS[number - 1](cursor)
                cursor.execute("INSERT INTO schema_migrations (version) VALUES (%s)", (number,))
    finally:
        connection.execute("SELECT pg_advisory_unlock(%s, %s)", MIGRATION_LOCK)


def set_index_layout(cursor) -> None:
    """Record that the index rows were written under this code's layout."""
    cursor.execute("INSERT INTO store_info (key, value) VALUES ('index_layout', %s) "
                   "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                   (postgres_index.fingerprint(),))


def index_refusal(connection: psycopg.Connection, name: str) -> str | None:
    """Why the index cannot be searched by this code (written under another layout: a piece
    moved into or out of a search area, another tokenizer), None if it can. As on SQLite, a
    store is never searched under a layout it was not indexed with."""
    row = connection.execute(
        "SELECT value FROM store_info WHERE key = 'index_layout'").fetchone()
    if row is not None and row[0] == postgres_index.fingerprint():
        return None
    return str(stale_index(name))


def token_secret(connection: psycopg.Connection) -> bytes:
    """The page-token secret made with the store."""
    row = connection.execute("SELECT value FROM store_info WHERE key = 'token_secret'").fetchone()
    return bytes.fromhex(row[0])

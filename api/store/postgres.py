"""The PostgreSQL store: several servers on one database, reads optionally from a hot standby.

psycopg 3 with its connection pool: each instance holds a pool on the primary (writes, and
what a write decides on: stored tags, sync progress) and, with a `read_url`, one on a
standby for everything else. The data, the history, the statistics, the page-token secret,
the generation and the data timestamp all live in the database, so every instance sees a
write at once (caches key on `generation()`, one cheap read). A database that cannot be
reached is `StoreUnavailable` (503, Retry-After); the pool reconnects when it is back.
The rules of a write are the SQLite store's (`settle`), and so are the statistics, history
encodings and checkpoints (shared modules); the search index is `postgres_index`'s.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

import psycopg

from api.statistics.sketches import EXACT_LIMIT
from api.store import (checkpoints, history_prune, postgres_history, postgres_locks,
                       postgres_schema, postgres_stats)
from api.store.base import (Checkpoint, Document, History, Record, SearchPage, SearchQuery, Store,
                            WriteResult, utc_timestamp)
from api.store.errors import StoreError, StoreLayoutError, StoreUnavailable
from api.store.postgres_pool import (OUTAGE_TIMEOUT, POOL_TIMEOUT, UNAVAILABLE, display_name,
                                     first_line, is_outage, make_pool)
from api.store.postgres_qmark import Qmark
from api.store.postgres_writes import remove_studies, write_batch

log = logging.getLogger(__name__)


class PostgreSQLStore(Store):
    """Studies, their history, statistics and search index in one PostgreSQL database."""

    def __init__(self, url: str, read_url: str | None = None, lock_wait: float = 20.0,
                 stats_exact_limit: int = EXACT_LIMIT, any_index: bool = False):
        """Open the store at `url` (a primary), reads going to `read_url` if given (a hot
        standby of it). Creates or upgrades the layout if it must, waiting at most
        `lock_wait` seconds for another instance doing so; `StoreError` (one line) when the
        database cannot be reached or is not one this code reads, or its index was written
        under another index layout (unless `any_index`: what `rebuild_index` opens)."""
        self.url, self.read_url = url, read_url
        self.name, self.lock_wait = display_name(url), lock_wait
        self.stats_exact_limit = stats_exact_limit
        self._outage = False
        self._pool = make_pool(url, "primary")
        self._read_pool = make_pool(read_url, "reader") if read_url else self._pool
        try:
            for pool, pool_url in ((self._pool, url), (self._read_pool, read_url or url)):
                with psycopg.connect(pool_url, connect_timeout=5):  # a clear reason, not a timeout
                    pass
                if pool.closed:
                    pool.open(wait=True, timeout=POOL_TIMEOUT)
            with self._pool.connection() as connection:
                postgres_schema.migrate(connection, self.name, lock_wait)
                self._token_secret = postgres_schema.token_secret(connection)
                stale = postgres_schema.index_refusal(connection, self.name)
            if stale is not None and not any_index:
                raise StoreLayoutError(stale)
        except psycopg.Error as error:
            self.close()
            raise StoreError(f"{self.name}: cannot be opened as a PostgreSQL store "
                             f"({first_line(error)})") from None
        except BaseException:
            self.close()
            raise

    @contextlib.contextmanager
    def _connection(self, reading: bool = False, timeout: float = POOL_TIMEOUT):
        """A pooled connection (autocommit) for the block; an outage is `StoreUnavailable`
        (and, until the database answers again, requests wait less for a connection)."""
        if self._outage:
            timeout = min(timeout, OUTAGE_TIMEOUT)
        try:
            with (self._read_pool if reading else self._pool).connection(timeout) as connection:
                yield connection
            self._outage = False
        except psycopg.OperationalError as error:
            if not is_outage(error):
                raise
            self._outage = True
            log.warning("%s: %s", self.name, first_line(error))
            raise StoreUnavailable(UNAVAILABLE) from None

    @contextlib.contextmanager
    def _transaction(self, reading: bool = False):
        """A connection inside one transaction (repeatable read for reads of several rows)."""
        with self._connection(reading) as connection, connection.transaction():
            if reading:
                connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            yield connection

    def _one(self, sql: str, parameters=(), reading: bool = True):
        with self._connection(reading) as connection:
            return connection.execute(sql, parameters).fetchone()

    def get(self, nct_id: str) -> Document | None:
        row = self._one("SELECT body, tag FROM studies JOIN documents ON study_id = studies.id "
                        "WHERE nct_id = %s", (nct_id,))
        return Document(row[0], row[1]) if row else None

    def canonical_id(self, alias: str) -> str | None:
        row = self._one("SELECT nct_id FROM aliases JOIN studies ON studies.id = study_id "
                        "WHERE alias = %s", (alias,))
        return row[0] if row else None

    def put(self, records: list[Record], checkpoint: Checkpoint | None = None) -> WriteResult:
        stamp = utc_timestamp()
        with self._transaction() as connection:
            outcome, changed = write_batch(connection, records, stamp, self.stats_exact_limit)
            checkpoints.write(Qmark(connection), checkpoint)
            if changed:
                _changed(connection, stamp)
        return WriteResult(**{what: tuple(ids) for what, ids in outcome.items()})

    def remove(self, nct_ids: list[str], checkpoint: Checkpoint | None = None) -> tuple[str, ...]:
        stamp = utc_timestamp()
        with self._transaction() as connection:
            removed = remove_studies(connection, list(dict.fromkeys(nct_ids)), stamp,
                                     self.stats_exact_limit)
            if removed:
                _changed(connection, stamp)
            checkpoints.write(Qmark(connection), checkpoint)
        return tuple(removed)

    def iter_documents(self, batch_size: int = 500,
                       reading: bool = True) -> Iterator[tuple[str, bytes]]:
        with self._connection(reading) as connection:
            yield from _documents(connection, batch_size)

    def stored_tags(self) -> dict[str, tuple[str, tuple[str, ...]]]:
        with self._transaction() as connection:  # the primary: an import decides on it
            aliases: dict[int, list[str]] = {}
            for study_id, alias in connection.execute("SELECT study_id, alias FROM aliases"):
                aliases.setdefault(study_id, []).append(alias)
            return {tag: (nct_id, tuple(aliases.get(study_id, ()))) for study_id, nct_id, tag
                    in connection.execute("SELECT id, nct_id, tag FROM studies")}

    def progress(self, prefix: str = "") -> dict[str, str]:
        with self._connection() as connection:  # a sync resumes from the primary's
            return checkpoints.progress(Qmark(connection), prefix)

    def unseen(self, run: str) -> list[str]:
        with self._connection() as connection:
            return checkpoints.unseen(Qmark(connection), run)

    def end_run(self, run: str, checkpoint: Checkpoint | None = None) -> None:
        with self._transaction() as connection:
            checkpoints.end_run(Qmark(connection), run)
            checkpoints.write(Qmark(connection), checkpoint)

    def history(self, nct_id: str) -> History | None:
        with self._transaction(reading=True) as connection:
            return postgres_history.history(connection, nct_id)

    def version(self, nct_id: str, number: int) -> Document | None:
        with self._transaction(reading=True) as connection:
            found = postgres_history.version(connection, nct_id, number)
        return Document(*found) if found else None

    def prune_history(self, keep_last: int | None = None,
                      stored_before: str | None = None) -> int:
        with self._transaction() as connection:
            postgres_locks.write_whole(connection, self.name, "prune the history",
                                       self.lock_wait)
            return history_prune.prune(
                Qmark(connection), keep_last, stored_before,
                lambda qmark, nct_id: postgres_history.texts(qmark.connection, nct_id),
                lambda qmark: _bump(qmark.connection))

    def field_statistics(self):
        with self._connection(reading=True) as connection:
            return postgres_stats.field_figures(connection)

    def size_statistics(self):
        with self._connection(reading=True) as connection:
            return postgres_stats.size_figures(connection)

    def rebuild_statistics(self, progress=None) -> int:
        with self._transaction() as connection:
            postgres_locks.write_whole(connection, self.name, "rebuild the statistics",
                                       self.lock_wait)
            count = postgres_stats.rebuild(connection, _batches(connection, 500), progress,
                                           self.stats_exact_limit)
            _bump(connection)
            return count

    @staticmethod
    def rebuild_index(url: str, lock_wait: float = 20.0, progress=None) -> int:
        """Index every stored study again under this code's index layout, in one transaction
        holding the writers lock (imports wait; readers go on with the old index until it
        commits); returns the study count. Opens a store whose index layout differs."""
        from api.store import postgres_index  # the search index's own module

        store = PostgreSQLStore(url, lock_wait=lock_wait, any_index=True)
        try:
            with store._transaction() as connection, connection.cursor() as cursor:
                postgres_locks.write_whole(connection, store.name, "rebuild the index",
                                           lock_wait)
                count = postgres_index.rebuild(cursor, progress=progress)
                postgres_schema.set_index_layout(cursor)
                _bump(connection)
                return count
        finally:
            store.close()

    def search(self, query: SearchQuery) -> SearchPage:
        from api.store import postgres_search  # the search index's own module

        with self._connection(reading=True) as connection:
            return postgres_search.search(connection, query)

    def match_counts(self, criteria: list, limit: int) -> list[int]:
        from api.store import postgres_search

        with self._connection(reading=True) as connection:
            return postgres_search.text_counts(connection, criteria, limit)

    def token_secret(self) -> bytes:
        """A secret made with the store, shared by every instance serving it (page tokens)."""
        return self._token_secret

    def count(self) -> int:
        return self._one("SELECT count(*) FROM studies")[0]

    def generation(self) -> int:
        return self._one("SELECT generation FROM store_state")[0]

    def data_timestamp(self) -> str | None:
        return self._one("SELECT data_timestamp FROM store_state")[0]

    def optimize(self) -> None:
        """After a large import: refresh the planner's statistics."""
        with self._connection() as connection:
            connection.execute("ANALYZE")

    def unavailable_reason(self) -> str | None:
        """A short probe of each pool: the database answers and its layout is this code's."""
        for reading in {False, self._read_pool is not self._pool}:
            try:
                with self._connection(reading, timeout=2.0) as connection:
                    found = postgres_schema.version(connection)
                    current = found == postgres_schema.current_version()
                    stale = current and postgres_schema.index_refusal(connection, self.name)
            except (StoreUnavailable, StoreError) as error:
                return str(error)
            if not current:
                return (postgres_schema.refusal(found, self.name) or f"{self.name}: its "
                        f"layout is schema {found}, not {postgres_schema.current_version()}; "
                        "restart to upgrade it")
            if stale:
                return stale
        return None

    def replica_lag(self) -> float | None:
        """Seconds since the standby last replayed a change it had not yet (0 when it has
        replayed all it received); None without a replica."""
        if self._read_pool is self._pool:
            return None
        # A standby that has replayed no transaction since it started has no replay time
        # (NULL): it is behind since its start at the latest, never "no lag to tell".
        row = self._one("SELECT CASE WHEN NOT pg_is_in_recovery() THEN NULL "
                        "WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
                        "ELSE extract(epoch FROM now() - coalesce("
                        "pg_last_xact_replay_timestamp(), pg_postmaster_start_time())) END")
        return None if row[0] is None else float(row[0])

    @contextlib.contextmanager
    def exclusive(self, name: str, purpose: str):
        """An advisory session lock held on a connection of its own for the block."""
        with self._connection() as connection:
            with postgres_locks.command(connection, self.name, name, purpose):
                yield

    def claim_seeding(self) -> bool:
        """True for one caller only, while the store is empty and was never seeded."""
        row = self._one("UPDATE store_state SET seeded = %s WHERE seeded IS NULL AND NOT "
                        "EXISTS (SELECT 1 FROM studies) RETURNING 1", (utc_timestamp(),),
                        reading=False)
        return row is not None

    def close(self) -> None:
        for pool in {self._pool, self._read_pool}:
            pool.close()


def _changed(connection: psycopg.Connection, stamp: str) -> None:
    """A write changed data: the data timestamp and the generation move, last thing in the
    transaction (every writer takes this one row, so it is held only until the commit)."""
    connection.execute("UPDATE store_state SET generation = generation + 1, "
                       "data_timestamp = %s", (stamp,))


def _bump(connection: psycopg.Connection) -> None:
    connection.execute("UPDATE store_state SET generation = generation + 1")


def _batches(connection: psycopg.Connection, batch_size: int) -> Iterator[list]:
    """Every study's (NCT id, stored bytes), in NCT id order, in batches (keyset paging)."""
    after = ""
    while True:
        rows = connection.execute(
            "SELECT nct_id, body FROM studies JOIN documents ON study_id = studies.id "
            "WHERE nct_id > %s ORDER BY nct_id LIMIT %s", (after, batch_size)).fetchall()
        if not rows:
            return
        yield rows
        after = rows[-1][0]


def _documents(connection: psycopg.Connection, batch_size: int) -> Iterator[tuple[str, bytes]]:
    for batch in _batches(connection, batch_size):
        yield from batch

"""The embedded default store: one SQLite file through the standard library.

Chosen because it needs no server: `make run` works on a machine that has only Python.
Each thread gets its own connection (the production server runs worker threads); WAL
journaling lets readers go on while an import writes. Documents live in their own table so
that the search tables and scans over `studies` stay small.
"""

from __future__ import annotations

import math
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

from api.search.extract import IndexEntry, extract
from api.statistics.sketches import EXACT_LIMIT
from api.store import (checkpoints, command_lock, history_prune, sqlite_count, sqlite_history,
                       sqlite_index, sqlite_open, sqlite_search, sqlite_sets, sqlite_stats,
                       stats_read)
from api.store.base import (Checkpoint, Document, History, Record, SearchPage, SearchQuery, Store,
                            WriteResult, content_tag, utc_timestamp)
from api.store.errors import StoreError
from api.store.settle import Stored, change, removal, settle, stored_entry
from schemas import guard
from schemas.guard import RecordRefused

# The layout, its checks and upgrades: see sqlite_open.
SCHEMA_VERSION = sqlite_open.SCHEMA_VERSION
# Page cache per connection, in KiB. Every serving thread has a connection, and at the
# registry's size each one's cache fills: 32 MiB each was most of a worker's private memory
# (4 threads: 213 MB against 108 MB with 8 MiB, for 2% more time on a mix of reads; the
# file is mapped, and the OS keeps its pages too). A connection that writes, an import's,
# gets the larger cache: it writes into several indexes at once.
READ_CACHE_KIB = 8_000
WRITE_CACHE_KIB = 32_000


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


def _connect(path: str) -> sqlite3.Connection:
    """A connection to the database file at `path` (which SQLite creates if missing)."""
    # Autocommit mode: transactions are explicit (`BEGIN IMMEDIATE` in `put`).
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                                 timeout=sqlite_open.WRITE_TIMEOUT_MS / 1000)
    try:
        # A read on a store already in WAL mode: no lock needed.
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA foreign_keys=ON")
        # Reads straight from the mapped file, without a copy through read() calls.
        connection.execute("PRAGMA mmap_size=1073741824")
        connection.execute(f"PRAGMA cache_size=-{READ_CACHE_KIB}")
        _ensure_math(connection)
    except BaseException:
        connection.close()
        raise
    return connection


def _stored(connection: sqlite3.Connection, nct_id: str) -> tuple[int | None, Stored]:
    """Study `nct_id`'s row id and stored document (None and an empty `Stored` if none)."""
    row = connection.execute(
        "SELECT studies.id, document FROM studies JOIN documents ON study_id = studies.id "
        "WHERE nct_id = ?", (nct_id,)).fetchone()
    return (row[0], Stored(row[1])) if row else (None, Stored(None))


def _changed(connection: sqlite3.Connection, stamp: str) -> None:
    """A write changed data: the data timestamp (`stamp`) and the generation move with it."""
    sqlite_open.set_info(connection, "data_timestamp", stamp)
    sqlite_open.bump_generation(connection)


class SQLiteStore(Store):
    """Studies, their aliases and their search index in one SQLite database file."""

    def __init__(self, path: str | Path, lock_wait: float = 20.0,
                 stats_exact_limit: int = EXACT_LIMIT):
        """Open the store at `path`, in a directory that must exist.

        A current store is only read; creating or upgrading one waits at most `lock_wait`
        seconds for the write lock. A store this code cannot read is refused (`StoreError`).
        `stats_exact_limit`: distinct values of a field counted exactly (`api.statistics`).
        """
        self.path = str(path)
        self.lock_wait = lock_wait
        self.stats_exact_limit = stats_exact_limit
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        try:
            opened = sqlite_open.open_layout(self._connection(), self.path, lock_wait)
        except sqlite3.DatabaseError as error:  # no such directory, not a database, ...
            self.close()
            raise StoreError(f"{self.path}: cannot be opened as a SQLite store ({error})") from None
        except BaseException:
            self.close()
            raise
        self._piece_ids = opened.piece_ids
        # It never changes: read once, not on every page of every search.
        self._token_secret = opened.token_secret

    def _connection(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use."""
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = _connect(self.path)
            self._local.connection = connection
            with self._lock:
                self._connections.append(connection)
        return connection

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

    def put(self, records: list[Record], checkpoint: Checkpoint | None = None) -> WriteResult:
        outcome = {"added": [], "replaced": [], "unchanged": [], "outdated": []}
        # The versions of one study are settled among themselves, then the study is written
        # once: writing each in turn would take out index rows that are only added for the
        # whole batch at the end, which corrupts the contentless full-text index.
        versions: dict[str, list[Record]] = {}
        for record in records:
            versions.setdefault(record.nct_id, []).append(record)
        connection, stamp = self._connection(), utc_timestamp()
        connection.execute(f"PRAGMA cache_size=-{WRITE_CACHE_KIB}")
        connection.execute("BEGIN IMMEDIATE")
        try:
            indexed, changes, replaced = [], [], {}
            for nct_id, offered in versions.items():
                whats, study_id, entry = self._put_one(connection, offered, changes, replaced,
                                                       stamp)
                for what in whats:
                    outcome[what].append(nct_id)
                if entry is not None:
                    indexed.append((study_id, entry))
            sqlite_index.add(connection, indexed, self._piece_ids)
            sqlite_sets.written(connection, replaced, indexed, self._piece_ids)
            sqlite_stats.apply(connection, changes, self.stats_exact_limit)
            if outcome["added"] or outcome["replaced"]:
                _changed(connection, stamp)
            checkpoints.write(connection, checkpoint)
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        return WriteResult(**{what: tuple(ids) for what, ids in outcome.items()})

    def _put_one(self, connection: sqlite3.Connection, versions: list[Record], changes: list,
                 replaced: dict[int, IndexEntry], stamp: str):
        """Write the latest of one study's `versions` inside the open transaction, all but
        its index rows, and every accepted one to its history (stored at `stamp`); refuse it
        (`RecordRefused`) if its id or aliases clash with others'.

        Returns what happened to each version (`added`, ...), the study's row id, and the
        `IndexEntry` to index it with (None when nothing is written). Adds the statistics'
        change to `changes` (`settle.Change`) and, for a study replaced, the entry it
        was indexed with to `replaced`, by study id.
        """
        study_id, stored_document = _stored(connection, versions[0].nct_id)
        whats, chain, entry, old_entry = settle(versions, stored_document)
        if entry is None:
            if chain:  # accepted texts, ending on the stored one again: history only
                sqlite_history.keep(connection, chain, stored_document, stamp)
            return whats, study_id, None
        winner = chain[-1]
        problems = guard.alias_clashes(
            winner.nct_id, winner.aliases, owner_of=self.canonical_id,
            is_study=lambda nct_id: connection.execute(
                "SELECT 1 FROM studies WHERE nct_id = ?", (nct_id,)).fetchone() is not None)
        if problems:
            raise RecordRefused(winner.nct_id, problems)
        document = winner.text.encode()
        tag = content_tag(document)
        sqlite_history.keep(connection, chain, stored_document, stamp, (tag, entry))
        present = sqlite_index.present(entry, self._piece_ids)
        if study_id is None:
            study_id = connection.execute("INSERT INTO studies (nct_id, present) VALUES (?, ?)",
                                          (winner.nct_id, present)).lastrowid
            connection.execute("INSERT INTO documents (study_id, document, tag) "
                               "VALUES (?, ?, ?)", (study_id, document, tag))
        else:
            old_entry = replaced[study_id] = stored_entry(stored_document, old_entry)
            sqlite_index.remove(connection, study_id, old_entry, self._piece_ids)
            connection.execute("UPDATE studies SET present = ? WHERE id = ?", (present, study_id))
            connection.execute("UPDATE documents SET document = ?, tag = ? WHERE study_id = ?",
                               (document, tag, study_id))
            connection.execute("DELETE FROM aliases WHERE study_id = ?", (study_id,))
        connection.executemany("INSERT OR REPLACE INTO aliases (alias, study_id) VALUES (?, ?)",
                               [(alias, study_id) for alias in winner.aliases])
        changes.append(change(winner, document, stored_document))
        return whats, study_id, entry

    def remove(self, nct_ids: list[str], checkpoint: Checkpoint | None = None) -> tuple[str, ...]:
        """Take the studies `nct_ids` out (index rows, aliases, statistics), in one
        transaction with `checkpoint`; returns those that were stored. The generation moves
        if any was. Their history stays, its newest text kept whole, marked `removed_at`."""
        connection, removed, changes, entries = self._connection(), [], [], {}
        stamp = utc_timestamp()
        with sqlite_open.write_lock(connection, self.path, "remove studies", self.lock_wait):
            for nct_id in dict.fromkeys(nct_ids):
                study_id, stored = _stored(connection, nct_id)
                if study_id is None:
                    continue
                entries[study_id] = extract(stored.parsed())
                sqlite_index.remove(connection, study_id, entries[study_id], self._piece_ids)
                sqlite_history.removed(connection, nct_id, stored.text, stamp)
                connection.execute("DELETE FROM studies WHERE id = ?", (study_id,))
                changes.append(removal(nct_id, stored))
                removed.append(nct_id)
            sqlite_sets.written(connection, entries, [], self._piece_ids)
            sqlite_stats.apply(connection, changes, self.stats_exact_limit)
            if removed:
                _changed(connection, stamp)
            checkpoints.write(connection, checkpoint)
        return tuple(removed)

    def progress(self, prefix: str = "") -> dict[str, str]:
        return checkpoints.progress(self._connection(), prefix)

    def unseen(self, run: str) -> list[str]:
        return checkpoints.unseen(self._connection(), run)

    def end_run(self, run: str, checkpoint: Checkpoint | None = None) -> None:
        connection = self._connection()
        with sqlite_open.write_lock(connection, self.path, "end a sync run", self.lock_wait):
            checkpoints.end_run(connection, run)
            checkpoints.write(connection, checkpoint)

    def history(self, nct_id: str) -> History | None:
        return sqlite_history.history(self._connection(), nct_id)

    def version(self, nct_id: str, number: int) -> Document | None:
        found = sqlite_history.version(self._connection(), nct_id, number)
        return Document(*found) if found else None

    def prune_history(self, keep_last: int | None = None,
                      stored_before: str | None = None) -> int:
        connection = self._connection()
        with sqlite_open.write_lock(connection, self.path, "prune the history", self.lock_wait):
            return history_prune.prune(connection, keep_last, stored_before,
                                       sqlite_history.texts, sqlite_open.bump_generation)

    def field_statistics(self):
        return stats_read.field_figures(self._connection())

    def size_statistics(self):
        return stats_read.size_figures(self._connection())

    def rebuild_statistics(self, progress=None) -> int:
        return sqlite_open.rebuild_statistics(self._connection(), self.path, self.lock_wait,
                                              progress, self.stats_exact_limit)

    def search(self, query: SearchQuery) -> SearchPage:
        return sqlite_search.search(self._connection(), query, self._piece_ids)

    def match_counts(self, criteria: list, limit: int) -> list[int]:
        return sqlite_count.text_counts(self._connection(), criteria, limit)

    def token_secret(self) -> bytes:
        """A secret made with the store, shared by every process serving it (page tokens)."""
        return self._token_secret

    def iter_documents(self, batch_size: int = 500) -> Iterator[tuple[str, bytes]]:
        for batch in sqlite_index.documents_by_nct_id(self._connection(), batch_size):
            yield from batch

    def stored_tags(self) -> dict[str, tuple[str, tuple[str, ...]]]:
        connection = self._connection()
        aliases: dict[int, list[str]] = {}
        for study_id, alias in connection.execute("SELECT study_id, alias FROM aliases"):
            aliases.setdefault(study_id, []).append(alias)
        return {tag: (nct_id, tuple(aliases.get(study_id, ()))) for tag, nct_id, study_id in
                connection.execute("SELECT tag, nct_id, study_id FROM documents "
                                   "JOIN studies ON studies.id = study_id")}

    def count(self) -> int:
        return self._connection().execute("SELECT count(*) FROM studies").fetchone()[0]

    def generation(self) -> int:
        return int(sqlite_open.info(self._connection(), "generation") or 0)

    def data_timestamp(self) -> str | None:
        return sqlite_open.info(self._connection(), "data_timestamp")

    def optimize(self) -> None:
        """After a large import: keep the match sets of the commonest words
        (`sqlite_count.warm`), refresh the query planner's statistics."""
        sqlite_count.warm(self._connection())
        self._connection().execute("PRAGMA optimize")

    def unavailable_reason(self) -> str | None:
        return sqlite_open.unavailable_reason(self._connection(), self.path)

    def exclusive(self, name: str, purpose: str):
        """A lock file beside the database (`command_lock`): freed when the holder exits."""
        return command_lock.held(self.path, name, purpose)

    def claim_seeding(self) -> bool:
        """True for one caller only, while the store is empty and was never seeded.

        Two server processes starting at once on an empty store: one seeds it, the other
        serves. Does not wait for the write lock: if another process writes, it is loading
        records, and seeding is not wanted.
        """
        connection = self._connection()
        try:
            context = sqlite_open.write_lock(connection, self.path, "seed", 0.5)
            with context:
                if sqlite_open.info(connection, "seeded") is not None or self.count():
                    return False
                sqlite_open.set_info(connection, "seeded", utc_timestamp())
                return True
        except StoreError:
            return False

    @staticmethod
    def rebuild_index(path: str | Path, lock_wait: float = 20.0, progress=None) -> int:
        """Index every document of the store at `path` again under this code's layout,
        whatever layout it was indexed with; returns how many studies.

        A static method: a store whose layout differs cannot be opened, and this repairs it.
        `progress(n, total)` is called after each batch of n studies.
        """
        connection = None
        try:
            connection = _connect(str(path))
            connection.execute(f"PRAGMA cache_size=-{WRITE_CACHE_KIB}")
            return sqlite_open.rebuild(connection, str(path), lock_wait, progress)
        except sqlite3.DatabaseError as error:
            raise StoreError(f"{path}: cannot be opened as a SQLite store ({error})") from None
        finally:
            if connection is not None:
                connection.close()

    def close(self) -> None:
        with self._lock:
            for connection in self._connections:
                connection.close()
            self._connections.clear()
        self._local = threading.local()

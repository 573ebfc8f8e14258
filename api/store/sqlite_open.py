"""Opening the SQLite store: its layout is checked by reading; only a change writes.

A store whose schema and index layout are current is opened without taking the write lock,
so a server (re)starts and serves while an import holds the lock for minutes. Only creating a
store, upgrading an earlier schema or rebuilding the index writes; that waits for the lock
for a bounded time, saying what it waits for, and checks the layout again once it holds the
lock (another process may have done the work meanwhile).
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from api.store import sqlite_history, sqlite_index, sqlite_progress, sqlite_sets, sqlite_stats
from api.store.base import content_tag, utc_timestamp
from api.store.errors import StoreBusy, StoreError, StoreLayoutError, stale_index

log = logging.getLogger(__name__)

SCHEMA_VERSION = "9"
SCHEMA = """
CREATE TABLE IF NOT EXISTS studies (
    id      INTEGER PRIMARY KEY,
    nct_id  TEXT NOT NULL UNIQUE,
    present TEXT NOT NULL,  -- ids of the pieces it has, `,3,17,`: see sqlite_index
    gzip_size INTEGER NOT NULL DEFAULT 0  -- its document's, for /stats/size: see sqlite_stats
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
# Earlier schemas upgraded in place: 3 lacks the documents' tags; 3, 4 and 5 lack the
# statistics tables and the match sets (filled from the documents and the index); all but 7
# lack the history (each study's stored document becomes its version 0) and the sync
# checkpoints; all have the sites in a table with an index by place (`sqlite_index`) and
# each match set in one row (`sqlite_sets`), and lack the match sets of the geo grid's
# cells; 8 and earlier lack the years' match sets of the date pieces. An index of another
# layout than this code's is rebuilt on the way (3 and 4 carry no fingerprint).
UPGRADABLE = ("3", "4", "5", "6", "7", "8")
# Schemas whose statistics and (but for the grid cells and the years) match sets are there.
_WITH_STATISTICS = ("6", "7", "8")
# Schemas whose match sets lack the grid cells' (of those with statistics).
_WITHOUT_CELLS = ("6", "7")
# Schemas whose history and checkpoints are already there.
_WITH_HISTORY = ("7", "8")
# A first try at the lock this long before saying that we wait (milliseconds).
_QUICK_TRY_MS = 200
# The busy timeout of ordinary writes (`put`), restored after opening (milliseconds).
WRITE_TIMEOUT_MS = 30_000


@dataclass(frozen=True)
class Opened:
    """What the store keeps from opening: the pieces' ids and the page-token secret."""

    piece_ids: dict[str, int]
    token_secret: bytes


@dataclass(frozen=True)
class _State:
    tables: frozenset[str]
    version: str | None
    layout: str | None
    secret: str | None
    piece_ids: dict[str, int]


def info(connection: sqlite3.Connection, key: str) -> str | None:
    """One `store_info` entry, None if absent."""
    row = connection.execute("SELECT value FROM store_info WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def set_info(connection: sqlite3.Connection, key: str, value: str) -> None:
    """Write one `store_info` entry, inside the caller's transaction."""
    connection.execute("INSERT OR REPLACE INTO store_info (key, value) VALUES (?, ?)",
                       (key, value))


def _read(connection: sqlite3.Connection) -> _State:
    tables = frozenset(row[0] for row in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'"))
    has_info = "store_info" in tables
    return _State(tables, info(connection, "schema_version") if has_info else None,
                  info(connection, "index_layout") if has_info else None,
                  info(connection, "token_secret") if has_info else None,
                  sqlite_index.read_piece_ids(connection) if "pieces" in tables else {})


def _verdict(state: _State, path: str) -> str:
    """`current`, `create`, `complete` (ids or secret missing) or `upgrade`; or refuse."""
    if state.version is None:
        if "studies" in state.tables:
            raise StoreLayoutError(f"{path} was made by an older version of this server; "
                                   "move it aside and load the records again")
        if state.tables:
            raise StoreLayoutError(f"{path} is a SQLite database but not a store of this "
                                   f"server (it has tables {', '.join(sorted(state.tables))})")
        return "create"
    if state.version in UPGRADABLE:
        return "upgrade"
    if state.version != SCHEMA_VERSION:
        raise StoreLayoutError(f"{path} has store schema {state.version}, "
                               f"this server reads {SCHEMA_VERSION}")
    if state.layout != sqlite_index.fingerprint():
        raise stale_index(path)
    if not sqlite_index.covers(state.piece_ids) or state.secret is None:
        return "complete"
    return "current"


def unavailable_reason(connection: sqlite3.Connection, path: str) -> str | None:
    """Why the store at `path` cannot be served by this code now, None when it can: it
    cannot be read, or another process changed its layout since this one opened it (a
    newer release upgraded it, the file was replaced)."""
    try:
        verdict = _verdict(_read(connection), path)
        connection.execute("SELECT 1 FROM studies LIMIT 1").fetchall()
    except StoreLayoutError as error:
        return str(error)
    except sqlite3.Error as error:
        return f"{path}: cannot be read as a SQLite store ({error})"
    if verdict != "current":
        return f"{path}: its layout is no longer current ({verdict} needed); restart to redo it"
    return None


def _old_geo(state: _State) -> bool:
    """Whether the index is this code's but for the `geo` table of schema 7 and earlier,
    which an upgrade changes in place (`sqlite_index.upgrade_geo`)."""
    return (state.version in UPGRADABLE
            and state.layout == sqlite_index.fingerprint_of_schema_7())


def _stale_index(state: _State) -> bool:
    """Whether the index must be rebuilt: it was built under another layout than this
    code's."""
    return state.layout != sqlite_index.fingerprint() and not _old_geo(state)


def open_layout(connection: sqlite3.Connection, path: str, lock_wait: float) -> Opened:
    """Check the store at `path` and make it current if it must and may be; refuse
    (`StoreError`) a store this code cannot read."""
    try:
        state = _read(connection)
        verdict = _verdict(state, path)
        if verdict == "current":  # the common case: nothing written, no lock taken
            return Opened(state.piece_ids, bytes.fromhex(state.secret))
        purpose = {"create": "create the store", "complete": "number new pieces",
                   "upgrade": f"upgrade it from store schema {state.version} to "
                              f"{SCHEMA_VERSION} ({_upgrade_work(state)})"}[verdict]
        with write_lock(connection, path, purpose, lock_wait):
            return _make_current(connection, path)
    except sqlite3.DatabaseError as error:  # not a database, unreadable file, ...
        raise StoreError(f"{path}: cannot be read as a SQLite store ({error})") from None


def _make_current(connection: sqlite3.Connection, path: str,
                  progress: Callable[[int, int], None] | None = None) -> Opened:
    """Under the write lock: create, complete or upgrade, whichever the store needs now."""
    state = _read(connection)
    verdict = _verdict(state, path)
    if verdict == "create":
        for statement in SCHEMA.split(";"):
            if statement.strip():
                connection.execute(statement)
        sqlite_index.create(connection)
        sqlite_stats.create(connection)
        sqlite_sets.create(connection)
        sqlite_history.create(connection)
        sqlite_progress.create(connection)
    elif verdict == "upgrade":
        count = connection.execute("SELECT count(*) FROM studies").fetchone()[0]
        log.warning("%s: upgrading from store schema %s to %s (%s) for %d studies", path,
                    state.version, SCHEMA_VERSION, _upgrade_work(state), count)
        _upgrade(connection, state)
    ids = _piece_ids(connection, path)
    if verdict == "upgrade":
        if _stale_index(state):
            sqlite_index.rebuild(connection, ids, progress)
        if state.version not in _WITH_STATISTICS:
            sqlite_stats.rebuild(connection)
        if state.version not in _WITH_STATISTICS or _stale_index(state):
            sqlite_sets.rebuild(connection, ids)  # they are sets of the index's rows
        else:
            if state.version in _WITHOUT_CELLS:
                sqlite_sets.add_cells(connection)
            sqlite_sets.add_years(connection)
    return _finish(connection, ids)


def _upgrade_work(state: _State) -> str:
    """What an upgrade from `state` does, for the messages."""
    work = [] if state.version in _WITH_HISTORY else ["each study's document kept as its version 0"]
    if state.version not in _WITH_STATISTICS:
        work.append("the statistics computed")
    if _stale_index(state):
        work.append("the search index rebuilt")
    elif state.version in _WITHOUT_CELLS:
        work.append("the sites keyed by study and the geo grid's cells made")
    work.append("the years' sets of the dates made")
    return ", ".join(work)


def _upgrade(connection: sqlite3.Connection, state: _State) -> None:
    """The table changes from the store schema of `state` to this one (contents filled
    after)."""
    version = state.version
    if _old_geo(state):
        sqlite_index.upgrade_geo(connection)
    if version == "3":
        _add_tags(connection)
    columns = {row[1] for row in connection.execute("PRAGMA table_info(studies)")}
    if "gzip_size" not in columns:
        connection.execute("ALTER TABLE studies ADD COLUMN gzip_size INTEGER NOT NULL DEFAULT 0")
    sqlite_stats.create(connection)
    sqlite_sets.upgrade(connection)
    sqlite_sets.create(connection)
    if version not in _WITH_HISTORY:
        sqlite_history.create(connection)
        sqlite_history.seed(connection, info(connection, "data_timestamp") or utc_timestamp())
        sqlite_progress.create(connection)


def _piece_ids(connection: sqlite3.Connection, path: str) -> dict[str, int]:
    ids = sqlite_index.piece_ids(connection)
    if not sqlite_index.covers(ids):
        raise StoreLayoutError(f"{path}: more pieces than the index can number "
                               f"({sqlite_index.PIECE_STRIDE})")
    return ids


def _finish(connection: sqlite3.Connection, ids: dict[str, int]) -> Opened:
    set_info(connection, "schema_version", SCHEMA_VERSION)
    set_info(connection, "index_layout", sqlite_index.fingerprint())
    if info(connection, "token_secret") is None:
        set_info(connection, "token_secret", secrets.token_hex(32))
    return Opened(ids, bytes.fromhex(info(connection, "token_secret")))


def _add_tags(connection: sqlite3.Connection) -> None:
    """Schema 3 -> 4: tag every stored document, inside the opening transaction."""
    connection.create_function("content_tag", 1, content_tag, deterministic=True)
    connection.execute("ALTER TABLE documents ADD COLUMN tag TEXT NOT NULL DEFAULT ''")
    connection.execute("UPDATE documents SET tag = content_tag(document)")


def rebuild(connection: sqlite3.Connection, path: str, lock_wait: float,
            progress: Callable[[int, int], None] | None = None) -> int:
    """Rebuild the search index of the store at `path` from its documents, whatever layout
    it was built with (an earlier schema is upgraded on the way). Returns the study count."""
    state = _read(connection)
    if state.version not in (SCHEMA_VERSION, *UPGRADABLE):
        _verdict(state, path)  # refuses what cannot be read; an empty store is made
    with write_lock(connection, path, "rebuild the search index", lock_wait):
        state = _read(connection)
        if state.version is None:
            _make_current(connection, path)
            return 0
        if state.version != SCHEMA_VERSION:
            _upgrade(connection, state)
        ids = _piece_ids(connection, path)
        count = sqlite_index.rebuild(connection, ids, progress)
        sqlite_sets.rebuild(connection, ids)
        if state.version != SCHEMA_VERSION:
            sqlite_stats.rebuild(connection)
        _finish(connection, ids)
        return count


def rebuild_statistics(connection: sqlite3.Connection, path: str, lock_wait: float,
                       progress: Callable[[int, int], None] | None = None,
                       exact_limit: int | None = None) -> int:
    """Recompute every statistic of the (current) store at `path` from its documents, under
    the write lock; the generation moves so that caches drop. Returns the study count."""
    with write_lock(connection, path, "rebuild the statistics", lock_wait):
        limit = {} if exact_limit is None else {"exact_limit": exact_limit}
        count = sqlite_stats.rebuild(connection, progress, **limit)
        bump_generation(connection)
        return count


def bump_generation(connection: sqlite3.Connection) -> None:
    """Move the store's generation (caches key on it), inside the caller's transaction."""
    connection.execute("INSERT INTO store_info (key, value) VALUES ('generation', '1') ON "
                       "CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1")


def _try_begin(connection: sqlite3.Connection, timeout_ms: int) -> bool:
    connection.execute(f"PRAGMA busy_timeout = {int(timeout_ms)}")
    try:
        connection.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        if "locked" in str(error) or "busy" in str(error):
            return False
        raise
    return True


@contextlib.contextmanager
def write_lock(connection: sqlite3.Connection, path: str, purpose: str, budget: float):
    """A write transaction, waiting at most `budget` seconds for the lock: committed when
    the block ends, rolled back on any error. Says so when it has to wait."""
    try:
        if not _try_begin(connection, _QUICK_TRY_MS):
            log.warning("%s: waiting up to %g s for the write lock, which another process "
                        "(an import?) holds, to %s", path, budget, purpose)
            if not _try_begin(connection, budget * 1000):
                raise StoreBusy(f"{path}: the write lock stayed taken by another process for "
                                f"{budget:g} s, so this could not {purpose}; try again when "
                                "that process (an import?) is done, or raise "
                                "TRIALS_STORE_LOCK_WAIT")
    finally:
        connection.execute(f"PRAGMA busy_timeout = {WRITE_TIMEOUT_MS}")
    try:
        yield
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise

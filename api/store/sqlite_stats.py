"""The SQLite store's statistics tables, kept in step with the studies as they are written.

- `stat_fields`: one row per catalogue field (stable ids, like `pieces`): how many studies
  have a value there and, for a field past the exact limit, its sketches;
- `stat_values`: studies per (field, value) of every field counted exactly (enums, dates,
  numbers, booleans, and strings up to `EXACT_LIMIT` distinct values);
- `stat_strings`: the texts of a sketched field's values seen in two studies or more;
- `stat_sizes`: studies per (list field, list size);
- `stat_longest`: per string field, the studies with the longest values (`sqlite_stats_longest`);
- `studies.gzip_size`, indexed: each document's gzip size, for `/stats/size`.

How they are kept up to date, the same for every backend: `api.store.stats_tables`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable

from api.statistics import fields
from api.statistics.contributions import contribution
from api.statistics.sketches import EXACT_LIMIT
from api.store import sqlite_index, stats_tables

SCHEMA = """
CREATE TABLE IF NOT EXISTS stat_fields (
    id       INTEGER PRIMARY KEY,
    path     TEXT NOT NULL UNIQUE,
    studies  INTEGER NOT NULL DEFAULT 0,
    frequent BLOB,  -- the sketches of a field past the exact limit, else NULL
    distinct_values BLOB
);
CREATE TABLE IF NOT EXISTS stat_values (
    field   INTEGER NOT NULL,
    value   NOT NULL,  -- no type: text, integer or real as the field holds
    studies INTEGER NOT NULL,
    PRIMARY KEY (field, value)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS stat_strings (
    field INTEGER NOT NULL,
    hash  INTEGER NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (field, hash)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS stat_sizes (
    field   INTEGER NOT NULL,
    size    INTEGER NOT NULL,
    studies INTEGER NOT NULL,
    PRIMARY KEY (field, size)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS stat_longest (
    field  INTEGER NOT NULL,
    nct_id TEXT NOT NULL,
    length INTEGER NOT NULL,
    value  TEXT NOT NULL,
    PRIMARY KEY (field, nct_id)
);
CREATE INDEX IF NOT EXISTS stat_longest_by_study ON stat_longest (nct_id);
CREATE INDEX IF NOT EXISTS studies_by_gzip_size ON studies (gzip_size, nct_id);
CREATE INDEX IF NOT EXISTS documents_by_tag ON documents (tag, study_id);
"""
TABLES = ("stat_fields", "stat_values", "stat_strings", "stat_sizes", "stat_longest")


def create(connection: sqlite3.Connection) -> None:
    """Make the statistics tables and number every field, in the caller's transaction."""
    for statement in SCHEMA.split(";"):
        if statement.strip():
            connection.execute(statement)
    connection.executemany("INSERT INTO stat_fields (path) VALUES (?) ON CONFLICT DO NOTHING",
                           [(node.path,) for node in (*fields.leaves(), *fields.lists())])


def apply(connection: sqlite3.Connection, changes: list[stats_tables.Change],
          exact_limit: int = EXACT_LIMIT) -> None:
    """Bring the statistics up to date with `changes` (`stats_tables.apply`)."""
    stats_tables.apply(connection, changes, _documents_contributions(connection), exact_limit)


def _documents_contributions(connection: sqlite3.Connection) -> Callable[[], Iterable]:
    """Every stored study's (NCT id, contribution), for the rare full repair of `longest`."""
    def documents():
        for nct_id, document in connection.execute(
                "SELECT nct_id, document FROM studies JOIN documents ON study_id = studies.id"):
            yield nct_id, contribution(json.loads(document))
    return documents


def rebuild(connection: sqlite3.Connection, progress: Callable[[int, int], None] | None = None,
            exact_limit: int = EXACT_LIMIT, batch_size: int = 500) -> int:
    """Recompute every statistic from the documents, inside the caller's transaction;
    `progress(n, total)` after each batch. Returns how many studies."""
    for table in TABLES:
        connection.execute(f"DROP TABLE IF EXISTS {table}")
    create(connection)
    total = connection.execute("SELECT count(*) FROM studies").fetchone()[0]
    return stats_tables.fill(connection, sqlite_index.documents_by_nct_id(connection, batch_size),
                             total, _documents_contributions(connection), progress, exact_limit)

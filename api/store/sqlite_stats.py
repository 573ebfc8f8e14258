"""The SQLite store's statistics tables, kept in step with the studies as they are written.

- `stat_fields`: one row per catalogue field (stable ids, like `pieces`): how many studies
  have a value there and, for a field past the exact limit, its sketches;
- `stat_values`: studies per (field, value) of every field counted exactly (enums, dates,
  numbers, booleans, and strings up to `EXACT_LIMIT` distinct values);
- `stat_strings`: the texts of a sketched field's values seen in two studies or more;
- `stat_sizes`: studies per (list field, list size);
- `stat_longest`: per string field, the studies with the longest values (`sqlite_stats_longest`);
- `studies.gzip_size`, indexed: each document's gzip size, for `/stats/size`.

Each `put` applies its studies' contributions as aggregated deltas (new minus old), a few
statements per batch rather than per value. `rebuild` recomputes everything from the
documents through the same code. What is exact and what may drift: `api.statistics.sketches`.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable

from api.statistics import fields
from api.statistics.contributions import Contribution, contribution
from api.statistics.sketches import EXACT_LIMIT, Sketch, value_hash
from api.store import sqlite_index
from api.store import sqlite_stats_longest as longest

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
# A change: (NCT id, the new version's contribution or None, the old one's or None).
Change = tuple[str, Contribution | None, Contribution | None]


def create(connection: sqlite3.Connection) -> None:
    """Make the statistics tables and number every field, in the caller's transaction."""
    for statement in SCHEMA.split(";"):
        if statement.strip():
            connection.execute(statement)
    connection.executemany("INSERT OR IGNORE INTO stat_fields (path) VALUES (?)",
                           [(node.path,) for node in (*fields.leaves(), *fields.lists())])


def field_ids(connection: sqlite3.Connection) -> dict[str, int]:
    """Every field's id, by node path."""
    return dict(connection.execute("SELECT path, id FROM stat_fields"))


def _stored(kind: str, value):
    """A value as `stat_values` keeps it: numbers as the field's type, booleans as 0/1."""
    if kind == "NUMBER":
        return float(value)
    if kind in ("INTEGER", "BOOLEAN"):
        return int(value)
    return value


def _deltas(changes: Iterable[Change]):
    """Studies per field, per (field, value) and per (list field, size): new minus old."""
    studies, values, sizes = Counter(), Counter(), Counter()
    for _, new, old in changes:
        for found, sign in ((new, 1), (old, -1)):
            if found is None:
                continue
            for path, seen in found.values.items():
                studies[path] += sign
                for value in seen:
                    values[path, value] += sign
            for path, seen in found.sizes.items():
                for size in seen:
                    sizes[path, size] += sign
    return studies, values, sizes


def _upsert(connection: sqlite3.Connection, table: str, column: str, rows: list) -> None:
    """Add (field, key, delta) rows to `table`'s counts, dropping counts that reach zero."""
    connection.executemany(
        f"INSERT INTO {table} (field, {column}, studies) VALUES (?, ?, ?) ON CONFLICT "
        f"(field, {column}) DO UPDATE SET studies = studies + excluded.studies", rows)
    connection.executemany(f"DELETE FROM {table} WHERE field = ? AND {column} = ? "
                           "AND studies <= 0", [row[:2] for row in rows if row[2] < 0])


def apply(connection: sqlite3.Connection, changes: list[Change],
          exact_limit: int = EXACT_LIMIT) -> None:
    """Bring the statistics up to date with `changes`, inside the caller's transaction
    (after the documents are written: a rare repair of `longest` reads them)."""
    if not changes:
        return
    ids, kinds = field_ids(connection), fields.types()
    studies, values, sizes = _deltas(changes)
    connection.executemany("UPDATE stat_fields SET studies = studies + ? WHERE id = ?",
                           [(delta, ids[path]) for path, delta in studies.items() if delta])
    sketched = {path: (frequent, distinct) for path, frequent, distinct in connection.execute(
        "SELECT path, frequent, distinct_values FROM stat_fields WHERE frequent IS NOT NULL")}
    _upsert(connection, "stat_values", "value", [
        (ids[path], _stored(kinds[path], value), delta)
        for (path, value), delta in values.items() if delta and path not in sketched])
    _upsert(connection, "stat_sizes", "size", [
        (ids[path], size, delta) for (path, size), delta in sizes.items() if delta])
    touched = {path for path, _ in values if kinds[path] == "STRING" and path not in sketched}
    # After the exact counts: a field handed over now has this batch's values already.
    _add_to_sketches(connection, ids, sketched, changes)
    for path in _past_limit(connection, ids, touched, exact_limit):
        _to_sketch(connection, ids[path])
    longest.apply(connection, ids, changes, _documents_contributions(connection))
    connection.executemany("UPDATE studies SET gzip_size = ? WHERE nct_id = ?", [
        (new.gzip_size, nct_id) for nct_id, new, _ in changes
        if new is not None and new.gzip_size is not None])


def _past_limit(connection: sqlite3.Connection, ids: dict[str, int], paths: set[str],
                exact_limit: int) -> list[str]:
    """The exactly counted string fields among `paths` with more distinct values than allowed."""
    return [path for path in sorted(paths) if connection.execute(
        "SELECT count(*) FROM stat_values WHERE field = ?", (ids[path],)).fetchone()[0]
        > exact_limit]


def _to_sketch(connection: sqlite3.Connection, field_id: int) -> None:
    """Hand a field's exact counts over to sketches: too many distinct values to keep."""
    sketch, names = Sketch(), []
    for value, count in connection.execute(
            "SELECT value, studies FROM stat_values WHERE field = ?", (field_id,)).fetchall():
        hashed = value_hash(value)
        if sketch.add(hashed, count):
            names.append((field_id, hashed, value))
    connection.executemany("INSERT OR IGNORE INTO stat_strings (field, hash, value) "
                           "VALUES (?, ?, ?)", names)
    connection.execute("DELETE FROM stat_values WHERE field = ?", (field_id,))
    connection.execute("UPDATE stat_fields SET frequent = ?, distinct_values = ? WHERE id = ?",
                       (*sketch.serialized(), field_id))


def _add_to_sketches(connection: sqlite3.Connection, ids: dict[str, int],
                     sketched: dict[str, tuple[bytes, bytes]], changes: list[Change]) -> None:
    """Add to each sketched field the values new to their study (see the sketches module)."""
    fresh: dict[str, Counter] = defaultdict(Counter)
    for _, new, old in changes:
        if new is None:
            continue
        for path, seen in new.values.items():
            if path in sketched:
                before = old.values.get(path, ()) if old is not None else ()
                fresh[path].update(value for value in seen if value not in before)
    for path, counts in fresh.items():
        sketch, field_id = Sketch(*sketched[path]), ids[path]
        named = [(field_id, hashed, value) for value, count in counts.items()
                 if sketch.add(hashed := value_hash(value), count)]
        connection.executemany("INSERT OR IGNORE INTO stat_strings (field, hash, value) "
                               "VALUES (?, ?, ?)", named)
        connection.execute("UPDATE stat_fields SET frequent = ?, distinct_values = ? "
                           "WHERE id = ?", (*sketch.serialized(), field_id))


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
    done = 0
    for rows in sqlite_index.documents_by_nct_id(connection, batch_size):
        apply(connection, [(nct_id, contribution(json.loads(document), document), None)
                           for nct_id, document in rows], exact_limit)
        done += len(rows)
        if progress is not None:
            progress(len(rows), total)
    return done

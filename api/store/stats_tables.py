"""Keeping a store's statistics tables in step with its studies, for every backend.

The tables (made by `sqlite_stats`, `postgres_stats`): `stat_fields` (a row per catalogue
field: its studies count and, past the exact limit, its sketches), `stat_values` (studies per
exactly counted value), `stat_strings` (the texts of sketched values seen twice), `stat_sizes`
(studies per list size), `stat_longest` (`sqlite_stats_longest`) and `studies.gzip_size`.

Each write applies its studies' contributions as aggregated deltas (new minus old), a few
statements per batch rather than per value; a rebuild recomputes everything through the same
code. Every function takes a DB-API connection with `?` parameters (`sqlite3`'s, or
`postgres_qmark`'s over psycopg). What is exact and what may drift: `api.statistics.sketches`.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from typing import NamedTuple

from api.statistics import fields
from api.statistics.contributions import contribution
from api.statistics.sketches import EXACT_LIMIT, Sketch, value_hash
from api.store import sqlite_stats_longest as longest
from api.store.settle import Change


def field_ids(connection) -> dict[str, int]:
    """Every field's id, by node path."""
    return dict(connection.execute("SELECT path, id FROM stat_fields"))


def typed_value(kind: str, value):
    """A value as SQLite's `stat_values` keeps it: numbers as the field's type, booleans
    as 0/1 (a backend with typed columns says otherwise: `ValueColumn`)."""
    if kind == "NUMBER":
        return float(value)
    if kind in ("INTEGER", "BOOLEAN"):
        return int(value)
    return value


def _deltas(changes: Iterable[Change]):
    """Studies per field, per (field, value) and per (list field, size): new minus old."""
    studies, values, sizes = Counter(), Counter(), Counter()
    for _, new, old in changes:
        # `update` counts in C (an import adds hundreds of values a study); `subtract`,
        # for the versions replaced, in Python.
        for found, add in ((new, True), (old, False)):
            if found is None:
                continue
            for counter, items in ((studies, found.values.keys()),
                                   (values, _pairs(found.values)), (sizes, _pairs(found.sizes))):
                (counter.update if add else counter.subtract)(items)
    return studies, values, sizes


def _pairs(seen: dict[str, set]):
    """(path, item) of every item of every path."""
    return ((path, item) for path, items in seen.items() for item in items)


class ValueColumn(NamedTuple):
    """How a backend keeps `stat_values.value`: `stored(kind, value)` makes the value to
    write, and `key` is the expression its unique index is on (`{}`: the column or the
    parameter), for a backend whose index cannot hold a long text as it is."""

    stored: Callable[[str, object], object] = typed_value
    key: str = "{}"


SQLITE_VALUES = ValueColumn()


def _upsert(connection, table: str, column: str, rows: list, key: str = "{}") -> None:
    """Add (field, key, delta) rows to `table`'s counts, dropping counts that reach zero."""
    connection.executemany(
        f"INSERT INTO {table} (field, {column}, studies) VALUES (?, ?, ?) ON CONFLICT "
        f"(field, {key.format(column)}) DO UPDATE SET studies = {table}.studies + "
        "excluded.studies", rows)
    connection.executemany(f"DELETE FROM {table} WHERE field = ? AND {key.format(column)} = "
                           f"{key.format('?')} AND studies <= 0",
                           [row[:2] for row in rows if row[2] < 0])


def apply(connection, changes: list[Change], documents: Callable[[], Iterable],
          exact_limit: int = EXACT_LIMIT, value_column: ValueColumn = SQLITE_VALUES) -> None:
    """Bring the statistics up to date with `changes`, inside the caller's transaction
    (after the documents are written: a rare repair of `longest` reads `documents()`,
    every stored study's (NCT id, contribution)). `value_column`: how the backend keeps
    `stat_values.value`."""
    if not changes:
        return
    ids, kinds = field_ids(connection), fields.types()
    studies, values, sizes = _deltas(changes)
    connection.executemany("UPDATE stat_fields SET studies = studies + ? WHERE id = ?",
                           [(delta, ids[path]) for path, delta in studies.items() if delta])
    sketched = {path: (frequent, distinct) for path, frequent, distinct in connection.execute(
        "SELECT path, frequent, distinct_values FROM stat_fields WHERE frequent IS NOT NULL")}
    _upsert(connection, "stat_values", "value", [
        (ids[path], value_column.stored(kinds[path], value), delta)
        for (path, value), delta in values.items() if delta and path not in sketched],
        value_column.key)
    _upsert(connection, "stat_sizes", "size", [
        (ids[path], size, delta) for (path, size), delta in sizes.items() if delta])
    touched = {path for path, _ in values if kinds[path] == "STRING" and path not in sketched}
    # After the exact counts: a field handed over now has this batch's values already.
    _add_to_sketches(connection, ids, sketched, changes)
    for path in _past_limit(connection, ids, touched, exact_limit):
        _to_sketch(connection, ids[path])
    longest.apply(connection, ids, changes, documents)
    connection.executemany("UPDATE studies SET gzip_size = ? WHERE nct_id = ?", [
        (new.gzip_size, nct_id) for nct_id, new, _ in changes
        if new is not None and new.gzip_size is not None])


def _past_limit(connection, ids: dict[str, int], paths: set[str],
                exact_limit: int) -> list[str]:
    """The exactly counted string fields among `paths` with more distinct values than allowed."""
    return [path for path in sorted(paths) if connection.execute(
        "SELECT count(*) FROM stat_values WHERE field = ?", (ids[path],)).fetchone()[0]
        > exact_limit]


def _to_sketch(connection, field_id: int) -> None:
    """Hand a field's exact counts over to sketches: too many distinct values to keep."""
    sketch, names = Sketch(), []
    for value, count in connection.execute(
            "SELECT value, studies FROM stat_values WHERE field = ?", (field_id,)).fetchall():
        hashed = value_hash(value)
        if sketch.add(hashed, count):
            names.append((field_id, hashed, value))
    connection.executemany("INSERT INTO stat_strings (field, hash, value) VALUES (?, ?, ?) "
                           "ON CONFLICT DO NOTHING", names)
    connection.execute("DELETE FROM stat_values WHERE field = ?", (field_id,))
    connection.execute("UPDATE stat_fields SET frequent = ?, distinct_values = ? WHERE id = ?",
                       (*sketch.serialized(), field_id))


def _add_to_sketches(connection, ids: dict[str, int],
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
        connection.executemany("INSERT INTO stat_strings (field, hash, value) VALUES (?, ?, ?) "
                               "ON CONFLICT DO NOTHING", named)
        connection.execute("UPDATE stat_fields SET frequent = ?, distinct_values = ? "
                           "WHERE id = ?", (*sketch.serialized(), field_id))


def fill(connection, batches: Iterable[list[tuple[str, bytes]]], total: int,
         documents: Callable[[], Iterable], progress: Callable[[int, int], None] | None = None,
         exact_limit: int = EXACT_LIMIT, value_column: ValueColumn = SQLITE_VALUES) -> int:
    """Add every stored study (`batches` of (NCT id, stored bytes)) to the freshly made,
    empty tables, inside the caller's transaction; `progress(n, total)` after each batch.
    Returns how many studies."""
    done = 0
    for rows in batches:
        apply(connection, [(nct_id, contribution(json.loads(document), document), None)
                           for nct_id, document in rows], documents, exact_limit, value_column)
        done += len(rows)
        if progress is not None:
            progress(len(rows), total)
    return done

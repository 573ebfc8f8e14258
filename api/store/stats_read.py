"""Reading the statistics a store keeps (`stats_tables`): one small set of queries.

Everything is read in one read transaction, so the figures are of one moment even while an
import writes. Each query reads aggregates or an index range, never a document. The SQL is
the same for every backend (a DB-API connection with `?` parameters); what differs, how a
backend begins a snapshot and keeps `stat_values.value`, is its `Dialect`.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import NamedTuple

from api.statistics import fields
from api.statistics.figures import (
    LARGEST_STUDIES,
    PERCENTILES,
    FieldFigures,
    SizeFigures,
    percentile_rank,
    size_range,
)


@contextlib.contextmanager
def _snapshot(connection: sqlite3.Connection):
    """A read transaction (a consistent view) for the block; ended when it ends."""
    connection.execute("BEGIN")
    try:
        yield connection
    finally:
        connection.execute("COMMIT")


class Dialect(NamedTuple):
    """What a backend does its own way: a snapshot (a context manager over the connection),
    `stat_values.value` as a number in SQL, and a stored value back as the field's type."""

    snapshot: Callable
    number: str = "value"
    loaded: Callable[[str, object], object] = lambda kind, value: value


SQLITE = Dialect(_snapshot)


def field_figures(connection, dialect: Dialect = SQLITE) -> FieldFigures:
    """Every field's aggregates (`api.statistics.figures.FieldFigures`)."""
    kinds = fields.types()
    with dialect.snapshot(connection):
        figures = FieldFigures(total=connection.execute(
            "SELECT count(*) FROM studies").fetchone()[0])
        paths = {}
        for field_id, path, studies, frequent, distinct in connection.execute(
                "SELECT id, path, studies, frequent, distinct_values FROM stat_fields"):
            paths[field_id] = path
            if studies:
                figures.studies[path] = studies
            if frequent is not None:
                figures.sketches[path] = (frequent, distinct)
        _counts(connection, figures, paths, kinds, dialect)
        _ranges(connection, figures, paths, kinds, dialect)
        _longest(connection, figures, paths)
        sizes = defaultdict(dict)
        for field_id, size, studies in connection.execute(
                "SELECT field, size, studies FROM stat_sizes"):
            sizes[paths[field_id]][size] = studies
        figures.sizes = dict(sizes)
    return figures


def _ids_of(paths: dict[int, str], kinds: dict[str, str], wanted: tuple[str, ...]) -> str:
    return ",".join(str(field_id) for field_id, path in paths.items()
                    if kinds.get(path) in wanted)


def _counts(connection, figures: FieldFigures, paths, kinds, dialect: Dialect) -> None:
    counts = defaultdict(dict)
    for field_id, value, studies in connection.execute(
            "SELECT field, value, studies FROM stat_values WHERE field IN "
            f"({_ids_of(paths, kinds, ('ENUM', 'STRING', 'BOOLEAN'))})"):
        path = paths[field_id]
        counts[path][dialect.loaded(kinds[path], value)] = studies
    figures.counts = dict(counts)
    names = defaultdict(dict)
    for field_id, hashed, value in connection.execute(
            "SELECT field, hash, value FROM stat_strings"):
        names[paths[field_id]][hashed] = value
    figures.names = dict(names)


def _ranges(connection, figures: FieldFigures, paths, kinds, dialect: Dialect) -> None:
    number = dialect.number
    for field_id, low, high, total, count in connection.execute(
            f"SELECT field, min({number}), max({number}), sum({number} * studies), "
            f"sum(studies) FROM stat_values WHERE field IN "
            f"({_ids_of(paths, kinds, ('INTEGER', 'NUMBER'))}) GROUP BY field"):
        kind = kinds[paths[field_id]]
        figures.ranges[paths[field_id]] = (dialect.loaded(kind, low), dialect.loaded(kind, high))
        figures.means[paths[field_id]] = total / count
    for field_id, low, high in connection.execute(
            "SELECT field, min(value), max(value) FROM stat_values WHERE field IN "
            f"({_ids_of(paths, kinds, ('DATE',))}) GROUP BY field"):
        figures.ranges[paths[field_id]] = (low, high)
    for field_id, length in connection.execute(
            "SELECT DISTINCT field, length(value) FROM stat_values WHERE field IN "
            f"({_ids_of(paths, kinds, ('DATE',))})"):
        figures.lengths.setdefault(paths[field_id], set()).add(length)


def _longest(connection, figures: FieldFigures, paths) -> None:
    best = {}
    for field_id, length, nct_id in connection.execute(
            "SELECT field, length, nct_id FROM stat_longest"):
        if field_id not in best or (-length, nct_id) < best[field_id]:
            best[field_id] = (-length, nct_id)
    for field_id, (negative, nct_id) in best.items():
        (value,) = connection.execute("SELECT value FROM stat_longest WHERE field = ? AND "
                                      "nct_id = ?", (field_id, nct_id)).fetchone()
        figures.longest[paths[field_id]] = (-negative, nct_id, value)


def size_figures(connection, dialect: Dialect = SQLITE) -> SizeFigures:
    """The gzip sizes' figures, from the index on `studies.gzip_size`."""
    with dialect.snapshot(connection):
        count, total = connection.execute(
            "SELECT count(*), coalesce(sum(gzip_size), 0) FROM studies").fetchone()
        figures = SizeFigures(total_studies=count, total_bytes=total)
        if not count:
            return figures
        # The 10th largest size first: both queries then read the index's far end only.
        (least,) = connection.execute(
            "SELECT gzip_size FROM studies ORDER BY gzip_size DESC LIMIT 1 OFFSET ?",
            (min(LARGEST_STUDIES, count) - 1,)).fetchone()
        figures.largest = [(nct_id, size) for size, nct_id in connection.execute(
            "SELECT gzip_size, nct_id FROM studies WHERE gzip_size >= ? "
            "ORDER BY gzip_size DESC, nct_id LIMIT ?", (least, LARGEST_STUDIES))]
        for rank in PERCENTILES:
            figures.percentiles[rank] = connection.execute(
                "SELECT gzip_size FROM studies ORDER BY gzip_size LIMIT 1 OFFSET ?",
                (percentile_rank(count, rank),)).fetchone()[0]
        ranges = Counter()
        for kilobytes, studies in connection.execute(
                "SELECT gzip_size / 1024, count(*) FROM studies GROUP BY 1"):
            ranges[size_range(kilobytes * 1024)] += studies
        figures.ranges = sorted(ranges.items(), key=lambda item: int(item[0].split("-")[0]))
    return figures

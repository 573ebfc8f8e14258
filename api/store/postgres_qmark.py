"""A psycopg connection seen through `?` parameters, for the SQL shared with the SQLite store.

The statistics, checkpoints and history pruning are written once (`stats_tables`,
`stats_read`, `checkpoints`, `history_prune`) in SQL both engines accept, with DB-API's
`?` placeholders as `sqlite3` takes them; psycopg takes `%s`. This wrapper translates each
statement once and runs `executemany` through a cursor (pipelined by psycopg).
"""

from __future__ import annotations

import functools

import psycopg


@functools.lru_cache(maxsize=512)
def _translated(sql: str) -> str:
    # The shared statements hold no literal `%` or `?` of their own.
    return sql.replace("%", "%%").replace("?", "%s")


def _without_nul(parameters):
    """PostgreSQL's text cannot hold NUL (SQLite's can): U+FFFD stands in for it."""
    return [value.replace("\x00", "\ufffd") if value.__class__ is str and "\x00" in value
            else value for value in parameters]


class Qmark:
    """`execute` and `executemany` with `?` parameters over a psycopg `connection`.

    `text_values`: the statements write text taken from the documents (statistics' values),
    which may hold a NUL that JSON escaped (`\u0000`): it is written as U+FFFD.
    """

    def __init__(self, connection: psycopg.Connection, text_values: bool = False):
        self.connection, self._clean = connection, _without_nul if text_values else None

    def execute(self, sql: str, parameters=()) -> psycopg.Cursor:
        """Run one statement; the cursor iterates its rows as tuples."""
        if self._clean is not None:
            parameters = self._clean(parameters)
        return self.connection.execute(_translated(sql), parameters)

    def executemany(self, sql: str, rows) -> None:
        """Run one statement for each row of parameters (nothing for none)."""
        rows = list(rows) if self._clean is None else [self._clean(row) for row in rows]
        if rows:
            with self.connection.cursor() as cursor:
                cursor.executemany(_translated(sql), rows)

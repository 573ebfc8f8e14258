"""Running a search against the PostgreSQL index: keyset paging, exact counts.

Results are ordered as the SQLite store orders them (`sqlite_search`): by the sort keys,
each a date or number (studies lacking it last) or relevance, then by study id. A page
continues strictly after the previous page's last row (its keyset, the opaque cursor:
ints and floats), so paging is consistent and needs no offset. Two plans:

- one date or numeric sort key: read along the `sort_keys` index, then the studies that
  lack the key, each part stopping once the page is full;
- anything else (no key, two keys, relevance): one statement ordered by the keys, which
  the planner reads along the primary key when there are none.
"""

from __future__ import annotations

import contextlib

import psycopg

from api.search import criteria as c
from api.store.base import SearchPage, SearchQuery, keyset_page
from api.store.postgres_criteria import NOTHING, Compiler, area_query
from api.store.postgres_index import piece_codes
from api.store.sqlite_search import stopped


def search(connection: psycopg.Connection, query: SearchQuery) -> SearchPage:
    """One page of results for `query`, in one read transaction (one snapshot)."""
    with read_transaction(connection, query.time_budget):
        cursor = connection.cursor()
        total = _count(cursor, query) if query.count_total else None
        if len(query.sort) == 1 and query.sort[0].piece is not None:
            rows = _by_sort_key(cursor, query)
        else:
            rows = _ranked(cursor, query)
        return keyset_page(rows, query.limit, total, lambda ids: _documents(cursor, ids))


def text_counts(connection: psycopg.Connection, criteria: list, limit: int) -> list[int]:
    """How many studies each of `criteria` matches, counted up to `limit` (as the SQLite
    store's `sqlite_count.text_counts`), in one snapshot. A word's lexemes need no recheck
    of the row's vector, so the count visits at most `limit` rows past the GIN lookup. A
    criterion that is not a text match over search areas counts as `limit`."""
    sql = ("SELECT count(*) FROM (SELECT 1 FROM study_text WHERE area @@ %s::tsquery "
           "LIMIT %s) hits")
    with read_transaction(connection, None):
        counts = []
        for node in criteria:
            query = area_query(node)
            if query is None:
                counts.append(limit)
            elif query == NOTHING:
                counts.append(0)
            else:
                counts.append(connection.execute(sql, (query, limit)).fetchone()[0])
        return counts


@contextlib.contextmanager
def read_transaction(connection: psycopg.Connection, seconds: float | None):
    """A read-only transaction of one snapshot (the count and the page agree whatever
    commits meanwhile), whose statements are stopped after `seconds` (PostgreSQL's
    `statement_timeout`, local to it), raising `TooCostly` as the SQLite store does.
    `connection` is in autocommit mode (the store's pools), so this is a transaction of
    its own, not a savepoint."""
    try:
        with connection.transaction():
            connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            # The planner does not count reading a tsvector from TOAST, and would rather
            # test every study's words than read a GIN index for a common word: 40 times
            # slower (see `postgres_criteria`). Sequential scans remain where nothing else
            # can answer.
            connection.execute("SET LOCAL enable_seqscan = off")
            if seconds is not None:
                connection.execute("SELECT set_config('statement_timeout', %s, true)",
                                   (f"{max(1, round(seconds * 1000))}ms",))
            yield
    except psycopg.errors.QueryCanceled:
        raise stopped(seconds) from None


def _condition(compiler: Compiler, criteria) -> str:
    return compiler.condition(criteria if criteria is not None else c.All())


def _count(cursor, query: SearchQuery) -> int:
    """Every match, exactly."""
    compiler = Compiler()
    condition = _condition(compiler, query.criteria)
    cursor.execute(f"SELECT count(*) FROM study_text t WHERE {condition}", compiler.params)
    return cursor.fetchone()[0]


def _by_sort_key(cursor, query: SearchQuery) -> list:
    """One sort key; keyset (missing, key, id) with key = number, negated when descending.

    First the studies having the key, along the (piece, num) index; then those lacking it.
    """
    key, compiler = query.sort[0], Compiler()
    where = _condition(compiler, query.criteria)
    piece = compiler.param(piece_codes()[key.piece])
    missing, value, last_id = query.cursor or (0, None, 0)
    rows = []
    if not missing:
        sign, direction = (-1, "DESC") if key.descending else (1, "ASC")
        keyset = ""
        if value is not None:
            number, study = compiler.param(sign * value), compiler.param(last_id)
            compare = "<" if key.descending else ">"
            keyset = (f"AND k.num {compare}= {number}::float8 "
                      f"AND (k.num {compare} {number}::float8 OR k.study_id > {study})")
        cursor.execute(
            f"SELECT t.study_id, 0, {sign} * k.num, t.study_id FROM sort_keys k "
            f"JOIN study_text t ON t.study_id = k.study_id WHERE k.piece = {piece} {keyset} "
            f"AND {where} ORDER BY k.num {direction}, k.study_id "
            f"LIMIT {compiler.param(query.limit + 1)}", compiler.params)
        rows = cursor.fetchall()
        last_id = 0
    if len(rows) <= query.limit:
        cursor.execute(
            f"SELECT t.study_id, 1, 0, t.study_id FROM study_text t "
            f"WHERE t.study_id > {compiler.param(last_id)} AND NOT EXISTS (SELECT 1 FROM "
            f"sort_keys WHERE piece = {piece} AND study_id = t.study_id) AND {where} "
            f"ORDER BY t.study_id LIMIT {compiler.param(query.limit + 1 - len(rows))}",
            compiler.params)
        rows += cursor.fetchall()
    return rows


def _ranked(cursor, query: SearchQuery) -> list:
    """Any sort: order every match by the keys (ending with the study id), take the page."""
    compiler = Compiler()
    where = _condition(compiler, query.criteria)
    joins, keys = [], []
    for index, key in enumerate(query.sort):
        if key.piece is None:
            keys.append(f"{'-' if key.descending else ''}{compiler.rank()}")
            continue
        alias = f"k{index}"
        joins.append(f"LEFT JOIN sort_keys {alias} ON {alias}.study_id = t.study_id "
                     f"AND {alias}.piece = {compiler.param(piece_codes()[key.piece])}")
        keys.append(f"({alias}.num IS NULL)::int")
        keys.append(f"coalesce({'-' if key.descending else ''}{alias}.num, 0)")
    keys.append("t.study_id")
    key_list = ", ".join(keys)
    keyset = ""
    if query.cursor is not None:
        marks = ", ".join(compiler.param(value) for value in query.cursor)
        keyset = f" AND ({key_list}) > ({marks})" if len(keys) > 1 else f" AND {key_list} > {marks}"
    cursor.execute(f"SELECT t.study_id, {key_list} FROM study_text t {' '.join(joins)} "
                   f"WHERE {where}{keyset} ORDER BY {key_list} "
                   f"LIMIT {compiler.param(query.limit + 1)}", compiler.params)
    return cursor.fetchall()


def _documents(cursor, ids: list[int]) -> list[bytes]:
    """The stored documents of `ids`, in that order."""
    if not ids:
        return []
    cursor.execute("SELECT study_id, body FROM documents WHERE study_id = ANY(%s)", (ids,))
    found = {study_id: bytes(body) for study_id, body in cursor}
    return [found[study_id] for study_id in ids]

"""Running a search against the SQLite index: a plan per kind of request, keyset paging.

Results are ordered by the sort keys, then by study id; a page continues strictly after the
previous page's last row (its keyset), so paging is consistent and deep pages cost no more
than the first. Three plans:

- id order led by a full-text term: the FTS5 table is read in rowid order and stops as soon
  as the page is full;
- one date or numeric sort key: read along the `sort_keys` index, then the studies that lack
  the key;
- anything else (two keys, relevance): every match is ranked, then the page taken.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time

from api.exceptions import TooCostly
from api.search import criteria as c
from api.search.extract import area_piece_weights
from api.store.base import SearchPage, SearchQuery, keyset_page
from api.store.sqlite_criteria import Compiler, area_query, only_subquery, text_leaves
from api.store.sqlite_count import Counter

# SQLite calls the budget check every this many virtual-machine steps: often enough to stop
# within milliseconds of the budget, rarely enough to cost nothing measurable.
_CHECK_EVERY = 20_000


def search(connection: sqlite3.Connection, query: SearchQuery,
           piece_ids: dict[str, int]) -> SearchPage:
    """One page of results for `query`; `piece_ids` numbers the pieces as the index does."""
    with time_budget(connection, query.time_budget):
        total = _count(connection, query, piece_ids) if query.count_total else None
        compiler = Compiler(connection, piece_ids)
        if not query.sort:
            rows = _by_id(compiler, query)
        elif len(query.sort) == 1 and query.sort[0].piece is not None:
            rows = _by_sort_key(compiler, query)
        else:
            rows = _ranked(compiler, query)
        return keyset_page(rows, query.limit, total, lambda ids: _documents(connection, ids))


@contextlib.contextmanager
def time_budget(connection: sqlite3.Connection, seconds: float | None):
    """Stop the statements run inside after `seconds` (SQLite's progress handler): the
    database interrupts them and `TooCostly` is raised; the connection stays usable."""
    if seconds is None:
        yield
        return
    deadline = time.monotonic() + seconds
    connection.set_progress_handler(lambda: time.monotonic() > deadline, _CHECK_EVERY)
    try:
        yield
    except sqlite3.Error as error:
        # Interrupted: `interrupted`, or from inside a virtual table, another error.
        if str(error) != "interrupted" and time.monotonic() <= deadline:
            raise
        raise stopped(seconds) from None
    finally:
        connection.set_progress_handler(None, 0)


def stopped(seconds: float) -> TooCostly:
    """The error of a search stopped at its time budget (every store's wording)."""
    return TooCostly(f"The search took longer than this server allows ({seconds:g} s) and "
                     "was stopped; narrow it (fewer terms, a filter) or try again later")


def _leading_text(criteria):
    """(the area text match to drive the plan with, the other criteria), or (None, criteria).

    The plan reads the full-text index in study order; every area text item of a top-level
    `And` joins that one lookup.
    """
    if area_query(criteria) is not None:
        return criteria, None
    if not isinstance(criteria, c.And):
        return None, criteria
    texts = [item for item in criteria.items if area_query(item) is not None]
    if not texts:
        return None, criteria
    rest = [item for item in criteria.items if area_query(item) is None]
    return c.combine(c.And, texts), (c.combine(c.And, rest) if rest else None)


def _where(compiler: Compiler, criteria) -> str:
    return compiler.condition(criteria) if criteria is not None else "1"


def _count(connection, query: SearchQuery, piece_ids) -> int:
    """How many studies meet the criteria: by the match sets of its leaves where they help
    (`sqlite_sets`), else on the index alone where it can be.

    Every `area_text` row and every index row is a stored study's (the store keeps them in
    step), so a search of words alone counts full-text matches without visiting `studies`,
    and a search of one indexed condition counts the distinct studies of its index rows.
    """
    total = Counter(connection, piece_ids).count(query.criteria or c.All())
    if total is not None:
        return total
    compiler = Compiler(connection, piece_ids, listing=False)
    text, rest = _leading_text(query.criteria) if query.criteria else (None, None)
    if text is not None:
        match = compiler.param(area_query(text))
        if rest is None:
            sql = f"SELECT count(*) FROM area_text WHERE area_text MATCH {match}"
        else:
            sql = (f"SELECT count(*) FROM area_text JOIN studies s ON s.id = area_text.rowid "
                   f"WHERE area_text MATCH {match} AND {_where(compiler, rest)}")
    else:
        condition = _where(compiler, query.criteria)
        rows = only_subquery(condition)
        if rows is not None:
            sql = f"SELECT count(*) FROM (SELECT DISTINCT * FROM ({rows}))"
        else:
            sql = f"SELECT count(*) FROM studies s WHERE {condition}"
    return connection.execute(sql, compiler.params).fetchone()[0]


def _by_id(compiler: Compiler, query: SearchQuery) -> list:
    """Id order; keyset (id,)."""
    limit = compiler.param(query.limit + 1)
    last_id = compiler.param(query.cursor[0] if query.cursor else 0)
    text, rest = _leading_text(query.criteria) if query.criteria else (None, None)
    if text is not None:
        match = compiler.param(area_query(text))
        sql = (f"SELECT s.id, s.id FROM area_text JOIN studies s ON s.id = area_text.rowid "
               f"WHERE area_text MATCH {match} AND area_text.rowid > {last_id} "
               f"AND {_where(compiler, rest)} ORDER BY area_text.rowid LIMIT {limit}")
    else:
        sql = (f"SELECT s.id, s.id FROM studies s WHERE s.id > {last_id} "
               f"AND {_where(compiler, query.criteria)} ORDER BY s.id LIMIT {limit}")
    return compiler.connection.execute(sql, compiler.params).fetchall()


def _by_sort_key(compiler: Compiler, query: SearchQuery) -> list:
    """One sort key; keyset (missing, key, id) with key = number, negated when descending.

    First the studies having the key, along the (piece, num) index; then those lacking it.
    """
    key = query.sort[0]
    where = _where(compiler, query.criteria)
    piece = compiler.param(compiler.ids[key.piece])
    missing, value, last_id = query.cursor or (0, None, 0)
    rows = []
    if not missing:
        sign, direction = (-1, "DESC") if key.descending else (1, "ASC")
        keyset = ""
        if value is not None:
            number, study = compiler.param(sign * value), compiler.param(last_id)
            compare = "<" if key.descending else ">"
            keyset = (f"AND k.num {compare}= {number} "
                      f"AND (k.num {compare} {number} OR k.study_id > {study})")
        sql = (f"SELECT s.id, 0, {sign} * k.num, s.id FROM sort_keys k "
               f"JOIN studies s ON s.id = k.study_id WHERE k.piece = {piece} {keyset} "
               f"AND {where} ORDER BY k.num {direction}, k.study_id "
               f"LIMIT {compiler.param(query.limit + 1)}")
        rows = compiler.connection.execute(sql, compiler.params).fetchall()
        last_id = 0
    if len(rows) <= query.limit:
        sql = (f"SELECT s.id, 1, 0, s.id FROM studies s WHERE s.id > {compiler.param(last_id)} "
               f"AND NOT EXISTS (SELECT 1 FROM sort_keys WHERE piece = {piece} "
               f"AND study_id = s.id) AND {where} ORDER BY s.id "
               f"LIMIT {compiler.param(query.limit + 1 - len(rows))}")
        rows += compiler.connection.execute(sql, compiler.params).fetchall()
    return rows


def _ranked(compiler: Compiler, query: SearchQuery) -> list:
    """Any sort: rank every match by the keys (ending with s.id), then take the page."""
    required, rest = _scored_match(query)
    where = _where(compiler, rest)
    joins, keys = [], []
    for index, key in enumerate(query.sort):
        if key.piece is None:
            if not any(join.endswith("r.rid = s.id") for join in joins):
                joins.append(_relevance_join(compiler, required))
            keys.append(f"coalesce(r.score, 0) * {1 if key.descending else -1}")
            continue
        alias = f"k{index}"
        joins.append(f"LEFT JOIN sort_keys {alias} ON {alias}.study_id = s.id "
                     f"AND {alias}.piece = {compiler.param(compiler.ids[key.piece])}")
        keys.append(f"({alias}.num IS NULL)")
        keys.append(f"coalesce({'-' if key.descending else ''}{alias}.num, 0)")
    keys.append("s.id")
    key_list = ", ".join(keys)
    keyset = ""
    if query.cursor is not None:
        marks = ", ".join(compiler.param(value) for value in query.cursor)
        keyset = f" AND ({key_list}) > ({marks})"
    sql = (f"SELECT s.id, {key_list} FROM studies s {' '.join(joins)} WHERE {where}{keyset} "
           f"ORDER BY {key_list} LIMIT {compiler.param(query.limit + 1)}")
    return compiler.connection.execute(sql, compiler.params).fetchall()


def _scored_match(query: SearchQuery) -> tuple[str | None, object]:
    """(the full-text match every result meets, and the other criteria) of a relevance
    sort whose text is all in the leading match; else (None, the criteria).

    Such a match need not run twice, in `WHERE` and again for the scores: the scored rows
    are the candidates (the related-trials search of a study page is a quarter faster).
    With text elsewhere too (under an `Or`, a `Not`), scores count every term, so the
    plain plan stays."""
    if query.criteria is not None and any(key.piece is None for key in query.sort):
        text, rest = _leading_text(query.criteria)
        if text is not None and (rest is None or not text_leaves(rest)):
            return area_query(text), rest
    return None, query.criteria


def _relevance_join(compiler: Compiler, required: str | None = None) -> str:
    """Joins `r.score` (bm25: lower is more relevant) of every study the text terms match;
    with `required` (`_scored_match`), only the studies matching it, by that match."""
    if required is None and not compiler.area_queries:
        return "LEFT JOIN (SELECT NULL AS rid, 0 AS score) r ON r.rid = s.id"
    weights = ", ".join(compiler.param(weight) for weight in area_piece_weights().values())
    match = required if required is not None else " OR ".join(
        f"({q})" for q in compiler.area_queries)
    return (f"{'LEFT ' if required is None else ''}JOIN (SELECT rowid AS rid, "
            f"bm25(area_text, {weights}) AS score FROM area_text "
            f"WHERE area_text MATCH {compiler.param(match)}) r ON r.rid = s.id")


def _documents(connection: sqlite3.Connection, ids: list[int]) -> list[bytes]:
    """The stored documents of `ids`, in that order."""
    if not ids:
        return []
    marks = ", ".join("?" for _ in ids)
    found = dict(connection.execute(
        f"SELECT study_id, document FROM documents WHERE study_id IN ({marks})", ids))
    return [found[study_id] for study_id in ids]

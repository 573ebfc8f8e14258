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

import sqlite3

from api.search import criteria as c
from api.search.extract import area_piece_weights
from api.store.base import SearchPage, SearchRequest
from api.store.sqlite_criteria import Compiler, area_query


def search(connection: sqlite3.Connection, request: SearchRequest,
           piece_ids: dict[str, int]) -> SearchPage:
    """One page of results for `request`; `piece_ids` numbers the pieces as the index does."""
    total = _count(connection, request, piece_ids) if request.count_total else None
    compiler = Compiler(connection, piece_ids)
    if not request.sort:
        rows = _by_id(compiler, request)
    elif len(request.sort) == 1 and request.sort[0].piece is not None:
        rows = _by_sort_key(compiler, request)
    else:
        rows = _ranked(compiler, request)
    more = len(rows) > request.limit
    rows = rows[:request.limit]
    next_after = tuple(rows[-1][1:]) if more else None
    return SearchPage(_documents(connection, [row[0] for row in rows]), total, next_after)


def _leading_text(criteria):
    """(the area text match to drive the plan with, the other criteria), or (None, criteria)."""
    items = criteria.items if isinstance(criteria, c.And) else (criteria,)
    for index, item in enumerate(items):
        if isinstance(item, c.TextMatch) and area_query(item) is not None:
            rest = items[:index] + items[index + 1:]
            return item, (c.And(rest) if rest else None)
    return None, criteria


def _where(compiler: Compiler, criteria) -> str:
    return compiler.condition(criteria) if criteria is not None else "1"


def _count(connection, request: SearchRequest, piece_ids) -> int:
    compiler = Compiler(connection, piece_ids, listing=False)
    text, rest = _leading_text(request.criteria) if request.criteria else (None, None)
    if text is not None:
        match = compiler.param(area_query(text))
        sql = (f"SELECT count(*) FROM area_text JOIN studies s ON s.id = area_text.rowid "
               f"WHERE area_text MATCH {match} AND {_where(compiler, rest)}")
    else:
        sql = f"SELECT count(*) FROM studies s WHERE {_where(compiler, request.criteria)}"
    return connection.execute(sql, compiler.params).fetchone()[0]


def _by_id(compiler: Compiler, request: SearchRequest) -> list:
    """Id order; keyset (id,)."""
    limit = compiler.param(request.limit + 1)
    after = compiler.param(request.after[0] if request.after else 0)
    text, rest = _leading_text(request.criteria) if request.criteria else (None, None)
    if text is not None:
        match = compiler.param(area_query(text))
        sql = (f"SELECT s.id, s.id FROM area_text JOIN studies s ON s.id = area_text.rowid "
               f"WHERE area_text MATCH {match} AND area_text.rowid > {after} "
               f"AND {_where(compiler, rest)} ORDER BY area_text.rowid LIMIT {limit}")
    else:
        sql = (f"SELECT s.id, s.id FROM studies s WHERE s.id > {after} "
               f"AND {_where(compiler, request.criteria)} ORDER BY s.id LIMIT {limit}")
    return compiler.connection.execute(sql, compiler.params).fetchall()


def _by_sort_key(compiler: Compiler, request: SearchRequest) -> list:
    """One sort key; keyset (missing, key, id) with key = number, negated when descending.

    First the studies having the key, along the (piece, num) index; then those lacking it.
    """
    key = request.sort[0]
    where = _where(compiler, request.criteria)
    piece = compiler.param(compiler.ids[key.piece])
    missing, value, last_id = request.after or (0, None, 0)
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
               f"LIMIT {compiler.param(request.limit + 1)}")
        rows = compiler.connection.execute(sql, compiler.params).fetchall()
        last_id = 0
    if len(rows) <= request.limit:
        sql = (f"SELECT s.id, 1, 0, s.id FROM studies s WHERE s.id > {compiler.param(last_id)} "
               f"AND NOT EXISTS (SELECT 1 FROM sort_keys WHERE piece = {piece} "
               f"AND study_id = s.id) AND {where} ORDER BY s.id "
               f"LIMIT {compiler.param(request.limit + 1 - len(rows))}")
        rows += compiler.connection.execute(sql, compiler.params).fetchall()
    return rows


def _ranked(compiler: Compiler, request: SearchRequest) -> list:
    """Any sort: rank every match by the keys (ending with s.id), then take the page."""
    where = _where(compiler, request.criteria)
    joins, keys = [], []
    for index, key in enumerate(request.sort):
        if key.piece is None:
            if not any(join.endswith("r.rid = s.id") for join in joins):
                joins.append(_relevance_join(compiler))
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
    if request.after is not None:
        marks = ", ".join(compiler.param(value) for value in request.after)
        keyset = f" AND ({key_list}) > ({marks})"
    sql = (f"SELECT s.id, {key_list} FROM studies s {' '.join(joins)} WHERE {where}{keyset} "
           f"ORDER BY {key_list} LIMIT {compiler.param(request.limit + 1)}")
    return compiler.connection.execute(sql, compiler.params).fetchall()


def _relevance_join(compiler: Compiler) -> str:
    """Joins `r.score` (bm25: lower is more relevant) of every study the text terms match."""
    if not compiler.area_queries:
        return "LEFT JOIN (SELECT NULL AS rid, 0 AS score) r ON r.rid = s.id"
    weights = ", ".join(compiler.param(weight) for weight in area_piece_weights().values())
    query = compiler.param(" OR ".join(f"({q})" for q in compiler.area_queries))
    return (f"LEFT JOIN (SELECT rowid AS rid, bm25(area_text, {weights}) AS score "
            f"FROM area_text WHERE area_text MATCH {query}) r ON r.rid = s.id")


def _documents(connection: sqlite3.Connection, ids: list[int]) -> list[bytes]:
    """The stored documents of `ids`, in that order."""
    if not ids:
        return []
    marks = ", ".join("?" for _ in ids)
    found = dict(connection.execute(
        f"SELECT study_id, document FROM documents WHERE study_id IN ({marks})", ids))
    return [found[study_id] for study_id in ids]

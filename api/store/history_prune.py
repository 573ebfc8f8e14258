"""Pruning a store's history (`flask --app api history prune`), for every backend.

Dropping a version breaks the delta of the one before it (a delta is against its successor),
so a study's kept versions are read whole first and those whose successor changed are
encoded again; the first one kept lists every module it has, each later one the modules
changed since the one kept before it.
"""

from __future__ import annotations

from collections.abc import Callable

import orjson

from api.store.history_deltas import CURRENT, DELTA, WHOLE, changed_modules, delta, whole

# A study's kept versions as (number, bytes), oldest first: the backend's reader.
Texts = Callable[[object, str], list[tuple[int, bytes]]]


def prune(connection, keep_last: int | None, stored_before: str | None, texts: Texts,
          bump_generation: Callable[[object], None]) -> int:
    """Inside the caller's write transaction: drop the versions the rules name (see
    `Store.prune_history`; with both rules, a version goes only when both name it, so that
    neither keeps less than it says). Returns how many were dropped.

    `connection`: a DB-API connection of the store taking `?` parameters, with the
    `versions` table of the history modules; `texts(connection, nct_id)` reads a study's
    kept versions; `bump_generation(connection)` moves the store's generation."""
    if keep_last is None and stored_before is None:
        raise ValueError("say which versions to drop: keep_last, stored_before or both")
    if keep_last is not None and keep_last < 0:
        raise ValueError("keep_last cannot be negative")
    dropped = 0
    for nct_id in _candidates(connection, keep_last, stored_before):
        dropped += _prune_study(connection, nct_id, keep_last, stored_before, texts)
    if dropped:
        bump_generation(connection)
    return dropped


def _candidates(connection, keep_last: int | None, stored_before: str | None) -> list[str]:
    """The studies that may have versions to drop."""
    having, parameters = [], []
    if keep_last is not None:
        having.append(f"count(*) > {int(keep_last)}")
    if stored_before is not None:
        having.append("min(stored_at) < ?")
        parameters.append(stored_before)
    return [row[0] for row in connection.execute(
        f"SELECT nct_id FROM versions GROUP BY nct_id HAVING {' AND '.join(having)} "
        "ORDER BY nct_id", parameters)]


def _prune_study(connection, nct_id: str, keep_last: int | None, stored_before: str | None,
                 texts: Texts) -> int:
    rows = connection.execute("SELECT number, stored_at, encoding, modules FROM versions "
                              "WHERE nct_id = ? ORDER BY number", (nct_id,)).fetchall()
    drop = set()
    for index, (number, stored_at, encoding, _) in enumerate(rows):
        if encoding == CURRENT:  # the current version of a current study stays
            continue
        old = keep_last is None or index < len(rows) - keep_last
        early = stored_before is None or stored_at < stored_before
        if old and early:
            drop.add(number)
    if not drop:
        return 0
    kept_texts = dict(texts(connection, nct_id))
    connection.executemany("DELETE FROM versions WHERE nct_id = ? AND number = ?",
                           [(nct_id, number) for number in sorted(drop)])
    kept = [row for row in rows if row[0] not in drop]
    for index, (number, _, encoding, modules) in enumerate(kept):
        successor = kept[index + 1][0] if index + 1 < len(kept) else None
        if successor is None:
            body_encoding = CURRENT if encoding == CURRENT else WHOLE
            body = None if encoding == CURRENT else whole(kept_texts[number])
        else:
            body_encoding = DELTA
            body = delta(kept_texts[number], kept_texts[successor])
        previous = kept[index - 1][0] if index else None
        if previous is None:
            modules = None
        else:
            modules = ",".join(changed_modules(
                orjson.loads(kept_texts[previous]), orjson.loads(kept_texts[number])))
        connection.execute("UPDATE versions SET encoding = ?, body = ?, modules = ? WHERE "
                           "nct_id = ? AND number = ?",
                           (body_encoding, body, modules, nct_id, number))
    return len(drop)

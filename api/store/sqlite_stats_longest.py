"""`longest` of each string field, kept exact under replacement and removal.

The longest value is the first study's (lowest NCT id) among those whose longest value is
longest. `stat_longest` keeps, per field, up to `KEPT` studies with their longest values:
always the top of the ranking (length descending, then NCT id) of every study that has the
field, so its first row is the answer. A study written again or removed leaves the list; a
new version joins it if it ranks above the list's last row, or if the list holds every study
of the field. Only when removals empty a list while studies still have the field are the
documents read again, for that field alone: that takes K removals of the very longest.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable

from api.statistics import fields

KEPT = 16


def _candidates(changes, strings: set[str]) -> dict[str, list[tuple[int, str, str]]]:
    """Per string field, each new version's (-length, NCT id, value) of its longest value."""
    found = defaultdict(list)
    for nct_id, new, _ in changes:
        if new is None:
            continue
        for path, seen in new.values.items():
            if path in strings:
                # Most fields hold one value a study: no ranking needed.
                value = next(iter(seen)) if len(seen) == 1 else max(
                    seen, key=lambda text: (len(text), text))
                found[path].append((-len(value), nct_id, value))
    return found


def apply(connection: sqlite3.Connection, ids: dict[str, int], changes: list,
          documents: Callable[[], Iterable]) -> None:
    """Keep `stat_longest` right after `changes` (the studies counts already updated)."""
    strings = {path for path, kind in fields.types().items() if kind == "STRING"}
    gone = [(nct_id,) for nct_id, _, old in changes if old is not None]
    connection.executemany("DELETE FROM stat_longest WHERE nct_id = ?", gone)
    candidates = _candidates(changes, strings)
    paths = set(candidates) | ({path for _, _, old in changes if old is not None
                                for path in old.values if path in strings} if gone else set())
    if not paths:
        return
    names = {ids[path]: path for path in paths}
    kept = defaultdict(list)
    for field_id, length, nct_id in connection.execute(
            "SELECT field, length, nct_id FROM stat_longest"):
        if field_id in names:
            kept[names[field_id]].append((-length, nct_id))
    studies = dict(connection.execute("SELECT path, studies FROM stat_fields"))
    exhausted = []
    for path in sorted(paths):
        rows, new = sorted(kept[path]), sorted(candidates.get(path, ()))
        before = studies.get(path, 0) - len(new)  # studies of the field outside this batch
        if not rows and before > 0:
            exhausted.append(path)
            continue
        if len(rows) < before:  # the list is a top, not everything: join only above its end
            new = [candidate for candidate in new if candidate[:2] < rows[-1]]
        top = sorted(rows + [candidate[:2] for candidate in new])[:KEPT]
        _write(connection, ids[path], rows, new, set(top))
    if exhausted:
        _refill(connection, ids, exhausted, documents)


def _write(connection: sqlite3.Connection, field_id: int, rows: list, new: list,
           top: set) -> None:
    connection.executemany("DELETE FROM stat_longest WHERE field = ? AND nct_id = ?",
                           [(field_id, nct_id) for row in rows if row not in top
                            for nct_id in (row[1],)])
    connection.executemany(
        "INSERT INTO stat_longest (field, nct_id, length, value) VALUES (?, ?, ?, ?)",
        [(field_id, nct_id, -negative, value) for negative, nct_id, value in new
         if (negative, nct_id) in top])


def _refill(connection: sqlite3.Connection, ids: dict[str, int], paths: list[str],
            documents: Callable[[], Iterable]) -> None:
    """Rank every stored study again for `paths` (their lists were emptied by removals)."""
    wanted = set(paths)
    ranked = defaultdict(list)
    for nct_id, found in documents():
        for path, seen in found.values.items():
            if path in wanted:
                value = max(seen, key=lambda text: (len(text), text))
                ranked[path].append((-len(value), nct_id, value))
    for path in paths:
        connection.executemany(
            "INSERT INTO stat_longest (field, nct_id, length, value) VALUES (?, ?, ?, ?)",
            [(ids[path], nct_id, -negative, value)
             for negative, nct_id, value in sorted(ranked[path])[:KEPT]])

"""Every text a study has had in the PostgreSQL store: `versions` rows, numbered from 0.

The layout and encodings are the SQLite store's (`sqlite_history`, `history_deltas`): the
current version's bytes are `documents.body`, each older one a reverse zstd delta against its
successor, a removed study's last text whole. Writes are batched per `put`: one query finds
the next numbers of every study of the batch, one statement inserts every new row, so that an
import of new studies costs two round trips for the history, not two per study.
"""

from __future__ import annotations

from collections.abc import Iterator

import orjson
import psycopg

from api.store.base import History
from api.store.history_deltas import (CURRENT, DELTA, WHOLE, Text, decoded, delta, entry_facts,
                                      history_of, unwhole, version_rows, whole)

_MAX_NUMBER = 2 ** 63
_INSERT = ("INSERT INTO versions (nct_id, number, date, status, stored_at, tag, modules, "
           "encoding, body) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)")


def next_numbers(connection: psycopg.Connection, nct_ids: list[str]) -> dict[str, int]:
    """The number the next version of each study gets (0 for a study never stored)."""
    return dict(connection.execute(
        "SELECT n, greatest((SELECT max(number) + 1 FROM versions WHERE nct_id = n), "
        "(SELECT next_number FROM removed_studies WHERE nct_id = n), 0) "
        "FROM unnest(%s::text[]) AS n", (nct_ids,)).fetchall())


def keep(connection: psycopg.Connection, accepted: list[tuple], stamp: str) -> None:
    """Append to each study's history its accepted records, stored at `stamp`.

    `accepted`: (chain, stored, written) per study: the accepted `Record`s in order, its
    stored document (`settle.Stored`), and the last record's (tag, index entry) when it is
    written as the study's document (None when the stored text stays)."""
    if not accepted:
        return
    numbers = next_numbers(connection, [chain[0].nct_id for chain, _, _ in accepted])
    rows, reencoded, continued = [], [], []
    for chain, stored, written in accepted:
        nct_id = chain[0].nct_id
        number = numbers[nct_id]
        if stored.text is None and len(chain) == 1 and written is not None and not number:
            tag, entry = written  # a study never stored: the import's cheap path
            rows.append((nct_id, 0, *entry_facts(entry), stamp, tag, None, CURRENT, None))
            continue
        if stored.text is not None:
            previous = Text(stored.text, stored.parsed())
        else:  # removed earlier: its history continues from its last text
            last = newest_text(connection, nct_id)
            previous = None if last is None else Text(last, orjson.loads(last))
        texts = [Text(body, orjson.loads(body)) for body in (r.text.encode() for r in chain)]
        if previous is not None and number:
            reencoded.append((DELTA, delta(previous.json, texts[0].json), nct_id, nct_id))
        rows += version_rows(nct_id, number, texts, previous, stamp)
        continued.append(nct_id)
    with connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE versions SET encoding = %s, body = %s WHERE nct_id = %s AND number = "
            "(SELECT max(number) FROM versions WHERE nct_id = %s)", reencoded)
        cursor.executemany(_INSERT, rows)
    if continued:
        connection.execute("DELETE FROM removed_studies WHERE nct_id = ANY(%s)", (continued,))


def removed(connection: psycopg.Connection, nct_id: str, document: bytes,
            removed_at: str) -> None:
    """Study `nct_id` (current text `document`) is being removed: its newest row keeps that
    text whole, and the study is marked removed."""
    number = next_numbers(connection, [nct_id])[nct_id]
    connection.execute("UPDATE versions SET encoding = %s, body = %s WHERE nct_id = %s AND "
                       "number = %s AND encoding = %s",
                       (WHOLE, whole(document), nct_id, number - 1, CURRENT))
    connection.execute("INSERT INTO removed_studies (nct_id, removed_at, next_number) "
                       "VALUES (%s, %s, %s) ON CONFLICT (nct_id) DO UPDATE SET "
                       "removed_at = excluded.removed_at, next_number = excluded.next_number",
                       (nct_id, removed_at, number))


def newest_text(connection: psycopg.Connection, nct_id: str) -> bytes | None:
    """The newest kept text of a study not currently stored (a removed one's), or None."""
    row = connection.execute("SELECT encoding, body FROM versions WHERE nct_id = %s "
                             "ORDER BY number DESC LIMIT 1", (nct_id,)).fetchone()
    return unwhole(row[1]) if row and row[0] == WHOLE else None


def _texts(connection: psycopg.Connection, nct_id: str,
           down_to: int) -> Iterator[tuple[int, str, bytes]]:
    """(number, tag, bytes) of each kept version numbered `down_to` or more, newest first."""
    return decoded(connection.execute(
        "SELECT number, tag, encoding, body FROM versions WHERE nct_id = %s AND number >= %s "
        "ORDER BY number DESC", (nct_id, down_to)).fetchall(),
        lambda: connection.execute("SELECT body FROM documents JOIN studies ON studies.id = "
                                   "study_id WHERE nct_id = %s", (nct_id,)).fetchone()[0])


def version(connection: psycopg.Connection, nct_id: str, number: int) -> tuple[bytes, str] | None:
    """Version `number` of `nct_id`: (its bytes, its tag), None if not kept."""
    if not 0 <= number < _MAX_NUMBER:  # bigint's range
        return None
    for found, tag, text in _texts(connection, nct_id, number):
        if found == number:
            return text, tag
    return None


def texts(connection: psycopg.Connection, nct_id: str) -> list[tuple[int, bytes]]:
    """Every kept version of `nct_id` as (number, bytes), oldest first."""
    return [(number, text) for number, _, text in _texts(connection, nct_id, 0)][::-1]


def history(connection: psycopg.Connection, nct_id: str) -> History | None:
    """The versions kept of `nct_id` and when it was removed; None if never stored. Call it
    inside a repeatable-read transaction, so that a write meanwhile is not half seen."""
    rows = connection.execute("SELECT number, date, status, stored_at, tag, modules FROM "
                              "versions WHERE nct_id = %s ORDER BY number", (nct_id,)).fetchall()
    gone = connection.execute("SELECT removed_at FROM removed_studies WHERE nct_id = %s",
                              (nct_id,)).fetchone()
    return history_of(nct_id, rows, gone[0] if gone else None,
                      lambda number: version(connection, nct_id, number)[0])

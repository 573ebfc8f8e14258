"""Writing studies to the PostgreSQL store: one `put` batch in a few statements.

The import's hot path. Per batch, whatever its size: one query reads the stored documents
of its studies, two read who holds the NCT ids and aliases offered (for the clash checks,
then kept up to date in memory as the batch is settled), one statement inserts the new
studies, one their documents, one every alias; the history, index and statistics follow in
batched statements of their own. Settling, the clash checks and the statistics' changes
are the SQLite store's (`settle`, `schemas.guard`).
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from api.search.extract import IndexEntry
from api.store import postgres_history, postgres_index, postgres_locks, postgres_stats
from api.store.base import Record, content_tag
from api.store.settle import Stored, change, removal, settle
from schemas import guard
from schemas.guard import RecordRefused


@dataclass
class _Write:
    """One study to write: its row id (None: new), bytes, tag, aliases and index entry."""

    nct_id: str
    study_id: int | None
    document: bytes
    tag: str
    aliases: tuple[str, ...]
    entry: IndexEntry


class _Holdings:
    """Who holds the NCT ids and aliases a batch offers: the database's answer, kept up
    to date as the batch's studies are settled (what `guard.alias_clashes` asks)."""

    def __init__(self, connection: psycopg.Connection, offered: list[str]):
        self.owners = dict(connection.execute(
            "SELECT alias, nct_id FROM aliases JOIN studies ON studies.id = study_id "
            "WHERE alias = ANY(%s)", (offered,)).fetchall())
        self.studies = {row[0] for row in connection.execute(
            "SELECT nct_id FROM studies WHERE nct_id = ANY(%s)", (offered,))}

    def owner_of(self, alias: str) -> str | None:
        return self.owners.get(alias)

    def is_study(self, nct_id: str) -> bool:
        return nct_id in self.studies

    def written(self, nct_id: str, aliases: tuple[str, ...]) -> None:
        for alias in [alias for alias, owner in self.owners.items() if owner == nct_id]:
            del self.owners[alias]
        self.owners.update(dict.fromkeys(aliases, nct_id))
        self.studies.add(nct_id)


def _stored(connection: psycopg.Connection, nct_ids: list[str]) -> dict[str, tuple]:
    """Each stored study's (row id, `Stored` document), by NCT id."""
    return {nct_id: (study_id, Stored(body)) for nct_id, study_id, body in connection.execute(
        "SELECT nct_id, studies.id, body FROM studies JOIN documents ON study_id = studies.id "
        "WHERE nct_id = ANY(%s)", (nct_ids,))}


def write_batch(connection: psycopg.Connection, records: list[Record], stamp: str,
                exact_limit: int) -> tuple[dict[str, list[str]], bool]:
    """`Store.put` inside the caller's transaction, all but the checkpoint and the
    generation: what happened to each record, and whether any data changed."""
    outcome = {"added": [], "replaced": [], "unchanged": [], "outdated": []}
    versions: dict[str, list[Record]] = {}
    for record in records:
        versions.setdefault(record.nct_id, []).append(record)
    nct_ids = sorted(versions)
    offered = sorted({*nct_ids, *(alias for record in records for alias in record.aliases)})
    # The aliases too: a writer giving one to its study waits for one storing it as a study.
    postgres_locks.write_shared(connection, offered)
    stored = _stored(connection, nct_ids)
    holdings = _Holdings(connection, offered)
    writes, accepted, changes = [], [], []
    for nct_id, offered_versions in versions.items():
        study_id, document = stored.get(nct_id, (None, Stored(None)))
        whats, chain, entry, _ = settle(offered_versions, document)
        for what in whats:
            outcome[what].append(nct_id)
        if entry is None:
            if chain:  # accepted texts, ending on the stored one again: history only
                accepted.append((chain, document, None))
            continue
        winner = chain[-1]
        problems = guard.alias_clashes(nct_id, winner.aliases, owner_of=holdings.owner_of,
                                       is_study=holdings.is_study)
        if problems:
            raise RecordRefused(nct_id, problems)
        holdings.written(nct_id, winner.aliases)
        body = winner.text.encode()
        write = _Write(nct_id, study_id, body, content_tag(body), winner.aliases, entry)
        writes.append(write)
        accepted.append((chain, document, (write.tag, entry)))
        changes.append(change(winner, body, document))
    _write_studies(connection, writes)
    postgres_history.keep(connection, accepted, stamp)
    postgres_stats.apply(connection, changes, exact_limit)
    return outcome, bool(outcome["added"] or outcome["replaced"])


def _write_studies(connection: psycopg.Connection, writes: list[_Write]) -> None:
    """Insert the new studies, update the replaced ones in place, write every alias and
    index row."""
    new = [write for write in writes if write.study_id is None]
    old = [write for write in writes if write.study_id is not None]
    with connection.cursor() as cursor:
        if new:
            ids = dict(cursor.execute(
                "INSERT INTO studies (nct_id, tag) SELECT * FROM unnest(%s::text[], %s::text[]) "
                "RETURNING nct_id, id", ([w.nct_id for w in new], [w.tag for w in new])))
            for write in new:
                write.study_id = ids[write.nct_id]
            cursor.execute("INSERT INTO documents (study_id, body) SELECT * FROM "
                           "unnest(%s::bigint[], %s::bytea[])",
                           ([w.study_id for w in new], [w.document for w in new]))
        if old:
            old_ids = [w.study_id for w in old]
            cursor.execute("UPDATE studies SET tag = u.tag FROM unnest(%s::bigint[], "
                           "%s::text[]) AS u (id, tag) WHERE studies.id = u.id",
                           (old_ids, [w.tag for w in old]))
            cursor.execute("UPDATE documents SET body = u.body FROM unnest(%s::bigint[], "
                           "%s::bytea[]) AS u (id, body) WHERE study_id = u.id",
                           (old_ids, [w.document for w in old]))
            cursor.execute("DELETE FROM aliases WHERE study_id = ANY(%s)", (old_ids,))
            postgres_index.delete(cursor, old_ids)
        aliases = {alias: write.study_id for write in writes for alias in write.aliases}
        if aliases:
            cursor.execute("INSERT INTO aliases (alias, study_id) SELECT * FROM "
                           "unnest(%s::text[], %s::bigint[])",
                           (list(aliases), list(aliases.values())))
        if writes:
            postgres_index.write(cursor, [(write.study_id, write.entry) for write in writes])


def remove_studies(connection: psycopg.Connection, nct_ids: list[str], stamp: str,
                   exact_limit: int) -> list[str]:
    """`Store.remove` inside the caller's transaction, all but the checkpoint and the
    generation: the ids that were stored, now removed (their history kept, marked)."""
    postgres_locks.write_shared(connection, sorted(nct_ids))
    stored = _stored(connection, nct_ids)
    removed = [nct_id for nct_id in nct_ids if nct_id in stored]
    for nct_id in removed:
        postgres_history.removed(connection, nct_id, stored[nct_id][1].text, stamp)
    if removed:
        connection.execute("DELETE FROM studies WHERE id = ANY(%s)",
                           ([stored[nct_id][0] for nct_id in removed],))
    postgres_stats.apply(connection, [removal(nct_id, stored[nct_id][1]) for nct_id in removed],
                         exact_limit)
    return removed

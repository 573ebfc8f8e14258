"""Which offered versions of a study a store accepts: the rules of `Store.put`, for every backend.

A store reads the study's stored document, settles the offered versions against it here, and
writes the outcome in its own way; the rules (same text, earlier date, later input wins) and
the statistics' change of a write are decided once, in this module.
"""

from __future__ import annotations

import json

from api.search.extract import IndexEntry, extract
from api.statistics.contributions import Contribution, contribution
from api.store.base import Record

# Which date decides whether an offered record is newer than the stored one.
VERSION_PIECE = "LastUpdatePostDate"
# A statistics change: (NCT id, the new version's contribution or None, the old one's or None).
Change = tuple[str, Contribution | None, Contribution | None]


class Stored:
    """A stored document, parsed once however many need it (index entry, statistics)."""

    def __init__(self, text: bytes | None):
        self.text, self._document = text, None

    def parsed(self) -> dict:
        if self._document is None:
            self._document = json.loads(self.text)
        return self._document


def settle(versions: list[Record], stored: Stored):
    """Which of one study's `versions` (in input order) are accepted, given the stored
    document (`stored.text` None if none).

    Each version is judged against the one in force before it: the same text is
    `unchanged`, an earlier `lastUpdatePostDate` is `outdated`, anything else replaces it
    (an equal date too: the later input wins), or is `added` when there was none. Returns
    what happened to each, the accepted ones in order (the history's new versions: the last
    is the winner), the winner's index entry (None when the stored document stays: nothing
    accepted, or the last accepted is the stored text again), and the stored document's
    entry if it was needed.
    """
    old = stored.text
    whats, chain, current, current_entry, old_entry = [], [], old, None, None
    for record in versions:
        document = record.text.encode()
        if document == current:
            whats.append("unchanged")
            continue
        entry = record.index if record.index is not None else extract(json.loads(record.text))
        if current is not None and current_entry is None:  # the stored one, read when needed
            current_entry = old_entry = extract(stored.parsed())
        if current_entry is not None and (entry.sort_keys.get(VERSION_PIECE, 0)
                                          < current_entry.sort_keys.get(VERSION_PIECE, 0)):
            whats.append("outdated")
            continue
        whats.append("added" if current is None else "replaced")
        chain.append(record)
        current, current_entry = document, entry
    if not chain or current == old:  # nothing new in force in the end
        return whats, chain, None, old_entry
    return whats, chain, current_entry, old_entry


def change(winner: Record, document: bytes, stored: Stored) -> Change:
    """The statistics' change of writing `winner` (stored bytes `document`) over `stored`."""
    new = winner.statistics
    if new is None:
        new = contribution(json.loads(document), document)
    return winner.nct_id, new, None if stored.text is None else contribution(stored.parsed())


def removal(nct_id: str, stored: Stored) -> Change:
    """The statistics' change of removing study `nct_id`, whose document is `stored`."""
    return nct_id, None, contribution(stored.parsed())


def stored_entry(stored: Stored, known: IndexEntry | None) -> IndexEntry:
    """The index entry of the stored document: `known` if settling worked it out already."""
    return known or extract(stored.parsed())

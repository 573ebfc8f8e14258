"""What the application needs from a store, whatever database is behind it.

The embedded SQLite store (`api.store.sqlite`) is the default; a PostgreSQL store for
several servers sharing one database implements the same interface.
"""

from __future__ import annotations

import abc
import contextlib
import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import NamedTuple

from api.search.criteria import SortKey
from api.search.extract import IndexEntry
from api.statistics.contributions import Contribution
from api.statistics.figures import FieldFigures, SizeFigures


@dataclass(frozen=True)
class Record:
    """A study ready to store: its NCT id, aliases and its JSON text exactly as received.

    `index` is what the store indexes for it and `statistics` what it adds to the
    statistics (`contribution(document, text.encode())`), when the caller has worked them out
    already (the loader does, in its worker processes); otherwise the store does.
    """

    nct_id: str
    text: str
    aliases: tuple[str, ...] = ()
    index: IndexEntry | None = field(default=None, compare=False, repr=False)
    statistics: Contribution | None = field(default=None, compare=False, repr=False)


class Document(NamedTuple):
    """A stored study: its JSON text as UTF-8 bytes, and the entity tag of those bytes.

    Bytes, because that is what goes on the wire: no decoding and encoding per request.
    The tag is worked out once, when the record is written (`content_tag`), so that
    answering a GET with an ETag costs no hashing.
    """

    json: bytes
    tag: str


def content_tag(body: bytes) -> str:
    """The entity tag (without quotes or `W/`) of a body: 128 bits of its SHA-256, in hex.

    The same function tags stored documents and, per request, any other response body, so
    a study's tag is one value whichever way it was worked out.
    """
    # SHA-256 runs on the processor's SHA instructions where it has them: an 8 kB study
    # hashes in about 7 microseconds (BLAKE2b, MD5: twice that).
    return hashlib.sha256(body).hexdigest()[:32]


@dataclass(frozen=True)
class WriteResult:
    """What one atomic write did, by NCT id.

    `outdated`: a stored version last updated later than the one offered was kept.
    """

    added: tuple[str, ...] = ()
    replaced: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    outdated: tuple[str, ...] = ()


@dataclass(frozen=True)
class Version:
    """One text a study has had in this store, in the order stored."""

    number: int               # 0, 1, 2, ... in the order stored; never reused (gaps after prune)
    date: str | None          # that text's lastUpdatePostDateStruct.date, as written
    status: str | None        # that text's statusModule.overallStatus
    stored_at: str            # when this store wrote it, UTC yyyy-MM-ddTHH:MM:SS
    tag: str                  # content_tag() of its bytes
    # Modules whose value differs from the previous version kept, as paths
    # ("protocolSection.statusModule", "resultsSection.participantFlowModule"; top-level
    # keys without modules, e.g. "hasResults", by name); version 0: every module it has.
    modules: tuple[str, ...]


@dataclass(frozen=True)
class History:
    """Every version of one study kept here, and whether the study was removed since."""

    nct_id: str
    versions: tuple[Version, ...]   # in number order, oldest first
    # Set when the study was removed (`Store.remove`): GET answers 404, the history stays;
    # cleared when the study is stored again.
    removed_at: str | None


@dataclass(frozen=True)
class Checkpoint:
    """Sync progress, committed in the same transaction as the records it describes."""

    entries: Mapping[str, str | None] = field(default_factory=dict)  # None deletes the key
    run: str | None = None          # a `--full` run's id: `seen` are recorded under it
    # NCT ids the upstream listed (stored, unchanged or refused alike): what a reconcile keeps
    seen: tuple[str, ...] = ()


@dataclass(frozen=True)
class SearchQuery:
    """One page of a search, in store terms.

    `criteria` is a tree of `api.search.criteria` nodes (None: every study); `cursor` is
    the `next_cursor` of the previous page, opaque to the caller. A search still running
    after `time_budget` seconds is stopped and raises `api.exceptions.TooCostly`.
    """

    criteria: object = None
    sort: tuple[SortKey, ...] = ()
    limit: int = 10
    cursor: tuple | None = None
    count_total: bool = False
    time_budget: float | None = None


@dataclass(frozen=True)
class SearchPage:
    """Studies of one page (stored JSON bytes), the total if asked, where the next starts."""

    documents: list[bytes]
    total: int | None = None
    next_cursor: tuple | None = None


def keyset_page(rows: list, limit: int, total: int | None, documents) -> SearchPage:
    """The page a search plan's rows make. A plan reads up to `limit + 1` rows, each a
    study id then that study's keyset: one more than `limit` means a next page, starting
    after the last row kept (none for a page of no studies, `limit` 0: a count alone).
    `documents(ids)` reads those studies' stored JSON, in order."""
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = tuple(rows[-1][1:]) if more and rows else None
    return SearchPage(documents([row[0] for row in rows]), total, next_cursor)


def utc_timestamp() -> str:
    """Now, as the registry writes `dataTimestamp`: UTC `yyyy-MM-dd'T'HH:mm:ss`."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


class Store(abc.ABC):
    """Study records keyed by NCT id, each kept as the exact JSON text it was loaded with."""

    @abc.abstractmethod
    def get(self, nct_id: str) -> Document | None:
        """The stored document of study `nct_id` (canonical form), or None."""

    @abc.abstractmethod
    def canonical_id(self, alias: str) -> str | None:
        """The NCT id of the study that lists `alias` in its `nctIdAliases`, or None."""

    @abc.abstractmethod
    def put(self, records: list[Record], checkpoint: Checkpoint | None = None) -> WriteResult:
        """Store `records` in one transaction: all of them or, on any error, none.

        Each record is judged against the version in force before it (the stored one, or
        an earlier record of the same study in `records`, in list order): the same text
        changes nothing (`unchanged`); an earlier `lastUpdatePostDate` is kept out
        (`outdated`); any other replaces it (`replaced`; an equal date too, so the later
        input wins) or is `added`. Any number of versions of one study may be in `records`.
        The data timestamp moves only when something changed.

        Every accepted text (each `added` or `replaced`, in input order, the intermediate
        ones of one batch too) is appended to the study's history (`history`). `checkpoint`
        is written in the same transaction; `put([], checkpoint)` writes just that.

        Raises `schemas.guard.RecordRefused` (and stores nothing) when a record would make
        one NCT id both a study and another study's alias, or the alias of two studies
        (`schemas.guard.alias_clashes`).
        """

    @abc.abstractmethod
    def iter_documents(self) -> Iterator[tuple[str, bytes]]:
        """Every study as (NCT id, stored JSON as UTF-8 bytes), in NCT id order.

        Reads in batches, so a full pass over a large store holds little memory.
        """

    @abc.abstractmethod
    def remove(self, nct_ids: list[str], checkpoint: Checkpoint | None = None) -> tuple[str, ...]:
        """Take the studies `nct_ids` out, with their index, aliases and statistics, in one
        transaction (with `checkpoint`); returns those that were stored. The generation moves
        if any was. Their history stays, marked `removed_at`."""

    @abc.abstractmethod
    def progress(self, prefix: str = "") -> dict[str, str]:
        """The checkpoint entries whose key starts with `prefix`."""

    @abc.abstractmethod
    def unseen(self, run: str) -> list[str]:
        """Current studies' NCT ids not recorded as seen in `run` (what a full reconcile
        removes), in NCT id order."""

    @abc.abstractmethod
    def end_run(self, run: str, checkpoint: Checkpoint | None = None) -> None:
        """Forget the seen ids of `run`, in one transaction with `checkpoint`."""

    @abc.abstractmethod
    def history(self, nct_id: str) -> History | None:
        """Every version of study `nct_id` kept here, None if it was never stored (an alias
        is not resolved: callers use `canonical_id` first)."""

    @abc.abstractmethod
    def version(self, nct_id: str, number: int) -> Document | None:
        """Version `number` of study `nct_id`: its exact stored bytes and tag; None for an
        unknown study or number (pruned ones included)."""

    @abc.abstractmethod
    def prune_history(self, keep_last: int | None = None,
                      stored_before: str | None = None) -> int:
        """Drop old versions: keep each study's newest `keep_last`, and/or drop those stored
        before the UTC date/time `stored_before`; never the current version of a current
        study. Returns how many were dropped."""

    @abc.abstractmethod
    def field_statistics(self) -> FieldFigures:
        """Every field's statistics as kept with the data (`/stats/field/*`), of one moment."""

    @abc.abstractmethod
    def size_statistics(self) -> SizeFigures:
        """The stored documents' gzip sizes' figures (`/stats/size`), of one moment."""

    @abc.abstractmethod
    def rebuild_statistics(self, progress=None) -> int:
        """Recompute every statistic from the stored documents (under the write lock);
        `progress(n, total)` after each batch. Returns the study count."""

    @abc.abstractmethod
    def search(self, query: SearchQuery) -> SearchPage:
        """One page of the studies meeting `query.criteria`, in `query.sort` order.

        Studies without a value for a sort key come after those with one. Paging is by
        keyset (`cursor`), so pages neither repeat nor skip a study while the data is
        unchanged, and a study added meanwhile appears at most once.
        """

    def match_counts(self, criteria: list, limit: int) -> list[int] | None:
        """How many stored studies each of `criteria` (text matches bound to search areas)
        matches, counted up to `limit` (`limit`: that many or more), at a cost that `limit`
        bounds, not the number of matches. None where the store cannot count so; callers
        then go without."""
        return None

    @abc.abstractmethod
    def token_secret(self) -> bytes:
        """A secret kept with the data, the same for every process serving it (page tokens)."""

    @abc.abstractmethod
    def count(self) -> int:
        """How many studies the store holds."""

    @abc.abstractmethod
    def generation(self) -> int:
        """A number that changes with every write that changes data (caches key on it)."""

    @abc.abstractmethod
    def data_timestamp(self) -> str | None:
        """When the store last changed (UTC `yyyy-MM-dd'T'HH:mm:ss`), None if never."""

    def optimize(self) -> None:
        """Tidy up after a large write (refresh query statistics); optional."""

    def stored_tags(self) -> dict[str, tuple[str, tuple[str, ...]]]:
        """Every stored document's entity tag -> (its NCT id, its aliases).

        What a bulk re-import needs to recognise unchanged input without parsing it; a store
        that cannot list them cheaply returns {} (every record is then checked in full).
        """
        return {}

    def unavailable_reason(self) -> str | None:
        """Why the store cannot serve requests now, in one line; None when it can (`/ready`).
        Cheap: a probe, not a scan."""
        return None

    def replica_lag(self) -> float | None:
        """Seconds the read replica is behind the primary (`/ready`, `/metrics`); None when
        reads go to the primary (no replica) or the lag cannot be told."""
        return None

    def exclusive(self, name: str, purpose: str):
        """A context manager: the block runs while no other process runs one under the same
        `name` on this store, else raises `StoreBusy` at once. Stores that cannot tell
        (the default) run it unguarded."""
        return contextlib.nullcontext()

    def claim_seeding(self) -> bool:
        """True for one caller only, while the store is empty: that caller seeds it.

        Stores shared by several processes override this to decide atomically.
        """
        return self.count() == 0

    def close(self) -> None:
        """Release connections; the store must not be used afterwards."""

"""What the application needs from a store, whatever database is behind it.

The embedded SQLite store (`api.store.sqlite`) is the default; a PostgreSQL store for
several servers sharing one database implements the same interface.
"""

from __future__ import annotations

import abc
import hashlib
from collections.abc import Iterator
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
    def put(self, records: list[Record]) -> WriteResult:
        """Store `records` in one transaction: all of them or, on any error, none.

        Each record is judged against the version in force before it (the stored one, or
        an earlier record of the same study in `records`, in list order): the same text
        changes nothing (`unchanged`); an earlier `lastUpdatePostDate` is kept out
        (`outdated`); any other replaces it (`replaced`; an equal date too, so the later
        input wins) or is `added`. Any number of versions of one study may be in `records`.
        The data timestamp moves only when something changed.

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
    def remove(self, nct_ids: list[str]) -> tuple[str, ...]:
        """Take the studies `nct_ids` out, with their index, aliases and statistics, in one
        transaction; returns those that were stored. The generation moves if any was."""

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

    def claim_seeding(self) -> bool:
        """True for one caller only, while the store is empty: that caller seeds it.

        Stores shared by several processes override this to decide atomically.
        """
        return self.count() == 0

    def close(self) -> None:
        """Release connections; the store must not be used afterwards."""

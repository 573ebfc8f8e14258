"""What the application needs from a store, whatever database is behind it.

The embedded SQLite store (`api.store.sqlite`) is the default; a PostgreSQL store for
several servers sharing one database implements the same interface.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import datetime, timezone


@dataclass(frozen=True)
class Record:
    """A study ready to store: its NCT id, aliases and its JSON text exactly as received."""

    nct_id: str
    text: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class WriteResult:
    """What one atomic write did: ids newly stored, replaced, and left as they were."""

    added: tuple[str, ...] = ()
    replaced: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()


def utc_timestamp() -> str:
    """Now, as the registry writes `dataTimestamp`: UTC `yyyy-MM-dd'T'HH:mm:ss`."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


class Store(abc.ABC):
    """Study records keyed by NCT id, each kept as the exact JSON text it was loaded with."""

    @abc.abstractmethod
    def get(self, nct_id: str) -> str | None:
        """The stored JSON text of study `nct_id` (canonical form), or None."""

    @abc.abstractmethod
    def canonical_id(self, alias: str) -> str | None:
        """The NCT id of the study that lists `alias` in its `nctIdAliases`, or None."""

    @abc.abstractmethod
    def put(self, records: list[Record]) -> WriteResult:
        """Store `records` in one transaction: all of them or, on any error, none.

        A record whose text equals the stored one changes nothing; any other replaces the
        stored version. The data timestamp moves only when something changed.
        """

    @abc.abstractmethod
    def count(self) -> int:
        """How many studies the store holds."""

    @abc.abstractmethod
    def data_timestamp(self) -> str | None:
        """When the store last changed (UTC `yyyy-MM-dd'T'HH:mm:ss`), None if never."""

    def close(self) -> None:
        """Release connections; the store must not be used afterwards."""

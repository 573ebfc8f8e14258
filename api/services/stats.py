"""`/stats/*`: statistics over every stored study, read from the figures the store keeps.

The store maintains the figures as studies are written (`Store.field_statistics`,
`size_statistics`), so a first request costs a few queries, not a pass over the documents.
Each process keeps the answers it made, already encoded as JSON, until the store's
`generation()` moves: the items are large (up to 250 top values per field) and the same for
every request.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass

from api.exceptions import NotFound
from api.statistics import fields
from api.statistics.figures import (
    current,
    percentile_rank,
    size_item,
    size_range,
    value_item,
)
from api.statistics.figures import size_stats as gzip_stats
from api.store import Store
from schemas.catalogue import FieldNode, catalogue

__all__ = ["field_sizes", "field_values", "percentile_rank", "size_range", "size_stats"]


def _encode(items) -> bytes:
    """A JSON array of already-encoded items."""
    return b"[" + b",".join(items) + b"]"


@dataclass
class FieldItems:
    """Every field's statistics, each already encoded as one JSON item, by node path."""

    values: dict[str, bytes]  # FieldValuesStats of every leaf with value statistics
    sizes: dict[str, bytes]  # ListSizes of every list field


@dataclass
class _Entry:
    key: int | None
    value: object


class StatsCache:
    """One store's answers, each made again when the store's generation moves."""

    def __init__(self):
        self._entries: dict[str, _Entry] = {}
        # One read at a time per process: concurrent first requests share its result.
        self._lock = threading.Lock()

    def get(self, store: Store, name: str, make: Callable[[Store], object]):
        """The answer `name`, made by `make(store)` if stale or missing."""
        # Read before the figures: a change meanwhile leaves a stale key, so the next
        # request reads again.
        key = store.generation()
        with self._lock:
            entry = self._entries.get(name)
            if entry is None or entry.key != key:
                entry = self._entries[name] = _Entry(key, make(store))
            return entry.value


_caches: weakref.WeakKeyDictionary[Store, StatsCache] = weakref.WeakKeyDictionary()
_caches_lock = threading.Lock()


def cache_for(store: Store) -> StatsCache:
    """The statistics cache of `store` (made on first use, dropped with the store)."""
    with _caches_lock:
        cache = _caches.get(store)
        if cache is None:
            cache = _caches[store] = StatsCache()
        return cache


def size_stats(store: Store) -> dict:
    """GzipStats: how large the stored studies are, gzip-compressed."""
    return cache_for(store).get(store, "sizes", lambda s: gzip_stats(s.size_statistics()))


def _items(store: Store) -> FieldItems:
    figures = store.field_statistics()
    return FieldItems(values={node.path: value_item(node, figures) for node in fields.leaves()},
                      sizes={node.path: size_item(node, figures) for node in fields.lists()})


def _field_items(store: Store) -> FieldItems:
    return cache_for(store).get(store, "fields", _items)


def _requested(names: list[str], available: dict[str, bytes], what: str) -> list[str]:
    """The paths `names` (piece names in any case, or dotted paths) mean, in request order.

    404 for a name the catalogue does not know and for a field that has no statistic of the
    kind asked for (a structure has no values, a single value has no list size).
    """
    paths = []
    for name in names:
        node: FieldNode | None = catalogue().find(name)
        if node is None:
            raise NotFound(f"Field '{name}' not found")
        if node.path not in available:
            raise NotFound(f"Field '{name}' is not a {what} field")
        if node.path not in paths:
            paths.append(node.path)
    return paths


def field_values(store: Store, types: list[str] | None, names: list[str] | None) -> bytes:
    """FieldValuesStats of the leaf fields named (all current ones if None), as JSON.

    `types` keeps only fields of those FieldStatsType values.
    """
    items = _field_items(store)
    paths = current(fields.leaves()) if names is None else _requested(names, items.values,
                                                                      "leaf")
    kinds = fields.types()
    return _encode(items.values[path] for path in paths if types is None or kinds[path] in types)


def field_sizes(store: Store, names: list[str] | None) -> bytes:
    """ListSizes of the list fields named (all current ones if None), as JSON."""
    items = _field_items(store)
    paths = current(fields.lists()) if names is None else _requested(names, items.sizes, "list")
    return _encode(items.sizes[path] for path in paths)

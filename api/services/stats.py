"""`/stats/*`: statistics over every stored study, computed once per change of the data.

Each statistic is computed in one pass over `store.iter_documents()` (documents are read in
batches and dropped once tallied, see `stats_tallies`) on the first request after the store's
`generation()` moves, and kept until it moves again; a request in between only looks up the
cached result. Field statistics are kept already encoded as JSON, one item per field,
because they are large (up to 250 top values per field) and the same for every request.
"""

from __future__ import annotations

import gzip
import heapq
import math
import threading
import weakref
from array import array
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from api.exceptions import NotFound
from api.services.stats_scan import FieldStats, scan_fields
from api.store import Store
from schemas.catalogue import FieldNode, catalogue

__all__ = ["field_sizes", "field_values", "size_stats"]

LARGEST_STUDIES = 10
PERCENTILES = (5, 25, 50, 75, 95)
# Java's default deflate level (GZIPOutputStream), on the guess that the registry's figures
# come from its Java servers; Python's gzip defaults to 9: slightly smaller, and slower.
GZIP_LEVEL = 6


def _encode(items: Iterable[bytes]) -> bytes:
    """A JSON array of already-encoded items."""
    return b"[" + b",".join(items) + b"]"


@dataclass
class _Entry:
    key: str | None
    value: object


class StatsCache:
    """One store's statistics, each recomputed when the store's data timestamp moves."""

    def __init__(self):
        self._entries: dict[str, _Entry] = {}
        # One computation at a time: concurrent first requests wait for it instead of each
        # scanning the whole store.
        self._lock = threading.Lock()

    def get(self, store: Store, name: str, compute: Callable[[Iterable], object]):
        """The statistic `name`, computed by `compute(documents)` if stale or missing."""
        # Read before the scan: a change during the scan leaves a stale key behind, so the
        # next request computes again.
        key = store.generation()
        with self._lock:
            entry = self._entries.get(name)
            if entry is None or entry.key != key:
                entry = self._entries[name] = _Entry(key, compute(store.iter_documents()))
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
    return cache_for(store).get(store, "sizes", gzip_stats)


def _field_stats(store: Store) -> FieldStats:
    return cache_for(store).get(store, "fields", scan_fields)


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


def field_values(store: Store, types: list[str] | None, fields: list[str] | None) -> bytes:
    """FieldValuesStats of the leaf fields named (all current ones if None), as JSON.

    `types` keeps only fields of those FieldStatsType values.
    """
    stats = _field_stats(store)
    paths = stats.current_leaves if fields is None else _requested(fields, stats.values, "leaf")
    return _encode(
        stats.values[path] for path in paths if types is None or stats.types[path] in types
    )


def field_sizes(store: Store, fields: list[str] | None) -> bytes:
    """ListSizes of the list fields named (all current ones if None), as JSON."""
    stats = _field_stats(store)
    paths = stats.current_lists if fields is None else _requested(fields, stats.sizes, "list")
    return _encode(stats.sizes[path] for path in paths)


def size_range(size: int) -> str:
    """The range of sizes `size` falls in: 0-1KB, 1-2KB, 2-4KB, ... (1 KB = 1024 bytes)."""
    kilobytes = size // 1024
    if kilobytes == 0:
        return "0-1KB"
    low = 1 << (kilobytes.bit_length() - 1)
    return f"{low}-{2 * low}KB"


def percentile(ordered: list[int], rank: int) -> int:
    """The nearest-rank `rank`-th percentile of a sorted, non-empty list."""
    return ordered[max(math.ceil(rank / 100 * len(ordered)), 1) - 1]


def gzip_stats(documents: Iterable[tuple[str, str | bytes]]) -> dict:
    """GzipStats of `documents`: each study's size is its stored JSON text, gzip-compressed."""
    sizes = array("q")
    largest: list[tuple[int, int, str]] = []  # a min-heap; on equal sizes, lower ids win
    for order, (nct_id, text) in enumerate(documents):
        data = text.encode() if isinstance(text, str) else text
        size = len(gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0))
        sizes.append(size)
        entry = (size, -order, nct_id)
        if len(largest) < LARGEST_STUDIES:
            heapq.heappush(largest, entry)
        else:
            heapq.heappushpop(largest, entry)
    ordered = sorted(sizes)
    ranges = Counter(size_range(size) for size in ordered)  # ascending: Counter keeps order
    return {
        "total_studies": len(ordered),
        "average_size_bytes": round(sum(ordered) / len(ordered)) if ordered else 0,
        "largest_studies": [
            {"id": nct_id, "size_bytes": size} for size, _, nct_id in sorted(largest, reverse=True)
        ],
        "percentiles": {str(rank): percentile(ordered, rank) for rank in PERCENTILES}
        if ordered
        else {},
        "ranges": [
            {"size_range": label, "studies_count": count} for label, count in ranges.items()
        ],
    }

"""Bounded sketches for a field with more distinct values than are counted exactly.

Up to `EXACT_LIMIT` distinct values a field's values are counted exactly, per value. Past
it (titles, descriptions, facility names...) the field is kept in two fixed-size Apache
DataSketches sketches, over a stable 64-bit hash of each value rather than the value itself,
so that a sketch stays a few kilobytes however long the values are: frequent items for the
top values, HyperLogLog for the distinct count. The text of a hash is kept aside only once
the hash has been seen in two studies (a value seen once is never a top value), so unique
descriptions are never stored twice.

Sketches cannot take a value out. A study written again adds only the values it did not
have before; a value a study loses, or a removed study's values, stay counted: the
estimates of a sketched field may drift upwards until `flask --app api stats rebuild`.
Everything else (the studies count of the field, exact fields, `longest`) stays exact.
"""

from __future__ import annotations

import hashlib

import datasketches

TOP_VALUES = 250  # the registry caps `topValues` at 250 (REFERENCE.md §13)
EXACT_LIMIT = 1000  # distinct values counted exactly per field
_FREQUENT_LG_K = 10  # frequent-items map of 1024 slots: keeps about 750 values
_HLL_LG_K = 12  # 4096 buckets: about 1.6 % relative error on the distinct count
# A serializer is made per use, not kept in a module global: a nanobind object still alive
# when the interpreter shuts down is reported as "leaked" on stderr.
_serde = datasketches.PyLongsSerDe
_NO_FALSE_POSITIVES = datasketches.frequent_items_error_type.NO_FALSE_POSITIVES


def value_hash(value: str) -> int:
    """A value's 64-bit hash (signed, as SQLite stores integers), the same in every process."""
    digest = hashlib.blake2b(value.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


class Sketch:
    """One field's frequent-items and distinct-count sketches, over value hashes."""

    def __init__(self, frequent: bytes | None = None, distinct: bytes | None = None):
        if frequent is None:
            self.frequent = datasketches.frequent_items_sketch(_FREQUENT_LG_K)
            self.distinct = datasketches.hll_sketch(_HLL_LG_K)
        else:
            self.frequent = datasketches.frequent_items_sketch.deserialize(frequent, _serde())
            self.distinct = datasketches.hll_sketch.deserialize(distinct)

    def add(self, hashed: int, studies: int = 1) -> bool:
        """Count a value (by hash) for `studies` studies; True once it is worth naming (its
        text should be kept): the sketch has certainly seen it in two studies."""
        self.frequent.update(hashed, studies)
        self.distinct.update(hashed)
        return self.frequent.get_lower_bound(hashed) >= 2

    def serialized(self) -> tuple[bytes, bytes]:
        """The two sketches as bytes, for the store."""
        return self.frequent.serialize(_serde()), self.distinct.serialize_compact()

    def unique(self) -> int:
        """The estimated number of distinct values."""
        return round(self.distinct.get_estimate())

    def top(self, names: dict[int, str]) -> list[tuple[str, int]]:
        """Values certainly above the sketch's error bound, with their estimated counts,
        most frequent first (equal counts in value order); `names` gives hashes' texts."""
        found = self.frequent.get_frequent_items(_NO_FALSE_POSITIVES)
        named = [(names[hashed], estimate) for hashed, estimate, _, _ in found
                 if hashed in names]
        return sorted(named, key=lambda pair: (-pair[1], pair[0]))[:TOP_VALUES]

"""Running tallies behind `/stats/*`: each takes one study at a time and keeps only aggregates.

Every count is per study: a tally is given the set of distinct values one study has for its
field (a study with two sites in Taraz adds "Taraz" once). `summary()` gives the field's
statistics in the shape of the official spec's components (camelCase keys, registry order),
less `type`, `piece`, `field` and `missingStudiesCount`, which the caller knows.

Memory does not grow with the number of studies: a value tally counts values exactly up to
`EXACT_LIMIT` distinct values, then hands over to fixed-size sketches (Apache DataSketches:
frequent items for the top values, HyperLogLog for the distinct count), whose answers are
estimates. Every field of the registry's enums, dates, numbers and booleans stays exact.
"""

from __future__ import annotations

import heapq
from collections import Counter

import datasketches

TOP_VALUES = 250  # the registry caps `topValues` at 250 (REFERENCE.md §13)
EXACT_LIMIT = 1000  # distinct values counted exactly per field
_FREQUENT_LG_K = 10  # frequent-items map of 1024 slots: keeps about 750 values
_HLL_LG_K = 12  # 4096 buckets: about 1.6 % relative error on the distinct count

# Java date patterns, as the registry's documentation writes them, by text length.
DATE_FORMATS = {4: "yyyy", 7: "yyyy-MM", 10: "yyyy-MM-dd", 16: "yyyy-MM-dd'T'HH:mm"}


def top_counts(counts: dict, limit: int) -> list[tuple]:
    """The `limit` (item, count) pairs of highest count; equal counts in item order."""
    return heapq.nsmallest(limit, counts.items(), key=lambda pair: (-pair[1], pair[0]))


class Tally:
    """Studies that have a value for one field."""

    def __init__(self):
        self.studies = 0

    def add(self, values: set, nct_id: str) -> None:
        """Count one study's distinct values of the field (never empty)."""
        self.studies += 1


class ValueTally(Tally):
    """ENUM and STRING fields: distinct values and the most frequent ones."""

    def __init__(self, exact_limit: int = EXACT_LIMIT):
        super().__init__()
        self.exact_limit = exact_limit
        self.counts: Counter | None = Counter()
        self.frequent = self.distinct = None

    def add(self, values: set, nct_id: str) -> None:
        super().add(values, nct_id)
        if self.counts is None:
            for value in values:
                self.frequent.update(value)
                self.distinct.update(value)
            return
        self.counts.update(values)
        if len(self.counts) > self.exact_limit:
            self._to_sketches()

    def _to_sketches(self) -> None:
        """Too many distinct values to keep: carry the exact counts over into sketches."""
        self.frequent = datasketches.frequent_strings_sketch(_FREQUENT_LG_K)
        self.distinct = datasketches.hll_sketch(_HLL_LG_K)
        for value, count in self.counts.items():
            self.frequent.update(value, count)
            self.distinct.update(value)
        self.counts = None

    def summary(self) -> dict:
        if self.counts is not None:
            unique, top = len(self.counts), top_counts(self.counts, TOP_VALUES)
        else:
            unique = round(self.distinct.get_estimate())
            # Only values certainly above the sketch's error bound, with estimated counts.
            found = self.frequent.get_frequent_items(
                datasketches.frequent_items_error_type.NO_FALSE_POSITIVES
            )
            top = [(value, estimate) for value, estimate, _, _ in found[:TOP_VALUES]]
        return {
            "uniqueValuesCount": unique,
            "topValues": [{"value": value, "studiesCount": count} for value, count in top],
        }


class StringTally(ValueTally):
    """STRING fields: also the longest value and the first study (by NCT id) that has it."""

    def __init__(self, exact_limit: int = EXACT_LIMIT):
        super().__init__(exact_limit)
        self.longest: tuple[int, str, str] | None = None

    def add(self, values: set, nct_id: str) -> None:
        super().add(values, nct_id)
        value = max(values, key=lambda text: (len(text), text))
        if self.longest is None or len(value) > self.longest[0]:
            self.longest = (len(value), nct_id, value)

    def summary(self) -> dict:
        summary = super().summary()
        if self.longest is not None:
            length, nct_id, value = self.longest
            summary["longest"] = {"length": length, "nctId": nct_id, "value": value}
        return summary


class DateTally(Tally):
    """DATE fields: the formats seen, the earliest and the latest date."""

    def __init__(self):
        super().__init__()
        self.formats: set[str] = set()
        self.min = self.max = None

    def add(self, values: set, nct_id: str) -> None:
        super().add(values, nct_id)
        self.formats.update(DATE_FORMATS.get(len(value), "other") for value in values)
        # ISO dates compare as text; a partial date sorts before the full dates it covers.
        low, high = min(values), max(values)
        self.min = low if self.min is None else min(self.min, low)
        self.max = high if self.max is None else max(self.max, high)

    def summary(self) -> dict:
        order = list(DATE_FORMATS.values())
        summary = {
            "formats": sorted(
                self.formats, key=lambda name: order.index(name) if name in order else len(order)
            )
        }
        if self.min is not None:
            summary |= {"min": self.min, "max": self.max}
        return summary


class NumberTally(Tally):
    """INTEGER and NUMBER fields: least, greatest and mean of the values."""

    def __init__(self):
        super().__init__()
        self.min = self.max = None
        self.total = 0
        self.count = 0

    def add(self, values: set, nct_id: str) -> None:
        super().add(values, nct_id)
        low, high = min(values), max(values)
        self.min = low if self.min is None else min(self.min, low)
        self.max = high if self.max is None else max(self.max, high)
        # The mean is over each study's distinct values, like every other count here.
        self.total += sum(values)
        self.count += len(values)

    def summary(self) -> dict:
        if self.count == 0:
            return {}
        return {"min": self.min, "max": self.max, "avg": self.total / self.count}


class BooleanTally(Tally):
    """BOOLEAN fields: studies with a true value, studies with a false value."""

    def __init__(self):
        super().__init__()
        self.true_count = self.false_count = 0

    def add(self, values: set, nct_id: str) -> None:
        super().add(values, nct_id)
        self.true_count += True in values
        self.false_count += False in values

    def summary(self) -> dict:
        return {"trueCount": self.true_count, "falseCount": self.false_count}


class SizeTally(Tally):
    """List fields: how many studies have a list of each size."""

    def __init__(self):
        super().__init__()
        self.counts: Counter = Counter()

    def add(self, values: set, nct_id: str) -> None:
        super().add(values, nct_id)
        self.counts.update(values)

    def summary(self) -> dict:
        summary = {"uniqueSizesCount": len(self.counts)}
        if self.counts:
            summary |= {"minSize": min(self.counts), "maxSize": max(self.counts)}
        top = top_counts(self.counts, TOP_VALUES)
        summary["topSizes"] = [{"size": size, "studiesCount": count} for size, count in top]
        return summary

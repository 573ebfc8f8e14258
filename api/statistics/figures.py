"""The figures a store keeps for `/stats/*`, and the registry's JSON items made from them.

A store answers with plain aggregates (`FieldFigures`, `SizeFigures`); this module turns them
into the official spec's components (camelCase keys, registry order), one item per field,
already encoded as JSON because the items are large and the same for every request.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field

from api import json_text
from api.statistics.fields import historic, stats_type
from api.statistics.sketches import TOP_VALUES, Sketch
from schemas.catalogue import FieldNode

LARGEST_STUDIES = 10
PERCENTILES = (5, 25, 50, 75, 95)
# Java date patterns, as the registry's documentation writes them, by text length.
DATE_FORMATS = {4: "yyyy", 7: "yyyy-MM", 10: "yyyy-MM-dd", 16: "yyyy-MM-dd'T'HH:mm"}


@dataclass
class FieldFigures:
    """Every field's aggregates, by node path; a field no study has is absent everywhere."""

    total: int = 0  # studies in the store
    studies: dict[str, int] = field(default_factory=dict)  # studies with a value, per leaf
    counts: dict[str, dict] = field(default_factory=dict)  # exact value -> studies
    sketches: dict[str, tuple[bytes, bytes]] = field(default_factory=dict)  # past the limit
    names: dict[str, dict[int, str]] = field(default_factory=dict)  # sketched hashes' texts
    ranges: dict[str, tuple] = field(default_factory=dict)  # dates, numbers: (min, max)
    means: dict[str, float] = field(default_factory=dict)  # numbers: mean of study values
    lengths: dict[str, set[int]] = field(default_factory=dict)  # dates: lengths of values
    longest: dict[str, tuple[int, str, str]] = field(default_factory=dict)  # (len, id, text)
    sizes: dict[str, dict[int, int]] = field(default_factory=dict)  # list size -> studies


@dataclass
class SizeFigures:
    """The stored documents' gzip sizes: what GzipStats reports."""

    total_studies: int = 0
    total_bytes: int = 0
    largest: list[tuple[str, int]] = field(default_factory=list)  # (NCT id, size)
    percentiles: dict[int, int] = field(default_factory=dict)  # rank -> size
    ranges: list[tuple[str, int]] = field(default_factory=list)  # (label, studies), ascending


def top_counts(counts: dict, limit: int = TOP_VALUES) -> list[tuple]:
    """The `limit` (item, count) pairs of highest count; equal counts in item order."""
    return heapq.nsmallest(limit, counts.items(), key=lambda pair: (-pair[1], pair[0]))


def size_range(size: int) -> str:
    """The range of sizes `size` falls in: 0-1KB, 1-2KB, 2-4KB, ... (1 KB = 1024 bytes)."""
    kilobytes = size // 1024
    if kilobytes == 0:
        return "0-1KB"
    low = 1 << (kilobytes.bit_length() - 1)
    return f"{low}-{2 * low}KB"


def percentile_rank(count: int, rank: int) -> int:
    """The 0-based position of the nearest-rank `rank`-th percentile among `count` sizes."""
    return max(math.ceil(rank / 100 * count), 1) - 1


def _values(path: str, figures: FieldFigures) -> dict:
    if path in figures.sketches:
        sketch = Sketch(*figures.sketches[path])
        unique, top = sketch.unique(), sketch.top(figures.names.get(path, {}))
    else:
        counts = figures.counts.get(path, {})
        unique, top = len(counts), top_counts(counts)
    summary = {"uniqueValuesCount": unique,
               "topValues": [{"value": value, "studiesCount": count} for value, count in top]}
    if path in figures.longest:
        length, nct_id, value = figures.longest[path]
        summary["longest"] = {"length": length, "nctId": nct_id, "value": value}
    return summary


def _dates(path: str, figures: FieldFigures) -> dict:
    order = list(DATE_FORMATS.values())
    formats = {DATE_FORMATS.get(length, "other") for length in figures.lengths.get(path, ())}
    summary = {"formats": sorted(formats, key=lambda name: order.index(name)
                                 if name in order else len(order))}
    if path in figures.ranges:
        summary["min"], summary["max"] = figures.ranges[path]
    return summary


def _numbers(path: str, figures: FieldFigures) -> dict:
    if path not in figures.ranges:
        return {}
    low, high = figures.ranges[path]
    return {"min": low, "max": high, "avg": figures.means[path]}


def _booleans(path: str, figures: FieldFigures) -> dict:
    counts = figures.counts.get(path, {})
    return {"trueCount": counts.get(1, 0), "falseCount": counts.get(0, 0)}


SUMMARIES = {"ENUM": _values, "STRING": _values, "DATE": _dates, "INTEGER": _numbers,
             "NUMBER": _numbers, "BOOLEAN": _booleans}


def value_item(node: FieldNode, figures: FieldFigures) -> bytes:
    """A FieldValuesStats item: type, piece, field, missing count, then the type's figures."""
    kind = stats_type(node)
    head = {"type": kind, "piece": node.piece, "field": node.path,
            "missingStudiesCount": figures.total - figures.studies.get(node.path, 0)}
    return json_text.dumps_bytes(head | SUMMARIES[kind](node.path, figures))


def size_item(node: FieldNode, figures: FieldFigures) -> bytes:
    """A ListSizes item: field, piece, then how many studies have lists of each size."""
    counts = figures.sizes.get(node.path, {})
    summary = {"field": node.path, "piece": node.piece, "uniqueSizesCount": len(counts)}
    if counts:
        summary |= {"minSize": min(counts), "maxSize": max(counts)}
    summary["topSizes"] = [{"size": size, "studiesCount": count}
                           for size, count in top_counts(counts)]
    return json_text.dumps_bytes(summary)


def size_stats(figures: SizeFigures) -> dict:
    """GzipStats (snake_case: the response schema renames) of the stored documents."""
    count = figures.total_studies
    return {
        "total_studies": count,
        "average_size_bytes": round(figures.total_bytes / count) if count else 0,
        "largest_studies": [{"id": nct_id, "size_bytes": size}
                            for nct_id, size in figures.largest],
        "percentiles": {str(rank): figures.percentiles[rank] for rank in PERCENTILES}
        if count else {},
        "ranges": [{"size_range": label, "studies_count": studies}
                   for label, studies in figures.ranges],
    }


def current(nodes) -> list[str]:
    """The paths of `nodes` a request without `fields` gets: all but historic ones."""
    return [node.path for node in nodes if not historic(node)]

"""What one study adds to the statistics, worked out once from its parsed document.

For each leaf field with value statistics, the set of distinct values the study has there
(a study with two sites in Taraz has "Taraz" once: every count is per study); for each list
field, the set of sizes its lists have; and the gzip size of the stored text. The store
applies these as deltas: a new study adds its contribution, a replaced one takes the old
one out and puts the new one in, a removed one takes its out.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field

from api.statistics.fields import Step, steps

# Java's default deflate level (GZIPOutputStream), on the guess that the registry's figures
# come from its Java servers; Python's gzip defaults to 9: slightly smaller, and slower.
GZIP_LEVEL = 6


@dataclass(slots=True)
class Contribution:
    """One study's part of the statistics (see the module's docstring), by node path."""

    values: dict[str, set] = field(default_factory=dict)
    sizes: dict[str, set[int]] = field(default_factory=dict)
    gzip_size: int | None = None  # None when only values and sizes are needed (old versions)


def gzip_size(data: bytes) -> int:
    """The size of `data` gzip-compressed as `/stats/size` counts it (level 6, no timestamp)."""
    return len(gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0))


def contribution(document: dict, stored: bytes | None = None) -> Contribution:
    """The contribution of a parsed study; with its stored bytes `stored`, its gzip size too."""
    found = Contribution(gzip_size=None if stored is None else gzip_size(stored))
    _visit(document, steps(), found.values, found.sizes)
    return found


def _visit(document: dict, here: dict[str, Step], values: dict, sizes: dict) -> None:
    """Gather `document`'s leaf values into `values` and list lengths into `sizes`."""
    # Plain locals and `__class__ is`: this runs for every key of every study written.
    for key, value in document.items():
        step = here.get(key)
        if step is None:
            continue
        path, listed, counted, children = step
        if listed and value.__class__ is list:
            seen = sizes.get(path)
            if seen is None:
                sizes[path] = {len(value)}
            else:
                seen.add(len(value))
            items = value
        else:
            items = (value,)
        if children:
            for item in items:
                if item.__class__ is dict:
                    _visit(item, children, values, sizes)
        elif counted and items:
            seen = values.get(path)
            if seen is None:
                values[path] = set(items)
            else:
                seen.update(items)

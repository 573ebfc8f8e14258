"""Loading registry JSON into the store, through the guard.

Accepts single-study JSON (the registry's `GET /studies/{nctId}` output) and `/studies` page
files (`{"studies": [...]}`), from any source `api.sources` reads. Each unit (a file, a zip
member, a line) is all-or-nothing: if any study in it is refused, nothing from it is stored.

A study is stored as the exact text it arrived in, less insignificant whitespace, so keys,
key order, values and number literals come back as the registry wrote them.

One concern a module:

- `jsontext`: JSON text itself (minifying, strict decoding, page spans, the nesting scan);
- `records`: one unit of text -> records (limits, parsing, the guard);
- `pool`: checking units in worker processes that never outlive the import;
- `batches`: writing checked units in batches, alias clashes, the load report;
- `stopping`: SIGTERM and Ctrl-C stop after the batch being written;
- `report`: the refusal report file.
"""

from __future__ import annotations

from pathlib import Path

from api import sources
from api.loading.batches import LoadReport, load
from api.loading.jsontext import deeper_than, minify, parse
from api.loading.records import (DEFAULT_LIMITS, Accepted, Limits, Refused, check,
                                 records_from_text, to_record)
from api.loading.stopping import GracefulStop
from api.store import Store

__all__ = ["Accepted", "GracefulStop", "Limits", "LoadReport", "Refused", "check",
           "deeper_than", "load", "load_files", "minify", "parse", "records_from_text",
           "to_record"]


def load_files(store: Store, paths: list[Path], *, limits: Limits = DEFAULT_LIMITS,
               **options) -> LoadReport:
    """Load every record source under `paths` into `store` (see `api.sources`)."""
    return load(store, sources.units(paths, limits.max_bytes), limits=limits, **options)

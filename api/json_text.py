"""JSON text as the registry writes it: compact, keys in their own order, UTF-8 unescaped.

The one definition of that form: responses built from stored documents, page envelopes,
statistics, page tokens and the loader's check for already-compact input all use it.
"""

from __future__ import annotations

import json


def dumps(value) -> str:
    """`value` as compact JSON text, key order kept, non-ASCII characters as they are."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def dumps_bytes(value) -> bytes:
    """`dumps(value)` encoded as UTF-8, ready for the wire."""
    return dumps(value).encode()

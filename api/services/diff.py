"""How two versions of a study differ: an RFC 6902 JSON Patch and a per-piece summary.

The patch is computed by `jsonpatch` (applied to the older text it gives the newer, exactly).
The summary reads both texts through the field catalogue, leaf by leaf in registry order,
and names each leaf piece whose values differ, with its values before and after
(`OverallStatus: RECRUITING -> COMPLETED`): the catalogue is the one table of pieces and
their paths, so a piece added to the schemas is summarised without touching this module.
"""

from __future__ import annotations

from dataclasses import dataclass

import jsonpatch

from api import json_text
from api.search import fields

NONE = "(none)"
# How much of each side of a change the summary line shows: a criteria text can run to pages.
SUMMARY_CHARS = 120


@dataclass(frozen=True)
class PieceChange:
    """A leaf piece whose values differ: every value at its path, before and after."""

    piece: str
    path: str
    before: list
    after: list

    @property
    def summary(self) -> str:
        """`Piece: before -> after`, each side cut to `SUMMARY_CHARS` characters."""
        return f"{self.piece}: {_shown(self.before)} -> {_shown(self.after)}"


def patch(source: dict, target: dict) -> list[dict]:
    """The JSON Patch (RFC 6902) operations that turn `source` into `target`."""
    return jsonpatch.make_patch(source, target).patch


def values_at(document: dict, keys: tuple[str, ...]) -> list:
    """Every value at the path `keys`, lists along the way (and at the end) flattened, in
    document order: `conditions` gives each condition, `locations.city` each site's city."""
    found = [document]
    for key in keys:
        below = []
        for item in found:
            if isinstance(item, dict) and key in item:
                value = item[key]
                below.extend(value if isinstance(value, list) else (value,))
        found = below
    return found


def piece_changes(source: dict, target: dict) -> list[PieceChange]:
    """The leaf pieces whose values differ between `source` and `target`, in registry order."""
    changes = []
    for node in fields.leaves():
        before, after = values_at(source, node.keys), values_at(target, node.keys)
        if before != after:
            changes.append(PieceChange(node.piece, node.path, before, after))
    return changes


def _shown(values: list) -> str:
    """Values as the summary shows them: plain text, several joined by ` | `."""
    if not values:
        return NONE
    text = " | ".join(value if isinstance(value, str) else json_text.dumps(value)
                      for value in values)
    return text if len(text) <= SUMMARY_CHARS else text[:SUMMARY_CHARS - 1] + "…"

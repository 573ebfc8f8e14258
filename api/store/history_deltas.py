"""A study's history, backend-neutral: how versions are encoded and what they record.

Each older version of a study is kept as a *reverse delta* against its successor (zstandard
with the successor's bytes as a raw-content dictionary), a removed study's last text whole,
the current one not at all (it is the study's document). These pure functions are shared by
the stores (`sqlite_history`, `postgres_history`) and the pruning (`history_prune`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import orjson
import zstandard

from api.search.extract import IndexEntry
from api.store.base import History, Version, content_tag

# How a row's body is kept.
CURRENT, DELTA, WHOLE = 0, 1, 2
# zstandard's default level: on synthetic registry records a status-and-dates delta is as
# small as at higher levels (a few bytes more), in half the time of level 9; level 1 makes
# deltas three times larger for little time saved (most of it is digesting the dictionary).
LEVEL = 3


@dataclass(frozen=True)
class Text:
    """One accepted text of a study: its bytes and parsed document."""

    json: bytes
    document: dict


# The index's pieces of `facts` (values as written: `api.search.fields.stored_value`).
_FACTS = ("LastUpdatePostDate", "OverallStatus")


def facts(document: dict) -> tuple[str | None, str | None]:
    """A document's (lastUpdatePostDate, overallStatus), as written."""
    status_module = document.get("protocolSection", {}).get("statusModule", {})
    return (status_module.get("lastUpdatePostDateStruct", {}).get("date"),
            status_module.get("overallStatus"))


def entry_facts(entry: IndexEntry) -> tuple[str | None, str | None]:
    """`facts` of a study from its index entry, without parsing its text."""
    found = {piece: value for piece, value, _ in entry.values if piece in _FACTS}
    return found.get(_FACTS[0]), found.get(_FACTS[1])


def module_paths(document: dict) -> Iterator[str]:
    """The modules of a document as paths (`protocolSection.statusModule`), top-level keys
    without modules (`hasResults`) by name."""
    for key, value in document.items():
        if isinstance(value, dict):
            yield from (f"{key}.{module}" for module in value)
        else:
            yield key


def _piece(document: dict, path: str):
    section, _, module = path.partition(".")
    value = document.get(section, _MISSING)
    if module and isinstance(value, dict):
        return value.get(module, _MISSING)
    return _MISSING if module else value


_MISSING = object()


def changed_modules(old: dict, new: dict) -> tuple[str, ...]:
    """The module paths whose value differs between `old` and `new` (new's order first)."""
    paths = dict.fromkeys([*module_paths(new), *module_paths(old)])
    return tuple(path for path in paths if _piece(old, path) != _piece(new, path))


def delta(text: bytes, successor: bytes) -> bytes:
    """`text` compressed with `successor` as a raw-content dictionary (a reverse delta)."""
    dictionary = zstandard.ZstdCompressionDict(successor,
                                               dict_type=zstandard.DICT_TYPE_RAWCONTENT)
    return zstandard.ZstdCompressor(level=LEVEL, dict_data=dictionary).compress(text)


def undelta(body: bytes, successor: bytes) -> bytes:
    """The text a `delta` against `successor` was made of."""
    dictionary = zstandard.ZstdCompressionDict(successor,
                                               dict_type=zstandard.DICT_TYPE_RAWCONTENT)
    return zstandard.ZstdDecompressor(dict_data=dictionary).decompress(body)


def whole(text: bytes) -> bytes:
    """`text` compressed on its own (a removed study's last version)."""
    return zstandard.ZstdCompressor(level=LEVEL).compress(text)


def unwhole(body: bytes) -> bytes:
    return zstandard.ZstdDecompressor().decompress(body)


def version_rows(nct_id: str, number: int, chain: list[Text], previous: Text | None,
                 stamp: str) -> list[tuple]:
    """The `versions` rows (nct_id, number, date, status, stored_at, tag, modules, encoding,
    body) of the accepted texts `chain`, numbered from `number`, the last one now current
    (its bytes are the study's document), each other one a delta against its successor;
    `previous`: the newest text kept before them (None: `chain[0]` lists every module)."""
    rows, before = [], previous
    for index, text in enumerate(chain):
        last = index == len(chain) - 1
        modules = None if before is None else ",".join(changed_modules(before.document,
                                                                       text.document))
        body = None if last else delta(text.json, chain[index + 1].json)
        rows.append((nct_id, number + index, *facts(text.document), stamp,
                     content_tag(text.json), modules, CURRENT if last else DELTA, body))
        before = text
    return rows


def decoded(rows: Iterable[tuple],
            current: Callable[[], bytes]) -> Iterator[tuple[int, str, bytes]]:
    """(number, tag, bytes) of each of a study's `versions` rows (number, tag, encoding,
    body), given newest first; `current()` reads the study's document (a CURRENT row's)."""
    successor = None
    for number, tag, encoding, body in rows:
        if encoding == CURRENT:
            successor = current()
        elif encoding == WHOLE:
            successor = unwhole(body)
        else:
            successor = undelta(body, successor)
        yield number, tag, successor


def history_of(nct_id: str, rows: list[tuple], removed_at: str | None,
               text_of: Callable[[int], bytes]) -> History | None:
    """The `History` of a study's `versions` rows (number, date, status, stored_at, tag,
    modules) in number order; `text_of(number)` reads a version whose modules are not
    listed (its first kept: every module it has). None if never stored."""
    if not rows and removed_at is None:
        return None
    versions = []
    for number, date, status, stored_at, tag, modules in rows:
        if modules is None:  # every module its text has: read it (rare: one per study)
            paths = tuple(module_paths(orjson.loads(text_of(number))))
        else:
            paths = tuple(modules.split(",")) if modules else ()
        versions.append(Version(number, date, status, stored_at, tag, paths))
    return History(nct_id, tuple(versions), removed_at)

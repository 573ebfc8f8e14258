"""From one unit of JSON text to storable records: limits, parsing, the guard.

`check` is what the worker processes run: plain data in (`Unit`, `Limits`), plain data
out (records, or why the unit is refused), so that it crosses process boundaries.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from api.loading.jsontext import compact_document, deeper_than, minify, parse
from api.search.extract import extract
from api.statistics.contributions import contribution
from api.sources import Unit
from api.store import Record
from schemas import guard
from schemas.guard import Problem, RecordRefused

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """How large and how deeply nested one document may be.

    The largest real record is about 3.6 MB and real records nest 11 deep (a `/studies`
    page adds two levels): the defaults are far above, and keep one hostile document from
    exhausting memory or the parser's recursion.
    """

    max_bytes: int = 64 * MiB
    max_depth: int = 64


DEFAULT_LIMITS = Limits()


def to_record(document, raw: str, source: str) -> Record:
    """Check `document` with the guard and make it a storable `Record` of its raw text."""
    guard.check(document, source)
    return _record(document, minify(raw, document))


def _record(document, text: str) -> Record:
    """The `Record` of a `document` the guard accepted, stored as `text`."""
    identification = document["protocolSection"]["identificationModule"]
    return Record(identification["nctId"], text,
                  tuple(identification.get("nctIdAliases", ())), extract(document),
                  contribution(document, text.encode()))


def _compact_study(text: str, source: str, limits: Limits) -> list[Record] | None:
    """The common case, cheaply: `text` is one study, compact, that the guard accepts.

    None for anything else, which `records_from_text` then reads the careful way: it
    comes to the same records, or refuses with the same problems. The nesting scan is
    skipped when the schema itself bounds the nesting within the limit.
    """
    document = compact_document(text)
    if not isinstance(document, dict) or isinstance(document.get("studies"), list):
        return None
    bound = guard.depth_bound()
    if (bound is None or bound > limits.max_depth) and deeper_than(text, limits.max_depth):
        return None
    try:
        guard.check(document, source)
    except RecordRefused:
        return None
    return [_record(document, text.strip(" \t\n\r"))]


def _bounded_size(text: str, source: str, limits: Limits) -> None:
    """Refuse `text` over the size limit, before parsing it."""
    # Characters never outnumber UTF-8 bytes: encode only when it could be too large.
    if len(text) * 4 > limits.max_bytes and len(text.encode()) > limits.max_bytes:
        raise RecordRefused(source, [Problem("", "size", f"larger than the limit of "
                                             f"{limits.max_bytes:,} bytes")])


def records_from_text(text: str, source: str, limits: Limits = DEFAULT_LIMITS) -> list[Record]:
    """Every study in `text` as a `Record`; raises `RecordRefused` at the first refusal."""
    _bounded_size(text, source, limits)
    if (records := _compact_study(text, source, limits)) is not None:
        return records
    if deeper_than(text, limits.max_depth):
        raise RecordRefused(source, [Problem("", "depth", f"nested deeper than the limit "
                                             f"of {limits.max_depth} levels")])
    records = [to_record(document, raw, label) for label, document, raw in parse(text, source)]
    counts = Counter(record.nct_id for record in records)
    duplicates = sorted(nct_id for nct_id, times in counts.items() if times > 1)
    if duplicates:
        raise RecordRefused(source, [Problem("", "unique", f"{duplicates[0]} appears more than once")])
    return records


@dataclass(frozen=True)
class Refused:
    """A refused unit: its label, the study within it that failed, and why."""

    label: str
    source: str
    problems: list[Problem]

    @property
    def message(self) -> str:
        """The refusal in one line, as people read it."""
        return str(RecordRefused(self.source, self.problems))


@dataclass(frozen=True)
class Accepted:
    """A unit that passed the guard: its label and its records."""

    label: str
    records: list[Record]


def check(unit: Unit, limits: Limits = DEFAULT_LIMITS) -> Accepted | Refused:
    """A unit's records, or why it is refused (plain data, so it crosses processes)."""
    try:
        return Accepted(unit.label, records_from_text(unit.text, unit.label, limits))
    except RecordRefused as refusal:
        return Refused(unit.label, refusal.source, refusal.problems)

"""Loading registry JSON into the store, through the guard.

Accepts single-study JSON (the registry's `GET /studies/{nctId}` output) and `/studies` page
files (`{"studies": [...]}`), from any source `api.sources` reads. Each unit (a file, a zip
member, a line) is all-or-nothing: if any study in it is refused, nothing from it is stored.

A study is stored as the exact text it arrived in, less insignificant whitespace, so keys,
key order, values and number literals come back as the registry wrote them.
"""

from __future__ import annotations

import collections
import itertools
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from api import sources
from api.sources import Unit, Unreadable
from api.search.extract import extract
from api.store import Record, Store
from schemas import guard
from schemas.guard import Problem, RecordRefused

_WHITESPACE = re.compile(r"[ \t\n\r]*")
# A JSON string token, or a run of whitespace outside strings.
_TOKENS = re.compile(r'("(?:[^"\\]|\\.)*")|[ \t\n\r]+')


def minify(text: str, document=None) -> str:
    """`text` without the whitespace between JSON tokens; strings are left untouched.

    Given the parsed `document`, compact text (NDJSON, the registry's own responses) is
    recognised by re-encoding it, several times faster than scanning it token by token.
    """
    text = text.strip()
    if document is not None and json.dumps(
            document, ensure_ascii=False, separators=(",", ":")) == text:
        return text
    return _TOKENS.sub(lambda match: match.group(1) or "", text)


def _unique_keys(pairs: list[tuple[str, object]]) -> dict:
    """An object hook refusing duplicate keys, which JSON parsers resolve differently."""
    document = dict(pairs)
    if len(document) != len(pairs):
        seen = set()
        duplicate = next(key for key, _ in pairs if key in seen or seen.add(key))
        raise ValueError(f"duplicate key {duplicate!r}")
    return document


_DECODER = json.JSONDecoder(object_pairs_hook=_unique_keys)


def _skip(text: str, pos: int) -> int:
    return _WHITESPACE.match(text, pos).end()


def _page_spans(text: str) -> list[str]:
    """The raw text of each element of the top-level `studies` array of valid JSON `text`."""
    pos = _skip(text, 0) + 1  # past the opening brace
    while True:
        pos = _skip(text, pos)
        if text[pos] == ",":
            pos = _skip(text, pos + 1)
        key, pos = json.decoder.scanstring(text, pos + 1)
        pos = _skip(text, _skip(text, pos) + 1)  # past the colon
        if key != "studies":
            pos = _DECODER.raw_decode(text, pos)[1]
            continue
        spans, pos = [], pos + 1  # past the opening bracket
        while True:
            pos = _skip(text, pos)
            if text[pos] == "]":
                return spans
            if text[pos] == ",":
                pos = _skip(text, pos + 1)
            end = _DECODER.raw_decode(text, pos)[1]
            spans.append(text[pos:end])
            pos = end


def parse(text: str, source: str) -> list[tuple[str, object, str]]:
    """The studies in one file's text, each as (source label, document, raw text)."""
    text = text.removeprefix("\ufeff")
    try:
        top = _DECODER.decode(text)
    except ValueError as error:
        raise RecordRefused(source, [Problem("", "json", f"not valid JSON: {error}")]) from None
    if isinstance(top, dict) and isinstance(top.get("studies"), list):
        return [(f"{source} studies[{index}]", document, raw) for index, (document, raw)
                in enumerate(zip(top["studies"], _page_spans(text), strict=True))]
    return [(source, top, text)]


def to_record(document, raw: str, source: str) -> Record:
    """Check `document` with the guard and make it a storable `Record` of its raw text."""
    guard.check(document, source)
    identification = document["protocolSection"]["identificationModule"]
    return Record(identification["nctId"], minify(raw, document),
                  tuple(identification.get("nctIdAliases", ())), extract(document))


def records_from_text(text: str, source: str) -> list[Record]:
    """Every study in `text` as a `Record`; raises `RecordRefused` at the first refusal."""
    records = [to_record(document, raw, label) for label, document, raw in parse(text, source)]
    ids = [record.nct_id for record in records]
    duplicates = sorted({nct_id for nct_id in ids if ids.count(nct_id) > 1})
    if duplicates:
        raise RecordRefused(source, [Problem("", "unique", f"{duplicates[0]} appears more than once")])
    return records


@dataclass(frozen=True)
class Refused:
    """A refused unit: its label, the study within it that failed, and why."""

    label: str
    source: str
    problems: list[Problem]


def check(unit: Unit) -> list[Record] | Refused:
    """A unit's records, or why it is refused (plain data, so it crosses processes)."""
    try:
        return records_from_text(unit.text, unit.label)
    except RecordRefused as refusal:
        return Refused(unit.label, refusal.source, refusal.problems)


@dataclass
class LoadReport:
    """What a load did: studies by outcome, units stored, units refused and why."""

    counts: Counter = field(default_factory=Counter)
    units: int = 0
    refused: dict[str, str] = field(default_factory=dict)
    problems: dict[str, list[Problem]] = field(default_factory=dict)

    def count(self, what: str) -> int:
        """How many studies were `added`, `replaced`, `unchanged` or `outdated`."""
        return self.counts[what]

    def summary(self) -> str:
        """One line for people."""
        return (f"{self.units} loaded: {self.count('added')} added, "
                f"{self.count('replaced')} replaced, {self.count('unchanged')} unchanged, "
                f"{self.count('outdated')} older than stored; {len(self.refused)} refused")


def _check_all(units: list[Unit]) -> list:
    return [check(unit) for unit in units]


def _with_results(chunk: list, results: list) -> Iterator:
    """The outcome of each item of `chunk`: unreadable ones as they are, units checked."""
    checked = iter(results)
    for item in chunk:
        yield item if isinstance(item, Unreadable) else next(checked)


def _checked(items: Iterable, workers: int, chunk_size: int = 64) -> Iterator:
    """`check` over the units, in order; in worker processes when `workers` > 1.

    Several chunks are in flight at once, so the workers keep checking while this process
    writes what they have checked.
    """
    if workers <= 1:
        for item in items:
            yield item if isinstance(item, Unreadable) else check(item)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending: collections.deque = collections.deque()
        iterator = iter(items)
        while chunk := list(itertools.islice(iterator, chunk_size)):
            units = [item for item in chunk if isinstance(item, Unit)]
            pending.append((chunk, pool.submit(_check_all, units)))
            if len(pending) >= 4 * workers:
                chunk, future = pending.popleft()
                yield from _with_results(chunk, future.result())
        for chunk, future in pending:
            yield from _with_results(chunk, future.result())


def load(store: Store, items: Iterable, *, batch_size: int = 500, workers: int = 1,
         progress: Callable[[int], None] | None = None) -> LoadReport:
    """Check every unit and store the accepted ones, committing about `batch_size` studies
    at a time: an interrupted load keeps every batch written before.
    """
    report, batch, batch_units = LoadReport(), [], 0

    def flush():
        nonlocal batch, batch_units
        if batch:
            result = store.put(batch)
            for what in ("added", "replaced", "unchanged", "outdated"):
                report.counts[what] += len(getattr(result, what))
            report.units += batch_units
        batch, batch_units = [], 0

    for outcome in _checked(items, workers):
        if isinstance(outcome, Unreadable):
            report.refused[outcome.label] = outcome.message
        elif isinstance(outcome, Refused):
            report.refused[outcome.label] = str(RecordRefused(outcome.source, outcome.problems))
            report.problems[outcome.label] = outcome.problems
        else:
            batch.extend(outcome)
            batch_units += 1
            if len(batch) >= batch_size:
                flush()
        if progress is not None:
            progress(1)
    flush()
    return report


def load_files(store: Store, paths: list[Path], **options) -> LoadReport:
    """Load every record source under `paths` into `store` (see `api.sources`)."""
    return load(store, sources.units(paths), **options)

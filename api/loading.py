"""Loading registry JSON into the store, through the guard.

Accepts single-study files (the registry's `GET /studies/{nctId}` output), `/studies` page
files (`{"studies": [...]}`) and directories of either. Each file is all-or-nothing: if any
study in it is refused, nothing from that file is stored.

A study is stored as the exact text it arrived in, less insignificant whitespace, so keys,
key order, values and number literals come back as the registry wrote them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from api.store import Record, Store, WriteResult
from schemas.guard import Problem, RecordRefused, check

_WHITESPACE = re.compile(r"[ \t\n\r]*")
# A JSON string token, or a run of whitespace outside strings.
_TOKENS = re.compile(r'("(?:[^"\\]|\\.)*")|[ \t\n\r]+')


def minify(text: str) -> str:
    """`text` without the whitespace between JSON tokens; strings are left untouched."""
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
                in enumerate(zip(top["studies"], _page_spans(text)))]
    return [(source, top, text)]


def to_record(document, raw: str, source: str) -> Record:
    """Check `document` with the guard and make it a storable `Record` of its raw text."""
    check(document, source)
    identification = document["protocolSection"]["identificationModule"]
    return Record(identification["nctId"], minify(raw),
                  tuple(identification.get("nctIdAliases", ())))


def records_from_text(text: str, source: str) -> list[Record]:
    """Every study in `text` as a `Record`; raises `RecordRefused` at the first refusal."""
    records = [to_record(document, raw, label) for label, document, raw in parse(text, source)]
    ids = [record.nct_id for record in records]
    duplicates = sorted({nct_id for nct_id in ids if ids.count(nct_id) > 1})
    if duplicates:
        raise RecordRefused(source, [Problem("", "unique", f"{duplicates[0]} appears more than once")])
    return records


@dataclass
class LoadReport:
    """What a load did, file by file."""

    written: dict[str, WriteResult] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)

    def count(self, what: str) -> int:
        """How many studies were `added`, `replaced` or `unchanged` over all files."""
        return sum(len(getattr(result, what)) for result in self.written.values())


def json_files(paths: list[Path]) -> list[Path]:
    """The files to load: each file given, and the `*.json` files below each directory."""
    files = []
    for path in paths:
        files.extend(sorted(path.rglob("*.json")) if path.is_dir() else [path])
    return files


def load_files(store: Store, paths: list[Path]) -> LoadReport:
    """Load every file under `paths` into `store`, each file all-or-nothing."""
    report = LoadReport()
    for path in json_files(paths):
        try:
            text = path.read_text(encoding="utf-8")
            report.written[str(path)] = store.put(records_from_text(text, str(path)))
        except RecordRefused as refusal:
            report.refused[str(path)] = str(refusal)
        except (OSError, UnicodeDecodeError) as error:
            report.refused[str(path)] = f"{path}: cannot read: {error}"
    return report

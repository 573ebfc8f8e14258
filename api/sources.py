"""Where records come from: files, directories, zips, newline-delimited JSON, standard input.

Every source is read as a stream of `Unit`s: a piece of JSON text holding one study or a
`/studies` page, stored all-or-nothing. A `.json` file is one unit; each `.json` member of
a zip (the registry's bulk download: one file per study) is one; each line of an `.ndjson`
or `.jsonl` file is one. Standard input (`-`) is newline-delimited JSON when its first line
is a whole JSON value, else one JSON document.
"""

from __future__ import annotations

import io
import json
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

LINE_SUFFIXES = (".ndjson", ".jsonl")
SUFFIXES = (".json", ".zip", *LINE_SUFFIXES)
STDIN = "-"


@dataclass(frozen=True)
class Unit:
    """JSON text of one study or page, and where it came from."""

    label: str
    text: str


@dataclass(frozen=True)
class Unreadable:
    """A source that could not be read at all."""

    label: str
    message: str


def files(paths: list[Path]) -> list[Path]:
    """The files to read: each one given, and the record files below each directory."""
    found = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES))
        else:
            found.append(path)
    return found


def count(paths: list[Path]) -> int | None:
    """How many units the paths hold (None when standard input is among them)."""
    total = 0
    for path in files(paths):
        if str(path) == STDIN:
            return None
        try:
            if path.suffix.lower() == ".zip":
                with zipfile.ZipFile(path) as archive:
                    total += sum(1 for name in archive.namelist() if _is_json_member(name))
            elif path.suffix.lower() in LINE_SUFFIXES:
                with path.open("rb") as stream:
                    total += sum(1 for line in stream if line.strip())
            else:
                total += 1
        except (OSError, zipfile.BadZipFile):
            total += 1
    return total


def units(paths: list[Path]) -> Iterator[Unit | Unreadable]:
    """Every unit of every source, in order."""
    for path in files(paths):
        label = str(path)
        try:
            if label == STDIN:
                yield from _stdin()
            elif path.suffix.lower() == ".zip":
                yield from _zip(path)
            elif path.suffix.lower() in LINE_SUFFIXES:
                with path.open(encoding="utf-8") as stream:
                    yield from _lines(stream, label)
            else:
                yield Unit(label, path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, zipfile.BadZipFile) as error:
            yield Unreadable(label, f"{label}: cannot read: {error}")


def _is_json_member(name: str) -> bool:
    return name.lower().endswith(".json") and not name.endswith("/")


def _zip(path: Path) -> Iterator[Unit | Unreadable]:
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if _is_json_member(name):
                label = f"{path}:{name}"
                try:
                    yield Unit(label, archive.read(name).decode("utf-8"))
                except UnicodeDecodeError as error:
                    yield Unreadable(label, f"{label}: cannot read: {error}")


def _lines(stream, label: str, first: int = 1) -> Iterator[Unit]:
    for number, line in enumerate(stream, start=first):
        if line.strip():
            yield Unit(f"{label}:{number}", line)


def _stdin() -> Iterator[Unit]:
    stream = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8")
    first = stream.readline()
    try:
        json.loads(first)
    except ValueError:
        yield Unit("<stdin>", first + stream.read())
        return
    yield Unit("<stdin>:1", first)
    yield from _lines(stream, "<stdin>", first=2)

"""Where records come from: files, directories, zips, newline-delimited JSON, standard input.

Every source is read as a stream of `Unit`s: a piece of JSON text holding one study or a
`/studies` page, stored all-or-nothing. A `.json` file is one unit; each `.json` member of
a zip (the registry's bulk download: one file per study) is one; each line of an `.ndjson`
or `.jsonl` file is one. Standard input (`-`) is newline-delimited JSON when its first line
is a whole JSON value, else one JSON document. A file named on the command line is read as
JSON whatever its name.

What cannot be a record is `Skipped`, by name: other files in a directory (a README, a
`.txt`) and zip members that are not `.json`. Hidden files and directories (`.git`) are
passed over. No unit larger than `max_bytes` is read into memory: a file or zip member
is measured first, a line is read at most that far.
"""

from __future__ import annotations

import json
import os
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

LINE_SUFFIXES = (".ndjson", ".jsonl")
SUFFIXES = (".json", ".zip", *LINE_SUFFIXES)
STDIN = "-"
UNLIMITED = sys.maxsize
_CHUNK = 1 << 20  # bytes read at a time where a line runs long


@dataclass(frozen=True)
class Unit:
    """JSON text of one study or page, and where it came from."""

    label: str
    text: str


@dataclass(frozen=True)
class Unreadable:
    """A source that could not be read, or is too large to read: `rule` says which."""

    label: str
    message: str
    rule: str = "read"


@dataclass(frozen=True)
class Skipped:
    """A file or zip member that is not a record file, passed over."""

    label: str
    reason: str


def _is_hidden(path: Path, top: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(top).parts)


def files(paths: list[Path]) -> Iterator[tuple[Path, bool]]:
    """Each file to read, and whether it is a record file: each one given, and every file
    below each directory (record files by their suffix)."""
    for path in paths:
        if path.is_dir():
            for found in sorted(path.rglob("*")):
                if found.is_file() and not _is_hidden(found, path):
                    yield found, found.suffix.lower() in SUFFIXES
        else:
            yield path, True


def count(paths: list[Path]) -> int | None:
    """How many units the paths hold, about (None when standard input is among them)."""
    total = 0
    for path, is_record in files(paths):
        if str(path) == STDIN:
            return None
        try:
            if not is_record:
                continue
            if path.suffix.lower() == ".zip":
                with zipfile.ZipFile(path) as archive:
                    total += sum(1 for name in archive.namelist() if _is_json_member(name))
            elif path.suffix.lower() in LINE_SUFFIXES:
                total += _count_lines(path)
            else:
                total += 1
        except (OSError, zipfile.BadZipFile):
            total += 1
    return total


def _count_lines(path: Path) -> int:
    """Lines of a file, read a chunk at a time (a line may be any length)."""
    lines, last = 0, b"\n"
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            lines, last = lines + chunk.count(b"\n"), chunk[-1:]
    return lines + (last != b"\n")


def units(paths: list[Path], max_bytes: int = UNLIMITED) -> Iterator[Unit | Unreadable | Skipped]:
    """Every unit of every source, in order, and every file passed over."""
    for path, is_record in files(paths):
        label = str(path)
        try:
            if not is_record:
                yield Skipped(label, f"not a record file ({path.suffix or 'no suffix'})")
            elif label == STDIN:
                yield from _stdin(max_bytes)
            elif path.suffix.lower() == ".zip":
                yield from _zip(path, max_bytes)
            elif path.suffix.lower() in LINE_SUFFIXES:
                with path.open("rb") as stream:
                    yield from _lines(stream, label, max_bytes)
            elif (size := path.stat().st_size) > max_bytes:
                yield _too_large(label, size, max_bytes)
            else:
                yield _decoded(label, path.read_bytes())
        except (OSError, zipfile.BadZipFile) as error:
            yield Unreadable(label, f"{label}: cannot read: {error}")


def _too_large(label: str, size: int | None, max_bytes: int) -> Unreadable:
    what = f"{size:,} bytes" if size is not None else "larger"
    return Unreadable(label, f"{label}: {what}, over the limit of {max_bytes:,} bytes "
                             "per document", rule="size")


def _decoded(label: str, data: bytes) -> Unit | Unreadable:
    try:
        return Unit(label, data.decode("utf-8"))
    except UnicodeDecodeError as error:
        return Unreadable(label, f"{label}: cannot read: {error}")


def _is_json_member(name: str) -> bool:
    return name.lower().endswith(".json") and not name.endswith("/")


def _zip(path: Path, max_bytes: int) -> Iterator[Unit | Unreadable | Skipped]:
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            label = f"{path}:{info.filename}"
            if info.is_dir():
                continue
            if not _is_json_member(info.filename):
                yield Skipped(label, "not a .json member")
            elif info.file_size > max_bytes:
                yield _too_large(label, info.file_size, max_bytes)
            else:
                # At most the limit is read, whatever size the zip's directory claims.
                with archive.open(info) as member:
                    data = member.read(max_bytes + 1)
                yield (_too_large(label, None, max_bytes) if len(data) > max_bytes
                       else _decoded(label, data))


def _lines(stream, label: str, max_bytes: int, first: int = 1) -> Iterator[Unit | Unreadable]:
    """Each non-blank line of a binary stream; one longer than `max_bytes` is refused
    (and read past a chunk at a time, never held whole)."""
    number = first - 1
    while line := stream.readline(max_bytes + 1):
        number += 1
        if len(line) > max_bytes and not line.endswith(b"\n"):
            while (rest := stream.readline(_CHUNK)) and not rest.endswith(b"\n"):
                pass
            yield _too_large(f"{label}:{number}", None, max_bytes)
        elif line.strip():
            yield _decoded(f"{label}:{number}", line)


def _stdin(max_bytes: int) -> Iterator[Unit | Unreadable]:
    stream = _standard_input()
    first = stream.readline(max_bytes + 1)
    try:
        json.loads(first)
    except ValueError:
        if len(first) <= max_bytes:  # a document spread over lines (else: an NDJSON line)
            rest = stream.read(max_bytes + 1 - len(first))
            yield (_too_large("<stdin>", None, max_bytes) if len(first) + len(rest) > max_bytes
                   else _decoded("<stdin>", first + rest))
            return
    yield from _lines(_Prepended(first, stream), "<stdin>", max_bytes)


def _standard_input():
    """Standard input as bytes; straight from its file descriptor where it has one.

    The loader reads its sources in a thread, which may still be waiting on a pipe when
    the import is stopped: Python's own buffered `sys.stdin` would then be locked by that
    thread while the interpreter shuts down, which aborts it.
    """
    try:
        return _Descriptor(sys.stdin.fileno())
    except (AttributeError, OSError, ValueError):  # replaced by a test runner
        return sys.stdin.buffer


class _Descriptor:
    """`readline` and `read` over a file descriptor, with a buffer of its own (no lock)."""

    def __init__(self, fd: int):
        self.fd, self.buffer, self.pos = fd, b"", 0

    def _fill(self) -> bool:
        chunk = os.read(self.fd, _CHUNK)
        self.buffer, self.pos = self.buffer[self.pos:] + chunk, 0
        return bool(chunk)

    def _take(self, end: int) -> bytes:
        data, self.pos = self.buffer[self.pos:end], end
        return data

    def readline(self, limit: int) -> bytes:
        while True:
            end = self.buffer.find(b"\n", self.pos, self.pos + limit)
            if end >= 0:
                return self._take(end + 1)
            if len(self.buffer) - self.pos >= limit or not self._fill():
                return self._take(min(self.pos + limit, len(self.buffer)))

    def read(self, size: int) -> bytes:
        while len(self.buffer) - self.pos < size and self._fill():
            pass
        return self._take(min(self.pos + size, len(self.buffer)))


class _Prepended:
    """A binary stream with some bytes already read put back in front (`readline` only)."""

    def __init__(self, head: bytes, stream):
        self.head, self.stream = head, stream

    def readline(self, limit: int) -> bytes:
        if self.head:
            line, self.head = self.head, b""
            return line
        return self.stream.readline(limit)

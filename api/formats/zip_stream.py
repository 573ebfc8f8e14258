"""A zip archive of many studies, written as it is sent: one `<NCTId>.json` member per study.

The bulk download (`GET /studies/download?format=json.zip`) may hold every study of the
store, far more than memory. The standard library's `zipfile` writes to a stream it cannot
seek: each member's sizes and checksum follow its data (a data descriptor), the central
directory comes last, and ZIP64 records are added once sizes or counts outgrow plain zip.
So the archive is produced member by member, each chunk handed on as soon as it is written;
what is held at any time is one member's bytes. Members are made as the single-study
`json.zip` makes its one (`zip_format.entry`): same name, compression, mode and date.

What `zipfile` keeps per member for the central directory, its `ZipInfo` (about 900 bytes
in memory with the central directory's bytes: 450 MB for the registry's half a million
studies), goes to a temporary file instead (`_Directory`), and so does the central
directory as it is written at the end; both are read back a little at a time.
"""

from __future__ import annotations

import functools
import pickle
import tempfile
import zipfile
from collections.abc import Iterable, Iterator

from api.formats import zip_format

# One member: the study's NCT id, its stored JSON bytes, its zip date (`zip_format.timestamp`).
Member = tuple[str, bytes, tuple[int, ...]]
_CHUNK = 1 << 16  # bytes of the central directory sent at a time


class _Sink:
    """A write-only file for `zipfile`: it keeps what is written until `take` hands it on,
    or, once given a `file`, writes there.

    Having no `tell` or `seek`, it makes `zipfile` write as to a pipe.
    """

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self.file = None

    def write(self, data) -> int:
        if self.file is not None:
            return self.file.write(data)
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        """Nothing to flush: `take` hands the bytes on."""

    def take(self) -> bytes:
        """Everything written since the last call."""
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


class _Directory:
    """The archive's list of members (`ZipFile.filelist`), kept in a temporary file.

    `zipfile` appends each member's `ZipInfo` when the member is written, and only counts
    and iterates over the list, when it writes the central directory at the end.
    """

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()
        self._count = 0

    def append(self, info: zipfile.ZipInfo) -> None:
        pickle.dump(info, self._file)
        self._count += 1

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[zipfile.ZipInfo]:
        self._file.seek(0)
        for _ in range(self._count):
            yield pickle.load(self._file)
        self._file.seek(0, 2)  # appending goes on at the end

    def close(self) -> None:
        """Delete the temporary file."""
        self._file.close()


class _Nowhere:
    """A file that takes every write and keeps nothing."""

    def write(self, data) -> int:
        return len(data)


class _NoNames(dict):
    """`ZipFile.NameToInfo` that keeps no name: members are looked up in no archive being
    streamed, and each study is one member, so no name comes twice."""

    def __setitem__(self, name, info) -> None:
        pass


def stream_zip(members: Iterable[Member]) -> Iterator[bytes]:
    """The zip archive of `members`, in chunks: one per member, then the central directory.

    An error while `members` are produced propagates before the central directory is sent,
    so a client never takes a cut-short archive for a whole one.
    """
    sink, listed = _Sink(), _Directory()
    archive = zipfile.ZipFile(sink, "w", allowZip64=True)
    archive.filelist, archive.NameToInfo = listed, _NoNames()
    ended = False
    try:
        for nct_id, text, date_time in members:
            archive.writestr(zip_format.entry(nct_id, date_time), text)
            yield sink.take()
        # The central directory is as long as the member list (about 100 bytes a member, in
        # many small writes): written to disk first, then sent a chunk at a time.
        with tempfile.TemporaryFile() as directory:
            sink.file = directory
            archive.close()
            ended = True
            directory.seek(0)
            yield from iter(functools.partial(directory.read, _CHUNK), b"")
    finally:
        if not ended:
            # Cut short (an error, or the client went away): the archive is ended, with an
            # empty directory, into nothing: no central directory is sent, none is written
            # when it is collected, and the members' list is not read back for it.
            sink.file, archive.filelist = _Nowhere(), []
            archive.close()
        listed.close()

"""The streamed zip of many studies (`api.formats.zip_stream`), read back by `zipfile`."""

import io
import zipfile

import pytest

from api.formats import zip_format
from api.formats.zip_stream import stream_zip
from tests.conftest import SEED

DATE = (2025, 4, 20, 0, 0, 0)


def tiny(count: int):
    for number in range(count):
        yield f"NCT{number:08d}", b'{"n":%d}' % number, DATE


def test_members_come_back_byte_for_byte_made_as_the_single_study_zip():
    text = SEED.read_bytes()
    body = b"".join(stream_zip([("NCT04325594", text, DATE), ("NCT00000001", b"{}", DATE)]))
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert archive.testzip() is None
        assert archive.read("NCT04325594.json") == text
        [single] = zipfile.ZipFile(io.BytesIO(zip_format.zip_study("NCT04325594", text, DATE))
                                   ).infolist()
        streamed = archive.getinfo("NCT04325594.json")
        assert (streamed.compress_type, streamed.external_attr, streamed.date_time) == (
            single.compress_type, single.external_attr, single.date_time)


def test_each_member_is_sent_as_soon_as_it_is_written():
    chunks = stream_zip(tiny(3))
    first = next(chunks)
    assert first.startswith(b"PK\x03\x04") and b"NCT00000000.json" in first
    assert b"NCT00000001.json" not in first


def test_more_members_than_plain_zip_counts_take_zip64():
    count = 65_536 + 1  # one over the 16-bit member count of a plain zip
    with zipfile.ZipFile(io.BytesIO(b"".join(stream_zip(tiny(count))))) as archive:
        names = archive.namelist()
        assert len(names) == count and names[-1] == f"NCT{count - 1:08d}.json"
        assert archive.read(names[-1]) == b'{"n":%d}' % (count - 1)


def test_an_empty_archive_is_a_valid_zip():
    with zipfile.ZipFile(io.BytesIO(b"".join(stream_zip([])))) as archive:
        assert archive.namelist() == []


def test_a_download_left_early_ends_quietly_without_a_directory():
    # filterwarnings=error: a temporary file left open would fail this test.
    chunks = stream_zip(tiny(10))
    sent = [next(chunks), next(chunks)]
    chunks.close()
    with pytest.raises(zipfile.BadZipFile):
        zipfile.ZipFile(io.BytesIO(b"".join(sent)))

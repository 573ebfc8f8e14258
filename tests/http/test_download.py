"""`GET /api/v2/studies/download?format=json.zip`: every matching study, as stored, zipped.

Studies are written through `store.put`; the archive is read back with the standard
library's `zipfile` and, over a real socket, imported by the real command line.
"""

from __future__ import annotations

import io
import json
import sqlite3
import tracemalloc
import urllib.request
import zipfile

import pytest

from api.exceptions import TooCostly
from api.services.download import DownloadRequest, zip_download
from api.store import open_store
from api.store.base import Record
from tests.conftest import SEED
from tests.server import import_records, production_server
from tests.versions import put_versions, seed_version

DOWNLOAD = "/api/v2/studies/download"
RECRUITING = [f"NCT0990002{digit}" for digit in range(3)]
COMPLETED = [SEED.stem, "NCT09900030"]


@pytest.fixture
def studies(store):
    """The seed (completed) plus three recruiting studies and one more completed."""
    put_versions(store, [seed_version("RECRUITING", "2024-01-01", nct_id)
                         for nct_id in RECRUITING])
    put_versions(store, [seed_version("COMPLETED", "2025-04-20", COMPLETED[1])])
    return store


def members(body: bytes) -> dict[str, bytes]:
    """Each member of the zip `body`, by name (checking every member's CRC)."""
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_download_zips_every_study_as_stored(client, studies):
    answer = client.get(f"{DOWNLOAD}?format=json.zip")
    assert answer.status_code == 200 and answer.mimetype == "application/zip"
    assert answer.headers["Content-Disposition"] == 'attachment; filename="ctg-studies.json.zip"'
    assert answer.is_streamed
    found = members(answer.data)
    everything = sorted(COMPLETED + RECRUITING)
    assert sorted(found) == [f"{nct_id}.json" for nct_id in everything]
    for nct_id in everything:
        assert found[f"{nct_id}.json"] == studies.get(nct_id).json


def test_format_is_json_zip_when_not_given(client, studies):
    assert len(members(client.get(DOWNLOAD).data)) == 5


def test_members_are_dated_by_the_last_update(client, studies):
    with zipfile.ZipFile(io.BytesIO(client.get(DOWNLOAD).data)) as archive:
        dates = {info.filename: info.date_time[:3] for info in archive.infolist()}
    assert dates[f"{RECRUITING[0]}.json"] == (2024, 1, 1)
    assert dates[f"{SEED.stem}.json"] == (2025, 4, 20)


@pytest.mark.parametrize("query, expected", [
    ("filter.overallStatus=RECRUITING", RECRUITING),
    ("aggFilters=status:com", COMPLETED),
    (f"filter.ids={RECRUITING[0]},{COMPLETED[1]}", [RECRUITING[0], COMPLETED[1]]),
    (f"query.term={RECRUITING[1]}", [RECRUITING[1]]),
    ("query.term=AREA[LastUpdatePostDate]RANGE[2025-01-01,MAX]", COMPLETED),
    ("filter.overallStatus=WITHDRAWN", []),
], ids=["status", "agg", "ids", "id-query", "range", "none"])
def test_search_parameters_narrow_the_download(client, studies, query, expected):
    answer = client.get(f"{DOWNLOAD}?format=json.zip&{query}")
    assert answer.status_code == 200
    assert sorted(members(answer.data)) == sorted(f"{nct_id}.json" for nct_id in expected)


@pytest.mark.parametrize("query, message", [
    ("format=csv", "Invalid value in parameter `format`: `csv`"),
    ("format=json", "Invalid value in parameter `format`: `json`"),
    ("pageSize=10", "`pageSize` is unknown parameter"),
    ("fields=NCTId", "`fields` is unknown parameter"),
    ("filter.phase=PHASE1", "`filter.phase` is unknown parameter"),
    ("filter.overallStatus=NOT_A_STATUS", "Invalid value in parameter `overallStatus`: "
                                          "`NOT_A_STATUS`"),
], ids=["csv", "json", "page-size", "fields", "unknown", "bad-status"])
def test_a_bad_parameter_is_400_text(client, studies, query, message):
    answer = client.get(f"{DOWNLOAD}?{query}")
    assert (answer.status_code, answer.mimetype, answer.text) == (400, "text/plain", message)


def test_the_path_is_not_taken_for_a_study(client, studies):
    assert client.get(f"{SEED.stem.join(['/api/v2/studies/', ''])}").status_code == 200
    assert client.get("/api/v2/studies/download/protocolSection").text == (
        "Parameter `nctId` has incorrect format")


class StoppedStore:
    """The real store, its searches stopped at the time budget from page `stop_at` on (a
    costly enough search needs thousands of studies; this needs none)."""

    def __init__(self, store, stop_at: int):
        self.store, self.stop_at, self.pages = store, stop_at, 0

    def __getattr__(self, name: str):
        return getattr(self.store, name)

    def search(self, query):
        self.pages += 1
        if self.pages > self.stop_at:
            raise TooCostly("The search took longer than this server allows")
        return self.store.search(query)


def test_a_first_page_over_the_time_budget_is_503_before_any_byte(app, studies):
    app.extensions["store"] = StoppedStore(studies, stop_at=0)
    try:
        answer = app.test_client().get(DOWNLOAD)
        assert answer.status_code == 503 and answer.headers["Retry-After"] == "10"
        assert answer.mimetype == "text/plain"
    finally:
        app.extensions["store"] = studies


def test_a_later_page_over_the_budget_cuts_the_archive_short(studies):
    stopped = StoppedStore(studies, stop_at=1)
    chunks, sent = zip_download(stopped, DownloadRequest(), page_size=2), []
    with pytest.raises(TooCostly):
        sent.extend(chunks)
    assert sent, "the first page was sent"
    # Without its central directory, no reader takes the archive for a whole one.
    with pytest.raises(zipfile.BadZipFile):
        zipfile.ZipFile(io.BytesIO(b"".join(sent)))


@pytest.mark.sqlite_only  # SQLite's write-ahead log
def test_pages_are_read_one_short_read_at_a_time(studies, tmp_path):
    chunks = zip_download(studies, DownloadRequest(), page_size=2)
    received = [next(chunks)]
    # No read is left open between pages: a checkpoint that must wait for every reader
    # of the write-ahead log completes, and a write goes through.
    with sqlite3.connect(tmp_path / "trials.sqlite3", timeout=0) as other:
        busy, _, _ = other.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    assert busy == 0
    put_versions(studies, [seed_version("COMPLETED", "2025-06-01", RECRUITING[2]),
                           seed_version("RECRUITING", "2025-06-01", "NCT09900040")])
    received.extend(chunks)
    found = members(b"".join(received))
    # Each study once; one stored meanwhile (after the cursor) appears, as its latest text.
    assert sorted(found) == sorted(f"{nct_id}.json" for nct_id in
                                   COMPLETED + RECRUITING + ["NCT09900040"])
    assert found[f"{RECRUITING[2]}.json"] == studies.get(RECRUITING[2]).json


def peak_memory(store, page_size: int) -> int:
    """The most memory (bytes, Python's own allocations) a whole download held at once."""
    tracemalloc.start()
    try:
        for _ in zip_download(store, DownloadRequest(), page_size=page_size):
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_holds_a_page_not_the_download(store):
    def add(first: int, count: int) -> None:
        ids = [f"NCT0980{number:04d}" for number in range(first, first + count)]
        store.put([Record(nct_id, seed_version("RECRUITING", "2024-01-01", nct_id))
                   for nct_id in ids])

    add(0, 100)
    small = peak_memory(store, page_size=20)
    add(100, 900)
    large = peak_memory(store, page_size=20)
    # Ten times the studies, about the same memory: a page, never the archive nor its list
    # of members (zipfile's own would add about 900 bytes a member: 0.8 MB here).
    assert large < 1.25 * small, (small, large)


def test_the_download_round_trips_through_the_import_command(studies, store_url, tmp_path):
    studies.close()
    with production_server(store_url) as url:
        with urllib.request.urlopen(f"{url}{DOWNLOAD}?format=json.zip", timeout=30) as answer:
            assert answer.headers["Content-Type"] == "application/zip"
            body = answer.read()
    archive = tmp_path / "ctg-studies.json.zip"
    archive.write_bytes(body)
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    summary = import_records(f"sqlite:///{mirror}/trials.sqlite3", [archive])
    assert summary.startswith("5 loaded: ") and " 0 refused" in summary, summary
    # The mirror is a SQLite file whichever store the download came from.
    source, copy = open_store(store_url), open_store(f"sqlite:///{mirror}/trials.sqlite3")
    try:
        assert list(copy.iter_documents()) == list(source.iter_documents())
    finally:
        source.close()
        copy.close()
    again = import_records(store_url, [archive])
    assert "0 added, 0 replaced, 5 unchanged" in again, again
    assert json.loads(members(body)[f"{SEED.stem}.json"])["hasResults"] is False


def test_post_takes_the_parameters_in_the_body(client, studies):
    ids = ",".join([RECRUITING[0], COMPLETED[1]] + [f"NCT{number:08d}" for number in
                                                   range(1, 3000)])
    answer = client.post(DOWNLOAD, data={"filter.ids": ids, "format": "json.zip"})
    assert answer.status_code == 200
    assert sorted(members(answer.data)) == sorted([f"{RECRUITING[0]}.json",
                                                   f"{COMPLETED[1]}.json"])
    refused = client.post(DOWNLOAD, data={"format": "csv"})
    assert (refused.status_code, refused.text) == (400, "Invalid value in parameter `format`: "
                                                        "`csv`")

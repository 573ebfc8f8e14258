"""The bulk download: every study a search matches, as one zip of `<NCTId>.json` files.

The registry's migration guide names `GET /api/v2/studies/download?format=json.zip` (all
studies, one JSON file each); here the search parameters of `GET /studies` narrow it. Each
member is the stored text byte for byte, so `flask --app api import` of the archive stores
the same studies again, unchanged.

A download is one long response. It reads the store a page at a time through the search's
keyset cursor, each page its own short read: no transaction is held while the archive goes
out, an import running meanwhile is neither blocked nor seen half-done, and a study stored
meanwhile appears at most once. Memory holds one page.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from api.formats import zip_format
from api.formats.projection import project_text, resolve_fields
from api.formats.zip_stream import Member, stream_zip
from api.store.base import SearchQuery, Store

FILENAME = "ctg-studies.json.zip"  # as the registry's website names its downloads
# Studies read per page: a few megabytes of JSON at most, whatever the store holds.
PAGE_SIZE = 100


@dataclass(frozen=True)
class DownloadRequest:
    """`GET /studies/download`: the studies to zip (`criteria`, None: every study)."""

    criteria: object = None


def _pages(store: Store, request: DownloadRequest, time_budget: float | None,
           page_size: int) -> Iterator[list[bytes]]:
    """The matching studies' stored bytes, a page at a time, in the order first stored."""
    cursor = None
    while True:
        page = store.search(SearchQuery(criteria=request.criteria, limit=page_size,
                                        cursor=cursor, time_budget=time_budget))
        yield page.documents
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


@functools.cache
def _naming_fields() -> dict:
    """The two pieces a member is named and dated by, as a `fields=` tree."""
    return resolve_fields(["NCTId", "LastUpdatePostDate"])


def _members(pages) -> Iterator[Member]:
    """Each stored study as a zip member: named by its NCT id, dated by its last update
    (read as `fields=` pages read: only those two values become objects)."""
    for documents in pages:
        for text in documents:
            document = project_text(text, _naming_fields())
            nct_id = document["protocolSection"]["identificationModule"]["nctId"]
            yield nct_id, text, zip_format.timestamp(document)


def zip_download(store: Store, request: DownloadRequest, time_budget: float | None = None,
                 page_size: int = PAGE_SIZE) -> Iterator[bytes]:
    """The zip of the studies `request` matches, as chunks to send one after another.

    The first page is searched before this returns, so a search the store refuses
    (`TooCostly` past `time_budget` seconds) is an error answer, not a broken archive.
    A later page stopped the same way ends the stream before the zip's central directory.
    """
    pages = _pages(store, request, time_budget, page_size)
    first = next(pages)
    return stream_zip(_members(itertools.chain([first], pages)))

"""`GET /studies`: a parsed search request -> store search -> the registry's page envelope.

The envelope is `{"totalCount"?, "studies": [...], "nextPageToken"?}` in that order. Studies
are the stored bytes unless `fields=` projects them or markup is converted, so a page of
1000 studies costs little more than reading them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from api import json_text
from api.exceptions import InvalidRequest
from api.formats import csv_format, project, project_text
from api.formats.markup import legacy_document
from api.search import tokens
from api.services.requests import Output, SearchRequest
from api.store.base import SearchPage, SearchQuery, Store


@dataclass
class Page:
    """One page of results, ready for a response format."""

    documents: list[bytes]
    total: int | None
    next_token: str | None
    first: bool  # the first page of its search (CSV writes the header row on it)


def find_studies(store: Store, request: SearchRequest,
                 time_budget: float | None = None) -> Page:
    """One page of the studies `request` asks for, within `time_budget` seconds of search.

    Raises `InvalidRequest` for a page token not issued for this search by this store, and
    `TooCostly` (from the store) for a search stopped at the budget.
    """
    query = request.fingerprint
    cursor = None
    if request.page_token is not None:
        try:
            cursor = tokens.read(store.token_secret(), query, request.page_token)
        except tokens.BadToken:
            raise InvalidRequest("Parameter `pageToken` has incorrect format") from None
    found: SearchPage = store.search(SearchQuery(
        criteria=request.criteria, sort=request.sort, limit=request.page_size, cursor=cursor,
        count_total=request.count_total and cursor is None, time_budget=time_budget))
    token = None
    if found.next_cursor is not None:
        token = tokens.issue(store.token_secret(), query, found.next_cursor)
    return Page(found.documents, found.total, token, cursor is None)


def count_studies(store: Store, request: SearchRequest, time_budget: float | None = None) -> int:
    """How many studies match `request`'s criteria (its page, token and output play no part),
    within `time_budget` seconds of search; `TooCostly` (from the store) past it."""
    found = store.search(SearchQuery(criteria=request.criteria, limit=0, count_total=True,
                                     time_budget=time_budget))
    return found.total or 0


def _reshaped(document: bytes, output: Output):
    """A stored study with legacy markup and/or only the requested fields, as an object."""
    if output.markup != "legacy":  # only the fields: the rest of the text is not read
        return project_text(document, output.selection) or {}
    study = legacy_document(json.loads(document))
    if output.selection is not None:
        study = project(study, output.selection) or {}
    return study


def json_body(page: Page, output: Output) -> bytes:
    """The registry's JSON page envelope, keys in its order."""
    if output.selection is not None or output.markup != "markdown":
        # One encoding of the whole list: a thousand small encodings cost more.
        studies = json_text.dumps_bytes([_reshaped(document, output)
                                         for document in page.documents])
    else:
        studies = b"[" + b",".join(page.documents) + b"]"
    head = b"{"
    if page.total is not None:
        head += b'"totalCount":%d,' % page.total
    body = head + b'"studies":' + studies
    if page.next_token is not None:
        body += b',"nextPageToken":' + json_text.dumps_bytes(page.next_token)
    return body + b"}"


def csv_chunks(page: Page, output: Output) -> Iterator[str]:
    """A CSV page, row by row: the header row on the first page only (registry)."""
    documents = (json.loads(document) for document in page.documents)
    return csv_format.csv_chunks(documents, output.selection, header=page.first)

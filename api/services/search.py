"""`GET /studies`: request parameters -> store search -> the registry's page envelope.

The envelope is `{"totalCount"?, "studies": [...], "nextPageToken"?}` in that order. Studies
are the stored bytes unless `fields=` projects them, so a page of 1000 studies costs little
more than reading them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from api.errors import BadRequest
from api.formats.markup import legacy_document
from api.search import criteria as c
from api.search import fields, filters, tokens
from api.services.projection import project, resolve_fields
from api.store.base import SearchPage, SearchRequest, SortKey, Store
from schemas.catalogue import catalogue

MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 10
# Parameters that may change from page to page; all others are bound into the page token.
_PAGING = ("pageToken", "pageSize", "countTotal")
_SORT_ITEM = re.compile(r"^(?:([a-zA-Z][a-zA-Z0-9\-. ]*)|(@relevance))(?::(asc|desc))?$")
_SORTABLE = (fields.DATE, fields.NUMBER, fields.AGE)


@dataclass
class Page:
    """One page of results, ready for a response format."""

    documents: list[bytes]
    projection: dict | None
    total: int | None
    next_token: str | None


def search_criteria(args: dict):
    """The criteria of the `query.*`, `filter.*`, `postFilter.*` and `aggFilters` arguments.

    If any `query.*` parameter holds only NCT numbers, the filters are ignored (official
    spec).
    """
    parts, ids_only = [], False
    for name in filters.QUERY_AREAS:
        value = args.get(name.replace(".", "_"))
        if value is not None:
            ids_only = ids_only or filters.only_nct_ids(value)
            parts.append(filters.query_criteria(name, value))
    if not ids_only:
        for prefix in ("filter", "postFilter"):
            parts.extend(_filter_criteria(prefix, args))
        if args.get("agg_filters"):
            parts.append(filters.agg_criteria(args["agg_filters"]))
    parts = [part for part in parts if part is not None]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else c.And(tuple(parts))


def _filter_criteria(prefix: str, args: dict) -> list:
    found = []
    if (statuses := args.get(f"{prefix}_overall_status")) is not None:
        found.append(filters.status_criteria(statuses))
    if (ids := args.get(f"{prefix}_ids")) is not None:
        found.append(filters.ids_criteria(f"{prefix}.ids", ids))
    if (geo := args.get(f"{prefix}_geo")) is not None:
        found.append(filters.geo_criteria(f"{prefix}.geo", geo))
    if (advanced := args.get(f"{prefix}_advanced")) is not None:
        found.append(filters.essie(advanced, "BasicSearch", "advanced filter"))
    return found


def sort_keys(items: list[str] | None) -> tuple[SortKey, ...]:
    """`sort=` as store sort keys: at most 2, date or numeric pieces or `@relevance`."""
    if not items:
        return ()
    if len(items) > 2:
        raise BadRequest("Parameter `sort` allows at most 2 fields")
    keys = []
    for item in items:
        match = _SORT_ITEM.match(item)
        if match is None:
            raise BadRequest(f"Parameter 'sort' contains invalid field name: '{item}'")
        name, relevance, direction = match.groups()
        if relevance:
            keys.append(SortKey(None, direction != "asc"))
            continue
        node = catalogue().find(name)
        if node is None:
            raise BadRequest(f"Parameter 'sort' contains invalid field name: '{name}'")
        kind = fields.kind(node) if node.is_leaf else None
        if kind not in _SORTABLE:
            raise BadRequest(f"Unsupported sort field type: {node.registry_type.removesuffix('[]')}")
        descending = direction == "desc" if direction else kind == fields.DATE
        keys.append(SortKey(node.piece, descending))
    # A key given twice (`@relevance,@relevance:asc`) cannot reorder ties of itself: the
    # first one decides, as if given once.
    return tuple(key for index, key in enumerate(keys)
                 if all(earlier.piece != key.piece for earlier in keys[:index]))


def page_size(requested: int) -> int:
    """0 means the default; more than the maximum is quietly the maximum (registry)."""
    return min(requested or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


def query_areas(args: dict) -> tuple[str, ...]:
    """The areas the request's `query.*` parameters searched (what `@query` stands for)."""
    return tuple(area for name, area in filters.QUERY_AREAS.items()
                 if args.get(name.replace(".", "_")) is not None)


def find_studies(store: Store, args: dict, parameters: list[tuple[str, str]]) -> Page:
    """One page of the studies the request asks for."""
    projection = None
    if args.get("fields") is not None and args["format"] == "json":
        projection = resolve_fields(args["fields"], query_areas(args))
    query = tokens.fingerprint([item for item in parameters if item[0] not in _PAGING])
    after = None
    if args.get("page_token") is not None:
        try:
            after = tokens.read(store.token_secret(), query, args["page_token"])
        except tokens.BadToken:
            raise BadRequest("Parameter `pageToken` has incorrect format") from None
    request = SearchRequest(criteria=search_criteria(args), sort=sort_keys(args.get("sort")),
                            limit=page_size(args["page_size"]), after=after,
                            count_total=args["count_total"] and after is None)
    found: SearchPage = store.search(request)
    token = None
    if found.next_after is not None:
        token = tokens.issue(store.token_secret(), query, found.next_after)
    return Page(found.documents, projection, found.total, token)


def _reshaped(document: bytes, projection: dict | None, markup_format: str) -> bytes:
    """A stored study with legacy markup and/or only the requested fields."""
    study = json.loads(document)
    if markup_format == "legacy":
        study = legacy_document(study)
    if projection is not None:
        study = project(study, projection) or {}
    return json.dumps(study, ensure_ascii=False, separators=(",", ":")).encode()


def json_body(page: Page, markup_format: str = "markdown") -> bytes:
    """The registry's JSON page envelope, keys in its order."""
    studies = page.documents
    if page.projection is not None or markup_format != "markdown":
        studies = [_reshaped(document, page.projection, markup_format) for document in studies]
    head = b"{"
    if page.total is not None:
        head += b'"totalCount":%d,' % page.total
    body = head + b'"studies":[' + b",".join(studies) + b"]"
    if page.next_token is not None:
        body += b',"nextPageToken":' + json.dumps(page.next_token).encode()
    return body + b"}"

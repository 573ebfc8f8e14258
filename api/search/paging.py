"""How results are ordered (`sort=`) and cut into pages (`pageSize=`), as the registry does.

Sort keys are date or numeric pieces, or `@relevance`: at most two, dates and relevance
descending unless asked otherwise, numbers ascending (REFERENCE.md §6).
"""

from __future__ import annotations

import re

from api.exceptions import InvalidRequest
from api.search import fields
from api.search.criteria import SortKey
from schemas.catalogue import catalogue

MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 10
MAX_SORT_KEYS = 2
_SORT_ITEM = re.compile(r"(?:([a-zA-Z][a-zA-Z0-9\-. ]*)|(@relevance))(?::(asc|desc))?")
_SORTABLE = (fields.DATE, fields.NUMBER, fields.AGE)


def sort_keys(items: list[str] | None) -> tuple[SortKey, ...]:
    """`sort=` as store sort keys; `InvalidRequest` in the registry's wording."""
    if not items:
        return ()
    if len(items) > MAX_SORT_KEYS:
        raise InvalidRequest(f"Parameter `sort` allows at most {MAX_SORT_KEYS} fields")
    keys = [_sort_key(item) for item in items]
    # A key given twice (`@relevance,@relevance:asc`) cannot reorder ties of itself: the
    # first one decides, as if given once.
    return tuple(key for index, key in enumerate(keys)
                 if all(earlier.piece != key.piece for earlier in keys[:index]))


def _sort_key(item: str) -> SortKey:
    match = _SORT_ITEM.fullmatch(item)
    if match is None:
        raise InvalidRequest(f"Parameter 'sort' contains invalid field name: '{item}'")
    name, relevance, direction = match.groups()
    if relevance:
        return SortKey(None, direction != "asc")
    node = catalogue().find(name)
    if node is None:
        raise InvalidRequest(f"Parameter 'sort' contains invalid field name: '{name}'")
    kind = fields.kind(node) if node.is_leaf else None
    if kind not in _SORTABLE:
        raise InvalidRequest(
            f"Unsupported sort field type: {node.registry_type.removesuffix('[]')}")
    descending = direction == "desc" if direction else kind == fields.DATE
    return SortKey(node.piece, descending)


def page_size(requested: int) -> int:
    """0 means the default; more than the maximum is quietly the maximum (registry)."""
    return min(requested or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)

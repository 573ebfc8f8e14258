"""Finding a study and the parts of it a client asks for.

Stored records are returned as the exact text they were loaded with; only a projection
(`fields=`) or a sub-resource (one section or module) is parsed and re-serialised.
"""

from __future__ import annotations

import json
from typing import NoReturn

from api import json_text
from api.exceptions import MovedTo, NotFound
from api.services.requests import PartRequest
from api.store.base import Document, Store
from schemas.catalogue import catalogue


def study_document(store: Store, nct_id: str) -> Document:
    """The stored document of study `nct_id` (canonical).

    An id that is only an alias of another study raises `MovedTo` the canonical id, as the
    registry answers 301 for `nctIdAliases`.
    """
    document = store.get(nct_id)
    if document is None:
        not_stored(store, nct_id)
    return document


def not_stored(store: Store, nct_id: str) -> NoReturn:
    """Answer for an NCT id no study of `store` has: `MovedTo` the study that lists it in
    `nctIdAliases` (the registry's 301), else `NotFound` in the registry's words."""
    canonical = store.canonical_id(nct_id)
    if canonical is not None:
        raise MovedTo(canonical)
    raise NotFound(f"NCT number {nct_id} not found")


def _branch(nodes, name: str, unknown: str):
    """The structure among `nodes` called `name`; NotFound listing the names there are."""
    branches = [node for node in nodes if not node.is_leaf]
    for node in branches:
        if node.name == name:
            return node
    names = ", ".join(node.name for node in branches)
    raise NotFound(f"{unknown}; expected one of: {names}")


def study_part(store: Store, request: PartRequest) -> str:
    """One section of a study, or one module of a section, as stored."""
    node = _branch(catalogue().roots, request.section, f"Unknown section `{request.section}`")
    if request.module is not None:
        node = _branch(node.children, request.module,
                       f"Unknown module `{request.module}` in `{request.section}`")
    part = json.loads(study_document(store, request.nct_id).json)
    for key in node.keys:
        if not isinstance(part, dict) or key not in part:
            raise NotFound(f"Study {request.nct_id} has no `{node.path}`")
        part = part[key]
    return json_text.dumps(part)

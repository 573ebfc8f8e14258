"""Finding a study and the parts of it a client asks for.

Stored records are returned as the exact text they were loaded with; only a projection
(`fields=`) or a sub-resource (one section or module) is parsed and re-serialised.
"""

from __future__ import annotations

import json
import re

from api.errors import BadRequest, MovedPermanently, NotFound
from api.services.projection import project, resolve_fields
from api.store import Store
from api.store.base import Document
from schemas.catalogue import catalogue

# The registry's own path pattern (official spec): case-insensitive, leading zeros optional.
_NCT_ID = re.compile(r"^[Nn][Cc][Tt]0*([1-9]\d{0,7})$")


def canonical_nct_id(raw: str) -> str:
    """`nct4325594` -> `NCT04325594`; 400 with the registry's message if malformed."""
    match = _NCT_ID.match(raw)
    if match is None:
        raise BadRequest("Parameter `nctId` has incorrect format")
    return f"NCT{int(match.group(1)):08d}"


def study_document(store: Store, raw_id: str) -> Document:
    """The stored document of the study `raw_id` names.

    An id that is only an alias of another study raises `MovedPermanently` to the
    canonical id, as the registry answers 301 for `nctIdAliases`.
    """
    nct_id = canonical_nct_id(raw_id)
    document = store.get(nct_id)
    if document is not None:
        return document
    canonical = store.canonical_id(nct_id)
    if canonical is not None:
        raise MovedPermanently(canonical)
    raise NotFound(f"NCT number {nct_id} not found")


def dumps(document) -> str:
    """Compact JSON in the document's own key order, UTF-8 text as the registry sends it."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def projected_study(store: Store, raw_id: str, fields: list[str]) -> str:
    """The study's JSON reduced to `fields` (REFERENCE.md §3)."""
    paths = resolve_fields(fields)
    document = study_document(store, raw_id).json
    return dumps(project(json.loads(document), paths) or {})


def _branch(nodes, name: str, unknown: str):
    """The structure among `nodes` called `name`; 404 listing the names there are."""
    branches = [node for node in nodes if not node.is_leaf]
    for node in branches:
        if node.name == name:
            return node
    names = ", ".join(node.name for node in branches)
    raise NotFound(f"{unknown}; expected one of: {names}")


def study_part(store: Store, raw_id: str, section: str, module: str | None = None) -> str:
    """One section of a study, or one module of a section, as stored."""
    node = _branch(catalogue().roots, section, f"Unknown section `{section}`")
    if module is not None:
        node = _branch(node.children, module, f"Unknown module `{module}` in `{section}`")
    part = json.loads(study_document(store, raw_id).json)
    for key in node.keys:
        if not isinstance(part, dict) or key not in part:
            nct_id = canonical_nct_id(raw_id)
            raise NotFound(f"Study {nct_id} has no `{node.path}`")
        part = part[key]
    return dumps(part)

"""`fields=`: keep only the requested parts of a study, with their full nesting.

A name is a piece (`NCTId`), a branch piece (`ConditionsModule`) or a dotted path
(`protocolSection.conditionsModule.conditions`). The result keeps the document's key order;
branches left empty are omitted, as the registry omits absent data.
"""

from __future__ import annotations

from api.errors import BadRequest
from schemas.catalogue import catalogue

WHOLE = True  # marks a requested node: keep everything below it


def resolve_fields(names: list[str]) -> dict:
    """The tree of requested keys for `names`; 400 with the registry's message if unknown."""
    tree: dict = {}
    for name in names:
        node = catalogue().find(name)
        if node is None:
            raise BadRequest(f"Parameter 'fields' contains invalid field name: '{name}'")
        branch = tree
        *parents, last = node.keys
        for key in parents:
            if branch.get(key) is WHOLE:
                break
            branch = branch.setdefault(key, {})
        else:
            branch[last] = WHOLE
    return tree


def project(value, tree):
    """`value` reduced to `tree`; None when nothing requested is present."""
    if tree is WHOLE:
        return value
    if isinstance(value, list):
        items = [item for item in (project(element, tree) for element in value) if item is not None]
        return items or None
    if isinstance(value, dict):
        kept = {}
        for key, child in value.items():
            if key in tree and (reduced := project(child, tree[key])) is not None:
                kept[key] = reduced
        return kept or None
    return None

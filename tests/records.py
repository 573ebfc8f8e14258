"""Hypothesis strategies for study records, read off the guard's JSON Schema.

`valid_records()` draws small records that `schemas/study.schema.json` accepts: every
required key, a few optional ones per object (in any order), short lists, strings from the
schema's enums and patterns, any text elsewhere, integers of any size (`2.0` too), finite
numbers.
`corrupted_records()` takes one of those and breaks exactly one thing in it, the way bad
input breaks: a value of the wrong type, a value outside its enum, an unknown key, a
malformed date. (hypothesis-jsonschema would do the first part, but its current release
does not run on the current hypothesis.)
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache

from hypothesis import strategies as st

from schemas.json_schema import SCHEMA_PATH

MAX_KEYS = 4  # optional keys drawn per object: records stay small, every key gets drawn
MAX_ITEMS = 2
JSON_TYPES = ("string", "integer", "number", "boolean", "object", "array", "null")
SAMPLES = {
    "string": "x",
    "integer": 7,
    "number": 0.5,
    "boolean": True,
    "object": {},
    "array": [],
    "null": None,
}
MALFORMED_DATES = [
    "2020/03/01",
    "03/01/2020",
    "2020-3-1",
    "20200301",
    "2020-13",
    "2020-00",
    "2020-01-32",
    "2020-01-00",
    "99-01-01",
    "2020-01-01T",
    "2020-01-01 10:00",
    "2020-01-01\n",
    " 2020-01-01",
    "2020-01-01Z",
    "March 2020",
    "",
]


@cache
def schema() -> dict:
    """The committed JSON Schema of stored records."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def resolve(node: dict) -> dict:
    """`node` with a `$ref` to a definition replaced by the definition."""
    while "$ref" in node:
        node = schema()["$defs"][node["$ref"].rsplit("/", 1)[1]]
    return node


def values(node: dict) -> st.SearchStrategy:
    """Values the schema `node` accepts."""
    node = resolve(node)
    if "enum" in node:
        return st.sampled_from(node["enum"])
    if "pattern" in node:
        return st.from_regex(node["pattern"], fullmatch=True)
    kind = node["type"]
    if kind == "object":
        return objects(node)
    if kind == "array":
        return st.lists(values(node["items"]), max_size=MAX_ITEMS)
    numbers = st.floats(allow_nan=False, allow_infinity=False)
    # JSON Schema counts 2.0 as an integer; so must both validators, and the store keeps "2.0".
    integers = st.one_of(st.integers(), numbers.filter(float.is_integer))
    return {
        "string": st.text(max_size=12),
        "boolean": st.booleans(),
        "integer": integers,
        "number": st.one_of(st.integers(), numbers),
    }[kind]


def objects(node: dict) -> st.SearchStrategy[dict]:
    """Objects with every required key and up to MAX_KEYS optional ones, in any order."""
    properties = node["properties"]
    required = node.get("required", [])
    optional = [key for key in properties if key not in required]

    @st.composite
    def build(draw):
        chosen = (
            draw(st.lists(st.sampled_from(optional), max_size=MAX_KEYS, unique=True))
            if optional
            else []
        )
        keys = draw(st.permutations(required + chosen))
        return {key: draw(values(properties[key])) for key in keys}

    return build()


def _lists_itself(document: dict) -> bool:
    identification = document.get("protocolSection", {}).get("identificationModule", {})
    return identification.get("nctId") in identification.get("nctIdAliases", ())


def valid_records() -> st.SearchStrategy[dict]:
    """Study records the guard accepts: its JSON Schema's, less those listing their own NCT id
    in `nctIdAliases` (the one rule of the guard a schema cannot say)."""
    return values(schema()).filter(lambda document: not _lists_itself(document))


@dataclass(frozen=True)
class Site:
    """A place in a record: the JSON path to it and the schema node that describes it."""

    path: tuple
    node: dict


def sites(document, node: dict, path: tuple = ()) -> list[Site]:
    """Every value in `document` with the schema node it must satisfy, depth first."""
    node = resolve(node)
    found = [Site(path, node)]
    if isinstance(document, dict):
        for key, value in document.items():
            found += sites(value, node["properties"][key], (*path, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += sites(value, node["items"], (*path, index))
    return found


def _wrong_types(node: dict) -> list:
    """Values of every JSON type `node` does not allow (a number field takes integers)."""
    allowed = {node["type"]} | ({"integer"} if node["type"] == "number" else set())
    return [SAMPLES[kind] for kind in JSON_TYPES if kind not in allowed]


def corruptions(site: Site) -> st.SearchStrategy[tuple[str, object]]:
    """(kind, replacement or added key) for the ways the value at `site` can be broken."""
    node = site.node
    kinds = [st.tuples(st.just("wrong type"), st.sampled_from(_wrong_types(node)))]
    if "enum" in node:
        outside = st.text(max_size=12).filter(lambda value: value not in node["enum"])
        kinds.append(st.tuples(st.just("bad enum"), outside))
    if "pattern" in node:
        pattern = re.compile(node["pattern"])
        malformed = st.one_of(st.sampled_from(MALFORMED_DATES), st.text(max_size=12))
        kinds.append(
            st.tuples(
                st.just("malformed"), malformed.filter(lambda value: not pattern.search(value))
            )
        )
    if node["type"] == "object":
        unknown = st.text(max_size=12).filter(lambda key: key not in node["properties"])
        kinds.append(st.tuples(st.just("unknown key"), unknown))
    return st.one_of(kinds)


def corrupt(document: dict, site: Site, kind: str, value) -> dict:
    """A copy of `document` with the one change `kind` at `site`."""
    broken = json.loads(json.dumps(document))
    if not site.path:
        parent, last = None, None
    else:
        parent = broken
        for step in site.path[:-1]:
            parent = parent[step]
        last = site.path[-1]
    if kind == "unknown key":
        target = broken if parent is None else parent[last]
        target[value] = "unexpected"
    elif parent is None:
        return value
    else:
        parent[last] = value
    return broken


@st.composite
def corrupted_records(draw) -> tuple[dict, dict, Site, str]:
    """(a valid record, the same record with one thing broken, where, how)."""
    document = draw(valid_records())
    site = draw(st.sampled_from(sites(document, schema())))
    kind, value = draw(corruptions(site))
    return document, corrupt(document, site, kind, value), site, kind

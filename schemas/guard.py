"""The guard: no record reaches the store unless the committed JSON Schema accepts it.

A refusal names where the record came from (file or request), the JSON pointer of the
offending value and the rule it breaks, so a user can fix the record and load it again.

Beyond the schema, NCT ids and aliases must stay apart: a study may not list its own id in
`nctIdAliases` (`check`), and no id may be both a study and another study's alias, nor
the alias of two studies (`alias_clashes`, asked against what is stored and loading).

Two validators read the same committed schema: `jsonschema_rs` (compiled, in Rust) decides,
fast enough for bulk imports (a few times faster than `fastjsonschema`'s generated Python,
which it replaced), and `jsonschema` explains a refusal with every problem and its pointer.
Tests hold them to the same verdicts.
"""

from __future__ import annotations

import functools
import itertools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import jsonschema
import jsonschema_rs

from schemas.json_schema import SCHEMA_PATH

NCT_ID = "/protocolSection/identificationModule/nctId"
ALIASES = "/protocolSection/identificationModule/nctIdAliases"


@dataclass(frozen=True)
class Problem:
    """One rule a record breaks: where (JSON pointer), which rule, and what is wrong."""

    pointer: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.pointer or '/'}: {self.message} (rule: {self.rule})"


class RecordRefused(ValueError):
    """A record the guard will not store, with every problem found in it."""

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = problems
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{source}: {problems[0]}{more}")


def _pointer(parts) -> str:
    """RFC 6901 pointer for a sequence of keys and indexes."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def _problems(error: jsonschema.ValidationError) -> list[Problem]:
    """Our wording of one jsonschema error; an unknown key points at the key itself."""
    where = list(error.absolute_path)
    rule, value = error.validator, error.instance
    if rule == "additionalProperties":
        allowed = error.schema.get("properties", {})
        return [Problem(_pointer(where + [key]), rule, f"unknown key {key!r}")
                for key in value if key not in allowed]
    if rule == "required":
        return [Problem(_pointer(where + [key]), rule, f"required key {key!r} is missing")
                for key in error.validator_value if key not in value]
    messages = {
        "enum": f"{value!r} is not an allowed value",
        "pattern": f"{value!r} does not match {error.validator_value}",
        "type": f"{value!r} is not of type {error.validator_value}",
    }
    return [Problem(_pointer(where), rule, messages.get(rule, error.message))]


@functools.cache
def _schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@functools.cache
def validator() -> jsonschema.Draft202012Validator:
    """The explaining validator for the committed JSON Schema."""
    return jsonschema.Draft202012Validator(_schema())


@functools.cache
def _deciding() -> jsonschema_rs.Draft202012Validator:
    return jsonschema_rs.Draft202012Validator(_schema())


def is_valid(document) -> bool:
    """The verdict alone, fast."""
    return _deciding().is_valid(document)


@functools.cache
def depth_bound() -> int | None:
    """How deep arrays and objects nest, at most, in a document the schema accepts; None
    if the schema lets them nest without end (an open object, a recursive definition).

    A loader that limits nesting need not scan an accepted document for it when its
    limit is at least this.
    """
    definitions = _schema().get("$defs", {})

    def depth(node: dict, seen: frozenset[str]) -> int | None:
        if "$ref" in node:
            name = node["$ref"].removeprefix("#/$defs/")
            if name in seen or name not in definitions:
                return None
            return depth(definitions[name], seen | {name})
        types = node.get("type")
        types = set(types) if isinstance(types, list) else {types}
        if "object" in types or "properties" in node:
            if node.get("additionalProperties", True) is not False:
                return None
            inner = [depth(child, seen) for child in node.get("properties", {}).values()]
            return None if None in inner else 1 + max(inner, default=0)
        if "array" in types or "items" in node:
            items = node.get("items")
            inner = depth(items, seen) if isinstance(items, dict) else None
            return None if inner is None else 1 + inner
        return 0

    return depth(_schema(), frozenset())


def problems(document) -> list[Problem]:
    """Every problem the JSON Schema finds in `document`, in document order."""
    found = []
    for error in sorted(validator().iter_errors(document), key=lambda e: list(map(str, e.absolute_path))):
        found.extend(_problems(error))
    return found


def check(document, source: str) -> None:
    """Raise `RecordRefused` unless `document` is a record the store may hold."""
    if is_valid(document):
        identification = document["protocolSection"]["identificationModule"]
        nct_id = identification["nctId"]
        found = [Problem(f"{ALIASES}/{index}", "alias", f"{alias} is the study's own NCT id")
                 for index, alias in enumerate(identification.get("nctIdAliases", ()))
                 if alias == nct_id]
        if found:
            raise RecordRefused(source, found)
        return
    found = problems(document)
    if not found:  # the validators disagree: refuse, on the deciding one's word
        found = [Problem(_pointer(error.instance_path), "schema", error.message)
                 for error in itertools.islice(_deciding().iter_errors(document), 1)]
    raise RecordRefused(source, found)


def alias_clashes(nct_id: str, aliases: Sequence[str], *,
                  owner_of: Callable[[str], str | None],
                  is_study: Callable[[str], bool]) -> list[Problem]:
    """What storing study `nct_id` with `aliases` would make ambiguous, given what is held.

    `owner_of(id)` is the study listing `id` as an alias (None if none), `is_study(id)`
    whether a study has that NCT id: the store answers for what it holds, a loader for
    what it holds and is about to write. Nothing here is the record's own fault alone,
    so it is not part of `check`.
    """
    found = []
    owner = owner_of(nct_id)
    if owner not in (None, nct_id):
        found.append(Problem(NCT_ID, "alias", f"{nct_id} is already an alias of study {owner}"))
    for index, alias in enumerate(aliases):
        owner = owner_of(alias)
        if alias != nct_id and is_study(alias):
            found.append(Problem(f"{ALIASES}/{index}", "alias",
                                 f"{alias} is already a study, it cannot be an alias"))
        elif owner not in (None, nct_id):
            found.append(Problem(f"{ALIASES}/{index}", "alias",
                                 f"{alias} is already an alias of study {owner}"))
    return found

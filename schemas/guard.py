"""The guard: no record reaches the store unless the committed JSON Schema accepts it.

A refusal names where the record came from (file or request), the JSON pointer of the
offending value and the rule it breaks, so a user can fix the record and load it again.

Two validators read the same committed schema: `fastjsonschema` compiles it to Python and
decides (about twenty times faster than `jsonschema`, which bulk imports need), and
`jsonschema` explains a refusal with every problem and its pointer. Tests hold them to the
same verdicts.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

import fastjsonschema
import jsonschema

from schemas.json_schema import SCHEMA_PATH


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
def _fast_check():
    return fastjsonschema.compile(_schema())


def is_valid(document) -> bool:
    """The verdict alone, fast."""
    try:
        _fast_check()(document)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def problems(document) -> list[Problem]:
    """Every problem the JSON Schema finds in `document`, in document order."""
    found = []
    for error in sorted(validator().iter_errors(document), key=lambda e: list(map(str, e.absolute_path))):
        found.extend(_problems(error))
    return found


def check(document, source: str) -> None:
    """Raise `RecordRefused` unless `document` is a record the store may hold."""
    if is_valid(document):
        return
    found = problems(document)
    if not found:  # the validators disagree: refuse, on the fast one's word
        try:
            _fast_check()(document)
        except fastjsonschema.JsonSchemaException as error:
            found = [Problem("/" + "/".join(map(str, error.path[1:])), error.rule or "schema",
                             error.message)]
    raise RecordRefused(source, found)

"""The JSON Schema (Draft 2020-12) that guards stored records, generated from the schemas.

It is stricter than the registry's own permissive spec: unknown keys are refused, enums,
date, age and NCT-id formats are enforced and `nctId` is required. The generated document
is committed as `schemas/study.schema.json`; regenerate it after changing a schema with

    python -m schemas.json_schema

and a test fails while the committed file differs from a fresh generation.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import marshmallow as ma
from marshmallow import validate

from schemas.study import StudySchema

SCHEMA_PATH = Path(__file__).with_name("study.schema.json")
SCHEMA_ID = "urn:ctgov-v2-server:schemas:study"

_JSON_TYPES = (  # most derived first: Boolean and Integer are no Strings
    (ma.fields.Boolean, "boolean"),
    (ma.fields.Integer, "integer"),
    (ma.fields.Float, "number"),
    (ma.fields.String, "string"),
)


class _Generator:
    """Walks a schema tree once, collecting one `$defs` entry per structure."""

    def __init__(self):
        self.defs: dict[str, dict] = {}

    def structure(self, schema: ma.Schema) -> dict:
        """A `$ref` to the definition of `schema`'s structure, defining it on first use."""
        name = type(schema).__name__.removesuffix("Schema")
        if name not in self.defs:
            self.defs[name] = {}  # reserve the slot (and the order) before recursing
            self.defs[name] = self.object(schema, name)
        return {"$ref": f"#/$defs/{name}"}

    def object(self, schema: ma.Schema, title: str) -> dict:
        """The object definition of `schema`: its properties, required keys, nothing else."""
        properties = {f.data_key: self.value(f) for f in schema.fields.values()}
        required = [f.data_key for f in schema.fields.values() if f.required]
        definition = {"title": title, "type": "object", "properties": properties}
        if required:
            definition["required"] = required
        definition["additionalProperties"] = False
        return definition

    def value(self, field_obj: ma.fields.Field) -> dict:
        """The JSON Schema of one field's value."""
        if isinstance(field_obj, ma.fields.Nested):
            # A structure nested with `exclude` (FlowReason) still refers to the whole
            # structure, as the registry's own spec does.
            ref = self.structure(type(field_obj.schema)())
            return {"type": "array", "items": ref} if field_obj.many else ref
        if isinstance(field_obj, ma.fields.List):
            return {"type": "array", "items": self.value(field_obj.inner)}
        json_type = next(name for cls, name in _JSON_TYPES if isinstance(field_obj, cls))
        result = {"type": json_type}
        for validator in field_obj.validators:
            if isinstance(validator, validate.OneOf):
                result["enum"] = list(validator.choices)
            elif isinstance(validator, validate.Regexp):
                result["pattern"] = validator.regex.pattern
        return result


def build() -> dict:
    """Generate the guard's JSON Schema from `StudySchema`."""
    generator = _Generator()
    root = generator.object(StudySchema(), "Study")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "description": "A ClinicalTrials.gov API v2 study record, as this server stores it. "
        "Generated from the marshmallow schemas in schemas/; do not edit.",
        **root,
        "$defs": generator.defs,
    }


def render(document: dict) -> str:
    """The committed text form: two-space indent, registry order, trailing newline."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    """Write the JSON Schema to `schemas/study.schema.json` (or the path given)."""
    target = Path(argv[0]) if argv else SCHEMA_PATH
    target.write_text(render(build()), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

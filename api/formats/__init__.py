"""Every output format of `GET /studies/{nctId}` (REFERENCE.md §4, §10-§12).

Pure functions over stored study documents, one module per format; no Flask here. Each
format is registered below with its media type and renderer:

- `render(study)` turns a `StudyText` into the response body (text or bytes);
- `check_fields(fields)` refuses a `fields=` value the format cannot take, raising
  `FieldsError` whose message is the 400 body, before the study is read;
- `projects`: `fields=` names JSON pieces and is applied to the document before rendering
  (json, json.zip); the other formats read `fields=` themselves (CSV columns, RIS tags);
- `filename`: when set, the body is an attachment of that name (`{}` is the NCT number).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from api.formats import csv_format, fhir, markup, ris, zip_format
from api.formats.study import FieldsError, StudyText

__all__ = ["FORMATS", "MARKUP_FORMATS", "FieldsError", "Format", "StudyText"]


def _any_fields(fields: list[str] | None) -> None:
    """JSON piece names are resolved by the projection, not here."""


@dataclass(frozen=True)
class Format:
    """One output format: how to name it on the wire and how to write it."""

    media_type: str
    render: Callable[[StudyText], str | bytes]
    check_fields: Callable[[list[str] | None], None] = _any_fields
    projects: bool = False
    filename: str | None = None


FORMATS: dict[str, Format] = {
    "csv": Format(csv_format.MEDIA_TYPE, csv_format.render, csv_format.check_fields),
    "json": Format("application/json", markup.render_json, projects=True),
    "json.zip": Format(
        zip_format.MEDIA_TYPE, zip_format.render, projects=True, filename=zip_format.FILENAME
    ),
    "fhir.json": Format(fhir.MEDIA_TYPE, fhir.render, fhir.check_fields),
    "ris": Format(ris.MEDIA_TYPE, ris.render, ris.check_fields),
}
MARKUP_FORMATS = markup.MARKUP_FORMATS

"""Every output format of a study (REFERENCE.md §4, §10-§12).

Pure functions over stored study documents, one module per format; no Flask here. Each
format is registered below with its media type and its two steps:

- `select(fields, query_areas)` turns `fields=` into what the format keeps: a tree of JSON
  keys (json, json.zip: `projection`), CSV columns, RIS tags; None for everything. It runs
  once, while the request is parsed, so a bad `fields=` is refused before the store is read
  (`FieldsError`, whose message is the 400 body);
- `render(study)` turns a `StudyText` into the response body (text or bytes);
- `projects`: the selection is applied to the JSON document before rendering (json,
  json.zip); the other formats read it themselves;
- `filename`: when set, the body is an attachment of that name (`{}` is the NCT number).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from api.formats import csv_format, fhir, markup, ris, zip_format
from api.formats.projection import project, project_text, resolve_fields
from api.formats.study import FieldsError, StudyText

__all__ = ["FORMATS", "LIST_FORMATS", "MARKUP_FORMATS", "FieldsError", "Format", "StudyText",
           "project", "project_text"]


def select_pieces(fields: list[str] | None, query_areas: tuple[str, ...] | None = None):
    """What `fields=` selects for the JSON formats: the projection tree, None for all."""
    return None if fields is None else resolve_fields(fields, query_areas)


@dataclass(frozen=True)
class Format:
    """One output format: how to name it on the wire and how to write it."""

    media_type: str
    render: Callable[[StudyText], str | bytes]
    select: Callable[[list[str] | None, tuple[str, ...] | None], object] = select_pieces
    projects: bool = False
    filename: str | None = None


FORMATS: dict[str, Format] = {
    "csv": Format(csv_format.MEDIA_TYPE, csv_format.render, csv_format.select),
    "json": Format("application/json", markup.render_json, projects=True),
    "json.zip": Format(
        zip_format.MEDIA_TYPE, zip_format.render, projects=True, filename=zip_format.FILENAME
    ),
    "fhir.json": Format(fhir.MEDIA_TYPE, fhir.render, fhir.select),
    "ris": Format(ris.MEDIA_TYPE, ris.render, ris.select),
}
# `GET /studies` writes pages as JSON or CSV only (official spec).
LIST_FORMATS = ("json", "csv")
MARKUP_FORMATS = markup.MARKUP_FORMATS

"""One study in the output format a client asks for (`format=`, `markupFormat=`, `fields=`).

The formats themselves live in `api.formats`; this service finds the study, applies a JSON
projection where the format takes one, and turns a format's refusal of `fields=` into the
registry's 400.
"""

from __future__ import annotations

from typing import NamedTuple

from api.errors import BadRequest
from api.formats import FORMATS, FieldsError, StudyText, csv_format
from api.services.studies import canonical_nct_id, projected_study, study_document
from api.store import Store


class Rendered(NamedTuple):
    """A response body with its media type, any extra headers and, when known, its tag."""

    body: str | bytes
    media_type: str
    headers: dict[str, str] | None = None
    tag: str | None = None


def render_study(
    store: Store,
    raw_id: str,
    format_name: str = "json",
    markup_format: str = "markdown",
    fields: list[str] | None = None,
) -> Rendered:
    """The study `raw_id` names, written in `format_name` (REFERENCE.md §4)."""
    output = FORMATS[format_name]
    stored = None
    try:
        output.check_fields(fields)
        nct_id = canonical_nct_id(raw_id)
        if output.projects and fields is not None:
            text = projected_study(store, nct_id, fields)
        else:
            stored = study_document(store, nct_id)
            text = stored.json
        body = output.render(StudyText(nct_id, text, fields, markup_format))
    except FieldsError as error:
        raise BadRequest(str(error)) from error
    headers = None
    if output.filename:
        name = output.filename.format(nct_id)
        headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    # A body that is the stored document itself (plain JSON) carries the stored tag.
    tag = stored.tag if stored is not None and body is stored.json else None
    return Rendered(body, output.media_type, headers, tag)


def csv_columns(fields: list[str] | None) -> list[str]:
    """The CSV columns `fields=` asks for (list endpoint too); 400 for a non-column name."""
    try:
        return csv_format.resolve_columns(fields)
    except FieldsError as error:
        raise BadRequest(str(error)) from error

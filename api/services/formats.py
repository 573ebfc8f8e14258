"""One study in the output format a client asks for (`format=`, `markupFormat=`, `fields=`).

The formats themselves live in `api.formats`; this service finds the study, applies a JSON
projection where the format takes one, and turns a format's refusal of `fields=` into the
registry's 400.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from api.errors import BadRequest
from api.formats import FORMATS, FieldsError, StudyText, csv_format
from api.services.studies import canonical_nct_id, projected_study, study_json
from api.store import Store


@dataclass(frozen=True)
class Rendered:
    """A response body with its media type and any extra headers."""

    body: str | bytes
    media_type: str
    headers: dict[str, str] = field(default_factory=dict)


def render_study(
    store: Store,
    raw_id: str,
    format_name: str = "json",
    markup_format: str = "markdown",
    fields: list[str] | None = None,
) -> Rendered:
    """The study `raw_id` names, written in `format_name` (REFERENCE.md §4)."""
    output = FORMATS[format_name]
    try:
        output.check_fields(fields)
        if output.projects:
            study = StudyText(
                canonical_nct_id(raw_id),
                projected_study(store, raw_id, fields),
                markup=markup_format,
            )
        else:
            study = StudyText(
                canonical_nct_id(raw_id), study_json(store, raw_id), fields, markup_format
            )
        body = output.render(study)
    except FieldsError as error:
        raise BadRequest(str(error)) from error
    headers = {}
    if output.filename:
        name = output.filename.format(study.nct_id)
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return Rendered(body, output.media_type, headers)


def csv_columns(fields: list[str] | None) -> list[str]:
    """The CSV columns `fields=` asks for (list endpoint too); 400 for a non-column name."""
    try:
        return csv_format.resolve_columns(fields)
    except FieldsError as error:
        raise BadRequest(str(error)) from error

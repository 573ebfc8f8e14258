"""One study in the output form a client asks for (`format=`, `markupFormat=`, `fields=`).

The formats themselves live in `api.formats`; this service finds the study and applies the
JSON projection where the format takes one.
"""

from __future__ import annotations

from typing import NamedTuple

from api import json_text
from api.formats import StudyText, project_text
from api.services.requests import StudyRequest
from api.services.studies import study_document
from api.store.base import Store


class Rendered(NamedTuple):
    """A response body with its media type, any extra headers and, when known, its tag."""

    body: str | bytes
    media_type: str
    headers: dict[str, str] | None = None
    tag: str | None = None


def render_study(store: Store, request: StudyRequest) -> Rendered:
    """The study `request` names, written as it asks (REFERENCE.md §4)."""
    output = request.output
    writer = output.writer
    stored = study_document(store, request.nct_id)
    text = stored.json
    if writer.projects and output.selection is not None:
        text = json_text.dumps(project_text(text, output.selection) or {})
    body = writer.render(StudyText(request.nct_id, text, output.selection, output.markup))
    headers = None
    if writer.filename:
        name = writer.filename.format(request.nct_id)
        headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    # A body that is the stored document itself (plain JSON) carries the stored tag.
    tag = stored.tag if body is stored.json else None
    return Rendered(body, writer.media_type, headers, tag)

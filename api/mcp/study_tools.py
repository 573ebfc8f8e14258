"""The tools about one study: `get_study`, `get_study_history`, and `field_values` (the value
statistics of fields across the store).

Each calls the service its `/api/v2` endpoint calls, with the request that endpoint would
build, so the answers and the refusals are the registry's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

import orjson
from pydantic import Field

from api.exceptions import InvalidRequest, MovedTo, NotFound
from api.formats import FORMATS
from api.mcp import parameters, summaries
from api.mcp.models import (FieldValues, FieldValueStats, PieceChange, StudyDocument,
                            StudyHistory, VersionDifference, VersionEntry)
from api.resources.stats.schemas import FieldValuesQuery
from api.resources.studies.routes import canonical_nct_id
from api.services import history, stats
from api.services.diff import values_at
from api.services.formats import render_study
from api.services.requests import Output, StudyRequest
from api.store.base import Store
from schemas.catalogue import catalogue
from schemas.enums import FieldStatsType

NctId = Annotated[str, Field(description="NCT number, e.g. `NCT04325594`")]
Answer = TypeVar("Answer")
FIELD_VALUES_QUERY = FieldValuesQuery()


def on_study(nct_id: str, call: Callable[[str], Answer]) -> Answer:
    """`call` on the study `nct_id` names; for an alias, on the study that lists it."""
    try:
        return call(canonical_nct_id(nct_id))
    except MovedTo as moved:
        return call(moved.nct_id)


class StudyTools:
    """The single-study tools over one store."""

    def __init__(self, store: Store):
        self.store = store

    def get_study(
            self, nct_id: NctId,
            fields: Annotated[list[str] | None, Field(
                description="Only these parts: piece names (`BriefTitle`), module names "
                "(`eligibilityModule`, `adverseEventsModule`), sections (`resultsSection`) "
                "or dotted paths; absent: the whole study")] = None,
            part: Annotated[str | None, Field(
                description="Instead of the study, a page of the values at this dotted "
                "path, e.g. a part listed in `omitted`")] = None,
            offset: Annotated[int, Field(ge=0, description="First value of `part`")] = 0,
            limit: Annotated[int, Field(ge=1, le=1000, description="Values of `part` per "
                                        "page")] = summaries.PAGE_ITEMS) -> StudyDocument:
        """A study record in the registry's API v2 JSON. Parts longer than a few thousand
        characters (results, adverse events, long site lists) are left out and listed in
        `omitted` with their size; fetch one with `part` (its `fetch` arguments), a page of
        `limit` items at a time."""
        if part is not None:
            return on_study(nct_id, lambda found: self._part(found, part, offset, limit))
        selection = FORMATS["json"].select(fields, None)
        return on_study(nct_id, lambda found: self._study(found, selection))

    def _study(self, nct_id: str, selection) -> StudyDocument:
        rendered = render_study(self.store, StudyRequest(nct_id, Output(selection=selection)))
        study, omitted = summaries.without_large_parts(nct_id, orjson.loads(rendered.body))
        return StudyDocument(nct_id=nct_id, study=study, omitted=omitted)

    def _part(self, nct_id: str, path: str, offset: int, limit: int) -> StudyDocument:
        node = catalogue().find(path)
        if node is None:
            raise NotFound(f"Field '{path}' not found")
        rendered = render_study(self.store, StudyRequest(nct_id))
        values = values_at(orjson.loads(rendered.body), node.keys)
        end = offset + limit
        return StudyDocument(nct_id=nct_id, part=node.path, items=values[offset:end],
                             total=len(values), next_offset=end if end < len(values) else None)

    def get_study_history(
            self, nct_id: NctId,
            version: Annotated[int | None, Field(ge=0, description="Also say how this version "
                                                 "differs from `base`")] = None,
            base: Annotated[int | None, Field(ge=0, description="The version to compare "
                                              "with; default: the one before `version`")]
            = None) -> StudyHistory:
        """The versions of a study this server has kept (date, overall status, the modules
        each changed) and, with `version`, the pieces that changed between two of them."""
        if base is not None and version is None:
            raise InvalidRequest("Parameter `base` needs parameter `version`")
        return on_study(nct_id, lambda found: self._history(found, version, base))

    def _history(self, nct_id: str, version: int | None, base: int | None) -> StudyHistory:
        kept = history.study_history(self.store, nct_id)
        difference = None
        if version is not None:
            found = history.difference(self.store, nct_id, version, base)
            difference = VersionDifference(
                from_version=found.source.number, to_version=found.target.number,
                changes=[PieceChange(piece=change.piece, path=change.path,
                                     summary=change.summary) for change in found.changes],
                patch_operations=len(found.patch))
        versions = [VersionEntry(version=entry.number, date=entry.date, status=entry.status,
                                 stored_at=entry.stored_at, modules=list(entry.modules))
                    for entry in kept.versions]
        return StudyHistory(nct_id=kept.nct_id, removed_at=kept.removed_at, versions=versions,
                            difference=difference)

    def field_values(
            self,
            fields: Annotated[list[str], Field(min_length=1, description="Piece names or "
                                               "dotted paths: `Phase`, `OverallStatus`, "
                                               "`LocationCountry`")],
            types: Annotated[list[str] | None, Field(
                description="Only fields of these statistics types",
                json_schema_extra={"items": {"type": "string",
                                             "enum": FieldStatsType.values()}})] = None,
    ) -> FieldValues:
        """How the stored studies' values of fields are distributed (as `/stats/field/values`):
        how many studies lack each, its most frequent values with their counts, ranges."""
        request = parameters.loaded(FIELD_VALUES_QUERY, {"fields": fields, "types": types})
        items = orjson.loads(stats.field_values(self.store, request.get("types"),
                                                request.get("fields")))
        return FieldValues(fields=[FieldValueStats(**item) for item in items])

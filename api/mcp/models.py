"""What the MCP tools answer: pydantic models, from which the SDK writes each tool's output
JSON Schema and checks every answer against it.

Keys are the registry's camelCase (`nctId`, `totalCount`, `nextPageToken`), as in the
studies they describe; Python attributes are snake_case.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class Answer(BaseModel):
    """Base of every answer: camelCase on the wire."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class StudySummary(Answer):
    """A study in a few lines: enough to choose which to read in full (`get_study`)."""

    nct_id: str
    brief_title: str | None = None
    overall_status: str | None = None
    phases: list[str] = []
    conditions: list[str] = []
    lead_sponsor: str | None = None
    enrollment: int | None = None
    start_date: str | None = None


class StudyPage(Answer):
    """One page of a search."""

    total_count: int | None = Field(None, description="Studies matching; on the first page")
    studies: list[StudySummary]
    next_page_token: str | None = Field(None, description="Pass as `page_token` for the next "
                                        "page, with the same other arguments; absent on the "
                                        "last page")


class StudyCount(Answer):
    """How many studies match."""

    total_count: int


class Eligibility(Answer):
    """A study's structured eligibility, and its criteria text for the caller to read."""

    minimum_age: str | None = None
    maximum_age: str | None = None
    sex: str | None = None
    healthy_volunteers: bool | None = None
    std_ages: list[str] = []
    eligibility_criteria: str | None = None


class EligibleStudy(StudySummary):
    """A recruiting study whose structured eligibility admits the person."""

    eligibility: Eligibility


class EligibleStudies(Answer):
    """One page of recruiting studies the person may be eligible for."""

    total_count: int | None = None
    studies: list[EligibleStudy]
    next_page_token: str | None = None


class OmittedPart(Answer):
    """A part of the study left out for its size; `fetch` are `get_study` arguments that
    return it in pages of items."""

    path: str = Field(description="Dotted path in the study, e.g. "
                      "`resultsSection.adverseEventsModule.seriousEvents`")
    chars: int = Field(description="Length of the part as JSON text")
    items: int | None = Field(None, description="Items in the list, for a list")
    fetch: dict[str, Any]


class StudyDocument(Answer):
    """A study (or the parts of it asked for) with its large parts left out and listed, or
    one page of the values at `part`."""

    nct_id: str
    study: dict[str, Any] | None = Field(None, description="The study in the registry's API "
                                         "v2 JSON, without the parts listed in `omitted`")
    omitted: list[OmittedPart] = []
    part: str | None = Field(None, description="The path whose values `items` are")
    items: list[Any] | None = None
    total: int | None = Field(None, description="How many values `part` has in all")
    next_offset: int | None = Field(None, description="`offset` of the next page of `part`")


class VersionEntry(Answer):
    """One version of a study kept by this store."""

    version: int
    date: str | None = Field(None, description="The version's last update post date")
    status: str | None = Field(None, description="The version's overall status")
    stored_at: str
    modules: list[str] = Field(description="Modules that differ from the previous version")


class PieceChange(Answer):
    """A piece whose values differ between two versions."""

    piece: str
    path: str
    summary: str = Field(description="`Piece: before -> after`, each side shortened")


class VersionDifference(Answer):
    """How one version differs from another."""

    from_version: int
    to_version: int
    changes: list[PieceChange]
    patch_operations: int = Field(description="Operations of the RFC 6902 JSON Patch between "
                                  "the two texts")


class StudyHistory(Answer):
    """The versions of a study this store has kept and, when asked, what changed."""

    nct_id: str
    removed_at: str | None = None
    versions: list[VersionEntry]
    difference: VersionDifference | None = None


class FieldValueStats(Answer):
    """The value statistics of one field (the registry's `FieldValuesStats`)."""

    model_config = ConfigDict(extra="allow")

    type: str
    piece: str
    field: str
    missing_studies_count: int


class FieldValues(Answer):
    """Value statistics of the fields asked for."""

    fields: list[FieldValueStats]

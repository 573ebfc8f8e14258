"""The search tools' arguments as `GET /api/v2/studies` parameters, loaded by that endpoint's
own schema: the same parsing, the same checks, the registry's messages for bad input.

A tool names its arguments for an assistant (`condition`, `near`); each maps onto one
registry parameter (`query.cond`, `filter.geo`), and what has no parameter of its own
(phases, the person's eligibility) is an Essie expression in `filter.advanced`, which the
search parser reads like any other.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, Field
from werkzeug.datastructures import MultiDict

from api import query
from api.exceptions import InvalidRequest
from api.resources.studies.schemas import ListStudiesQuery
from api.search import fields as search_fields
from api.services.requests import SearchRequest
from schemas.enums import Phase, Sex

LIST_QUERY = ListStudiesQuery()
# What a study summary shows (`summaries.study_summary`): only these parts are read.
SUMMARY_FIELDS = ("NCTId", "BriefTitle", "OverallStatus", "Phase", "Condition",
                  "LeadSponsorName", "EnrollmentCount", "StartDate")
ELIGIBILITY_FIELDS = ("MinimumAge", "MaximumAge", "Sex", "HealthyVolunteers", "StdAge",
                      "EligibilityCriteria")


class Near(BaseModel):
    """A point and a distance: studies with a site that near."""

    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    distance: str = Field("50mi", description="A radius in `mi` (the default unit) or `km`, "
                          "e.g. `50mi`, `20km`")


def loaded(schema, parameters: dict[str, object]):
    """`parameters` (registry names; None values left out, lists as repeated values) loaded
    by an endpoint's query `schema`, as that endpoint loads its query string:
    `InvalidRequest` with the registry's message for bad input."""
    pairs = []
    for name, value in parameters.items():
        if value is None:
            continue
        values = value if isinstance(value, list | tuple) else [value]
        pairs.extend((name, str(item)) for item in values)
    return query.load(schema, [MultiDict(pairs)])


def search_request(parameters: dict[str, object], summary_fields: Iterable[str]) -> SearchRequest:
    """The search the registry parameters `parameters` ask for, each study read only for
    `summary_fields`."""
    return loaded(LIST_QUERY, {**parameters, "fields": list(summary_fields)})


def registry_parameters(*, condition=None, intervention=None, terms=None, location=None,
                        status=None, near: Near | None = None, page_size=None,
                        page_token=None) -> dict[str, object]:
    """The parameters every search tool shares, by their registry names."""
    return {
        "query.cond": condition,
        "query.intr": intervention,
        "query.term": terms,
        "query.locn": location,
        "filter.overallStatus": status,
        "filter.geo": geo(near),
        "pageSize": page_size,
        "pageToken": page_token,
    }


def geo(near: Near | None) -> str | None:
    """`filter.geo`'s value for `near`."""
    if near is None:
        return None
    return f"distance({near.latitude},{near.longitude},{near.distance})"


def _checked(parameter: str, value: str, choices: Iterable[str]) -> str:
    """`value` in upper case if it is one of `choices`; refused in the registry's words."""
    if value.upper() not in choices:
        raise InvalidRequest(f"Invalid value in parameter `{parameter}`: `{value}`")
    return value.upper()


def phase_expression(phases: list[str] | None) -> str | None:
    """`AREA[Phase](PHASE2 OR PHASE3)`: studies in any of `phases`."""
    if not phases:
        return None
    chosen = [_checked("phase", phase, Phase.values()) for phase in phases]
    return f"AREA[Phase]({' OR '.join(chosen)})"


def eligibility_expression(age: str, sex: str | None, healthy_volunteer: bool) -> str:
    """Studies whose structured eligibility admits a person of `age` (`45 years`, `6 months`),
    `sex` and, if `healthy_volunteer`, who is one. A bound a study does not state does not
    exclude anyone: no maximum age admits every age above the minimum."""
    if search_fields.age_key(age) is None:
        raise InvalidRequest(f"Invalid value in parameter `age`: `{age}`")
    parts = [f"AREA[MinimumAge](MISSING OR RANGE[MIN, {age}])",
             f"AREA[MaximumAge](MISSING OR RANGE[{age}, MAX])"]
    if sex is not None:
        person = _checked("sex", sex, [value for value in Sex.values() if value != "ALL"])
        # Quoted: a bare ALL is Essie's every-study operator, not the value.
        parts.append(f'AREA[Sex](MISSING OR "ALL" OR {person})')
    if healthy_volunteer:
        parts.append("AREA[HealthyVolunteers](MISSING OR true)")
    return " AND ".join(parts)

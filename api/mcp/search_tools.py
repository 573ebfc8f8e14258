"""The search tools: `search_studies`, `count_studies`, `find_eligible`.

Each turns its arguments into the registry's search parameters (`api.mcp.parameters`) and
runs them through the search service as `GET /api/v2/studies` does; what comes back is the
registry's page envelope, read into compact summaries.
"""

from __future__ import annotations

from typing import Annotated

import orjson
from pydantic import Field

from api.mcp import parameters
from api.mcp.models import EligibleStudies, StudyCount, StudyPage
from api.mcp.parameters import Near
from api.mcp.summaries import eligible_study, study_summary
from api.services import search
from api.store.base import Store
from schemas.enums import Phase, Status as OverallStatus

Condition = Annotated[str | None, Field(description="Conditions or disease, an Essie "
                                        "expression (`lung cancer`, `covid OR sars`)")]
Intervention = Annotated[str | None, Field(description="Intervention or treatment (Essie)")]
Terms = Annotated[str | None, Field(description="Other terms, Essie over every text, e.g. "
                                    "`AREA[LastUpdatePostDate]RANGE[2023-01-15,MAX]`")]
Location = Annotated[str | None, Field(description="Location terms: city, state, country, "
                                       "facility (`Boston`, `France`)")]
Status = Annotated[list[str] | None, Field(
    description="Overall statuses, any of them (`RECRUITING`, `COMPLETED`, ...)",
    json_schema_extra={"items": {"type": "string", "enum": OverallStatus.values()}})]
Phases = Annotated[list[str] | None, Field(
    description="Phases, any of them",
    json_schema_extra={"items": {"type": "string", "enum": Phase.values()}})]
NearPoint = Annotated[Near | None, Field(description="Only studies with a site within "
                                         "`distance` of this point")]
PageSize = Annotated[int, Field(description="Studies per page (at most 1000)")]
PageToken = Annotated[str | None, Field(description="`nextPageToken` of the previous page; "
                                        "repeat every other argument unchanged")]


class SearchTools:
    """The search tools over one store; each search stops at `time_budget` seconds."""

    def __init__(self, store: Store, time_budget: float | None):
        self.store = store
        self.time_budget = time_budget

    def _page(self, arguments: dict, fields) -> dict:
        """The registry's page envelope for `arguments` (registry parameters)."""
        request = parameters.search_request(arguments, fields)
        page = search.find_studies(self.store, request, self.time_budget)
        return orjson.loads(search.json_body(page, request.output))

    def search_studies(self, condition: Condition = None, intervention: Intervention = None,
                       terms: Terms = None, location: Location = None, status: Status = None,
                       phase: Phases = None, near: NearPoint = None, page_size: PageSize = 10,
                       page_token: PageToken = None) -> StudyPage:
        """Search clinical trials; a page of short summaries (NCT id, title, status, phases,
        conditions, sponsor, enrollment, start date), the total on the first page and the
        token of the next. Read a study in full with `get_study`."""
        arguments = parameters.registry_parameters(
            condition=condition, intervention=intervention, terms=terms, location=location,
            status=status, near=near, page_size=page_size, page_token=page_token)
        arguments |= {"filter.advanced": parameters.phase_expression(phase),
                      "countTotal": "true"}
        envelope = self._page(arguments, parameters.SUMMARY_FIELDS)
        return StudyPage(total_count=envelope.get("totalCount"),
                         studies=[study_summary(study) for study in envelope["studies"]],
                         next_page_token=envelope.get("nextPageToken"))

    def count_studies(self, condition: Condition = None, intervention: Intervention = None,
                      terms: Terms = None, location: Location = None, status: Status = None,
                      phase: Phases = None, near: NearPoint = None) -> StudyCount:
        """How many studies match; the same arguments as `search_studies`."""
        arguments = parameters.registry_parameters(
            condition=condition, intervention=intervention, terms=terms, location=location,
            status=status, near=near)
        arguments["filter.advanced"] = parameters.phase_expression(phase)
        request = parameters.search_request(arguments, ("NCTId",))
        return StudyCount(total_count=search.count_studies(self.store, request,
                                                           self.time_budget))

    def find_eligible(
            self,
            age: Annotated[str, Field(description="The person's age with its unit: "
                                      "`45 years`, `18 months`")],
            sex: Annotated[str | None, Field(description="`FEMALE` or `MALE`; absent: either",
                                             json_schema_extra={"enum": ["FEMALE", "MALE"]})]
            = None,
            healthy_volunteer: Annotated[bool, Field(
                description="The person is a healthy volunteer (not a patient)")] = False,
            condition: Condition = None, location: Location = None, near: NearPoint = None,
            page_size: Annotated[int, Field(description="Studies per page (at most 1000)")] = 10,
            page_token: PageToken = None) -> EligibleStudies:
        """Recruiting studies whose structured eligibility admits a person: age within the
        study's minimum and maximum (a bound the study does not state excludes no one), sex,
        healthy volunteers accepted. Each comes with its eligibility criteria text: read it,
        it has the conditions the structured fields cannot say."""
        arguments = parameters.registry_parameters(
            condition=condition, location=location, status=["RECRUITING"], near=near,
            page_size=page_size, page_token=page_token)
        arguments |= {"filter.advanced": parameters.eligibility_expression(
            age, sex, healthy_volunteer), "countTotal": "true"}
        envelope = self._page(arguments, parameters.SUMMARY_FIELDS
                              + parameters.ELIGIBILITY_FIELDS)
        return EligibleStudies(total_count=envelope.get("totalCount"),
                               studies=[eligible_study(study) for study in envelope["studies"]],
                               next_page_token=envelope.get("nextPageToken"))

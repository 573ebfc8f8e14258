"""Studies cut to an assistant's measure: a few lines per search result, and a study whose
large parts (results, adverse events, a thousand sites) are listed with their sizes instead
of sent, each fetched on request a page of items at a time.

A record can run to several hundred kB of JSON; an assistant's context holds a few such at
most. The cut is by size, not by name, so whatever part of a record grows large is treated
alike.
"""

from __future__ import annotations

from api import json_text
from api.mcp.models import Eligibility, EligibleStudy, OmittedPart, StudySummary
from api.search.fields import boolean
from api.services.diff import values_at
from schemas.catalogue import catalogue

# A part longer than this as JSON text is left out of a study and listed instead; shorter
# ones too while the study is longer than STUDY_CHARS (a few thousand words of context).
PART_CHARS = 8_000
MIN_PART_CHARS = 1_000
STUDY_CHARS = 24_000
# Items per page of a part fetched on its own, unless the caller asks for another size.
PAGE_ITEMS = 20

_SUMMARY = {"nct_id": "NCTId", "brief_title": "BriefTitle", "overall_status": "OverallStatus",
            "lead_sponsor": "LeadSponsorName", "enrollment": "EnrollmentCount",
            "start_date": "StartDate"}
_SUMMARY_LISTS = {"phases": "Phase", "conditions": "Condition"}
_ELIGIBILITY = {"minimum_age": "MinimumAge", "maximum_age": "MaximumAge", "sex": "Sex",
                "eligibility_criteria": "EligibilityCriteria"}


def _values(study: dict, piece: str) -> list:
    """Every value of `piece` in `study`, by the catalogue's path for it."""
    return values_at(study, catalogue().find(piece).keys)


def _first(study: dict, piece: str):
    found = _values(study, piece)
    return found[0] if found else None


def study_summary(study: dict) -> StudySummary:
    """The summary of a study (its `SUMMARY_FIELDS` suffice)."""
    return StudySummary(**_summary_values(study))


def _summary_values(study: dict) -> dict:
    values = {name: _first(study, piece) for name, piece in _SUMMARY.items()}
    values |= {name: _values(study, piece) for name, piece in _SUMMARY_LISTS.items()}
    return values


def eligible_study(study: dict) -> EligibleStudy:
    """The summary of a study with its eligibility (`ELIGIBILITY_FIELDS` read too)."""
    healthy = _first(study, "HealthyVolunteers")
    eligibility = Eligibility(
        **{name: _first(study, piece) for name, piece in _ELIGIBILITY.items()},
        healthy_volunteers=None if healthy is None else boolean(healthy),
        std_ages=_values(study, "StdAge"))
    return EligibleStudy(**_summary_values(study), eligibility=eligibility)


def without_large_parts(nct_id: str, study: dict) -> tuple[dict, list[OmittedPart]]:
    """`study` without its large parts, and those parts listed.

    A part is large when longer than `PART_CHARS` as JSON, or than half that, a quarter, ...
    (down to `MIN_PART_CHARS`) until the rest fits `STUDY_CHARS`: a study of many middling
    modules is cut too. A large object is kept with its small members (a module with one
    long list keeps the rest); a large list or text is left out whole.
    """
    limit = PART_CHARS
    while True:
        omitted: list[OmittedPart] = []
        kept = _fitted(nct_id, study, "", limit, omitted)
        if limit <= MIN_PART_CHARS or len(json_text.dumps(kept)) <= STUDY_CHARS:
            return kept, omitted
        limit //= 2


_LEFT_OUT = object()


def _fitted(nct_id: str, value, path: str, limit: int, omitted: list[OmittedPart]):
    """`value` (at `path`) with its parts longer than `limit` left out and listed."""
    size = len(json_text.dumps(value))
    if size <= limit:
        return value
    if isinstance(value, dict):
        inside = {key: _fitted(nct_id, item, f"{path}.{key}" if path else key, limit, omitted)
                  for key, item in value.items()}
        return {key: item for key, item in inside.items() if item is not _LEFT_OUT}
    items = len(value) if isinstance(value, list) else None
    omitted.append(OmittedPart(path=path, chars=size, items=items,
                               fetch={"nct_id": nct_id, "part": path, "offset": 0,
                                      "limit": PAGE_ITEMS}))
    return _LEFT_OUT

"""Criteria from the list endpoint's parameters: `query.*`, `filter.*`, `aggFilters`.

Each function returns a bound criteria node (`api.search.criteria`) or raises
`BadRequest` with the registry's wording.
"""

from __future__ import annotations

import re

from api.errors import BadRequest
from api.search import criteria as c
from api.search.essie import EssieError, distance, parse

# query.<param> -> the search area (or piece) its terms search.
QUERY_AREAS = {
    "query.cond": "ConditionSearch", "query.term": "BasicSearch", "query.locn": "LocationSearch",
    "query.titles": "TitleSearch", "query.intr": "InterventionSearch",
    "query.outc": "OutcomeSearch", "query.spons": "SponsorSearch", "query.lead": "LeadSponsorName",
    "query.id": "IdSearch", "query.patient": "PatientSearch",
}
_NCT_IDS_ONLY = re.compile(r"^\s*(?:[Nn][Cc][Tt]\d{1,8}[\s,]*)+$")
_NCT_ID = re.compile(r"^[Nn][Cc][Tt]0*[1-9]\d{0,7}$")
_GEO = re.compile(r"^distance\((-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?),(\d+(?:\.\d+)?(?:km|mi)?)\)$")

# aggFilters: facet id -> option key -> (piece, value). The registry does not document the
# keys; these follow its website's (REFERENCE.md §3). An unknown option matches nothing.
AGG_FILTERS = {
    "results": {"with": ("HasResults", "true"), "without": ("HasResults", "false")},
    "status": {"rec": "RECRUITING", "not": "NOT_YET_RECRUITING", "act": "ACTIVE_NOT_RECRUITING",
               "enr": "ENROLLING_BY_INVITATION", "com": "COMPLETED", "sus": "SUSPENDED",
               "ter": "TERMINATED", "wit": "WITHDRAWN", "unk": "UNKNOWN", "ava": "AVAILABLE",
               "nla": "NO_LONGER_AVAILABLE", "tna": "TEMPORARILY_NOT_AVAILABLE",
               "afm": "APPROVED_FOR_MARKETING", "whd": "WITHHELD"},
    "phase": {"0": "EARLY_PHASE1", "1": "PHASE1", "2": "PHASE2", "3": "PHASE3", "4": "PHASE4",
              "NA": "NA"},
    "studyType": {"int": "INTERVENTIONAL", "obs": "OBSERVATIONAL", "exp": "EXPANDED_ACCESS"},
    "sex": {"f": "FEMALE", "m": "MALE", "a": "ALL"},
    "healthy": {"y": ("HealthyVolunteers", "true"), "n": ("HealthyVolunteers", "false")},
    "ages": {"child": "CHILD", "adult": "ADULT", "older": "OLDER_ADULT"},
    "funderType": {"nih": "NIH", "fed": "FED", "industry": "INDUSTRY", "other": "OTHER",
                   "otherGov": "OTHER_GOV", "indiv": "INDIV", "network": "NETWORK"},
}
_AGG_PIECES = {"status": "OverallStatus", "phase": "Phase", "studyType": "StudyType",
               "sex": "Sex", "ages": "StdAge", "funderType": "LeadSponsorClass"}
NOTHING = c.Not(c.All())


def only_nct_ids(value: str) -> bool:
    """True when a `query.*` value is a list of NCT numbers (then filters are ignored)."""
    return bool(_NCT_IDS_ONLY.match(value))


def nct_ids(value: str) -> c.IdsMatch:
    """The NCT numbers of a `query.*` value that holds only those."""
    found = re.findall(r"[Nn][Cc][Tt](\d{1,8})", value)
    return c.IdsMatch(tuple(f"NCT{int(number):08d}" for number in found))


def essie(value: str, area: str, where: str):
    """An Essie expression searching `area` by default; `where` names it in errors."""
    try:
        return c.bind(parse(value), c.context_for(area))
    except EssieError as error:
        raise BadRequest(f"Error parsing query in {where}: {error}") from None


def query_criteria(name: str, value: str):
    """The criteria of one `query.*` parameter."""
    if only_nct_ids(value):
        return nct_ids(value)
    return essie(value, QUERY_AREAS[name], f"parameter {name}")


def status_criteria(statuses: list[str]):
    """`filter.overallStatus` (values already checked against the Status enum)."""
    return c.Or(tuple(c.ValueMatch("OverallStatus", "enum", status) for status in statuses))


def ids_criteria(parameter: str, values: list[str]) -> c.IdsMatch:
    """`filter.ids`: NCT numbers, matched against NCTId and NCTIdAlias."""
    for position, value in enumerate(values, start=1):
        if not _NCT_ID.match(value):
            raise BadRequest(f"Item {position} in parameter `{parameter}` has incorrect format")
    return c.IdsMatch(tuple(f"NCT{int(value[3:]):08d}" for value in values))


def geo_criteria(parameter: str, value: str) -> c.GeoMatch:
    """`filter.geo=distance(lat,lon,50mi)`."""
    match = _GEO.match(value)
    if match is None:
        raise BadRequest(f"Parameter `{parameter}` has incorrect format")
    point = distance(", ".join(match.groups()))
    return c.GeoMatch(point.lat, point.lon, point.radius_km)


def agg_criteria(value: str):
    """`aggFilters=status:rec not,phase:2 3`: options of one facet OR, facets AND."""
    facets = []
    for item in filter(None, (part.strip() for part in re.split(r"[,|]", value))):
        facet, _, options = item.partition(":")
        if facet not in AGG_FILTERS:
            raise BadRequest(f"Invalid value in parameter `aggFilters`: `{item}`")
        matches = [_agg_option(facet, option) for option in options.split()]
        facets.append(c.Or(tuple(matches)) if matches else NOTHING)
    return c.And(tuple(facets)) if facets else None


def _agg_option(facet: str, option: str):
    target = AGG_FILTERS[facet].get(option)
    if target is None:
        return NOTHING
    piece, value = target if isinstance(target, tuple) else (_AGG_PIECES[facet], target)
    kind = "boolean" if value in ("true", "false") else "enum"
    return c.ValueMatch(piece, kind, value)

"""Criteria from the list endpoint's parameters: `query.*`, `filter.*`, `aggFilters`.

Each function returns a bound criteria node (`api.search.criteria`) or raises
`InvalidRequest` with the registry's wording; the edge calls them once per request, while
parsing it.
"""

from __future__ import annotations

import re

from api.exceptions import InvalidRequest
from api.search import criteria as c
from api.search import fields
from api.search.essie import LIMITS, EssieError, LimitExceeded, distance, parse
from schemas import nct_ids
from schemas.catalogue import catalogue
from schemas.search_areas import QUERY_PARAMETERS

# The registry's `filter.geo` pattern; the point and radius inside are read as `DISTANCE`
# reads them (`essie.distance`), so both accept and refuse the same values.
_GEO = re.compile(r"distance\((-?\d+(?:\.\d+)?,-?\d+(?:\.\d+)?,\d+(?:\.\d+)?(?:km|mi)?)\)",
                  re.ASCII)
# How many NCT numbers `filter.ids` may list: aggregators send thousands (by POST).
MAX_IDS = 20_000

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


def essie(value: str, area: str, parameter: str, where: str):
    """An Essie expression searching `area` by default. `parameter` names it when a limit
    is exceeded; `where` in the registry's parse-error wording."""
    try:
        return c.bind(parse(value), c.context_for(area))
    except LimitExceeded as error:
        raise InvalidRequest(f"Parameter `{parameter}` is too complex: {error} "
                             f"(limits: {LIMITS.chars} characters, {LIMITS.depth} levels, "
                             f"{LIMITS.items} terms and operators)") from None
    except EssieError as error:
        raise InvalidRequest(f"Error parsing query in {where}: {error}") from None


def query_criteria(name: str, value: str):
    """The criteria of one `query.*` parameter: its NCT numbers if it holds only those."""
    ids = nct_ids.only_ids(value)
    if ids is not None:
        return c.IdsMatch(ids)
    return essie(value, QUERY_PARAMETERS[name], name, f"parameter {name}")


def advanced_criteria(parameter: str, value: str):
    """`filter.advanced` (or `postFilter.advanced`): Essie over `BasicSearch`."""
    return essie(value, "BasicSearch", parameter, "advanced filter")


def status_criteria(statuses: list[str]):
    """`filter.overallStatus` (values already checked against the Status enum)."""
    return c.combine(c.Or, [c.ValueMatch("OverallStatus", "enum", status)
                            for status in statuses])


def ids_criteria(parameter: str, values: list[str]) -> c.IdsMatch:
    """`filter.ids`: NCT numbers, matched against NCTId and NCTIdAlias."""
    if len(values) > MAX_IDS:
        raise InvalidRequest(f"Parameter `{parameter}` lists more than {MAX_IDS} ids")
    found = []
    for position, value in enumerate(values, start=1):
        nct_id = nct_ids.canonical(value)
        if nct_id is None:
            raise InvalidRequest(f"Item {position} in parameter `{parameter}` has incorrect format")
        found.append(nct_id)
    return c.IdsMatch(tuple(dict.fromkeys(found)))


def geo_criteria(parameter: str, value: str) -> c.GeoMatch:
    """`filter.geo=distance(lat,lon,50mi)`."""
    match = _GEO.fullmatch(value)
    try:
        point = distance(match.group(1)) if match else None
    except EssieError:
        point = None
    if point is None:
        raise InvalidRequest(f"Parameter `{parameter}` has incorrect format")
    return c.GeoMatch(point.lat, point.lon, point.radius_km)


def agg_criteria(value: str):
    """`aggFilters=status:rec not,phase:2 3`: options of one facet OR, facets AND."""
    facets = []
    for item in filter(None, (part.strip() for part in re.split(r"[,|]", value))):
        facet, _, options = item.partition(":")
        if facet not in AGG_FILTERS:
            raise InvalidRequest(f"Invalid value in parameter `aggFilters`: `{item}`")
        matches = [_agg_option(facet, option) for option in options.split()]
        facets.append(c.combine(c.Or, matches) if matches else NOTHING)
    return c.combine(c.And, facets) if facets else None


def _agg_option(facet: str, option: str):
    target = AGG_FILTERS[facet].get(option)
    if target is None:
        return NOTHING
    piece, value = target if isinstance(target, tuple) else (_AGG_PIECES[facet], target)
    return c.ValueMatch(piece, fields.kind(catalogue().find(piece)), value)


def search_criteria(values: dict):
    """The criteria of a search's loaded parameters, keyed by their wire names (`query.cond`,
    `filter.ids`, `aggFilters`, ...); None for every study.

    If any `query.*` parameter holds only NCT numbers, the filters are ignored (official
    spec).
    """
    parts, ids_only = [], False
    for name in QUERY_PARAMETERS:
        if (value := values.get(name)) is not None:
            part = query_criteria(name, value)
            # Essie never binds to an id list: one comes only from a value of NCT ids.
            ids_only = ids_only or isinstance(part, c.IdsMatch)
            parts.append(part)
    if not ids_only:
        for prefix in ("filter", "postFilter"):
            parts.extend(_filter_criteria(prefix, values))
        if values.get("aggFilters") is not None:
            parts.append(agg_criteria(values["aggFilters"]))
    parts = [part for part in parts if part is not None]
    return c.combine(c.And, parts) if parts else None


def _filter_criteria(prefix: str, values: dict) -> list:
    found = []
    if (statuses := values.get(f"{prefix}.overallStatus")) is not None:
        found.append(status_criteria(statuses))
    if (ids := values.get(f"{prefix}.ids")) is not None:
        found.append(ids_criteria(f"{prefix}.ids", ids))
    if (geo := values.get(f"{prefix}.geo")) is not None:
        found.append(geo_criteria(f"{prefix}.geo", geo))
    if (advanced := values.get(f"{prefix}.advanced")) is not None:
        found.append(advanced_criteria(f"{prefix}.advanced", advanced))
    return found


def query_areas(values: dict) -> tuple[str, ...]:
    """The areas the `query.*` parameters among `values` search (what `@query` stands for)."""
    return tuple(area for name, area in QUERY_PARAMETERS.items() if values.get(name) is not None)

"""The resources a study's FHIR ResearchStudy points to (see `api.formats.fhir`).

- `Organization`: the lead sponsor, typed `crs` (Clinical Research Sponsor) and with the
  registry's agency class as text;
- `Location`: one per site, with address and, when known, geographic position;
- `Group`: the eligibility cohort, `actual: false` (a definition, not a list of people), with
  the enrolment count as `quantity` and characteristics for the criteria text, the age range
  (UCUM quantities), sex (administrative-gender when one sex) and healthy volunteers.
"""

from __future__ import annotations

import re

from api.formats import fhir_codes as codes
from api.formats.study import dig

_AGE = re.compile(r"^(\d+) (Year|Month|Week|Day|Hour|Minute)s?$")


def text(value) -> dict:
    """A CodeableConcept holding only text."""
    return {"text": value}


def organization(nct_id: str, sponsor: dict) -> dict:
    """The lead sponsor as an Organization."""
    types = [codes.SPONSOR_TYPE] + ([text(sponsor["class"])] if sponsor.get("class") else [])
    return {
        "resourceType": "Organization",
        "id": f"{nct_id}-sponsor",
        "type": types,
        "name": sponsor.get("name"),
    }


def location(nct_id: str, number: int, site: dict) -> dict:
    """Site `number` of the study as a Location."""
    address = {
        "city": site.get("city"),
        "state": site.get("state"),
        "postalCode": site.get("zip"),
        "country": site.get("country"),
    }
    resource = {
        "resourceType": "Location",
        "id": f"{nct_id}-site-{number}",
        "name": site.get("facility"),
        "address": {key: value for key, value in address.items() if value},
    }
    if point := site.get("geoPoint"):
        resource["position"] = {"longitude": point["lon"], "latitude": point["lat"]}
    return clean(resource)


def _age(value: str | None) -> dict | None:
    match = _AGE.match(value or "")
    if match is None:
        return None
    number, unit = int(match.group(1)), match.group(2).lower()
    return {
        "value": number,
        "unit": value.split(" ", 1)[1].lower(),
        "system": codes.UCUM,
        "code": codes.AGE_UNITS[unit],
    }


def _characteristics(eligibility: dict) -> list[dict]:
    found = []
    if criteria := eligibility.get("eligibilityCriteria"):
        found.append(
            {
                "code": text("Eligibility Criteria"),
                "valueCodeableConcept": text(criteria),
                "exclude": False,
            }
        )
    ages = {"low": _age(eligibility.get("minimumAge")), "high": _age(eligibility.get("maximumAge"))}
    if any(ages.values()):
        found.append(
            {
                "code": codes.AGE_CODE,
                "exclude": False,
                "valueRange": {key: value for key, value in ages.items() if value},
            }
        )
    if sex := eligibility.get("sex"):
        value = text(sex)
        if sex in codes.SEX:
            value["coding"] = [codes.coding(codes.GENDER_SYSTEM, *codes.SEX[sex])]
        found.append({"code": codes.SEX_CODE, "valueCodeableConcept": value, "exclude": False})
    if (healthy := eligibility.get("healthyVolunteers")) is not None:
        found.append(
            {"code": text("Accepts Healthy Volunteers"), "valueBoolean": healthy, "exclude": False}
        )
    return found


def group(nct_id: str, protocol: dict) -> dict:
    """The eligibility cohort as a Group."""
    eligibility = protocol.get("eligibilityModule", {})
    group = {
        "resourceType": "Group",
        "id": f"{nct_id}-eligibility",
        "type": "person",
        "actual": False,
        "name": "Eligibility criteria",
        "quantity": dig(protocol, "designModule", "enrollmentInfo", "count"),
        "characteristic": _characteristics(eligibility),
    }
    return clean(group)


def clean(value: dict) -> dict:
    """`value` without empty members: FHIR forbids nulls, empty strings and empty lists."""
    return {key: item for key, item in value.items() if item not in (None, "", [], {})}

"""What the records say, read straight from their JSON: the answers the tools must give."""

from __future__ import annotations

import math

UNIT_YEARS = {"year": 1, "month": 1 / 12, "week": 7 / 365.25, "day": 1 / 365.25}


def protocol(record: dict) -> dict:
    return record["protocolSection"]


def summary(record: dict) -> dict:
    """The summary `search_studies` gives of `record`, without its absent values."""
    module = protocol(record)
    values = {
        "nctId": module["identificationModule"]["nctId"],
        "briefTitle": module["identificationModule"].get("briefTitle"),
        "overallStatus": module["statusModule"].get("overallStatus"),
        "phases": module.get("designModule", {}).get("phases", []),
        "conditions": module.get("conditionsModule", {}).get("conditions", []),
        "leadSponsor": module.get("sponsorCollaboratorsModule", {}).get("leadSponsor", {})
        .get("name"),
        "enrollment": module.get("designModule", {}).get("enrollmentInfo", {}).get("count"),
        "startDate": module["statusModule"].get("startDateStruct", {}).get("date"),
    }
    return values


def years(age: str | None) -> float | None:
    """`18 Years` -> 18.0."""
    if age is None:
        return None
    number, unit = age.split()
    return float(number) * UNIT_YEARS[unit.lower().rstrip("s")]


def admits(record: dict, age: float, sex: str | None, healthy: bool) -> bool:
    """Whether `record` is recruiting and its structured eligibility admits the person."""
    eligibility = protocol(record).get("eligibilityModule", {})
    low, high = years(eligibility.get("minimumAge")), years(eligibility.get("maximumAge"))
    return (protocol(record)["statusModule"]["overallStatus"] == "RECRUITING"
            and (low is None or low <= age) and (high is None or age <= high)
            and (sex is None or eligibility.get("sex", "ALL") in ("ALL", sex))
            and (not healthy or eligibility.get("healthyVolunteers", True)))


def sites(record: dict) -> list[dict]:
    return protocol(record).get("contactsLocationsModule", {}).get("locations", [])


def kilometres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def value_at(record: dict, path: str):
    """The value at a dotted path of `record` (no lists along the way)."""
    value = record
    for key in path.split("."):
        value = value[key]
    return value

"""Synthetic registry records for benchmarks: copies of real records with changed values.

Each copy gets its own NCT number (`NCT6xxxxxxx`) and new values where searches look: words
added to the brief title, conditions, overall status, start and last-update dates, enrollment,
site cities and coordinates. Words and conditions are drawn with a skewed (Zipf-like)
distribution, as in the registry, so some terms match many studies and others few.

Templates are the real records in `../shared/reference/ctgov-records` (when present) and
`records/`, except those over 100 kB (one record with 1,148 sites would otherwise make up a
third of every generated data set). Copies are made by text substitution on a template
with placeholders: parsing and re-encoding each copy would dominate the benchmark.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
REFERENCE_RECORDS = REPO.parent / "shared" / "reference" / "ctgov-records"
MAX_TEMPLATE_BYTES = 100_000
STATUSES = ["RECRUITING", "COMPLETED", "NOT_YET_RECRUITING", "ACTIVE_NOT_RECRUITING",
            "TERMINATED", "WITHDRAWN", "UNKNOWN", "ENROLLING_BY_INVITATION", "SUSPENDED"]
WORDS = ("cancer diabetes heart stroke asthma obesity depression vaccine pain sleep kidney "
         "liver lung breast prostate children elderly exercise diet surgery therapy imaging "
         "biomarker genetic immune infection hypertension arthritis migraine anxiety dementia "
         "pregnancy neonatal smoking alcohol nutrition rehabilitation fracture wound burn "
         "transplant dialysis leukemia lymphoma melanoma glioma sepsis covid influenza hiv "
         "hepatitis tuberculosis malaria").split()
CONDITIONS = [f"{word.capitalize()} {kind}" for word in WORDS
              for kind in ("Disease", "Disorder", "Syndrome")]
CITIES = [("Taraz", 42.9, 71.37), ("Almaty", 43.24, 76.89), ("Boston", 42.36, -71.06),
          ("Bethesda", 38.98, -77.1), ("Lyon", 45.76, 4.84), ("Osaka", 34.69, 135.5),
          ("Lima", -12.05, -77.04), ("Accra", 5.6, -0.19), ("Perth", -31.95, 115.86)]
_MARK = re.compile(r'"?@@([A-Z_]+)@@"?')


def templates() -> list[str]:
    """The real records copies are made from, as compact JSON text with placeholders."""
    paths = [path for folder in (REFERENCE_RECORDS, REPO / "records") if folder.is_dir()
             for path in sorted(folder.glob("NCT*.json"))
             if path.stat().st_size <= MAX_TEMPLATE_BYTES]
    return [with_placeholders(json.loads(path.read_text(encoding="utf-8"))) for path in paths]


def with_placeholders(document: dict) -> str:
    """`document` as compact JSON, the values a copy changes marked `@@NAME@@`."""
    protocol = document["protocolSection"]
    identification = protocol["identificationModule"]
    identification["nctId"] = "@@NCT_ID@@"
    identification.pop("nctIdAliases", None)
    identification["briefTitle"] += "@@TITLE_WORDS@@"
    status = protocol.setdefault("statusModule", {})
    status["overallStatus"] = "@@STATUS@@"
    status["startDateStruct"] = {"date": "@@START@@"}
    status["lastUpdatePostDateStruct"] = {"date": "@@UPDATED@@"}
    protocol.setdefault("conditionsModule", {})["conditions"] = "@@CONDITIONS@@"
    enrollment = protocol.get("designModule", {}).get("enrollmentInfo")
    if enrollment is not None:
        enrollment["count"] = "@@COUNT@@"
    for location in protocol.get("contactsLocationsModule", {}).get("locations", []):
        location["city"] = "@@CITY@@"
        location["geoPoint"] = {"lat": "@@LAT@@", "lon": "@@LON@@"}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def _skewed(rng: random.Random, choices: list):
    """An item of `choices`, early ones far more often (Zipf-like)."""
    return choices[min(int(rng.paretovariate(1.2)) - 1, len(choices) - 1)]


def study(template: str, number: int, rng: random.Random) -> str:
    """The JSON text of synthetic study `number` made from `template`."""
    city = rng.choice(CITIES)

    def value(match: re.Match) -> str:
        name = match.group(1)
        if name == "NCT_ID":
            return f'"NCT6{number:07d}"'
        if name == "TITLE_WORDS":
            return " " + " ".join(_skewed(rng, WORDS) for _ in range(rng.randint(1, 3)))
        if name == "CONDITIONS":
            # Compact, as the registry and its bulk download write JSON.
            return json.dumps([_skewed(rng, CONDITIONS) for _ in range(rng.randint(1, 3))],
                              separators=(",", ":"))
        if name == "CITY":
            return f'"{city[0]}"'
        if name in ("LAT", "LON"):
            # As the registry writes coordinates: the shortest decimal form.
            return repr(round(city[1 if name == "LAT" else 2] + rng.uniform(-0.3, 0.3), 4))
        return {"STATUS": lambda: f'"{rng.choice(STATUSES)}"',
                "START": lambda: f'"{rng.randint(1995, 2030)}-{rng.randint(1, 12):02d}"',
                "UPDATED": lambda: f'"{rng.randint(2015, 2025)}-{rng.randint(1, 12):02d}-'
                                   f'{rng.randint(1, 28):02d}"',
                "COUNT": lambda: str(rng.randint(0, 5000))}[name]()

    # The title words sit inside the title string: no quotes around that mark.
    text = template.replace("@@TITLE_WORDS@@", value(_MARK.match("@@TITLE_WORDS@@")))
    return _MARK.sub(value, text)


def studies(count: int, seed: int = 7) -> Iterator[str]:
    """`count` synthetic studies as JSON text, the same for the same seed."""
    rng, sources = random.Random(seed), templates()
    for number in range(count):
        yield study(sources[number % len(sources)], number, rng)


def write_ndjson(path: Path, count: int, seed: int = 7) -> Path:
    """`count` synthetic studies, one per line."""
    with path.open("w", encoding="utf-8") as out:
        for text in studies(count, seed):
            out.write(text + "\n")
    return path

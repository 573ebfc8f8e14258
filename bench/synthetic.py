"""Synthetic registry records for benchmarks: copies of real records with changed values.

Each copy gets its own NCT number (`NCT6xxxxxxx`) and new values where searches look: words
added to the brief title, conditions, overall status, start and last-update dates, enrollment,
site cities and coordinates. Words and conditions are drawn with a skewed (Zipf-like)
distribution, as in the registry, so some terms match many studies and others few.

Templates are the real records in `../shared/reference/ctgov-records` (when present) and
`records/`, except those over 100 kB (one record with 1,148 sites would otherwise make up a
third of every generated data set). Copies are made by text substitution on a template
with placeholders: parsing and re-encoding each copy would dominate the benchmark.

Sizes (`distribution`): `"templates"` makes each copy the size of its template, as the first
benchmarks did (keep it to compare with their figures). `"registry"`, the default, makes
sizes follow the registry's: most studies 10-40 kB of compact JSON, some smaller, about
one in eight with a results section, one in two hundred with results of several hundred kB
(`REGISTRY_SIZES`; the mean is about 23 kB). Each copy gets a target size drawn from those
classes, a template no larger than it (one with a results section where the class has
results), and one list of the template repeated, item by item, until the copy reaches the
target: results outcome measures, else protocol outcomes, references or sites. Still text
substitution: the list's items are encoded once per template.
"""

from __future__ import annotations

import bisect
import itertools
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
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
DISTRIBUTIONS = ("registry", "templates")
# The registry's record sizes, compact JSON: (share, smallest, largest bytes, results?).
# Most records are 10-40 kB; about one in eight has results, one in two hundred results
# of several hundred kB. Sizes within a class are drawn log-uniform.
REGISTRY_SIZES = ((0.10, 5_000, 10_000, False), (0.55, 10_000, 20_000, False),
                  (0.23, 20_000, 40_000, False), (0.05, 20_000, 40_000, True),
                  (0.065, 40_000, 100_000, True), (0.005, 150_000, 600_000, True))
# Lists a copy grows by (dotted paths), in order of preference: the results' outcome
# measures for a study with results, else the one of the others holding the most text.
RESULTS_LIST = "resultsSection.outcomeMeasuresModule.outcomeMeasures"
PROTOCOL_LISTS = ("protocolSection.outcomesModule.secondaryOutcomes",
                  "protocolSection.referencesModule.references",
                  "protocolSection.outcomesModule.primaryOutcomes")
SITES_LIST = "protocolSection.contactsLocationsModule.locations"
_PAD = "@@PAD@@"


def _template_documents() -> list[dict]:
    """The real records copies are made from (see the module's docstring)."""
    paths = [path for folder in (REFERENCE_RECORDS, REPO / "records") if folder.is_dir()
             for path in sorted(folder.glob("NCT*.json"))
             if path.stat().st_size <= MAX_TEMPLATE_BYTES]
    return [json.loads(path.read_text(encoding="utf-8")) for path in paths]


def templates() -> list[str]:
    """The real records copies are made from, as compact JSON text with placeholders."""
    return [with_placeholders(document) for document in _template_documents()]


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

    def value(name: str) -> str:
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

    # The title words sit inside the title string: no quotes around that mark. Every
    # other mark is a JSON string, `"@@NAME@@"`, replaced with its quotes; a split on the
    # quoted opening is several times faster than a regular expression over large copies.
    head, *marked = template.replace("@@TITLE_WORDS@@", value("TITLE_WORDS")).split('"@@')
    pieces = [head]
    for part in marked:
        name, _, rest = part.partition('@@"')
        pieces += (value(name), rest)
    return "".join(pieces)


@dataclass(frozen=True)
class SizedTemplate:
    """A template whose one list (`_PAD` in `text`) is grown to make a copy of any size."""

    text: str  # compact JSON with placeholders; `"@@PAD@@"` stands for the grown list
    size: int  # bytes of `text` with the list as in the record
    has_results: bool
    items: tuple[str, ...]  # the list's items, each as compact JSON
    ends: tuple[int, ...]  # running total of the items' bytes, a comma each included

    def grown(self, target: int) -> str:
        """`text` with the list's items repeated, in order, until about `target` bytes."""
        extra, whole = max(target - self.size, 0), self.ends[-1]
        rounds, rest = divmod(extra, whole)
        count = len(self.items) * (1 + rounds) + bisect.bisect_left(self.ends, rest)
        return self.text.replace(f'"{_PAD}"', "[" + ",".join(
            itertools.islice(itertools.cycle(self.items), count)) + "]")


def _list_at(document: dict, path: str) -> list | None:
    node = document
    for key in path.split("."):
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, list) and node else None


def _pad_path(document: dict) -> str | None:
    """The list a copy of `document` grows by: see `RESULTS_LIST` and `PROTOCOL_LISTS`."""
    if _list_at(document, RESULTS_LIST):
        return RESULTS_LIST
    present = [path for path in PROTOCOL_LISTS if _list_at(document, path)]
    if present:
        return max(present, key=lambda path: len(json.dumps(_list_at(document, path))))
    return SITES_LIST if _list_at(document, SITES_LIST) else None


def sized_template(document: dict) -> SizedTemplate | None:
    """`document` as a `SizedTemplate`, or None if it has no list to grow."""
    text = with_placeholders(document)
    path = _pad_path(document)
    if path is None:
        return None
    marked = json.loads(text)
    *parents, last = path.split(".")
    holder = marked
    for key in parents:
        holder = holder[key]
    items = tuple(json.dumps(item, ensure_ascii=False, separators=(",", ":"))
                  for item in holder[last])
    holder[last] = _PAD
    return SizedTemplate(json.dumps(marked, ensure_ascii=False, separators=(",", ":")),
                         len(text.encode()), "resultsSection" in document, items,
                         tuple(itertools.accumulate(len(item.encode()) + 1 for item in items)))


def sized_templates() -> list[SizedTemplate]:
    """The templates of `templates()` that can be grown, smallest first."""
    found = (sized_template(document) for document in _template_documents())
    return sorted((template for template in found if template), key=lambda t: t.size)


def registry_size(rng: random.Random) -> tuple[int, bool]:
    """A target size in bytes drawn from `REGISTRY_SIZES`, and whether it has results."""
    pick, total = rng.random(), 0.0
    for share, low, high, results in REGISTRY_SIZES:
        total += share
        if pick < total:
            break
    return round(low * (high / low) ** rng.random()), results


def sized_study(sources: list[SizedTemplate], target: int, results: bool, number: int,
                rng: random.Random) -> str:
    """Synthetic study `number` of about `target` bytes, with results if `results`.

    The template is drawn from those no larger than the target but at least half of it
    (the largest fitting one if none is), so that little of a copy is repetition.
    """
    kind = [t for t in sources if t.has_results == results] or sources
    # A target smaller than every template: the smallest as it is.
    fitting = [t for t in kind if t.size <= target] or kind[:1]
    near = [t for t in fitting if t.size * 2 >= target] or [fitting[-1]]
    return study(rng.choice(near).grown(target), number, rng)


def studies(count: int, seed: int = 7, distribution: str = "registry") -> Iterator[str]:
    """`count` synthetic studies as JSON text, the same for the same seed and distribution."""
    if distribution not in DISTRIBUTIONS:
        raise ValueError(f"distribution {distribution!r}: expected one of {DISTRIBUTIONS}")
    rng = random.Random(seed)
    if distribution == "templates":
        sources = templates()
        for number in range(count):
            yield study(sources[number % len(sources)], number, rng)
        return
    grown, sizes = sized_templates(), random.Random(f"sizes {seed}")
    for number in range(count):
        yield sized_study(grown, *registry_size(sizes), number, rng)


def write_ndjson(path: Path, count: int, seed: int = 7, distribution: str = "registry") -> Path:
    """`count` synthetic studies, one per line."""
    with path.open("w", encoding="utf-8") as out:
        for text in studies(count, seed, distribution):
            out.write(text + "\n")
    return path

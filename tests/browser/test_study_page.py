"""The seed's page in a browser says everything the registry's page says, section by
section, compared with ../shared/trial-page/NCT04325594.txt as it is when the test runs;
pages of other shared records show their records; the page renders to a real picture."""

from __future__ import annotations

import functools
import json
import re

import pytest

from tests.browser import png
from tests.conftest import REFERENCE, SEED, SHARED, read_json
from tests.http.pages_html import normalised

SEED_ID = SEED.stem
REGISTRY_PAGE = SHARED / "trial-page" / f"{SEED_ID}.txt"
OURS = {"Version History"}  # sections this server adds to the website's
RELATED = "More Related Trials"
# A trial in the website's related list: `NCT05043610 COMPLETED PHASE3`.
TRIAL_LINE = re.compile(r"NCT\d{8} [A-Z_]+(?: [A-Z0-9_]+(?:/[A-Z0-9_]+)*)?")


def statements(lines: list[str]) -> list[str]:
    """The registry page's statements: its non-empty lines, a list item without its
    bullet (the browser draws bullets, it does not write them), less the website's own
    prose (`website_prose`)."""
    found = [normalised(line).removeprefix("* ") for line in lines if line.strip()]
    return [line for line in found if not website_prose(line)]


@functools.cache
def _record_text() -> str:
    """Every string value of the seed's record, normalised as page text is."""
    values = []

    def walk(value):
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str):
            values.append(normalised(value))
    walk(read_json(SEED))
    return "\n".join(values)


def website_prose(line: str) -> bool:
    """A sentence the website writes under a title to say what the section holds, found in
    no field of the record: the website's wording, which this project does not copy (its
    pages say it in their own words). Labels and the record's statements are kept."""
    return line.endswith(".") and line not in _record_text()


def registry_sections(titles: list[str]) -> tuple[list[str], dict[str, list[str]]]:
    """The registry page's statements before its first section, and each section's
    statements under its title; a section starts at a line that is one of `titles`."""
    head, sections, current = [], {}, None
    for line in REGISTRY_PAGE.read_text(encoding="utf-8").splitlines():
        if line.strip() in titles:
            current = sections.setdefault(line.strip(), [])
        else:
            (head if current is None else current).append(line)
    return statements(head), {title: statements(lines) for title, lines in sections.items()}


def section_texts(page) -> dict[str, str]:
    """Each section's visible text, by its title."""
    texts = {}
    for section in page.locator("main section").all():
        texts[section.locator("h2").inner_text().strip()] = normalised(section.inner_text())
    return texts


@pytest.fixture
def seed_page(page, server_url):
    if not REGISTRY_PAGE.is_file():
        pytest.skip(f"the registry's page of the seed is not at {REGISTRY_PAGE}")
    answer = page.goto(f"{server_url}/study/{SEED_ID}")
    assert answer.status == 200
    return page


def test_the_heading_says_what_the_registry_page_says_first(seed_page):
    ours = section_texts(seed_page)
    head, _ = registry_sections(list(ours))
    heading = normalised(seed_page.locator(".study-heading").inner_text())
    assert head and all(statement in heading for statement in head)


def test_sections_are_the_registry_page_sections_in_its_order(seed_page):
    ours = list(section_texts(seed_page))
    _, theirs = registry_sections(ours)
    assert [title for title in ours if title not in OURS] == list(theirs)


def test_every_statement_of_each_section_is_in_that_section(seed_page):
    ours = section_texts(seed_page)
    _, theirs = registry_sections(list(ours))
    for title, said in theirs.items():
        if title == RELATED:  # the trials (and their titles) are the index's: the next test
            continue
        missing = [statement for statement in said if statement not in ours[title]]
        assert not missing, f"{title}: {missing}"


def test_related_trials_are_the_similar_studies_written_as_the_registry_writes_them(
        seed_page, server_url):
    _, theirs = registry_sections(list(section_texts(seed_page)))
    their_trials = [line for line in theirs[RELATED] if TRIAL_LINE.fullmatch(line)]
    similar = seed_page.request.get(
        f"{server_url}/api/v2/studies/{SEED_ID}/similar?pageSize={len(their_trials)}").json()
    cards = seed_page.locator("#related-trials article")
    assert their_trials and cards.count() == len(similar["studies"]) > 0
    for index, study in enumerate(similar["studies"]):
        card = cards.nth(index)
        protocol = study["protocolSection"]
        assert card.locator("h3").inner_text() == protocol["identificationModule"]["briefTitle"]
        line = card.locator("p").inner_text()
        assert TRIAL_LINE.fullmatch(line) and line.startswith(
            f"{protocol['identificationModule']['nctId']} {protocol['statusModule']['overallStatus']}")


def test_the_page_needs_no_javascript_and_prints_the_record_alone(seed_page):
    assert seed_page.locator("script").count() == 0
    seed_page.emulate_media(media="print")
    assert not seed_page.locator("nav.contents").is_visible()
    assert seed_page.locator("#eligibility").is_visible()
    seed_page.emulate_media(media="screen")


def test_the_page_renders_to_a_picture(seed_page):
    shot = seed_page.screenshot()
    width, height, _ = png.pixels(shot)
    assert (width, height) == (seed_page.viewport_size["width"],
                               seed_page.viewport_size["height"])
    # Text, rules and tags on a white page: a blank or failed render is one colour.
    assert len(png.colours(shot)) > 50


SHARED_RECORDS = ["NCT00763412", "NCT02210780", "NCT03475563", "NCT04267848", "NCT00973089",
                  "NCT06171568"]


@pytest.mark.parametrize("nct_id", SHARED_RECORDS)
def test_a_shared_record_page_shows_its_record(page, server_url, nct_id):
    path = REFERENCE / "ctgov-records" / f"{nct_id}.json"
    protocol = read_json(path)["protocolSection"]
    answer = page.goto(f"{server_url}/study/{nct_id}")
    assert answer.status == 200
    assert page.locator("h1").inner_text() == protocol["identificationModule"]["briefTitle"]
    texts = section_texts(page)
    assert f"Recruitment Status {protocol['statusModule']['overallStatus']}" in (
        texts["Basic Information"])
    for condition in protocol["conditionsModule"]["conditions"]:
        assert normalised(condition) in texts["Conditions"]
    sites = protocol.get("contactsLocationsModule", {}).get("locations", [])
    assert ("Locations" in texts) == bool(sites)
    assert all(normalised(site.get("facility", "")) in texts["Locations"] for site in sites)
    json_link = page.locator("header nav a.json").get_attribute("href")
    assert page.request.get(server_url + json_link).json() == json.loads(
        path.read_text(encoding="utf-8"))

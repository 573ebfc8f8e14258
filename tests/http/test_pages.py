"""`GET /study/{nctId}`: a stored study as the registry website's page, from its record.

The seed's page is read back from its HTML (`pages_html`) and held against the seed's
record: each value in its section, sections in the website's order, sections the record
lacks left out. The browser suite (tests/browser) compares it with the registry's own page.
"""

from __future__ import annotations

import json

import pytest

from api.exceptions import TooCostly
from api.services import similar

from tests.conftest import SEED, read_json
from tests.http.pages_html import normalised, read_page
from tests.http.stored import put_studies
from tests.versions import put_versions, seed_version

SEED_ID = SEED.stem
PAGE = f"/study/{SEED_ID}"
# The website's sections, in its order; the last is this server's.
WEBSITE_ORDER = ["Study Results", "Basic Information", "Brief Summary", "Detailed Description",
                 "Conditions", "Study Design", "Study Groups", "Interventions",
                 "Eligibility Criteria", "Sponsors", "Responsible Party",
                 "Principal Investigators", "Locations", "Countries", "Other Identifiers",
                 "More Related Trials", "Version History"]


@pytest.fixture
def seed():
    return read_json(SEED)


def page_of(client, path: str = PAGE):
    answer = client.get(path)
    assert answer.status_code == 200, answer.text
    assert answer.mimetype == "text/html"
    return read_page(answer.text)


def other_study(seed: dict, nct_id: str, **changes) -> dict:
    """The seed as study `nct_id`, with its protocol's modules changed as `changes` say
    (None removes one)."""
    document = json.loads(json.dumps(seed))
    protocol = document["protocolSection"]
    protocol["identificationModule"]["nctId"] = nct_id
    for module, value in changes.items():
        if value is None:
            protocol.pop(module)
        else:
            protocol[module] = value
    return document


def test_sections_follow_the_website_order(client, store, seed):
    put_studies(store, other_study(seed, "NCT09900001"))  # a related trial to list
    assert page_of(client).titles == WEBSITE_ORDER


def test_the_heading_is_the_title_id_and_last_update(client, seed):
    page = page_of(client)
    protocol = seed["protocolSection"]
    assert page.heading == protocol["identificationModule"]["briefTitle"]
    answer = normalised(client.get(PAGE).text)
    assert f"NCT ID: {SEED_ID}" in answer
    assert f"Last Updated: {protocol['statusModule']['lastUpdatePostDateStruct']['date']}" in answer


def test_basic_information_shows_enum_values_as_the_website_does(client, seed):
    text = page_of(client).section("Basic Information").text
    status, design = seed["protocolSection"]["statusModule"], seed["protocolSection"]["designModule"]
    assert f"Recruitment Status {status['overallStatus']}" in text
    assert f"Clinical Phase {'/'.join(design['phases'])}" in text
    assert f"Total Enrollment {design['enrollmentInfo']['count']} participants" in text
    assert f"Study Classification {design['studyType']}" in text
    assert f"Study Start Date {status['startDateStruct']['date']}" in text


def test_every_condition_sponsor_and_site_is_on_the_page(client, seed):
    page, protocol = page_of(client), seed["protocolSection"]
    for condition in protocol["conditionsModule"]["conditions"]:
        assert condition in page.section("Conditions").text
    sponsors = page.section("Sponsors").text
    lead = protocol["sponsorCollaboratorsModule"]["leadSponsor"]["name"]
    collaborator = protocol["sponsorCollaboratorsModule"]["collaborators"][0]["name"]
    assert f"{collaborator} OTHER Sponsor Role collaborator" in sponsors
    assert f"{lead} OTHER Sponsor Role lead" in sponsors
    site = protocol["contactsLocationsModule"]["locations"][0]
    assert (f"{site['facility']} {site['city']}, {site['state']}, {site['country']}"
            in page.section("Locations").text)
    assert page.section("Countries").text.endswith(site["country"])


def test_criteria_are_rendered_as_headed_lists(client, seed):
    html = client.get(PAGE).text
    criteria = seed["protocolSection"]["eligibilityModule"]["eligibilityCriteria"]
    items = [line.removeprefix("* ") for line in criteria.splitlines() if line.startswith("* ")]
    assert items and all(f"<li>{item}</li>" in html for item in items)
    assert "<h3>Inclusion Criteria</h3>" in html and "<h3>Exclusion Criteria</h3>" in html


def test_markup_of_a_record_is_shown_never_run(client, store, seed):
    document = other_study(seed, "NCT09900002")
    document["protocolSection"]["descriptionModule"]["briefSummary"] = (
        "<script>alert(1)</script> **bold**")
    put_studies(store, document)
    html = client.get("/study/NCT09900002").text
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<strong>bold</strong>" in html


def test_sections_the_record_lacks_are_left_out(client, store, seed):
    put_studies(store, other_study(seed, "NCT09900003", contactsLocationsModule=None,
                           descriptionModule={"briefSummary": "Short."},
                           armsInterventionsModule=None))
    titles = page_of(client, "/study/NCT09900003").titles
    for absent in ("Detailed Description", "Study Groups", "Interventions", "Locations",
                   "Countries", "Principal Investigators"):
        assert absent not in titles
    assert {"Brief Summary", "Basic Information", "Sponsors"} <= set(titles)


def test_results_pending_or_posted(client, store, seed):
    assert "Results pending" in page_of(client).section("Study Results").text
    document = other_study(seed, "NCT09900004")
    document["protocolSection"]["statusModule"]["resultsFirstPostDateStruct"] = {
        "date": "2024-02-01", "type": "ACTUAL"}
    document["hasResults"] = True
    put_studies(store, document)
    results = page_of(client, "/study/NCT09900004").section("Study Results").text
    assert "Results posted" in results and "Results First Posted 2024-02-01" in results


def test_the_page_links_to_its_json_and_styles_for_print(client):
    page = page_of(client)
    assert f"/api/v2/studies/{SEED_ID}" in page.links
    assert client.get(f"/api/v2/studies/{SEED_ID}").status_code == 200
    media = dict((media, href) for href, media in page.stylesheets)
    assert set(media) == {"all", "print"} and page.scripts == 0
    for href in media.values():
        with client.get(href) as sheet:
            assert (sheet.status_code, sheet.mimetype) == (200, "text/css")


def test_history_lists_each_version_with_its_json(client, store):
    texts = [seed_version(status, date, "NCT09900005") for status, date in
             [("RECRUITING", "2020-03-27"), ("COMPLETED", "2023-05-09")]]
    put_versions(store, texts)
    history = page_of(client, "/study/NCT09900005").section("Version History")
    assert "0 2020-03-27 RECRUITING first version stored:" in history.text
    assert "1 2023-05-09 COMPLETED statusModule version 1" in history.text
    links = dict(history.links)
    for number, text in enumerate(texts):
        answer = client.get(links[f"version {number}"])
        assert answer.status_code == 200 and answer.get_data(as_text=True) == text
    assert "diff 0" not in links
    changes = client.get(links["diff 1"]).json
    assert "OverallStatus: RECRUITING -> COMPLETED" in changes["summary"]


def test_related_trials_are_the_similar_endpoint_top_three(client, store, seed):
    for number in range(1, 6):
        put_studies(store, other_study(seed, f"NCT0990001{number}"))
    similar = client.get(f"/api/v2/studies/{SEED_ID}/similar?pageSize=3").json["studies"]
    expected = [study["protocolSection"]["identificationModule"]["nctId"] for study in similar]
    related = page_of(client).section("More Related Trials")
    assert [href for _, href in related.links] == [f"/study/{nct_id}" for nct_id in expected]
    assert f"{expected[0]} COMPLETED PHASE1/PHASE2" in related.text


def test_an_unknown_study_is_a_404_page_in_the_same_style(client):
    answer = client.get("/study/NCT09999999")
    assert (answer.status_code, answer.mimetype) == (404, "text/html")
    page = read_page(answer.text)
    assert page.sections["error"].text == "Study not found NCT number NCT09999999 not found " \
        "Search the studies"
    assert page.stylesheets == page_of(client).stylesheets


def test_a_malformed_id_is_the_api_refusal_in_a_page(client):
    answer = client.get("/study/NCT-x")
    api_answer = client.get("/api/v2/studies/NCT-x")
    assert answer.status_code == api_answer.status_code == 400
    assert api_answer.text in read_page(answer.text).sections["error"].text


def test_an_alias_moves_to_the_study_page(client, store, seed):
    document = other_study(seed, "NCT09900020")
    document["protocolSection"]["identificationModule"]["nctIdAliases"] = ["NCT09900021"]
    put_studies(store, document)
    answer = client.get("/study/NCT09900021")
    assert (answer.status_code, answer.headers["Location"]) == (301, "/study/NCT09900020")


def test_the_api_docs_link_to_the_pages(client):
    description = client.get("/api/oas/v2").json["info"]["description"]
    assert "(/study/NCT04325594)" in description and "(/search)" in description


def test_the_page_follows_the_record_as_it_changes(client, store):
    put_versions(store, [seed_version("RECRUITING", "2020-03-27", "NCT09900006")])
    before = page_of(client, "/study/NCT09900006").section("Basic Information").text
    put_versions(store, [seed_version("COMPLETED", "2023-05-09", "NCT09900006")])
    after = page_of(client, "/study/NCT09900006")
    assert "Recruitment Status RECRUITING" in before
    assert "Recruitment Status COMPLETED" in after.section("Basic Information").text
    assert "1 2023-05-09 COMPLETED" in after.section("Version History").text


def test_related_trials_past_the_time_budget_are_left_out_not_the_page(client, monkeypatch):
    # The related-trials search is stopped as the store stops a search past its budget
    # (a store this small answers any search within it, on either backend).
    def stopped(*args, **kwargs):
        raise TooCostly("stopped")
    monkeypatch.setattr(similar, "similar_page", stopped)
    titles = page_of(client).titles
    assert titles == [title for title in WEBSITE_ORDER if title != "More Related Trials"]

"""`GET /search`: the search page takes `GET /api/v2/studies`'s parameters, runs the same
search and shows its results a page at a time, or the API's refusal with its status."""

from __future__ import annotations

import html
from urllib.parse import urlencode

import pytest

from tests.conftest import SEED, read_json
from tests.http.pages_html import read_page
from tests.http.stored import put_studies

SEED_ID = SEED.stem


@pytest.fixture
def two_studies(store):
    """The seed (completed, about heart failure) and a recruiting study of teeth."""
    document = read_json(SEED)
    protocol = document["protocolSection"]
    protocol["identificationModule"].update(nctId="NCT09900201", briefTitle="Sealing of teeth")
    protocol["conditionsModule"] = {"conditions": ["Dental Caries"]}
    protocol["statusModule"]["overallStatus"] = "RECRUITING"
    protocol.pop("descriptionModule")
    put_studies(store, document)
    return store


def results(client, **parameters):
    answer = client.get("/search?" + urlencode(parameters))
    assert answer.status_code == 200, answer.text
    return read_page(answer.text).sections["results"]


def found_ids(section) -> list[str]:
    return [href.removeprefix("/study/") for _, href in section.links
            if href.startswith("/study/")]


def test_a_condition_finds_the_seed_and_links_to_its_page(client, two_studies):
    section = results(client, **{"query.cond": "heart failure"})
    assert found_ids(section) == [SEED_ID]
    assert section.title == "1 study found"
    assert f"{SEED_ID} COMPLETED PHASE1/PHASE2" in section.text


def test_the_page_finds_what_the_api_finds(client, two_studies):
    for parameters in ({}, {"filter.overallStatus": "RECRUITING"}, {"query.term": "teeth"},
                       {"query.locn": "Kazakhstan"}):
        api = client.get("/api/v2/studies?" + urlencode(parameters)).json["studies"]
        expected = [study["protocolSection"]["identificationModule"]["nctId"] for study in api]
        assert found_ids(results(client, **parameters)) == expected, parameters


def test_the_form_keeps_what_was_asked(client, two_studies):
    page = client.get("/search?" + urlencode({"query.cond": "heart <failure>",
                                              "filter.overallStatus": "COMPLETED"})).text
    assert 'name="query.cond" value="heart &lt;failure&gt;"' in page
    assert '<option value="COMPLETED" selected>' in page


@pytest.mark.parametrize("parameters", [
    {"query.cond": "(heart"}, {"filter.overallStatus": "FINISHED"}, {"pageSize": "x"},
    {"sort": "NoSuchField"}, {"query.nothing": "x"},
], ids=["essie", "status", "page size", "sort", "unknown"])
def test_a_refusal_is_the_api_status_and_message(client, parameters):
    query = urlencode(parameters)
    api = client.get(f"/api/v2/studies?{query}")
    page = client.get(f"/search?{query}")
    assert page.status_code == api.status_code == 400
    assert page.mimetype == "text/html"
    assert api.text in read_page(page.text).sections["error"].text


def test_pages_follow_one_another_with_the_api_tokens(client, two_studies):
    first = client.get("/search?pageSize=1").text
    next_link = next(href for href in read_page(first).links if "pageToken=" in href)
    second = read_page(client.get(next_link).text).sections["results"]
    api_first = client.get("/api/v2/studies?pageSize=1").json
    api_second = client.get("/api/v2/studies?pageSize=1&pageToken="
                            + api_first["nextPageToken"]).json
    assert found_ids(second) == [api_second["studies"][0]["protocolSection"]
                                 ["identificationModule"]["nctId"]]
    assert api_first["nextPageToken"] in html.unescape(next_link)


def test_the_page_links_to_the_same_search_as_json(client, two_studies):
    page = read_page(client.get("/search?query.cond=heart+failure").text)
    assert "/api/v2/studies?query.cond=heart+failure" in page.links

"""The search page in a browser: a person types a condition, submits, and follows a result
to the study's page."""

from __future__ import annotations

from tests.conftest import SEED, read_json


def test_heart_failure_finds_the_seed(page, server_url):
    page.goto(f"{server_url}/search")
    page.get_by_label("Condition or disease").fill("heart failure")
    with page.expect_navigation():
        page.get_by_role("button", name="Search").click()
    assert "query.cond=heart+failure" in page.url
    link = page.locator(f"#results a[href='/study/{SEED.stem}']")
    assert link.count() == 1
    with page.expect_navigation():
        link.click()
    title = read_json(SEED)["protocolSection"]["identificationModule"]["briefTitle"]
    assert page.locator("h1").inner_text() == title


def test_a_bad_query_shows_the_registry_message(page, server_url):
    answer = page.goto(f"{server_url}/search?query.cond=%28heart")
    assert answer.status == 400
    api = page.request.get(f"{server_url}/api/v2/studies?query.cond=%28heart")
    assert api.status == 400
    assert page.locator("#error .message").inner_text() == api.text()

"""The time budget of a search: a search past it is stopped inside the database and answered
503 with `Retry-After`; other requests go on meanwhile; the measured costly queries of the
issue are cheap or refused before they run."""

import concurrent.futures
import copy
import http.client
import json
import time
import urllib.parse

import pytest

from api import create_app
from api.store import Record
from tests.conftest import SEED, read_json
from tests.server import production_server

pytestmark = pytest.mark.reliability

STUDIES = 3000
WORDS = sorted({word.strip(".,()*:;").lower() for word in SEED.read_text().split()
                if word.strip(".,()*:;").isalpha()})[:120]
# Ranks every study by relevance to 120 words: a few hundred milliseconds here, for sure
# past a budget of a few milliseconds.
COSTLY = ("/api/v2/studies?countTotal=true&sort=@relevance&query.term="
          + urllib.parse.quote(" OR ".join(WORDS)))


def copies(count: int) -> list[Record]:
    document, records = read_json(SEED), []
    for number in range(count):
        study = copy.deepcopy(document)
        nct_id = f"NCT{70000000 + number:08d}"
        study["protocolSection"]["identificationModule"]["nctId"] = nct_id
        records.append(Record(nct_id, json.dumps(study)))
    return records


@pytest.fixture(scope="module")
def store_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('budget')}/trials.sqlite3"
    app = create_app({"DATABASE_URL": url, "RECORDS_DIR": ""})
    records = copies(STUDIES)
    for start in range(0, STUDIES, 500):
        app.extensions["store"].put(records[start:start + 500])
    app.extensions["store"].close()
    return url


def test_a_search_past_the_budget_is_a_503_and_the_next_one_runs(store_url):
    app = create_app({"DATABASE_URL": store_url, "RECORDS_DIR": "", "SEARCH_TIME_BUDGET": 0.005})
    client = app.test_client()
    response = client.get(COSTLY)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "10"
    assert response.content_type == "text/plain; charset=UTF-8"
    assert response.text.startswith("The search took longer than this server allows (0.005 s)")
    app.config["SEARCH_TIME_BUDGET"] = 30.0  # the same connection, a budget it fits in
    answered = client.get(COSTLY)
    assert answered.status_code == 200 and answered.json["totalCount"] == STUDIES


def test_the_issue_s_costly_queries_are_cheap_or_refused_before_running(store_url):
    client = create_app({"DATABASE_URL": store_url, "RECORDS_DIR": ""}).test_client()
    repeated = urllib.parse.quote(" AND ".join(["heart"] * 100))
    response = client.get(f"/api/v2/studies?countTotal=true&query.term={repeated}")
    assert (response.status_code, response.json["totalCount"]) == (200, STUDIES)
    too_many = urllib.parse.quote(" AND ".join(["cancer"] * 350))
    response = client.get(f"/api/v2/studies?countTotal=true&query.term={too_many}")
    assert response.status_code == 400 and "too complex" in response.text


def get(base: str, path: str) -> tuple[int, float]:
    parts = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    started = time.monotonic()
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status, time.monotonic() - started
    finally:
        connection.close()


def test_other_requests_are_answered_while_costly_searches_hit_the_budget(store_url):
    with production_server(store_url, trials_search_time_budget=0.05, threads=4) as base:
        with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
            deadline = time.monotonic() + 3

            def costly():
                statuses = []
                while time.monotonic() < deadline:
                    statuses.append(get(base, COSTLY)[0])
                return statuses

            storm = [pool.submit(costly) for _ in range(4)]
            simple = []
            while time.monotonic() < deadline:
                simple.append(get(base, "/api/v2/studies/NCT70000001"))
                time.sleep(0.05)
            costly_statuses = [status for future in storm for status in future.result()]
    assert costly_statuses and set(costly_statuses) <= {200, 503} and 503 in costly_statuses
    assert simple and all(status == 200 for status, _ in simple)
    assert max(seconds for _, seconds in simple) < 1.0

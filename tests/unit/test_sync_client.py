"""The sync's upstream client and page reader, against a real loopback HTTP server.

The upstream (`tests.upstream.FaultyUpstream`) answers a fixed `/studies` page and plays
its scripted faults first; retry waits are kept to hundredths of a second.
"""

import gzip
import json
import time
from email.utils import formatdate

import pytest

from api.sync.client import (
    Policy,
    Transient,
    Upstream,
    UpstreamError,
    UpstreamRefused,
    base_url,
    retry_after,
    user_agent,
)
from api.sync.pages import read_page
from tests.conftest import seed_as
from tests.server import free_port
from tests.upstream import FaultyUpstream

FAST = Policy(rate=1000, timeout=0.5, retries=3, backoff=0.01)
STUDIES = [seed_as(f"NCT0000000{n}") for n in (1, 2)]
COMPACT = [json.dumps(json.loads(text), separators=(",", ":"), ensure_ascii=False)
           for text in STUDIES]
PAGE = ('{"totalCount":2,"studies":[' + ",".join(COMPACT) + '],"nextPageToken":"abc"}').encode()


def page_answer(_path):
    return 200, {"Content-Type": "application/json"}, PAGE


def fetched(faults, policy=FAST, target=page_answer):
    """The answer to one `get_json` through an upstream playing `faults`, and the upstream."""
    upstream = FaultyUpstream(target, faults)
    with upstream as root, Upstream(base_url(root), policy) as client:
        return client.get_json("/studies", {"pageSize": "2"}), upstream


@pytest.mark.parametrize(("given", "base"), [
    ("http://127.0.0.1:8000", "http://127.0.0.1:8000/api/v2"),
    ("http://127.0.0.1:8000/", "http://127.0.0.1:8000/api/v2"),
    ("https://clinicaltrials.gov/api/v2", "https://clinicaltrials.gov/api/v2"),
    ("https://clinicaltrials.gov/api/v2/", "https://clinicaltrials.gov/api/v2"),
    ("http://mirror.example/ctgov", "http://mirror.example/ctgov/api/v2"),
], ids=["root", "root-slash", "registry", "registry-slash", "prefix"])
def test_a_base_url_or_a_server_root(given, base):
    assert base_url(given) == base


@pytest.mark.parametrize("url", ["ftp://host/api/v2", "clinicaltrials.gov", "http://",
                                 "http://host/api/v2?x=1"])
def test_other_urls_are_refused(url):
    with pytest.raises(ValueError):
        base_url(url)


def test_retry_after_in_seconds_or_as_an_http_date():
    assert retry_after("7") == 7
    assert 1 < retry_after(formatdate(time.time() + 3, usegmt=True)) <= 3
    assert retry_after(formatdate(time.time() - 60, usegmt=True)) == 0
    assert retry_after("soon") is None and retry_after(None) is None


def test_the_user_agent_names_the_product_and_its_version():
    assert user_agent().startswith("ctgov-v2-server/0.")
    assert "(+" in user_agent()


def test_a_plain_answer_over_one_kept_alive_connection_with_gzip_asked():
    upstream = FaultyUpstream(page_answer)
    with upstream as root, Upstream(base_url(root), FAST) as client:
        for _ in range(3):
            body, value = client.get_json("/studies", {"pageSize": "2"})
    assert body == PAGE and value["nextPageToken"] == "abc"
    assert len({seen.client_port for seen in upstream.requests}) == 1
    assert all("gzip" in seen.accept_encoding for seen in upstream.requests)
    assert upstream.requests[0].user_agent == user_agent()
    assert upstream.requests[0].path == "/api/v2/studies?pageSize=2"


def test_a_gzip_answer_is_decoded():
    def gzipped(_path):
        return 200, {"Content-Type": "application/json", "Content-Encoding": "gzip"}, \
            gzip.compress(PAGE)

    (body, _), _ = fetched([], target=gzipped)
    assert body == PAGE


@pytest.mark.parametrize("faults", [
    ["500"], ["503", "502", "500"], ["429"], ["hang"], ["drop"], ["html"], ["truncate"],
    ["cut"], ["500", "hang", "html"],
], ids=lambda faults: "+".join(faults))
def test_passing_failures_are_retried(faults):
    (body, _), upstream = fetched(faults)
    assert body == PAGE
    assert len(upstream.requests) == len(faults) + 1


@pytest.mark.parametrize("header, least", [("1", 0.9), ("date:3", 1.5)],
                         ids=["seconds", "http-date"])
def test_a_429_waits_as_long_as_retry_after_says(header, least):
    _, upstream = fetched([f"429:{header}"])
    first, second = upstream.requests
    # The backoff alone is 0.01 s. An HTTP date is to the second: 3 s ahead is more than 2 s
    # ahead when sent, so the wait holds however long the answer takes, up to half a second.
    assert second.at - first.at >= least


def test_a_retry_after_past_ten_minutes_is_not_waited_for():
    with pytest.raises(UpstreamError, match="asks to wait 3600 s"):
        fetched(["429:3600"])


def test_another_4xx_is_not_retried_and_its_text_is_shown():
    with pytest.raises(UpstreamRefused) as refused:
        fetched(["400:Parameter `pageToken` has incorrect format"])
    assert refused.value.status == 400
    assert "answered 400: Parameter `pageToken` has incorrect format" in str(refused.value)
    assert "\n" not in str(refused.value)


def test_when_the_retries_are_spent_one_line_says_why():
    with pytest.raises(UpstreamError) as failed:
        fetched(["503"] * 4)
    line = str(failed.value)
    assert "503 Service Unavailable (after 4 attempts)" in line and "\n" not in line
    assert not isinstance(failed.value, UpstreamRefused)


def test_a_hanging_upstream_is_given_up_on_in_bounded_time():
    started = time.monotonic()
    with pytest.raises(UpstreamError, match="no answer within 0.5 s"):
        fetched(["hang"] * 4)
    assert time.monotonic() - started < 4 * 0.5 + 2


def test_a_trickling_answer_is_given_up_on_in_bounded_time():
    started = time.monotonic()
    with pytest.raises(UpstreamError, match=r"took longer than 2 s \(after 2 attempts\)"):
        fetched(["trickle"] * 2, Policy(rate=1000, timeout=0.2, retries=1, backoff=0.01))
    assert time.monotonic() - started < 2 * 2 + 2


def test_nothing_listening_is_a_connection_error():
    with Upstream(base_url(f"http://127.0.0.1:{free_port()}"), FAST) as client, \
            pytest.raises(UpstreamError, match="ConnectError"):
        client.get_json("/studies", {})


def test_requests_are_paced_at_the_rate():
    upstream = FaultyUpstream(page_answer)
    with upstream as root, Upstream(base_url(root), Policy(rate=20, timeout=1)) as client:
        started = time.monotonic()
        for _ in range(5):
            client.get_json("/studies", {})
        took = time.monotonic() - started
    # Measured where the pacing is, in the client: the upstream's arrival times also carry
    # the first request's connection set-up, which made the measured span shorter.
    assert len(upstream.requests) == 5 and took >= 4 / 20


def test_each_study_of_a_compact_page_is_its_own_text():
    page = read_page(PAGE, json.loads(PAGE), "up page 1")
    assert [unit.text for unit in page.units] == COMPACT
    assert [unit.label for unit in page.units] == ["up page 1: NCT00000001",
                                                   "up page 1: NCT00000002"]
    assert page.listed == ("NCT00000001", "NCT00000002")
    assert (page.next_token, page.total) == ("abc", 2)


def test_a_page_written_otherwise_is_one_unit_of_its_own_text():
    indented = json.dumps({"studies": [json.loads(text) for text in STUDIES]}, indent=2)
    page = read_page(indented.encode(), json.loads(indented), "up page 1")
    assert [unit.text for unit in page.units] == [indented]
    assert page.listed == ("NCT00000001", "NCT00000002")
    assert page.next_token is None and page.total is None


@pytest.mark.parametrize("value", [{"error": "x"}, [], {"studies": {}}])
def test_json_that_is_not_a_page_may_pass(value):
    with pytest.raises(Transient):
        read_page(json.dumps(value).encode(), value, "up page 1")

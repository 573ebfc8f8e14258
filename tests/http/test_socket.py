"""The production server over a real socket: what HTTP clients and caches rely on.

The server `make run` runs (one worker here) serves the app on a free loopback port, on a
store seeded from records/; every request has a bounded timeout.
"""

from __future__ import annotations

import gzip
import http.client
from urllib.parse import urlsplit

import pytest

from tests.server import production_server

STUDY = "/api/v2/studies/NCT04325594"
TIMEOUT = 10


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """(host, port) of the production server on a store seeded from records/."""
    folder = tmp_path_factory.mktemp("socket")
    with production_server(f"sqlite:///{folder}/trials.sqlite3") as url:
        address = urlsplit(url)
        yield address.hostname, address.port


@pytest.fixture
def connection(server):
    connection = http.client.HTTPConnection(*server, timeout=TIMEOUT)
    yield connection
    connection.close()


def fetch(connection, path, **headers):
    """(response, complete body) of one GET on `connection`."""
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    return response, response.read()


def test_several_requests_share_one_kept_alive_connection(connection):
    paths = [STUDY, "/api/v2/version", "/api/v2/studies?pageSize=1", "/api/v2/studies/NCT99999999"]
    fetch(connection, paths[0])
    opened = connection.sock
    for path in paths[1:]:
        response, _ = fetch(connection, path)
        assert not response.will_close
        assert connection.sock is opened, f"the server closed the connection before {path}"


@pytest.mark.parametrize(
    "path",
    [STUDY, "/api/v2/studies?format=csv", "/api/v2/studies/metadata"],
    ids=["study", "streamed-csv-page", "metadata"],
)
def test_gzip_is_sent_when_asked_for(connection, path):
    _, plain = fetch(connection, path)
    response, body = fetch(connection, path, **{"Accept-Encoding": "gzip"})
    assert response.getheader("Content-Encoding") == "gzip"
    assert "Accept-Encoding" in response.getheader("Vary")
    assert gzip.decompress(body) == plain
    assert len(body) < len(plain)


def test_no_compression_unless_asked(connection):
    response, body = fetch(connection, STUDY)
    assert response.getheader("Content-Encoding") is None
    assert response.getheader("Vary") == "Accept-Encoding"  # caches must still tell copies apart
    assert body.startswith(b'{"protocolSection":')


def test_a_study_carries_a_weak_etag(connection):
    response, _ = fetch(connection, STUDY)
    assert response.getheader("ETag").startswith('W/"')


@pytest.mark.parametrize("encoding", ["identity", "gzip"])
def test_a_repeat_with_the_etag_is_304_without_a_body(connection, encoding):
    response, _ = fetch(connection, STUDY, **{"Accept-Encoding": encoding})
    tag = response.getheader("ETag")
    again, body = fetch(connection, STUDY, **{"If-None-Match": tag, "Accept-Encoding": encoding})
    assert (again.status, body, again.getheader("ETag")) == (304, b"", tag)


def test_one_etag_stands_for_the_plain_and_the_gzip_copy(connection):
    plain, _ = fetch(connection, STUDY)
    zipped, _ = fetch(connection, STUDY, **{"Accept-Encoding": "gzip"})
    assert plain.getheader("ETag") == zipped.getheader("ETag")


def test_another_etag_gets_the_study_again(connection):
    response, body = fetch(connection, STUDY, **{"If-None-Match": 'W/"stale", "other"'})
    assert response.status == 200 and body


def test_each_representation_has_its_own_etag(connection):
    tags = {
        fetch(connection, f"{STUDY}{query}")[0].getheader("ETag")
        for query in ("", "?fields=NCTId", "?format=csv", "?markupFormat=legacy")
    }
    assert len(tags) == 4


@pytest.mark.parametrize(
    "path",
    [STUDY, "/api/v2/studies/NCT99999999", "/api/v2/nothing"],
    ids=["200", "404", "no-route"],
)
def test_any_origin_may_read_the_answers(connection, path):
    response, _ = fetch(connection, path)
    assert response.getheader("Access-Control-Allow-Origin") == "*"

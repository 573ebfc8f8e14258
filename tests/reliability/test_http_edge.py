"""The production server's HTTP edge under misbehaving clients, over real sockets.

The server is `make run`'s (api/serving.py), one worker of four threads on a free loopback
port, a store seeded from records/, a header timeout of 2 s so that timeouts show in
seconds. Clients that send their request head a byte at a time must not hold up anyone
else; requests over the size limits are answered in the registry's style (`text/plain`);
no answer names the server software or lets a client's `Host` header choose a redirect.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
from urllib.parse import urlsplit

import pytest

from api.serving import MAX_HEADER_BYTES, MAX_TARGET_BYTES, SERVER_NAME
from tests.server import production_server

pytestmark = pytest.mark.reliability

STUDY = "/api/v2/studies/NCT04325594"
HEADER_TIMEOUT = 2
TIMEOUT = 10


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """(host, port) of the production server on a store seeded from records/."""
    folder = tmp_path_factory.mktemp("edge")
    with production_server(f"sqlite:///{folder}/trials.sqlite3",
                           header_timeout=HEADER_TIMEOUT) as url:
        address = urlsplit(url)
        yield address.hostname, address.port


def exchange(server, data: bytes) -> tuple[http.client.HTTPResponse, bytes]:
    """Send `data` as is on a new connection; the response and its body."""
    with socket.create_connection(server, timeout=TIMEOUT) as sock:
        sock.sendall(data)
        response = http.client.HTTPResponse(sock)
        response.begin()
        return response, response.read()


def request_head(target: str = STUDY, *fields: str) -> bytes:
    lines = [f"GET {target} HTTP/1.1", "Host: 127.0.0.1", *fields, "Connection: close"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def timed_get(server, path: str = STUDY) -> tuple[int, float]:
    """(status, seconds) of one GET on a new connection; status 0 when it did not finish."""
    started = time.monotonic()
    connection = http.client.HTTPConnection(*server, timeout=1.5)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status, time.monotonic() - started
    except OSError:
        return 0, time.monotonic() - started
    finally:
        connection.close()


class Dribblers:
    """`count` connections sending a request head one byte per `interval` seconds."""

    HEAD = request_head(STUDY, "User-Agent: slow-" + "x" * 200)

    def __init__(self, server, count: int, interval: float = 0.25):
        self.sockets = [socket.create_connection(server, timeout=TIMEOUT) for _ in range(count)]
        self.closed_by_server: set[int] = set()
        self.interval, self.sent = interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._dribble, daemon=True)

    def _dribble(self):
        # Never the last byte: the heads stay incomplete for as long as the test runs.
        while not self._stop.is_set() and self.sent < len(self.HEAD) - 1:
            for number, sock in enumerate(self.sockets):
                if number not in self.closed_by_server:
                    try:
                        sock.send(self.HEAD[self.sent:self.sent + 1])
                    except OSError:
                        self.closed_by_server.add(number)
            self.sent += 1
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=TIMEOUT)
        for sock in self.sockets:
            sock.close()


def test_slow_clients_do_not_hold_up_other_requests(server):
    with Dribblers(server, 256):
        time.sleep(0.5)  # every slow client has started its head
        answers = [timed_get(server) for _ in range(10)]
        for _ in range(10):
            answers.append(timed_get(server))
            time.sleep(0.1)
    assert [status for status, _ in answers] == [200] * len(answers)
    assert max(seconds for _, seconds in answers) < 1.0


def test_a_head_not_sent_within_the_header_timeout_closes_the_connection(server):
    with Dribblers(server, 16, interval=0.2) as dribblers:
        deadline = time.monotonic() + HEADER_TIMEOUT + 3
        while len(dribblers.closed_by_server) < 16 and time.monotonic() < deadline:
            time.sleep(0.2)
        closed = len(dribblers.closed_by_server)
    assert closed == 16, f"{16 - closed} of 16 slow clients still held a connection"


def test_an_idle_kept_alive_connection_is_closed_after_the_header_timeout(server):
    connection = http.client.HTTPConnection(*server, timeout=TIMEOUT)
    try:
        connection.request("GET", "/api/v2/version")
        connection.getresponse().read()
        connection.sock.settimeout(HEADER_TIMEOUT + 3)
        assert connection.sock.recv(1) == b"", "the server kept the idle connection open"
    finally:
        connection.close()


def test_a_url_over_the_limit_is_414_text(server):
    ids = ",".join(f"NCT{number:08d}" for number in range(1, MAX_TARGET_BYTES // 12 + 2))
    response, body = exchange(server, request_head(f"/api/v2/studies?filter.ids={ids}"))
    assert response.status == 414
    assert response.getheader("Content-Type") == "text/plain; charset=UTF-8"
    assert body.decode().startswith("Request URI is too long:")


def test_a_url_of_a_thousand_ids_is_served(server):
    ids = ",".join(f"NCT{number:08d}" for number in range(1, 1001))
    response, _ = exchange(server, request_head(f"/api/v2/studies?filter.ids={ids}"))
    assert response.status == 200


def test_header_fields_over_the_limit_are_431_text(server):
    big = f"X-Big: {'a' * (MAX_HEADER_BYTES + 100)}"
    response, body = exchange(server, request_head(STUDY, big))
    assert response.status == 431
    assert response.getheader("Content-Type") == "text/plain; charset=UTF-8"
    assert body.decode().startswith("Request header fields are too large:")


@pytest.mark.parametrize("head", [b"GARBAGE\r\n\r\n", b"GET / HTTP/9.9\r\nHost: x\r\n\r\n",
                                  b"GET /a b c HTTP/1.1\r\nHost: x\r\n\r\n"],
                         ids=["no-method", "bad-version", "spaces-in-target"])
def test_a_malformed_request_is_400_without_a_page(server, head):
    # hyper answers bytes it cannot parse as a request before any code of ours runs: a bare
    # 400 and no body (api/serving.py); what matters is no HTML page and no server name.
    response, body = exchange(server, head)
    assert response.status == 400
    assert body == b"" or response.getheader("Content-Type", "").startswith("text/plain")
    assert b"<" not in body
    assert response.getheader("Server") in (None, SERVER_NAME)


@pytest.mark.parametrize("path", [STUDY, "/api/v2/studies/NCT99999999", "/no/such/path"])
def test_no_answer_names_the_server_software(server, path):
    response, _ = exchange(server, request_head(path))
    assert response.getheader("Server") == SERVER_NAME


def test_merging_double_slashes_does_not_redirect_to_the_clients_host(server):
    head = b"GET //api/v2//version HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n"
    response, body = exchange(server, head)
    assert response.status == 308
    location = response.getheader("Location")
    assert location == "/api/v2/version"
    assert response.getheader("Content-Type") == "text/plain; charset=UTF-8"
    assert b"evil.example" not in body
    followed, _ = exchange(server, request_head(location))
    assert followed.status == 200


@pytest.mark.parametrize("asset", ["index.html", "swagger-initializer.js", "oauth2-redirect.html"])
def test_the_stock_swagger_demo_page_is_not_served(server, asset):
    response, body = exchange(server, request_head(f"/api/docs/static/{asset}"))
    assert response.status == 404
    assert response.getheader("Content-Type") == "text/plain; charset=UTF-8"
    assert b"petstore" not in body


def test_the_docs_page_and_its_assets_are_served(server):
    page, html = exchange(server, request_head("/api/docs"))
    assert page.status == 200
    for asset in ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js"):
        assert f"/api/docs/static/{asset}".encode() in html
        response, _ = exchange(server, request_head(f"/api/docs/static/{asset}"))
        assert response.status == 200, asset


def test_the_servers_own_environment_does_not_reach_requests(tmp_path):
    # granian copies the process environment into every request's environ: an `HTTP_*`
    # variable there would be a header field of every request (here, one over the limit).
    padded = {"HTTP_X_PADDING": "a" * (MAX_HEADER_BYTES + 100)}
    with production_server(f"sqlite:///{tmp_path}/trials.sqlite3", padded) as url:
        address = urlsplit(url)
        response, _ = exchange((address.hostname, address.port), request_head(STUDY))
    assert response.status == 200

"""The access and error log, and the request id (api/observability/logs.py, requests.py).

The log is read as an operator reads it: the lines the server writes on standard error.
"""

from __future__ import annotations

import json
import re

import pytest

from api.observability import logs

STUDY = "/api/v2/studies/NCT04325594"
MADE_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture(autouse=True)
def log_left_as_found():
    """Logging is the process's: each test here leaves it as `create_app` finds it."""
    yield
    logs.configure("off")


def lines(capsys) -> list[dict]:
    """The JSON lines written on standard error since the last call."""
    return [json.loads(line) for line in capsys.readouterr().err.splitlines() if line]


def access_lines(capsys) -> list[dict]:
    return [line for line in lines(capsys) if line["logger"] == "api.access"]


@pytest.fixture
def json_client(make_app, capsys):
    client = make_app(LOG_FORMAT="json").test_client()
    capsys.readouterr()  # what building the app wrote (seeding)
    return client


def test_a_request_id_is_made_when_the_client_sends_none(client):
    first, second = client.get(STUDY), client.get(STUDY)
    assert MADE_ID.fullmatch(first.headers["X-Request-Id"])
    assert first.headers["X-Request-Id"] != second.headers["X-Request-Id"]


@pytest.mark.parametrize("sent", ["abc-123", "0f" * 16, "x" * 128, "!#$%&'*+-.^_`|~"],
                         ids=["short", "hex", "longest", "punctuation"])
def test_a_sane_request_id_from_the_client_is_echoed(client, sent):
    assert client.get(STUDY, headers={"X-Request-Id": sent}).headers["X-Request-Id"] == sent


@pytest.mark.parametrize("sent", ["x" * 129, "two words", "é", "tab\there", ""],
                         ids=["too-long", "space", "not-ascii", "control", "empty"])
def test_any_other_request_id_is_replaced(client, sent):
    echoed = client.get(STUDY, headers={"X-Request-Id": sent}).headers["X-Request-Id"]
    assert MADE_ID.fullmatch(echoed)


def test_an_error_answer_has_a_request_id_too(client):
    response = client.get("/api/v2/studies/NCT0")
    assert response.status_code == 400
    assert MADE_ID.fullmatch(response.headers["X-Request-Id"])


def test_one_json_line_per_request_with_what_an_operator_needs(json_client, capsys):
    response = json_client.get(STUDY + "?fields=NCTId", headers={
        "X-Request-Id": "trace-1", "User-Agent": "probe/1.0"})
    (line,) = access_lines(capsys)
    assert line | {"time": None, "duration_ms": None} == {
        "time": None, "level": "INFO", "logger": "api.access",
        "message": f"GET {STUDY} 200", "request_id": "trace-1", "method": "GET",
        "path": STUDY, "query": "fields=NCTId", "route": "/api/v2/studies/<nctId>",
        "status": 200, "duration_ms": None, "bytes": len(response.data),
        "remote_addr": "127.0.0.1", "user_agent": "probe/1.0"}
    assert line["time"].endswith("+00:00")
    assert 0 < line["duration_ms"] < 10_000


def test_a_streamed_answer_s_line_counts_every_byte_sent(json_client, capsys):
    response = json_client.get("/api/v2/studies?format=csv")
    response.close()  # as a server does once the body is sent
    (line,) = access_lines(capsys)
    assert response.headers.get("Content-Length") is None  # streamed
    assert (line["route"], line["bytes"]) == ("/api/v2/studies", len(response.data))


def test_a_request_no_route_matched_is_logged_as_unmatched(json_client, capsys):
    json_client.get("/no/such/page")
    (line,) = access_lines(capsys)
    assert (line["path"], line["route"], line["status"]) == ("/no/such/page", "<unmatched>", 404)


def test_an_unexpected_error_is_logged_with_its_traceback_and_request_id(make_app, capsys):
    app = make_app(LOG_FORMAT="json")

    @app.get("/fails")
    def fails():
        raise RuntimeError("something broke")

    capsys.readouterr()
    response = app.test_client().get("/fails", headers={"X-Request-Id": "trace-2"})
    assert (response.status_code, response.text) == (500, "Internal server error")
    error, access = lines(capsys)
    assert (error["level"], error["logger"], error["request_id"]) == ("ERROR", "api.errors",
                                                                       "trace-2")
    assert "Traceback" in error["exc_info"] and "RuntimeError: something broke" in error["exc_info"]
    assert (access["request_id"], access["status"]) == ("trace-2", 500)


def test_lines_outside_a_request_have_no_request_id(make_app, capsys):
    app = make_app(LOG_FORMAT="json")
    capsys.readouterr()
    app.logger.warning("between requests")
    (line,) = lines(capsys)
    assert (line["message"], line["request_id"]) == ("between requests", None)


def test_the_text_format_is_one_readable_line(make_app, capsys):
    client = make_app(LOG_FORMAT="text").test_client()
    capsys.readouterr()
    client.get(STUDY, headers={"X-Request-Id": "trace-3"})
    (line,) = capsys.readouterr().err.splitlines()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO \[trace-3\] GET "
                        + re.escape(STUDY) + r" 200 route='/api/v2/studies/<nctId>' "
                        r"duration_ms=[\d.]+ bytes=\d+ remote_addr='127.0.0.1' "
                        r"user_agent='[^']+'", line)


def test_off_writes_nothing_of_its_own(make_app, capsys):
    make_app(LOG_FORMAT="json")
    client = make_app(LOG_FORMAT="off").test_client()  # the last app built sets the log
    capsys.readouterr()
    client.get(STUDY)
    assert capsys.readouterr().err == ""


def test_a_log_format_it_does_not_know_is_refused(make_app, capsys):
    with pytest.raises(SystemExit):
        make_app(LOG_FORMAT="xml")
    assert "setting LOG_FORMAT='xml': expected json, text or off" in capsys.readouterr().err

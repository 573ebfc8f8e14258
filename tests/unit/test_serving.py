"""api/serving.py without a server: its settings and the HTTP edge in front of the app."""

from __future__ import annotations

import subprocess
import sys

import pytest

from api.serving import (
    MAX_HEADER_BYTES,
    MAX_TARGET_BYTES,
    SERVER_NAME,
    HttpEdge,
    ServerSettings,
    drop_request_variables,
)
from tests.conftest import PROJECT


def hello(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"hello"]


def call(environ: dict) -> tuple[str, dict, bytes]:
    """(status, headers, body) of `HttpEdge(hello)` for `environ`."""
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer.update(status=status, headers=dict(headers))

    body = b"".join(HttpEdge(hello)(environ, start_response))
    return answer["status"], answer["headers"], body


def request(path="/api/v2/version", query="", **headers) -> dict:
    return {"PATH_INFO": path, "QUERY_STRING": query, "HTTP_HOST": "x",
            **{f"HTTP_{name.upper()}": value for name, value in headers.items()}}


def test_defaults_are_make_runs():
    settings = ServerSettings.from_environment({})
    assert (settings.host, settings.port, settings.workers, settings.threads) == (
        "127.0.0.1", 8000, 2, 4)


def test_settings_come_from_the_environment():
    settings = ServerSettings.from_environment(
        {"PORT": "18100", "WORKERS": "3", "THREADS": "8", "ACCESS_LOG": "1", "HOST": "::1"})
    assert (settings.port, settings.workers, settings.threads) == (18100, 3, 8)
    assert settings.access_log is True and settings.host == "::1"


@pytest.mark.parametrize("variable, value", [
    ("PORT", "eighty"), ("PORT", "70000"), ("WORKERS", "0"), ("THREADS", "-1"),
    ("HEADER_TIMEOUT", "61"), ("ACCESS_LOG", "maybe"),
])
def test_a_bad_setting_is_one_line_naming_it(variable, value):
    with pytest.raises(SystemExit) as stopped:
        ServerSettings.from_environment({variable: value})
    assert str(stopped.value).startswith(f"{variable}={value!r}: expected ")


def test_a_bad_setting_stops_the_server_before_it_starts():
    done = subprocess.run([sys.executable, "-m", "api.serving"], cwd=PROJECT,
                          env={"PATH": "", "PORT": "eighty"}, capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 1
    assert done.stderr.strip() == "PORT='eighty': expected a whole number from 1 to 65535"


def test_a_request_within_the_limits_reaches_the_app_and_names_this_server():
    query = "x=" + "a" * (MAX_TARGET_BYTES - len("/api/v2/version") - 3)
    status, headers, body = call(request(query=query, big="b" * (MAX_HEADER_BYTES - 200)))
    assert (status, body) == ("200 OK", b"hello")
    assert headers["Server"] == SERVER_NAME


def test_a_target_one_byte_over_the_limit_is_414():
    query = "x=" + "a" * (MAX_TARGET_BYTES - len("/api/v2/version") - 2)
    status, headers, body = call(request(query=query))
    assert status == "414 URI Too Long"
    assert headers["Content-Type"] == "text/plain; charset=UTF-8"
    assert body == (f"Request URI is too long: {MAX_TARGET_BYTES + 1} bytes "
                    f"(the limit is {MAX_TARGET_BYTES})").encode()


def test_header_fields_over_the_limit_are_431():
    status, headers, body = call(request(big="b" * MAX_HEADER_BYTES))
    assert status == "431 Request Header Fields Too Large"
    assert headers["Content-Type"] == "text/plain; charset=UTF-8"
    assert body.startswith(b"Request header fields are too large: ")


def test_request_variables_of_the_process_are_dropped():
    environ = {"HTTP_PROXY": "http://elsewhere", "CONTENT_TYPE": "x", "PATH": "/bin",
               "TRIALS_DATABASE_URL": "sqlite:///x", "HTTPS_PROXY": "kept: not a header"}
    drop_request_variables(environ)
    assert environ == {"PATH": "/bin", "TRIALS_DATABASE_URL": "sqlite:///x",
                       "HTTPS_PROXY": "kept: not a header"}

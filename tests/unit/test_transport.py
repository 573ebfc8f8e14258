"""`api.transport.conditional`: tags and 304s, on plain responses and WSGI environments."""

import pytest
from flask import Response

from api.store.base import content_tag
from api.transport import conditional, set_tag

GET = {"REQUEST_METHOD": "GET"}


def test_a_complete_answer_gets_the_tag_of_its_body():
    response = conditional(Response(b"body"), GET)
    assert response.get_etag() == (content_tag(b"body"), True)


def test_a_known_tag_is_kept_not_recomputed():
    response = Response(b"body")
    set_tag(response, "stored")
    assert conditional(response, GET).get_etag() == ("stored", True)


@pytest.mark.parametrize("asked", ['W/"{}"', '"{}"', '"other", W/"{}"', "*"])
def test_a_matching_if_none_match_is_a_304_without_a_body(asked):
    tag = content_tag(b"body")
    response = conditional(Response(b"body"), {**GET, "HTTP_IF_NONE_MATCH": asked.format(tag)})
    assert (response.status_code, response.get_data()) == (304, b"")


def test_another_tag_gets_the_whole_answer():
    response = conditional(Response(b"body"), {**GET, "HTTP_IF_NONE_MATCH": '"other"'})
    assert (response.status_code, response.get_data()) == (200, b"body")


@pytest.mark.parametrize(("response", "environ"), [
    (Response(b"x", status=404), GET),
    (Response(b"x"), {"REQUEST_METHOD": "POST"}),
    (Response(iter([b"x"])), GET),
])
def test_errors_other_methods_and_streams_are_not_tagged(response, environ):
    assert conditional(response, environ).get_etag() == (None, None)

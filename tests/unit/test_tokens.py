"""Page tokens: signed, bound to a query fingerprint, refusing anything altered."""

import pytest

from api.search import tokens

SECRET = b"s" * 32


def test_a_token_carries_its_cursor_back():
    token = tokens.issue(SECRET, "query", (0, 20240101.0, 17))
    assert tokens.read(SECRET, "query", token) == (0, 20240101.0, 17)


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c", "a.!!", "=.=",
                                   tokens.issue(b"t" * 32, "query", (1,))])
def test_a_token_not_issued_here_is_refused(token):
    with pytest.raises(tokens.BadToken):
        tokens.read(SECRET, "query", token)


def test_a_token_of_another_query_is_refused():
    with pytest.raises(tokens.BadToken):
        tokens.read(SECRET, "other", tokens.issue(SECRET, "query", (1,)))


def test_fingerprints_differ_with_the_request():
    assert tokens.fingerprint("a") == tokens.fingerprint("a") != tokens.fingerprint("b")

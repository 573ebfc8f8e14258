"""Page tokens: the cursor where the next page starts, signed and bound to its query.

A token is `payload.signature`, both base64url. The payload holds the cursor (the keyset of
the previous page's last study, opaque here) and a fingerprint of the request as parsed:
its criteria, sort, output format and selection, not the raw parameter strings, so
`fields=A,B` and `fields=A|B`, or a GET and a POST of the same search, share tokens.
`pageSize` and `countTotal` may change between pages and are not bound. A token that was
altered, or comes from another query, is refused; so is one from another store, whose
secret differs.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json

from api import json_text


class BadToken(ValueError):
    """A page token this server did not issue for this query."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def fingerprint(canonical: str) -> str:
    """A short digest of a request's canonical description."""
    return _b64(hashlib.sha256(canonical.encode()).digest()[:12])


def _signature(secret: bytes, payload: bytes) -> bytes:
    return hmac.new(secret, payload, hashlib.sha256).digest()[:16]


def issue(secret: bytes, query: str, cursor: tuple) -> str:
    """A token for the page after `cursor`, for the query whose fingerprint is `query`."""
    payload = json_text.dumps_bytes({"q": query, "a": list(cursor)})
    return f"{_b64(payload)}.{_b64(_signature(secret, payload))}"


def read(secret: bytes, query: str, token: str) -> tuple:
    """The cursor a token carries; `BadToken` unless it was issued for this query here."""
    try:
        payload_text, signature_text = token.split(".")
        payload, signature = _unb64(payload_text), _unb64(signature_text)
    except (ValueError, binascii.Error):
        raise BadToken(token) from None
    if not hmac.compare_digest(signature, _signature(secret, payload)):
        raise BadToken(token)
    content = json.loads(payload)
    if content.get("q") != query:
        raise BadToken(token)
    return tuple(content["a"])

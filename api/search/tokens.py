"""Page tokens: where the next page starts, signed and bound to the query that made them.

A token is `payload.signature`, both base64url. The payload holds the keyset of the
previous page's last study and a fingerprint of the query's parameters (all but
`pageToken`, `pageSize` and `countTotal`, which may change between pages). A token that was
altered, or comes from another query, is refused; so is one from another store, whose
secret differs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json


class BadToken(ValueError):
    """A page token this server did not issue for this query."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def fingerprint(parameters: list[tuple[str, str]]) -> str:
    """A short digest of a query's parameters, independent of their order."""
    canonical = json.dumps(sorted(parameters), separators=(",", ":"))
    return _b64(hashlib.sha256(canonical.encode()).digest()[:12])


def _signature(secret: bytes, payload: bytes) -> bytes:
    return hmac.new(secret, payload, hashlib.sha256).digest()[:16]


def issue(secret: bytes, query: str, after: tuple) -> str:
    """A token for the page after the row whose keyset is `after`."""
    payload = json.dumps({"q": query, "a": list(after)}, separators=(",", ":")).encode()
    return f"{_b64(payload)}.{_b64(_signature(secret, payload))}"


def read(secret: bytes, query: str, token: str) -> tuple:
    """The keyset a token carries; `BadToken` unless it was issued for this query here."""
    try:
        payload_text, signature_text = token.split(".")
        payload, signature = _unb64(payload_text), _unb64(signature_text)
    except ValueError:
        raise BadToken(token) from None
    if not hmac.compare_digest(signature, _signature(secret, payload)):
        raise BadToken(token)
    content = json.loads(payload)
    if content.get("q") != query:
        raise BadToken(token)
    return tuple(content["a"])

"""How responses travel: gzip when the client asks for it, a weak ETag and 304 on a repeat.

The registry answers `Accept-Encoding: gzip` with a gzip body and a repeated GET carrying
`If-None-Match` with 304 (REFERENCE.md §1); clients and caches written for it rely on both.

- Compression is flask-compress, limited to gzip as the registry sends it (settings:
  `COMPRESS_*` in `api.settings`). Streamed bodies (CSV pages) are compressed as they go.
- Every complete 200 answer to a GET gets an ETag: 128 bits of SHA-256 over the body before
  compression. For a study that body is the stored document itself, so the tag changes
  exactly when the record does; a projection or another format gets its own tag.
- The tag is weak (`W/"..."`): one validator stands for the identity and the gzip
  representation, which differ byte for byte. `If-None-Match` compares weakly, so a client
  holding either copy gets 304; a strong tag would need one value per content coding.
"""

from __future__ import annotations

import hashlib

from flask import Flask, Response, request
from flask_compress import Compress


def etag(body: bytes) -> str:
    """The entity tag (without quotes or `W/`) of a response body."""
    # SHA-256 runs on the processor's SHA instructions where it has them: an 8 kB study
    # hashes in about 7 microseconds (BLAKE2b, MD5: twice that), small beside the request.
    return hashlib.sha256(body).hexdigest()[:32]


def _conditional(response: Response) -> Response:
    """Tag a complete 200 GET answer; 304 without a body when the client's copy matches."""
    if (
        response.status_code != 200
        or request.method not in ("GET", "HEAD")
        or response.is_streamed
        or response.direct_passthrough
        or "ETag" in response.headers
    ):
        return response
    tag = etag(response.get_data())
    response.headers["ETag"] = f'W/"{tag}"'
    # Werkzeug's `make_conditional` would do this too, at several times the cost per request.
    if "If-None-Match" in request.headers and request.if_none_match.contains_weak(tag):
        response.status_code = 304
        response.set_data(b"")
    return response


def init_app(app: Flask) -> None:
    """Compress and tag the app's responses."""
    Compress(app)
    # Flask runs after-request functions last registered first: the tag is taken, and a
    # 304 decided, on the uncompressed body, before flask-compress (registered above) runs.
    app.after_request(_conditional)

"""How responses travel: gzip when the client asks for it, a weak ETag and 304 on a repeat.

The registry answers `Accept-Encoding: gzip` with a gzip body and a repeated GET carrying
`If-None-Match` with 304 (REFERENCE.md §1); clients and caches written for it rely on both.

- Compression is flask-compress, limited to gzip as the registry sends it (settings:
  `COMPRESS_*` in `api.settings`). Streamed bodies (CSV pages) are compressed as they go.
- Every complete 200 answer to a GET gets an ETag: 128 bits of SHA-256 over the body before
  compression (`content_tag`). A study's body is the stored document itself, whose tag the
  store keeps (a view hands it over with `set_tag`, and nothing is hashed per request); so
  the tag changes exactly when the record does. A projection or another format is hashed
  as it goes out and gets its own tag.
- The tag is weak (`W/"..."`): one validator stands for the identity and the gzip
  representation, which differ byte for byte. `If-None-Match` compares weakly, so a client
  holding either copy gets 304; a strong tag would need one value per content coding.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask_compress import Compress
from werkzeug.http import parse_etags

from api.store.base import content_tag


def set_tag(response: Response, tag: str) -> None:
    """Give `response` the tag of its body, known beforehand (`content_tag` of the body)."""
    response.set_etag(tag, weak=True)


def conditional(response: Response, environ: dict) -> Response:
    """Tag a complete 200 GET answer; 304 without a body when the client's copy matches."""
    if (
        response.status_code != 200
        or environ["REQUEST_METHOD"] not in ("GET", "HEAD")
        or response.is_streamed
        or response.direct_passthrough
    ):
        return response
    tag = response.get_etag()[0]
    if tag is None:
        tag = content_tag(response.get_data())
        set_tag(response, tag)
    # Werkzeug's `make_conditional` would do this too, at several times the cost per request.
    asked = environ.get("HTTP_IF_NONE_MATCH")
    if asked is not None and parse_etags(asked).contains_weak(tag):
        response.status_code = 304
        response.set_data(b"")
    return response


def init_app(app: Flask) -> None:
    """Tag, then compress, the app's responses: one after-request function for both."""
    # Registered here, after tagging: the tag is taken, and a 304 decided, on the body
    # before compression (settings: COMPRESS_REGISTER is off).
    compress = Compress(app)

    @app.after_request
    def transport(response: Response) -> Response:
        # Read from the WSGI environment: `request.headers` would build a header view and
        # raise internally for an absent header, on every request, at several times the cost.
        environ = request.environ
        response = conditional(response, environ)
        accepted = environ.get("HTTP_ACCEPT_ENCODING", "")
        if "gzip" in accepted or "*" in accepted:
            return compress.after_request(response)
        # No gzip wanted: all flask-compress would do then is say that the answer varies by
        # `Accept-Encoding` (added as a field line of its own, which HTTP reads as joined
        # to any other `Vary`).
        response.headers.add("Vary", "Accept-Encoding")
        return response

"""The throughput ceiling for `GET /api/v2/studies/{nctId}`: a bare Flask app.

At startup it reads every `(nct_id, document)` row of the SQLite store named by
`TRIALS_DATABASE_URL` into a dict of pre-encoded bytes; a request is then one dict lookup.
No validation, no aliases, no query parsing, no CORS header: nothing but the lookup, so
that `bench/bench_study_get.py` can compare the real server against it.

    TRIALS_DATABASE_URL=sqlite:////tmp/x/trials.sqlite3 \
        gunicorn 'bench.baseline_app:create_app()'
"""

from __future__ import annotations

import os
import sqlite3

from flask import Flask, Response

JSON = "application/json"
SQLITE_PREFIX = "sqlite:///"


def database_path(url: str) -> str:
    """The file path of a `sqlite:///PATH` URL (`sqlite:////abs` is absolute)."""
    if not url.startswith(SQLITE_PREFIX):
        raise ValueError(f"unsupported database URL {url!r}: expected sqlite:///PATH")
    return url[len(SQLITE_PREFIX):]


def load_documents(path: str) -> dict[str, bytes]:
    """Every stored study as {nct_id: UTF-8 bytes of its document}, read-only."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = connection.execute("SELECT nct_id, document FROM studies "
                                  "JOIN documents ON study_id = studies.id").fetchall()
    finally:
        connection.close()
    return {nct_id: bytes(document) for nct_id, document in rows}


def create_app() -> Flask:
    """The baseline app over the store `TRIALS_DATABASE_URL` names."""
    app = Flask(__name__)
    documents = load_documents(database_path(os.environ["TRIALS_DATABASE_URL"]))

    @app.get("/api/v2/studies/<nct_id>")
    def study(nct_id: str) -> Response:
        body = documents.get(nct_id)
        if body is None:
            return Response(b"not found", status=404, content_type="text/plain")
        return Response(body, content_type=JSON)

    return app

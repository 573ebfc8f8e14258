"""The throughput ceiling for `GET /api/v2/studies/{nctId}`: a bare Flask app.

At startup it reads every `(nct_id, document)` row of the SQLite store named by
`TRIALS_DATABASE_URL` into a dict of pre-encoded bytes; a request is then one dict lookup.
No validation, no aliases, no query parsing, no CORS header: nothing but the lookup, so
that `bench/bench_study_get.py` can compare the real server against it.

`BASELINE_CEILING` picks how much of the real server's answer the baseline shares, so that
the cost of each part can be told apart from the cost of the application:

- `body` (default): the same body, nothing more; the ceiling issue #2 names.
- `response`: also, pre-computed, the headers the real server sends with a study
  (`ETag`, `Vary`, `Access-Control-Allow-Origin`): the same response.
- `stored-response`: the same response, the document read from the store on every request
  (one SQLite query on a connection per thread, as the real store does): the floor of any
  server that keeps its records in the store rather than in memory.

    TRIALS_DATABASE_URL=sqlite:////tmp/x/trials.sqlite3 \
        gunicorn 'bench.baseline_app:create_app()'
"""

from __future__ import annotations

import os
import sqlite3
import threading

from flask import Flask, Response

JSON = "application/json"
SQLITE_PREFIX = "sqlite:///"
CEILINGS = ("body", "response", "stored-response")
STORED = ("SELECT document, tag FROM documents WHERE study_id = "
          "(SELECT id FROM studies WHERE nct_id = ?)")


def database_path(url: str) -> str:
    """The file path of a `sqlite:///PATH` URL (`sqlite:////abs` is absolute)."""
    if not url.startswith(SQLITE_PREFIX):
        raise ValueError(f"unsupported database URL {url!r}: expected sqlite:///PATH")
    return url[len(SQLITE_PREFIX):]


def load_documents(path: str) -> dict[str, tuple[bytes, str]]:
    """Every stored study as {nct_id: (UTF-8 bytes of its document, its tag)}, read-only."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = connection.execute("SELECT nct_id, document, tag FROM studies "
                                  "JOIN documents ON study_id = studies.id").fetchall()
    finally:
        connection.close()
    return {nct_id: (bytes(document), tag) for nct_id, document, tag in rows}


def study_headers(tag: str) -> dict[str, str]:
    """The headers the real server sends with a study besides its type and length."""
    return {"ETag": f'W/"{tag}"', "Vary": "Accept-Encoding", "Access-Control-Allow-Origin": "*"}


def create_app() -> Flask:
    """The baseline app over the store `TRIALS_DATABASE_URL` names."""
    app = Flask(__name__)
    ceiling = os.environ.get("BASELINE_CEILING", "body")
    if ceiling not in CEILINGS:
        raise ValueError(f"BASELINE_CEILING must be one of {', '.join(CEILINGS)}")
    path = database_path(os.environ["TRIALS_DATABASE_URL"])
    answers = {nct_id: (body, study_headers(tag) if ceiling == "response" else None)
               for nct_id, (body, tag) in load_documents(path).items()}
    local = threading.local()

    def stored(nct_id: str):
        connection = getattr(local, "connection", None)
        if connection is None:
            connection = local.connection = sqlite3.connect(
                f"file:{path}?mode=ro", uri=True, check_same_thread=False)
            connection.execute("PRAGMA mmap_size=1073741824")  # as the real store reads
        row = connection.execute(STORED, (nct_id,)).fetchone()
        return (row[0], study_headers(row[1])) if row else None

    @app.get("/api/v2/studies/<nct_id>")
    def study(nct_id: str) -> Response:
        answer = stored(nct_id) if ceiling == "stored-response" else answers.get(nct_id)
        if answer is None:
            return Response(b"not found", status=404, content_type="text/plain")
        return Response(answer[0], content_type=JSON, headers=answer[1])

    return app

"""Each request as an operator sees it: an id, a line in the access log, its metrics.

`Observed` wraps the app's WSGI callable. The request id is the client's `X-Request-Id`
when it sent a sane one (1 to `MAX_REQUEST_ID` visible ASCII characters: it is echoed and
logged, so nothing that could split a line or a header), else a fresh uuid4 in hex; it is
echoed in the answer's `X-Request-Id` and set for every log line written while the request
is answered (`logs.current_request_id`).

An answer is finished, and counted, when the app has returned it if its length is known
(every answer but a streamed one), else when the server closes its body: a streamed CSV
page or bulk download is timed to its last byte. The route is the URL rule Flask matched
(`/api/v2/studies/<nctId>`, not the path), so that metrics have one series per endpoint.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable, Iterator

from flask import request

from api.observability.logs import current_request_id

HEADER = "X-Request-Id"
MAX_REQUEST_ID = 128
SANE_REQUEST_ID = re.compile(rf"[!-~]{{1,{MAX_REQUEST_ID}}}")
# The route of a request no URL rule matched (404, 405): one series for all of them,
# whatever paths clients make up.
UNMATCHED = "<unmatched>"
# Methods counted under their own name; a client may send any token as a method.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
ROUTE_KEY = "trials.url_rule"

access_log = logging.getLogger("api.access")


def request_id(environ: dict) -> str:
    """The client's `X-Request-Id` when sane, else a new one."""
    sent = environ.get("HTTP_X_REQUEST_ID")
    if sent is not None and SANE_REQUEST_ID.fullmatch(sent):
        return sent
    return uuid.uuid4().hex


def note_route(_error: BaseException | None = None) -> None:
    """Keep the URL rule Flask matched in the request's environ (a `teardown_request`
    function: it runs for every request, and before Flask forgets the request)."""
    request.environ[ROUTE_KEY] = request.url_rule


def route(environ: dict) -> str:
    """The URL rule Flask matched for this request (`UNMATCHED` if none)."""
    rule = environ.get(ROUTE_KEY)
    return rule.rule if rule is not None else UNMATCHED


class Observed:
    """WSGI middleware: the request id, then the metrics and access line of each answer.

    `metrics.observe(method, route, status, seconds)` counts it; the access line is
    written when `log_requests`.
    """

    def __init__(self, wsgi_app: Callable, metrics, log_requests: bool):
        self.wsgi_app = wsgi_app
        self.metrics = metrics
        self.log_requests = log_requests

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        exchange = Exchange(self, environ, start_response)
        current_request_id.set(exchange.request_id)
        try:
            body = self.wsgi_app(environ, exchange.start_response)
        except BaseException:
            current_request_id.set(None)
            raise
        if exchange.length is not None:
            exchange.finish(exchange.length)
            return body
        return CountedBody(body, exchange)

    def answered(self, environ: dict, status: int, seconds: float, sent: int,
                 request_id: str) -> None:
        """Count one answer and log it."""
        method = environ["REQUEST_METHOD"]
        matched = route(environ)
        self.metrics.observe(method if method in METHODS else "other", matched, status, seconds)
        if self.log_requests:
            path = environ.get("PATH_INFO", "")
            access_log.info("%s %s %s", method, path, status, extra={
                "method": method, "path": path, "query": environ.get("QUERY_STRING", ""),
                "route": matched, "status": status, "duration_ms": round(seconds * 1000, 3),
                "bytes": sent, "remote_addr": environ.get("REMOTE_ADDR"),
                "user_agent": environ.get("HTTP_USER_AGENT"),
                # Named here: a streamed body may be closed after the context moved on.
                "request_id": request_id})


class Exchange:
    """One request under way: when it began, its id, the status and length answered."""

    __slots__ = ("observer", "environ", "started", "request_id", "status", "length",
                 "_start_response")

    def __init__(self, observer: Observed, environ: dict, start_response: Callable):
        self.observer, self.environ = observer, environ
        self._start_response = start_response
        self.started = time.perf_counter()
        self.request_id = request_id(environ)
        self.status = 500
        self.length: int | None = None

    def start_response(self, status: str, headers: list, exc_info=None):
        """The server's `start_response`, with the request id added and the answer noted."""
        self.status = int(status[:3])
        for name, value in headers:
            if name == "Content-Length":
                self.length = 0 if self.environ["REQUEST_METHOD"] == "HEAD" else int(value)
                break
        return self._start_response(status, [*headers, (HEADER, self.request_id)], exc_info)

    def finish(self, sent: int) -> None:
        """The answer is complete: count it, log it, leave the request's log context."""
        try:
            self.observer.answered(self.environ, self.status, time.perf_counter() - self.started,
                                   sent, self.request_id)
        finally:
            current_request_id.set(None)


class CountedBody:
    """A streamed body: its bytes counted as the server takes them, the answer finished
    when the server closes it (PEP 3333 says it must)."""

    def __init__(self, body: Iterable[bytes], exchange: Exchange):
        self.body, self.exchange, self.sent = body, exchange, 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.body:
            self.sent += len(chunk)
            yield chunk

    def close(self) -> None:
        try:
            close = getattr(self.body, "close", None)
            if close is not None:
                close()
        finally:
            self.exchange.finish(self.sent)

"""A fault-injecting test upstream: a small threaded HTTP server on a free loopback port.

`FaultyUpstream(target)` forwards every request to `target` (a real server's root,
`http://127.0.0.1:PORT`), or answers it with `target(path_and_query)` when that is a
function returning (status, headers, body). Before forwarding, it plays its `faults`, one
per request, in order (then it forwards everything); None forwards that one:

- `"500"`, `"503"`, ...: that status, a text/plain body;
- `"429"` / `"429:2"` / `"429:date:2"`: 429 with no `Retry-After`, `Retry-After: 2` (seconds),
  or an HTTP date 2 seconds ahead;
- `"400:text"`: that 4xx with `text` as its text/plain body;
- `"hang"`: reads the request, never answers (until the upstream stops);
- `"drop"`: closes the connection without a word;
- `"html"`: 200 with a CDN's HTML error page;
- `"truncate"`: the real answer, half of it, with the whole answer's Content-Length;
- `"cut"`: the real answer, half of it, no Content-Length, then the connection closes;
- `"trickle"`: the real answer, a byte every 50 ms (until the upstream stops).

`delay` slows every answer by that many seconds. `requests` lists what it received
(path with query, User-Agent, Accept-Encoding, the client's port), and when.
"""

from __future__ import annotations

import email.utils
import http.client
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HTML = (b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>"
        b"<body><h1>Bad Gateway</h1><p>The CDN could not reach the origin.</p></body></html>")
HANG_LIMIT = 60.0  # seconds a hanging answer waits at most, should nothing stop it


@dataclass(frozen=True)
class Seen:
    """One request as the upstream received it."""

    path: str
    user_agent: str | None
    accept_encoding: str | None
    at: float
    client_port: int  # one port for every request: one connection, kept alive


class FaultyUpstream:
    """See the module's docstring. Use it in a `with` block: it yields its root URL."""

    def __init__(self, target: str | Callable[[str], tuple[int, dict, bytes]],
                 faults: list[str | None] | None = None, delay: float = 0.0):
        self.target, self.faults, self.delay = target, list(faults or ()), delay
        self.requests: list[Seen] = []
        self._lock, self._stopping = threading.Lock(), threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> str:
        threading.Thread(target=self._server.serve_forever, name="faulty-upstream",
                         kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self.url

    def __exit__(self, *_exc) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def _next_fault(self, handler: BaseHTTPRequestHandler) -> str | None:
        with self._lock:
            self.requests.append(Seen(handler.path, handler.headers.get("User-Agent"),
                                      handler.headers.get("Accept-Encoding"), time.monotonic(),
                                      handler.client_address[1]))
            return self.faults.pop(0) if self.faults else None

    def forwarded(self, path: str) -> tuple[int, dict, bytes]:
        """The target's answer to `path` (uncompressed)."""
        if callable(self.target):
            return self.target(path)
        parts = urlsplit(self.target)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
            kept = {name: value for name, value in response.getheaders()
                    if name.lower() in ("content-type", "retry-after")}
            return response.status, kept, body
        finally:
            connection.close()

    def _handler(self):
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                fault = upstream._next_fault(self)
                if upstream.delay:
                    time.sleep(upstream.delay)
                upstream._play(self, fault)

        return Handler

    def _play(self, handler: BaseHTTPRequestHandler, fault: str | None) -> None:
        if fault is None:
            status, headers, body = self.forwarded(handler.path)
            _send(handler, status, headers, body)
        elif fault == "hang":
            self._stopping.wait(HANG_LIMIT)
            handler.close_connection = True
        elif fault == "drop":
            handler.close_connection = True
        elif fault == "html":
            _send(handler, 200, {"Content-Type": "text/html"}, HTML)
        elif fault == "trickle":
            status, headers, body = self.forwarded(handler.path)
            self._trickle(handler, status, headers, body)
        elif fault in ("truncate", "cut"):
            status, headers, body = self.forwarded(handler.path)
            _send_cut(handler, status, headers, body, fault == "truncate")
        else:
            self._play_status(handler, fault)

    def _trickle(self, handler: BaseHTTPRequestHandler, status: int, headers: dict,
                 body: bytes) -> None:
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        for index in range(len(body)):
            if self._stopping.wait(0.05):
                break
            handler.wfile.write(body[index:index + 1])
            handler.wfile.flush()
        handler.close_connection = True

    def _play_status(self, handler: BaseHTTPRequestHandler, fault: str) -> None:
        status, _, rest = fault.partition(":")
        headers = {"Content-Type": "text/plain"}
        if status == "429" and rest:
            seconds = float(rest.removeprefix("date:"))
            headers["Retry-After"] = (
                email.utils.formatdate(time.time() + seconds, usegmt=True)
                if rest.startswith("date:") else f"{seconds:g}")
        body = (rest if status.startswith("4") and status != "429" else
                f"fault {fault}").encode()
        _send(handler, int(status), headers, body)


def _send(handler: BaseHTTPRequestHandler, status: int, headers: dict, body: bytes) -> None:
    handler.send_response(status)
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def _send_cut(handler: BaseHTTPRequestHandler, status: int, headers: dict, body: bytes,
              with_length: bool) -> None:
    """Half of `body`, then the connection closes."""
    handler.send_response(status)
    for name, value in headers.items():
        handler.send_header(name, value)
    if with_length:
        handler.send_header("Content-Length", str(len(body)))
    handler.send_header("Connection", "close")
    handler.end_headers()
    handler.wfile.write(body[: len(body) // 2])
    handler.wfile.flush()
    handler.close_connection = True

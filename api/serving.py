"""The production HTTP server: granian serving the app over WSGI, and the edge in front of it.

`python -m api.serving` is what `make run` runs; `tests/server.py` and the benchmarks start the
same command, so this module is the one place where the server is configured. Settings come
from `HOST`, `PORT`, `WORKERS`, `THREADS`, `HEADER_TIMEOUT`, `ACCESS_LOG` and `CONNECTIONS`
(`ServerSettings`). The workers log JSON lines unless `TRIALS_LOG_FORMAT` says otherwise, and
share their request metrics through a directory made for them (`metrics_directory`).

Why granian (bench/bench_servers.py measures it against gunicorn gthread and gevent and
waitress; README "The HTTP server" has the figures): its HTTP layer is Rust (hyper on tokio).
Connections, keep-alive and clients that send slowly cost no Python thread: a request reaches
the app only once its head is complete, a head not complete within `header_timeout` seconds
closes the connection, and the same timer closes idle kept-alive connections. The app runs on
`threads` Python threads per worker process.

What granian does not do itself, `HttpEdge` does in front of the app, in the registry's
style (a bare `text/plain` message): a request target over `MAX_TARGET_BYTES` is 414, header
fields over `MAX_HEADER_BYTES` are 431, and every answer names this server, not the one under
it. Bytes that hyper cannot parse as an HTTP/1.1 request at all (a malformed request line or
version, over 100 header fields, a head over its 408 KiB buffer) get hyper's own bare 400 or
431, without a body, and the connection is closed: no HTML page, no server name, but no text
either, since nothing of ours runs before hyper has parsed a request.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, fields
from pathlib import Path

from api import startup
from api.search.fields import boolean
from api.errors import TEXT_PLAIN

# What `create_production_app` is called as inside each worker process.
TARGET = "api.serving:create_production_app"
# A page of up to 1,000 NCT ids in `filter.ids` (12 bytes each with the comma) fits.
MAX_TARGET_BYTES = 16_384
# Cookies and tokens a browser or proxy adds fit with room to spare.
MAX_HEADER_BYTES = 32_768
SERVER_NAME = "ctgov-v2-server"
# What a WSGI environ says about the request besides its `HTTP_*` header fields.
CGI_VARIABLES = frozenset({
    "AUTH_TYPE", "CONTENT_LENGTH", "CONTENT_TYPE", "HTTPS", "PATH_INFO", "QUERY_STRING",
    "RAW_URI", "REMOTE_ADDR", "REMOTE_HOST", "REMOTE_PORT", "REMOTE_USER", "REQUEST_METHOD",
    "REQUEST_URI", "SCRIPT_NAME", "SERVER_NAME", "SERVER_PORT", "SERVER_PROTOCOL",
})


@dataclass(frozen=True)
class ServerSettings:
    """How the production server runs; each field has an environment variable (upper case)."""

    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 2
    threads: int = 4
    # Seconds a client has to send a complete request head, and to start the next one on a
    # kept-alive connection.
    header_timeout: int = 10
    # granian's own access line; off by default: the app's log (`TRIALS_LOG_FORMAT`) writes
    # one per request with more in it (request id, route), and each costs about as much.
    access_log: bool = False
    # Connections each worker holds open at once; more wait in the listen backlog.
    connections: int = 1024

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> ServerSettings:
        """The settings named in `environ`, the defaults for the rest; `SystemExit` with one
        line naming the variable and what it expects when a value is not acceptable."""
        values = {}
        for field in fields(cls):
            text = environ.get(field.name.upper())
            if text is not None and text.strip() != "":
                values[field.name] = _parse(field.name, text.strip(), field.default)
        return cls(**values)


# granian accepts a header timeout of at most a minute.
_LARGEST = {"header_timeout": 60}


def _parse(name: str, text: str, default: object) -> object:
    if isinstance(default, bool):
        if (verdict := boolean(text)) is not None:
            return verdict
        raise SystemExit(f"{name.upper()}={text!r}: expected 1 or 0")
    if isinstance(default, int):
        top = _LARGEST.get(name, 65535)
        if text.isdigit() and 0 < int(text) <= top:
            return int(text)
        raise SystemExit(f"{name.upper()}={text!r}: expected a whole number from 1 to {top}")
    return text


class HttpEdge:
    """WSGI middleware: the request limits and the `Server` header, answered before the app.

    The limits are checked on what the server hands over (the decoded path, the query
    string, the `HTTP_*` variables), which is what the app would have to process.
    """

    def __init__(self, app: Callable, max_target: int = MAX_TARGET_BYTES,
                 max_headers: int = MAX_HEADER_BYTES):
        self.app = app
        self.max_target = max_target
        self.max_headers = max_headers

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        refusal = self._refusal(environ)
        if refusal is not None:
            status, message = refusal
            body = message.encode()
            start_response(status, [("Content-Type", TEXT_PLAIN),
                                    ("Content-Length", str(len(body))),
                                    ("Server", SERVER_NAME)])
            return [body]

        def start(status, headers, exc_info=None):
            return start_response(status, [*headers, ("Server", SERVER_NAME)], exc_info)

        return self.app(environ, start)

    def _refusal(self, environ: dict) -> tuple[str, str] | None:
        target = len(environ.get("PATH_INFO", "")) + len(environ.get("QUERY_STRING", "")) + 1
        if target > self.max_target:
            return ("414 URI Too Long",
                    f"Request URI is too long: {target} bytes (the limit is {self.max_target})")
        # Each field line as sent: name, ": ", value, CRLF.
        size = sum(len(key) - 1 + len(value) + 4 for key, value in environ.items()
                   if key.startswith("HTTP_") and isinstance(value, str))
        if size > self.max_headers:
            message = (f"Request header fields are too large: {size} bytes "
                       f"(the limit is {self.max_headers})")
            return "431 Request Header Fields Too Large", message
        return None


def create_production_app() -> HttpEdge:
    """The app as the production server serves it: `create_app()` behind `HttpEdge`.

    Called in each worker process, which from then on also watches its master.
    """
    # Imported here, in the worker: the master process never builds the app.
    from api import create_app

    app = HttpEdge(create_app())
    drop_request_variables(os.environ)
    threading.Thread(target=_stop_when_orphaned, args=(os.getppid(),), daemon=True,
                     name="master-watch").start()
    return app


def drop_request_variables(environ) -> None:
    """Remove from the worker's environment what a WSGI environ reads as the request.

    granian starts each request's environ from a copy of the process environment taken once
    the app is built: a variable such as `HTTP_PROXY` or `CONTENT_TYPE` of the process would
    otherwise reach every request as if the client had sent it. Settings are read by then.
    """
    for key in [key for key in environ if key.startswith("HTTP_") or key in CGI_VARIABLES]:
        del environ[key]


def _stop_when_orphaned(master: int, every: float = 1.0, grace: float = 10.0) -> None:
    """Stop this worker once its master is gone (killed with SIGKILL, it cannot stop its
    workers, which would go on holding the port and the store): SIGTERM to itself, so that
    it finishes what it is answering, then exit after `grace` seconds if still running."""
    while os.getppid() == master:
        time.sleep(every)
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(grace)
    os._exit(1)


def granian_server(settings: ServerSettings):
    """A granian server for `settings`, serving `create_production_app` in each worker."""
    from granian import Granian
    from granian.constants import Interfaces
    from granian.http import HTTP1Settings

    return Granian(
        TARGET,
        factory=True,
        interface=Interfaces.WSGI,
        address=settings.host,
        port=settings.port,
        workers=settings.workers,
        blocking_threads=settings.threads,
        backlog=max(2048, settings.connections),
        backpressure=settings.connections,
        http1_settings=HTTP1Settings(header_read_timeout=settings.header_timeout * 1000),
        websockets=False,
        log_access=settings.access_log,
        # A worker that dies (killed, out of memory) is replaced; the others go on serving.
        respawn_failed_workers=True,
        respawn_interval=1.0,
        # Stopping waits for answers under way, but not for ever.
        workers_kill_timeout=30,
    )


def main() -> None:
    """Serve until stopped (SIGINT or SIGTERM: the workers finish what they are answering)."""
    settings = ServerSettings.from_environment()
    os.environ.setdefault("TRIALS_LOG_FORMAT", "json")  # the workers' log, unless told
    startup.preflight()  # TRIALS_* settings and the store checked once, before any worker
    print(f"serving on http://{settings.host}:{settings.port} with {settings.workers} "
          f"workers x {settings.threads} threads", file=sys.stderr)
    with metrics_directory(os.environ):
        granian_server(settings).serve()


@contextlib.contextmanager
def metrics_directory(environ) -> Iterator[str]:
    """Where the workers keep their request metrics for one another to report (the
    multiprocess mode of prometheus_client, `api.observability.metrics`), named in
    `PROMETHEUS_MULTIPROC_DIR` for them: the operator's, emptied of an earlier run's
    files, else a fresh one, removed when serving ends."""
    named = environ.get("PROMETHEUS_MULTIPROC_DIR")
    if named:
        Path(named).mkdir(parents=True, exist_ok=True)
        for stale in Path(named).glob("*.db"):
            stale.unlink()
        yield named
        return
    with tempfile.TemporaryDirectory(prefix="trials-metrics-") as fresh:
        environ["PROMETHEUS_MULTIPROC_DIR"] = fresh
        try:
            yield fresh
        finally:
            del environ["PROMETHEUS_MULTIPROC_DIR"]


if __name__ == "__main__":
    main()

"""The production server, run for a test: `python -m api.serving` on a free loopback port.

`production_server(store_url)` starts the server `make run` starts (api/serving.py: granian,
the app behind its HTTP edge) with one worker of four threads on 127.0.0.1, waits until it
answers, yields its base URL and stops it when the block ends, whatever happened inside;
keyword arguments set other `api.serving.ServerSettings` (`header_timeout=2`).
`import_records(store_url, paths)` loads records with the real command line
(`flask --app api import`) first.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import PROJECT

STARTUP_SECONDS = 30
STOP_SECONDS = 10


def tool_environment(store_url: str | None = None) -> dict[str, str]:
    """This environment with the venv's bin first on PATH (the tools run as the Makefile runs
    them) and `TRIALS_DATABASE_URL` set to `store_url` when given."""
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    store = {"TRIALS_DATABASE_URL": store_url} if store_url else {}
    return {**os.environ, "PATH": path, **store}


def import_records(store_url: str, paths: list[Path]) -> str:
    """Load `paths` into the store with `flask --app api import`; its summary line."""
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "api", "import", *map(str, paths)],
        cwd=PROJECT,
        env=tool_environment(store_url),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


def free_port() -> int:
    """A TCP port nothing listens on at the moment, on the loopback interface."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/api/v2/version")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def wait_started(server: subprocess.Popen, log, ready, what: str) -> None:
    """Wait until `ready()`; `RuntimeError` with the end of `log` (the process's output
    file) if `server` ends first or takes longer than `STARTUP_SECONDS`."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while not ready():
        if server.poll() is not None or time.monotonic() > deadline:
            log.seek(0)
            output = log.read()
            output = output.decode() if isinstance(output, bytes) else output
            raise RuntimeError(f"{what} did not start: {output[-2000:]}")
        time.sleep(0.1)


@contextlib.contextmanager
def production_server(store_url: str, environment: dict[str, str] | None = None,
                      **settings: object) -> Iterator[str]:
    """Run the production server on the store at `store_url`; yield `http://127.0.0.1:PORT`.
    `environment`: further variables of the server's process."""
    with production_process(store_url, environment, **settings) as (url, _):
        yield url


@contextlib.contextmanager
def production_process(store_url: str, environment: dict[str, str] | None = None,
                       **settings: object) -> Iterator[tuple[str, subprocess.Popen]]:
    """`production_server`, yielding the base URL and the server's master process."""
    port = free_port()
    chosen = {"port": port, "workers": 1, "threads": 4, "access_log": 0, **settings}
    env = (tool_environment(store_url) | (environment or {})
           | {key.upper(): str(value) for key, value in chosen.items()})
    with tempfile.TemporaryFile() as log:
        # A session of its own, so that stopping it reaches the worker processes too.
        server = subprocess.Popen([sys.executable, "-m", "api.serving"], cwd=PROJECT, env=env,
                                  stdout=log, stderr=log, start_new_session=True)
        try:
            wait_started(server, log, lambda: _answers(port), "server")
            yield f"http://127.0.0.1:{port}", server
        finally:
            _stop(server)


def _stop(server: subprocess.Popen) -> None:
    """SIGTERM to the server's process group; then SIGKILL to whatever of it is left (a
    worker outliving its master), and the master reaped."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        server.wait(timeout=STOP_SECONDS)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)
    server.wait(timeout=STOP_SECONDS)

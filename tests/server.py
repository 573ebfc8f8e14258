"""The production server, run for a test: gunicorn on a free loopback port, as `make run` runs it.

`production_server(store_url)` starts `gunicorn ... 'api:create_app()'` with one gthread worker
of four threads on 127.0.0.1, waits until it answers, yields its base URL and stops it when
the block ends, whatever happened inside. `import_records(store_url, paths)` loads records
with the real command line (`flask --app api import`) first.
"""

from __future__ import annotations

import contextlib
import http.client
import os
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


@contextlib.contextmanager
def production_server(store_url: str) -> Iterator[str]:
    """Run the production server on the store at `store_url`; yield `http://127.0.0.1:PORT`."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "--worker-class",
        "gthread",
        "--threads",
        "4",
        "api:create_app()",
    ]
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(
            command, cwd=PROJECT, env=tool_environment(store_url), stdout=log, stderr=log
        )
        try:
            deadline = time.monotonic() + STARTUP_SECONDS
            while not _answers(port):
                if server.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(f"server did not start: {log.read().decode()[-2000:]}")
                time.sleep(0.1)
            yield f"http://127.0.0.1:{port}"
        finally:
            server.terminate()
            try:
                server.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=STOP_SECONDS)

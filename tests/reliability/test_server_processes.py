"""The production server's processes: a lost worker is replaced, a lost master takes its
workers with it.

`make run`'s server (api/serving.py) with two workers on a free loopback port; processes are
found through /proc (Linux), so these tests are skipped elsewhere.
"""

from __future__ import annotations

import http.client
import os
import signal
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.server import production_process

pytestmark = [
    pytest.mark.reliability,
    pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc"),
]


def workers_of(master: int) -> set[int]:
    """The pids of the master's child processes."""
    return {int(pid) for task in Path(f"/proc/{master}/task").iterdir()
            for pid in (task / "children").read_text().split()}


def serving_workers(master: int, store: str) -> set[int]:
    """The master's workers that have opened the store file: their app is built."""
    ready = set()
    for pid in workers_of(master):
        try:
            if any(os.readlink(fd) == store for fd in Path(f"/proc/{pid}/fd").iterdir()):
                ready.add(pid)
        except OSError:
            continue  # a process that ended, or a descriptor closed meanwhile
    return ready


def alive(pid: int) -> bool:
    """Whether `pid` is a process that has not ended (a zombie has ended)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def status_of_get(url: str) -> int:
    address = urlsplit(url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=2)
    try:
        connection.request("GET", "/api/v2/studies/NCT04325594")
        response = connection.getresponse()
        response.read()
        return response.status
    except OSError:
        return 0
    finally:
        connection.close()


def wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.fixture
def store(tmp_path):
    return str(tmp_path / "trials.sqlite3")


def test_a_killed_worker_is_replaced_while_the_other_serves(store):
    with production_process(f"sqlite:///{store}", workers=2) as (url, master):
        assert wait_until(lambda: len(serving_workers(master.pid, store)) == 2, 20)
        victim = min(workers_of(master.pid))
        os.kill(victim, signal.SIGKILL)
        # Connections the kernel had queued for the victim at its death are reset with it
        # (each worker listens on a socket of its own, SO_REUSEPORT); later ones are not.
        assert wait_until(lambda: not alive(victim), 5)
        time.sleep(0.3)
        statuses = []
        for _ in range(20):
            statuses.append(status_of_get(url))
            time.sleep(0.1)
        assert statuses == [200] * len(statuses)
        assert wait_until(lambda: len(serving_workers(master.pid, store) - {victim}) == 2, 20), \
            "the killed worker was not replaced"
        assert master.poll() is None


def test_killing_the_master_stops_its_workers(store):
    with production_process(f"sqlite:///{store}", workers=2) as (_, master):
        assert wait_until(lambda: len(serving_workers(master.pid, store)) == 2, 20)
        workers = workers_of(master.pid)
        os.kill(master.pid, signal.SIGKILL)
        assert wait_until(lambda: not any(alive(pid) for pid in workers), 8), \
            "workers outlived their master"

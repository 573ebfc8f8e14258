"""Settings, start-up and the store's life, with the real command line and production server.

Every process is real (`flask --app api ...`, `python -m api.serving` as tests/server.py runs
it, a separate Python process holding SQLite's write lock) and on loopback only; each is
bounded in time and killed at the end of its test.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from api.store import sqlite_index
from api.store.sqlite_open import SCHEMA_VERSION
from schemas import guard
from tests.conftest import PROJECT, SEED, read_json
from tests.server import free_port, import_records, production_server, tool_environment
from tests.unit.test_store_open import make_schema_4

pytestmark = pytest.mark.reliability

SERVER = [sys.executable, "-m", "api.serving"]  # what tests/server.py starts
FLASK = [sys.executable, "-m", "flask", "--app", "api"]
REBUILD = "`flask --app api index rebuild`"


def run(command: list[str], env: dict, cwd: Path = PROJECT, timeout: float = 60):
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


def get(base: str, path: str) -> tuple[int, bytes]:
    """Status and body of GET `path` on the server at `base`."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def study_copy(nct_id: str, description: str | None = None) -> dict:
    document = read_json(SEED)
    document["protocolSection"]["identificationModule"]["nctId"] = nct_id
    if description is not None:
        document["protocolSection"]["descriptionModule"]["detailedDescription"] = description
    return document


def write_ndjson(path: Path, documents) -> Path:
    path.write_text("".join(json.dumps(document) + "\n" for document in documents),
                    encoding="utf-8")
    return path


def bad_environments(tmp_path: Path) -> list[tuple[str, str, str]]:
    """(variable, value, what the one line must say) for a bad value of every setting."""
    return [
        ("TRIALS_DATABASE_URL", "mysql://x", "only sqlite:/// and postgresql:// stores"),
        ("TRIALS_DATABASE_URL", "postgresql://x", "no database name after the host"),
        ("TRIALS_DATABASE_READ_URL", "postgresql://replica/trials",
         "a read replica needs a postgresql:// TRIALS_DATABASE_URL"),
        ("TRIALS_LOG_FORMAT", "xml", "expected"),
        ("TRIALS_DATABASE_URL", f"sqlite:///{tmp_path}/no/such/dir/x.sqlite3",
         f"directory {tmp_path}/no/such/dir does not exist"),
        ("TRIALS_RECORDS_DIR", f"{tmp_path}/missing", "does not exist"),
        ("TRIALS_SEARCH_TIME_BUDGET", "soon", "expected a number of seconds greater than 0"),
        ("TRIALS_MAX_DOCUMENT_BYTES", "64MB", "expected a whole number of bytes"),
        ("TRIALS_MAX_DOCUMENT_DEPTH", "0", "expected a whole number of nesting levels"),
        ("TRIALS_STORE_LOCK_WAIT", "-5", "expected a number of seconds greater than 0"),
        ("TRIALS_DATABSE_URL", "sqlite:///x.sqlite3", "not a setting of this server"),
    ]


def assert_one_line_refusal(done, name: str, value: str, says: str) -> None:
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert "Traceback" not in output, output
    lines = [line for line in output.splitlines() if name in line]
    assert len(lines) == 1, output
    assert lines[0] == lines[0].strip() and f"{name}={value!r}: " in lines[0] and says in lines[0]


def test_every_bad_setting_stops_each_flask_command_in_one_line(tmp_path):
    store = f"sqlite:///{tmp_path}/trials.sqlite3"
    for number, (name, value, says) in enumerate(bad_environments(tmp_path)):
        env = tool_environment(store) | {name: value}
        commands = [["import", str(SEED)], ["index", "rebuild"]][:2 if number < 2 else 1]
        for command in commands:
            done = run(FLASK + command, env, cwd=tmp_path)
            assert_one_line_refusal(done, name, value, says)
    assert not (tmp_path / "no").exists()  # the directory named was not made
    assert not (tmp_path / "trials.sqlite3").exists()


@pytest.mark.parametrize("index", range(3))
def test_a_bad_setting_stops_the_production_server_in_one_line(tmp_path, index):
    name, value, says = [bad_environments(tmp_path)[i] for i in (0, 1, 3)][index]
    env = tool_environment(f"sqlite:///{tmp_path}/trials.sqlite3") | {
        name: value, "PORT": str(free_port()), "WORKERS": "1"}
    server = subprocess.Popen(SERVER, cwd=PROJECT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        stdout, stderr = server.communicate(timeout=30)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait(10)
    assert_one_line_refusal(subprocess.CompletedProcess(SERVER, server.returncode, stdout,
                                                        stderr), name, value, says)
    assert not (tmp_path / "no").exists()


def test_the_default_store_is_the_same_from_any_directory(tmp_path):
    """A copy of the checkout: its default store, wherever the commands run from."""
    checkout = tmp_path / "checkout"
    for folder in ("api", "schemas", "records"):
        shutil.copytree(PROJECT / folder, checkout / folder,
                        ignore=shutil.ignore_patterns("__pycache__"))
    env = {key: value for key, value in tool_environment().items()
           if not key.startswith("TRIALS_")} | {"PYTHONPATH": str(checkout)}
    first, second = tmp_path / "here", tmp_path / "there"
    first.mkdir()
    second.mkdir()
    extra = write_ndjson(tmp_path / "extra.ndjson", [study_copy("NCT00000102")])
    done = run(FLASK + ["import", str(extra)], env, cwd=first)
    assert done.returncode == 0, done.stderr
    done = run(FLASK + ["index", "rebuild"], env, cwd=second)
    assert done.returncode == 0, done.stderr
    assert "index rebuilt: 2 studies" in done.stdout  # the seed and the import, found again
    assert (checkout / "instance" / "trials.sqlite3").is_file()
    assert not list(first.iterdir()) and not list(second.iterdir())


def lock_holder(store_path: Path) -> subprocess.Popen:
    """Another process holding the store's write lock (a write in progress) until killed."""
    code = ("import sqlite3, sys, time\n"
            "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "c.execute('BEGIN IMMEDIATE')\n"
            "c.execute(\"INSERT OR REPLACE INTO store_info VALUES ('held', 'yes')\")\n"
            "print('held', flush=True)\n"
            "time.sleep(120)\n")
    holder = subprocess.Popen([sys.executable, "-c", code, str(store_path)],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def server_processes(marker: str) -> tuple[int, list[int]]:
    """(master pid, worker pids) of the server whose environment holds `marker`."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            if marker.encode() in (entry / "environ").read_bytes():
                status = (entry / "status").read_text()
                parent = int(status.split("PPid:")[1].split()[0])
                found[int(entry.name)] = parent
    masters = [pid for pid, parent in found.items() if parent not in found]
    assert len(masters) == 1, found
    return masters[0], [pid for pid in found if pid != masters[0]]


def answers_within(base: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            if get(base, "/api/v2/studies/NCT04325594")[0] == 200:
                return True
        time.sleep(0.2)
    return False


def test_the_server_starts_and_survives_a_worker_kill_while_a_write_holds_the_lock(tmp_path):
    path = tmp_path / "trials.sqlite3"
    url = f"sqlite:///{path}"
    import_records(url, [SEED])
    holder = lock_holder(path)
    try:
        started = time.monotonic()
        with production_server(url) as base:
            assert time.monotonic() - started < 15
            assert get(base, "/api/v2/studies/NCT04325594")[0] == 200
            status, body = get(base, "/api/v2/studies?query.term=heart&countTotal=true")
            assert status == 200 and json.loads(body)["totalCount"] == 1
            master, workers = server_processes(url)
            assert workers
            os.kill(workers[0], signal.SIGKILL)  # as the OOM killer would, mid-write elsewhere
            time.sleep(0.5)
            assert answers_within(base, 15), "no worker serves after the kill"
            os.kill(master, 0)  # the server itself is still there
            assert holder.poll() is None  # and the write still holds the lock
    finally:
        holder.kill()
        holder.wait(10)
        holder.stdout.close()


def wait_for_lock_taken(path: Path, seconds: float) -> bool:
    """Whether, within `seconds`, another process is seen holding the write lock."""
    probe = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                probe.execute("BEGIN IMMEDIATE")
                probe.execute("ROLLBACK")
            except sqlite3.OperationalError:
                return True
            time.sleep(0.01)
        return False
    finally:
        probe.close()


def check_integrity(base: str, path: Path, expected: int) -> None:
    """SQLite's checks; every stored record GETs, parses and passes the guard; the count of
    the store, /stats/size and countTotal agree."""
    with contextlib.closing(sqlite3.connect(path)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        for table in ("area_text", "piece_text"):
            connection.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('integrity-check', 1)")
        ids = [row[0] for row in connection.execute("SELECT nct_id FROM studies")]
    assert len(ids) == expected
    for nct_id in ids:
        status, body = get(base, f"/api/v2/studies/{nct_id}")
        assert status == 200
        guard.check(json.loads(body), nct_id)
    size = json.loads(get(base, "/api/v2/stats/size")[1])
    total = json.loads(get(base, "/api/v2/studies?countTotal=true&pageSize=1")[1])["totalCount"]
    assert size["totalStudies"] == total == expected


def test_kill_9_in_the_middle_of_a_rebuild_then_an_integrity_check(tmp_path):
    path = tmp_path / "trials.sqlite3"
    url = f"sqlite:///{path}"
    many = write_ndjson(tmp_path / "many.ndjson",
                        [study_copy(f"NCT1{n:07d}", f"word{n}") for n in range(1500)])
    import_records(url, [many])
    env = tool_environment(url)
    with (tmp_path / "rebuild.out").open("w") as out:
        rebuild = subprocess.Popen(FLASK + ["index", "rebuild"], cwd=PROJECT, env=env,
                                   stdout=out, stderr=subprocess.STDOUT)
        try:
            assert wait_for_lock_taken(path, 20), "the rebuild never took the write lock"
            time.sleep(0.3)  # well inside the rebuild (about 1 s for these studies)
            rebuild.send_signal(signal.SIGKILL)
        finally:
            rebuild.kill()
            rebuild.wait(10)
    assert "index rebuilt" not in (tmp_path / "rebuild.out").read_text()  # killed mid-way
    with production_server(url) as base:
        check_integrity(base, path, 1501)
        status, body = get(base, "/api/v2/studies?query.term=AREA[DetailedDescription]word77"
                                 "&fields=NCTId")
        assert status == 200
        assert [s["protocolSection"]["identificationModule"]["nctId"]
                for s in json.loads(body)["studies"]] == ["NCT10000077"]


def found(base: str, query: str) -> list[str]:
    status, body = get(base, f"/api/v2/studies?query.term={query}&fields=NCTId")
    assert status == 200, body
    return sorted(s["protocolSection"]["identificationModule"]["nctId"]
                  for s in json.loads(body)["studies"])


def test_another_index_layout_is_refused_and_index_rebuild_repairs_it(tmp_path):
    path = tmp_path / "trials.sqlite3"
    url = f"sqlite:///{path}"
    import_records(url, [write_ndjson(tmp_path / "z.ndjson", [study_copy("NCT00000102", "zebra")])])
    with sqlite3.connect(path) as connection:  # as if the catalogue had changed since
        connection.execute("UPDATE store_info SET value = 'other' WHERE key = 'index_layout'")
    env = tool_environment(url) | {"PORT": str(free_port()), "WORKERS": "1"}
    done = run(SERVER, env, timeout=30)
    output = done.stdout + done.stderr
    assert done.returncode != 0 and "Traceback" not in output
    assert [line for line in output.splitlines() if REBUILD in line], output
    done = run(FLASK + ["import", str(SEED)], env)
    assert done.returncode != 0 and REBUILD in done.stderr and "Traceback" not in done.stderr
    done = run(FLASK + ["index", "rebuild"], env)
    assert done.returncode == 0 and "index rebuilt: 2 studies" in done.stdout, done.stderr
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT value FROM store_info WHERE key = 'index_layout'"
                                  ).fetchone() == (sqlite_index.fingerprint(),)
    with production_server(url) as base:
        assert found(base, "AREA[DetailedDescription]zebra") == ["NCT00000102"]


def test_a_schema_4_store_is_upgraded_by_the_server_and_searches_right(tmp_path):
    path = tmp_path / "trials.sqlite3"
    url = f"sqlite:///{path}"
    records = write_ndjson(tmp_path / "z.ndjson", [
        study_copy("NCT00000102", "zebra"), study_copy("NCT00000103", "okapi")])
    import_records(url, [records])
    make_schema_4(path)  # the store as the previous release left it
    with production_server(url) as base:
        assert found(base, "AREA[DetailedDescription]zebra") == ["NCT00000102"]
        assert found(base, "AREA[DetailedDescription]okapi") == ["NCT00000103"]
        check_integrity(base, path, 3)
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT value FROM store_info WHERE key = 'schema_version'"
                                  ).fetchone() == (SCHEMA_VERSION,)


def test_processes_starting_at_once_on_an_empty_store_seed_it_once(tmp_path):
    code = ("import logging; logging.basicConfig(level=logging.INFO)\n"
            "from api import create_app\n"
            "print(create_app().extensions['store'].count())\n")
    env = tool_environment(f"sqlite:///{tmp_path}/trials.sqlite3")
    starting = [subprocess.Popen([sys.executable, "-c", code], cwd=PROJECT, env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for _ in range(4)]
    outputs = [process.communicate(timeout=60) for process in starting]
    assert all(process.returncode == 0 for process in starting), outputs
    assert sum("seeded" in stderr for _, stderr in outputs) == 1, outputs
    with sqlite3.connect(tmp_path / "trials.sqlite3") as connection:
        assert connection.execute("SELECT count(*) FROM studies").fetchone() == (1,)

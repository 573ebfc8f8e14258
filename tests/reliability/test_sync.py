"""`flask --app api sync --from URL` over real sockets: a mirror B of an upstream A.

A is the production server on a store of the 22 shared records (and the seed); B is a store
synced from A by the real command line, in a subprocess, a few studies a page. Faults are
played by `tests.upstream.FaultyUpstream` in front of A; retry waits are hundredths of a
second (`TRIALS_SYNC_BACKOFF`), a hanging answer is given up after half a second.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest

from api.store import open_store
from tests.conftest import PROJECT, REAL_RECORDS, requires_shared
from tests.server import import_records, production_server, tool_environment
from tests.upstream import FaultyUpstream

pytestmark = pytest.mark.reliability

FAST = {"TRIALS_SYNC_RATE": "1000", "TRIALS_SYNC_BACKOFF": "0.01", "TRIALS_SYNC_TIMEOUT": "0.5",
        "TRIALS_SYNC_RETRIES": "3", "TRIALS_RECORDS_DIR": ""}
PAGE_SIZE = 5
CHANGED = ("NCT00184067", "NCT03418623", "NCT06714279")


def sync(store_url: str, upstream: str, *args: str, wait: bool = True, **env: str):
    """`flask --app api sync --from upstream` on B's store: its completed process (or, with
    `wait=False`, the running one)."""
    command = [sys.executable, "-m", "flask", "--app", "api", "sync", "--from", upstream,
               "--page-size", str(PAGE_SIZE), *args]
    environment = tool_environment(store_url) | FAST | env
    if not wait:
        return subprocess.Popen(command, cwd=PROJECT, env=environment, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return subprocess.run(command, cwd=PROJECT, env=environment, capture_output=True,
                          text=True, timeout=90, check=False)


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def listed_ids(root: str) -> list[str]:
    _, body = get(f"{root}/api/v2/studies?pageSize=1000&fields=NCTId")
    return [study["protocolSection"]["identificationModule"]["nctId"]
            for study in json.loads(body)["studies"]]


def wait_for_pages(store_url: str, upstream: str, pages: int, timeout: float = 30) -> None:
    """Until the sync from `upstream` running on the store has committed `pages` pages."""
    run_key = f"sync:{upstream}/api/v2:run"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = progress(store_url) if Path(store_url[10:]).exists() else {}
        if run_key in state and json.loads(state[run_key])["pages"] >= pages:
            return
        time.sleep(0.1)
    pytest.fail(f"the sync committed fewer than {pages} pages in {timeout:g} s")


@contextlib.contextmanager
def opened(store_url: str):
    store = open_store(store_url)
    try:
        yield store
    finally:
        store.close()


def progress(store_url: str) -> dict[str, str]:
    with opened(store_url) as store:
        return store.progress("sync:")


@contextlib.contextmanager
def serving_shared_records(folder: Path):
    """An A: the production server on a new store of the shared records in `folder`; its
    root URL and store URL."""
    requires_shared()
    url = f"sqlite:///{folder}/a.sqlite3"
    import_records(url, REAL_RECORDS)
    with production_server(url) as root:
        yield root, url


@pytest.fixture(scope="module")
def upstream_a(tmp_path_factory):
    """A, shared by the tests that do not change it."""
    with serving_shared_records(tmp_path_factory.mktemp("a")) as served:
        yield served


@pytest.fixture
def own_a(tmp_path):
    """An A of this test's own, to change."""
    with serving_shared_records(tmp_path) as served:
        yield served


@pytest.fixture
def mirror(tmp_path) -> str:
    return f"sqlite:///{tmp_path}/b.sqlite3"


def assert_same_studies(a_root: str, b_url: str) -> None:
    """B serves every study of A byte for byte, in the same order, and no other."""
    with production_server(b_url) as b_root:
        ids = listed_ids(a_root)
        assert listed_ids(b_root) == ids and len(ids) == len(REAL_RECORDS) + 1
        for nct_id in ids:
            assert get(f"{b_root}/api/v2/studies/{nct_id}") == \
                get(f"{a_root}/api/v2/studies/{nct_id}"), nct_id
        page = "/api/v2/studies?pageSize=1000&countTotal=true"
        assert get(b_root + page) == get(a_root + page)


def assert_same_history(a_root: str, b_url: str) -> None:
    """B serves the history of every study of A as A does, in both shapes: the website's
    (the study and its `history.changes`, each version's `{"studyVersion", "study"}` byte for
    byte) and `/api/v2/.../history` (all but when each store wrote the version)."""
    def unstamped(body: bytes) -> list[dict]:
        versions = json.loads(body)["versions"]
        return [{key: value for key, value in version.items() if key != "storedAt"}
                for version in versions]

    with production_server(b_url) as b_root:
        for nct_id in listed_ids(a_root):
            website = f"/api/int/studies/{nct_id}?history=true"
            assert get(b_root + website) == get(a_root + website), nct_id
            for change in json.loads(get(a_root + website)[1])["history"]["changes"]:
                version = f"/api/int/studies/{nct_id}/history/{change['version']}"
                assert get(b_root + version) == get(a_root + version), version
            listing = f"/api/v2/studies/{nct_id}/history"
            assert unstamped(get(b_root + listing)[1]) == unstamped(get(a_root + listing)[1])


def changed_copies(folder: Path, store_url: str) -> list[Path]:
    """Copies of the `CHANGED` studies as A serves them, completed and updated today."""
    today = datetime.now(UTC).date().isoformat()
    paths = []
    with opened(store_url) as store:
        for nct_id in CHANGED:
            document = json.loads(store.get(nct_id).json)
            status = document["protocolSection"]["statusModule"]
            status["overallStatus"] = "COMPLETED" if status["overallStatus"] != "COMPLETED" \
                else "TERMINATED"
            status["lastUpdatePostDateStruct"]["date"] = today
            paths.append(folder / f"{nct_id}.json")
            paths[-1].write_text(json.dumps(document), encoding="utf-8")
    return paths


def test_a_mirror_serves_every_study_byte_for_byte(upstream_a, mirror):
    a_root, _ = upstream_a
    done = sync(mirror, a_root)
    assert done.returncode == 0, done.stderr
    assert "5 pages, 23 studies: 23 added, 0 replaced, 0 unchanged" in done.stdout
    assert "a first sync (every study)" in done.stderr
    assert_same_studies(a_root, mirror)
    started = progress(mirror)[f"sync:{a_root}/api/v2:complete"]
    assert started[:10] == datetime.now(UTC).date().isoformat()


def test_an_update_takes_exactly_the_changed_studies(own_a, mirror, tmp_path):
    a_root, a_url = own_a
    assert sync(mirror, a_root).returncode == 0
    with opened(mirror) as store:
        before = {nct_id: store.history(nct_id).versions[0].status for nct_id in CHANGED}
    import_records(a_url, changed_copies(tmp_path, a_url))
    done = sync(mirror, a_root)
    assert done.returncode == 0, done.stderr
    assert "an update (studies updated since " in done.stderr
    assert "1 pages, 3 studies: 0 added, 3 replaced, 0 unchanged" in done.stdout
    assert_same_studies(a_root, mirror)
    assert_same_history(a_root, mirror)
    with opened(mirror) as store:
        for nct_id in listed_ids(a_root):
            versions = store.history(nct_id).versions
            if nct_id in CHANGED:
                assert [v.status for v in versions] == [before[nct_id], versions[1].status]
                assert versions[1].status != before[nct_id]
                assert versions[1].date == datetime.now(UTC).date().isoformat()
            else:
                assert len(versions) == 1, nct_id
    again = sync(mirror, a_root)
    assert "3 studies: 0 added, 0 replaced, 3 unchanged" in again.stdout


def test_faults_that_pass_are_survived(upstream_a, mirror):
    a_root, _ = upstream_a
    faults = ["500", None, "429:1", "503", None, "hang", None, "html", "truncate", None,
              "cut", "drop", None]
    with FaultyUpstream(a_root, faults) as root:
        done = sync(mirror, root, "--workers", "1")
    assert done.returncode == 0, done.stderr
    assert "23 studies: 23 added" in done.stdout
    for reason in ("500 Internal Server Error", "429 Too Many Requests", "no answer within",
                   "not JSON", "cut short"):
        assert reason in done.stderr
    assert_same_studies(a_root, mirror)


def test_spent_retries_stop_the_run_and_keep_the_high_water_mark(upstream_a, mirror):
    upstream = FaultyUpstream(upstream_a[0])
    with upstream as root:
        keys = f"sync:{root}/api/v2:"
        assert sync(mirror, root).returncode == 0
        mark = progress(mirror)[keys + "complete"]
        upstream.faults = [None, None, "503", "503", "503", "503"]
        # One checking process: worker processes of datasketches' nanobind bindings may
        # print a leak warning of their own when they exit.
        first = sync(mirror, root, "--full", "--workers", "1")
        assert first.returncode == 3
        last = first.stderr.strip().splitlines()[-1]
        assert last.startswith("sync failed: ") and "503 Service Unavailable (after 4 " \
            "attempts)" in last and "Traceback" not in first.stderr
        state = progress(mirror)
        assert state[keys + "complete"] == mark and json.loads(state[keys + "run"])["pages"] == 2
        asked = len(upstream.requests)
        second = sync(mirror, root, "--full")
    assert second.returncode == 0, second.stderr
    assert "after page 2" in second.stderr and "3 pages, 13 studies" in second.stdout
    assert "pageToken=" in upstream.requests[asked].path  # it went on, not from the start
    state = progress(mirror)
    assert keys + "run" not in state and state[keys + "complete"] >= mark


def test_a_4xx_is_not_retried_and_its_text_shown(upstream_a, mirror):
    upstream = FaultyUpstream(upstream_a[0], ["404:Not Found here"])
    with upstream as root:
        done = sync(mirror, root, "--workers", "1")
    assert done.returncode == 3 and len(upstream.requests) == 1
    assert "answered 404: Not Found here" in done.stderr.strip().splitlines()[-1]


def test_a_refused_page_token_starts_the_query_again(upstream_a, mirror):
    upstream = FaultyUpstream(upstream_a[0], [None, None, "503", "503", "503", "503"])
    with upstream as root:
        assert sync(mirror, root).returncode == 3
        upstream.faults = ["400:Parameter `pageToken` has incorrect format"]
        done = sync(mirror, root)
    assert done.returncode == 0, done.stderr
    assert "upstream refused the page token (400: Parameter `pageToken` has incorrect " \
        "format); reading the run's query again from its first page" in done.stderr
    assert "5 pages, 23 studies: 13 added, 0 replaced, 10 unchanged" in done.stdout


def test_kill_9_and_rerun_lose_and_double_nothing(upstream_a, mirror):
    a_root, _ = upstream_a
    upstream = FaultyUpstream(a_root, delay=0.3)
    with upstream:
        running = sync(mirror, upstream.url, "--page-size", "2", wait=False)
        try:
            wait_for_pages(mirror, upstream.url, 3)
        finally:
            os.kill(running.pid, signal.SIGKILL)
            running.communicate(timeout=10)
        upstream.delay = 0
        done = sync(mirror, upstream.url, "--page-size", "2")
    assert done.returncode == 0, done.stderr
    assert "continuing a first sync" in done.stderr
    with opened(mirror) as store:
        ids = [nct_id for nct_id, _ in store.iter_documents()]
        assert sorted(ids) == sorted(listed_ids(a_root)) and len(set(ids)) == len(ids)
        for nct_id in ids:
            assert len(store.history(nct_id).versions) == 1, nct_id


def test_a_full_sync_removes_what_the_upstream_no_longer_has(own_a, mirror):
    a_root, a_url = own_a
    assert sync(mirror, a_root).returncode == 0
    gone = CHANGED[0]
    with opened(a_url) as store:
        assert store.remove([gone]) == (gone,)
    update = sync(mirror, a_root)
    assert "0 removed" in update.stdout  # an update removes nothing
    done = sync(mirror, a_root, "--full")
    assert done.returncode == 0, done.stderr
    assert "22 studies: 0 added, 0 replaced, 22 unchanged, 0 older than stored, 1 removed" \
        in done.stdout
    with production_server(mirror) as b_root:
        assert get(f"{b_root}/api/v2/studies/{gone}")[0] == 404
        assert gone not in listed_ids(b_root)
    with opened(mirror) as store:
        history = store.history(gone)
        assert history.removed_at is not None and len(history.versions) == 1
        assert store.version(gone, 0) is not None


def test_a_refused_study_is_reported_and_the_run_goes_on(upstream_a, mirror, tmp_path):
    a_root, _ = upstream_a
    limit = 30_000
    large = {nct_id for nct_id in listed_ids(a_root)
             if len(get(f"{a_root}/api/v2/studies/{nct_id}")[1]) > limit}
    assert 0 < len(large) < 10
    report = tmp_path / "refused.jsonl"
    done = sync(mirror, a_root, "--report", str(report),
                TRIALS_MAX_DOCUMENT_BYTES=str(limit))
    assert done.returncode == 1, done.stderr
    assert f"{23 - len(large)} added, 0 replaced, 0 unchanged" in done.stdout
    assert f"; {len(large)} refused" in done.stdout
    lines = [json.loads(line) for line in report.read_text().splitlines()]
    assert {line["source"].rsplit(": ", 1)[1] for line in lines} == large
    assert all(line["problems"][0]["rule"] == "size" for line in lines)
    with opened(mirror) as store:
        assert store.count() == 23 - len(large)
    assert f"sync:{a_root}/api/v2:complete" in progress(mirror)


def test_sigterm_stops_after_the_page_in_hand_and_the_next_run_goes_on(upstream_a, mirror):
    upstream = FaultyUpstream(upstream_a[0], delay=0.3)
    with upstream as root:
        running = sync(mirror, root, "--page-size", "2", wait=False)
        run_key = f"sync:{root}/api/v2:run"
        try:
            wait_for_pages(mirror, root, 2)
            running.send_signal(signal.SIGTERM)
            out, err = running.communicate(timeout=20)
        finally:
            running.kill()
        assert running.returncode == 128 + signal.SIGTERM, err
        assert "stopped by SIGTERM after the page in progress" in err
        pages = json.loads(progress(mirror)[run_key])["pages"]
        assert f"{pages} pages, {2 * pages} studies: {2 * pages} added" in out
        upstream.delay = 0
        done = sync(mirror, root, "--page-size", "2")
    assert done.returncode == 0, done.stderr
    assert f"after page {pages}" in done.stderr
    assert f"{23 - 2 * pages} added, 0 replaced, 0 unchanged" in done.stdout


def test_a_second_sync_of_the_same_store_is_refused_while_one_runs(upstream_a, mirror):
    a_root, _ = upstream_a
    upstream = FaultyUpstream(a_root, delay=0.3)
    with upstream:
        running = sync(mirror, upstream.url, "--page-size", "2", wait=False)
        try:
            wait_for_pages(mirror, upstream.url, 1)  # the lock is taken before the first
            second = sync(mirror, upstream.url, "--page-size", "2")
            assert second.returncode == 1, second.stderr
            assert f"process {running.pid} is doing it" in second.stderr
            assert "Traceback" not in second.stderr
        finally:
            os.kill(running.pid, signal.SIGKILL)  # the kernel frees the lock with it
            running.communicate(timeout=10)
        upstream.delay = 0
        done = sync(mirror, upstream.url, "--page-size", "5")
    assert done.returncode == 0, done.stderr
    assert "continuing a first sync" in done.stderr

"""`flask --app api import` as a user runs it, in a subprocess, under the input and faults of
a real mirror: several versions of a study in one run, poison files, floods of garbage,
kill -9, SIGTERM and Ctrl-C in the middle.

After each fault the store is checked whole: every stored record is served, parses and
passes the guard, and `countTotal`, `/stats/size` and the store agree.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from api import create_app
from schemas import guard
from tests.conftest import REAL_RECORDS, SEED, read_json, requires_shared
from tests.server import tool_environment

pytestmark = pytest.mark.reliability

TIMEOUT = 60
WORKERS = 2


def study(nct_id: str, title: str | None = None, updated: str | None = None) -> str:
    """The seed record as study `nct_id`, on one line; optionally retitled and re-dated."""
    document = read_json(SEED)
    identification = document["protocolSection"]["identificationModule"]
    identification["nctId"] = nct_id
    if title:
        identification["briefTitle"] = title
    if updated:
        document["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"] = updated
    return json.dumps(document)


class Import:
    """One `flask --app api import` run in a scratch working directory."""

    def __init__(self, tmp_path: Path):
        self.store = tmp_path / "data" / "trials.sqlite3"
        self.store.parent.mkdir()
        self.cwd = tmp_path / "cwd"
        self.cwd.mkdir()
        self.env = {**tool_environment(f"sqlite:///{self.store}"), "TRIALS_RECORDS_DIR": ""}

    def command(self, *args) -> list[str]:
        return [sys.executable, "-m", "flask", "--app", "api", "import", *map(str, args)]

    def run(self, *args) -> subprocess.CompletedProcess:
        return subprocess.run(self.command(*args), check=False, cwd=self.cwd, env=self.env,
                              capture_output=True, text=True, timeout=TIMEOUT)

    def start(self, *args, **popen) -> subprocess.Popen:
        return subprocess.Popen(self.command(*args), cwd=self.cwd, env=self.env,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, **popen)

    def stored(self) -> int:
        """How many studies the store holds, read as another process would."""
        try:
            with sqlite3.connect(f"file:{self.store}?mode=ro", uri=True, timeout=5) as db:
                return db.execute("SELECT count(*) FROM studies").fetchone()[0]
        except sqlite3.OperationalError:  # not made yet
            return 0

    def app(self):
        return create_app({"DATABASE_URL": f"sqlite:///{self.store}", "RECORDS_DIR": "",
                           "TESTING": True})


def assert_intact(run: Import) -> int:
    """Every stored record GETs, parses and passes the guard; the counts agree."""
    app = run.app()
    client, store = app.test_client(), app.extensions["store"]
    count = 0
    for nct_id, document in store.iter_documents():
        response = client.get(f"/api/v2/studies/{nct_id}")
        assert response.status_code == 200 and response.data == document
        guard.check(json.loads(response.data), nct_id)
        count += 1
    assert client.get("/api/v2/studies?countTotal=true").json["totalCount"] == count
    assert client.get("/api/v2/stats/size").json["totalStudies"] == count == store.count()
    store.close()
    return count


def summary_counts(stdout: str) -> dict[str, int]:
    """`{'loaded': 3, 'added': 2, ..., 'outdated': 0, 'refused': 1, 'skipped': 0}` from the
    summary line."""
    line = next(line for line in stdout.splitlines() if " loaded: " in line)
    counts = {what: int(number) for number, what in re.findall(
        r"(\d+) (loaded|added|replaced|unchanged|older than stored|refused|skipped)", line)}
    counts["outdated"] = counts.pop("older than stored")
    return counts


# --- several versions of one study -------------------------------------------------------

@pytest.mark.parametrize("order", ["old new", "new old"])
def test_two_versions_of_a_study_in_one_run(tmp_path, order):
    """The incremental update of a mirror: `import old/ new/` failed with "database disk
    image is malformed"; in either order the latest version must win."""
    run = Import(tmp_path)
    for name, title, date in (("old", "Zebrafirst", "2020-01-01"),
                              ("new", "Quokkasecond", "2024-06-30")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "NCT00000102.json").write_text(study("NCT00000102", title, date))
    done = run.run(*(tmp_path / name for name in order.split()), "--workers", str(WORKERS))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    client = run.app().test_client()
    found = client.get("/api/v2/studies?query.titles=Quokkasecond&countTotal=true").json
    assert found["totalCount"] == 1
    assert client.get("/api/v2/studies?query.titles=Zebrafirst&countTotal=true").json[
        "totalCount"] == 0
    assert assert_intact(run) == 1


def test_versions_across_batches_and_workers(tmp_path):
    run = Import(tmp_path)
    lines = [study(f"NCT0000030{n}", f"Title{n}v{v}", f"202{v}-01-01")
             for v in (1, 3, 2) for n in range(5)]
    (tmp_path / "updates.ndjson").write_text("\n".join(lines) + "\n")
    done = run.run(tmp_path / "updates.ndjson", "--batch-size", "3", "--workers", str(WORKERS))
    assert done.returncode == 0, done.stderr
    counts = summary_counts(done.stdout)
    assert (counts["loaded"], counts["added"], counts["replaced"], counts["outdated"]) == (15, 5, 5, 5)
    client = run.app().test_client()
    assert client.get("/api/v2/studies?query.titles=Title0v3&countTotal=true").json["totalCount"] == 1
    assert assert_intact(run) == 5


# --- poison input -----------------------------------------------------------------------

def test_a_poison_file_beside_the_real_records_is_refused_alone(tmp_path):
    """100,000 nested brackets aborted the whole directory with a traceback."""
    requires_shared()
    run = Import(tmp_path)
    folder = tmp_path / "mirror"
    folder.mkdir()
    for path in REAL_RECORDS:
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / "poison.json").write_text("[" * 100_000 + "]" * 100_000)
    (folder / "README.md").write_text("# where these came from\n")
    done = run.run(folder, "--workers", str(WORKERS))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    counts = summary_counts(done.stdout)
    assert (counts["added"], counts["refused"], counts["skipped"]) == (len(REAL_RECORDS), 1, 1)
    assert f"refused: {folder / 'poison.json'}: /: nested deeper than" in done.stderr
    assert f"skipped: {folder / 'README.md'}" in done.stderr
    [report] = (run.store.parent / "reports").glob("import-refused-*.jsonl")
    assert [json.loads(line)["source"] for line in report.read_text().splitlines()] == [
        str(folder / "poison.json")]
    assert not list(run.cwd.iterdir())
    assert assert_intact(run) == len(REAL_RECORDS)


# Runs a command and writes its peak resident memory (KiB) to the file named first. A small
# process in between: a child's peak starts at its parent's size when forked (Linux), and the
# test process is large.
MEASURE = """
import os, sys
pid = os.posix_spawn(sys.argv[2], sys.argv[2:], os.environ)
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as out:
    out.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def peak_rss_kib(run: Import, *args) -> tuple[int, subprocess.CompletedProcess]:
    """Run an import; its peak resident memory (KiB, the import and its workers)."""
    with tempfile.TemporaryDirectory() as scratch:
        peak = Path(scratch) / "peak"
        # Output to files, not pipes: however much it prints, it never blocks.
        with open(Path(scratch) / "out", "w+") as out, open(Path(scratch) / "err", "w+") as err:
            returncode = subprocess.run(
                [sys.executable, "-c", MEASURE, str(peak), *run.command(*args)], check=False,
                cwd=run.cwd, env=run.env, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                timeout=TIMEOUT).returncode
            out.seek(0)
            err.seek(0)
            done = subprocess.CompletedProcess(args, returncode, out.read(), err.read())
        return int(peak.read_text()), done


def test_a_flood_of_garbage_lines_in_bounded_memory(tmp_path):
    """700,000 garbage lines peaked at 636 MB, printed every line and wrote the report into
    the working directory. Memory must not grow with the number of refusals."""
    run = Import(tmp_path)
    garbage = "garbage that is not JSON, line {} " + "x" * 40 + "\n"
    (tmp_path / "few.ndjson").write_text("".join(garbage.format(n) for n in range(100)))
    (tmp_path / "many.ndjson").write_text("".join(garbage.format(n) for n in range(120_000)))
    baseline, _ = peak_rss_kib(run, tmp_path / "few.ndjson", "--workers", "1")
    peak, done = peak_rss_kib(run, tmp_path / "many.ndjson", "--workers", "1",
                              "--report", tmp_path / "refused.jsonl")
    assert done.returncode == 1
    assert peak - baseline < 30 * 1024, (baseline, peak)  # before: 84 MB more
    assert len(done.stderr.splitlines()) < 20
    assert "... and 119,990 more refused" in done.stderr
    assert summary_counts(done.stdout)["refused"] == 120_000
    with (tmp_path / "refused.jsonl").open() as report:
        assert sum(1 for _ in report) == 120_000
    assert not list(run.cwd.iterdir())


def test_the_report_goes_where_asked_else_beside_the_store(tmp_path):
    run = Import(tmp_path)
    (tmp_path / "bad.json").write_text("{not json")
    assert run.run(tmp_path / "bad.json", "--report", tmp_path / "here.jsonl").returncode == 1
    assert json.loads((tmp_path / "here.jsonl").read_text())["problems"][0]["rule"] == "json"
    first, second = run.run(tmp_path / "bad.json"), run.run(tmp_path / "bad.json")
    reports = {str(path) for path in (run.store.parent / "reports").glob("import-refused-*")}
    named = {line.removeprefix("refused records and reasons: ") for done in (first, second)
             for line in done.stderr.splitlines() if line.startswith("refused records and")}
    assert len(reports) == 2 and named == reports  # runs within one second share no file
    assert not list(run.cwd.iterdir())


# --- process hygiene --------------------------------------------------------------------

def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()  # [state, ppid, ...]


def children(pid: int) -> list[int]:
    return [int(entry) for entry in os.listdir("/proc") if entry.isdigit()
            and (fields := _stat(int(entry))) and int(fields[1]) == pid]


def resource_tracker(pid: int) -> bool:
    try:
        return b"resource_tracker" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def alive(pid: int) -> bool:
    fields = _stat(pid)
    return fields is not None and fields[0] not in ("Z", "X")  # a zombie has exited


def wait_until(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def output(process: subprocess.Popen, workers: list[int]) -> tuple[bool, str, str]:
    """Whether the ended `process`'s workers all exited within 5 s (any left are killed),
    and what it printed (read only then: a worker left alive holds the pipes open)."""
    try:
        wait_until(lambda: not any(map(alive, workers)), seconds=5)
        gone = True
    except AssertionError:
        gone = False
    finally:
        for pid in filter(alive, workers):  # leave nothing running, whatever happened
            os.kill(pid, signal.SIGKILL)
    out, err = process.stdout.read().decode(), process.stderr.read().decode()
    for stream in (process.stdin, process.stdout, process.stderr):
        stream.close()
    return gone, out, err


def import_in_the_middle(run: Import, **popen) -> tuple[subprocess.Popen, list[int]]:
    """An import from standard input, batches of 20 committed, waiting for more input.

    Reading from a pipe the test holds open keeps the import in the middle for as long as
    the test needs, with its workers alive.
    """
    process = run.start("-", "--workers", str(WORKERS), "--batch-size", "20", **popen)
    # More than the 8 chunks of 64 the loader once held in flight before writing any.
    lines = "".join(study(f"NCT0100{n:04d}") + "\n" for n in range(800))
    try:
        process.stdin.write(lines.encode())
        process.stdin.flush()
        wait_until(lambda: run.stored() >= 100)
        # Spawned workers come with multiprocessing's resource tracker: it must go too.
        workers = children(process.pid)
        assert len([pid for pid in workers if not resource_tracker(pid)]) == WORKERS
    except BaseException:
        for pid in children(process.pid):
            os.kill(pid, signal.SIGKILL)
        process.kill()
        process.wait(TIMEOUT)
        raise
    return process, workers


@pytest.fixture
def linux():
    if not Path("/proc/self/stat").exists():
        pytest.skip("reads processes from /proc")


def test_kill_9_leaves_no_worker_and_a_sound_store(tmp_path, linux):
    """kill -9 left both workers running (92 MB each, a minute later)."""
    run = Import(tmp_path)
    process, workers = import_in_the_middle(run)
    process.kill()
    process.wait(TIMEOUT)
    workers_gone, _, _ = output(process, workers)
    assert workers_gone
    stored = assert_intact(run)
    assert stored >= 100 and stored % 20 == 0  # whole batches only


@pytest.mark.parametrize(("send", "status"), [
    ("SIGTERM", 128 + signal.SIGTERM), ("Ctrl-C", 128 + signal.SIGINT)])
def test_a_stop_signal_ends_after_the_batch_with_a_summary(tmp_path, linux, send, status):
    """SIGTERM killed the import without a word; Ctrl-C printed tracebacks of every worker."""
    run = Import(tmp_path)
    # Ctrl-C reaches the whole foreground process group, workers included.
    process, workers = import_in_the_middle(run, start_new_session=True)
    try:
        if send == "SIGTERM":
            process.send_signal(signal.SIGTERM)
        else:
            os.killpg(process.pid, signal.SIGINT)
        process.wait(TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
    workers_gone, out, err = output(process, workers)
    assert workers_gone
    assert process.returncode == status, err
    assert "Traceback" not in err
    assert f"stopped by {'SIGTERM' if send == 'SIGTERM' else 'SIGINT'} after the batch" in err
    counts = summary_counts(out)
    assert counts["added"] == assert_intact(run) >= 100


CHECK_IN_PROCESSES = """
import sys
from pathlib import Path
from api import create_app
from api.loading.pool import checked
from api.sources import Unit
app = create_app({"DATABASE_URL": f"sqlite:///{sys.argv[1]}"})
units = [Unit(str(path), path.read_text()) for path in map(Path, sys.argv[2:])]
with app.app_context():
    print(len(list(checked(iter(units), 2))))
"""


def test_a_process_that_checked_in_worker_processes_exits_without_noise(tmp_path):
    """No "nanobind: leaked ..." lines at exit (a statistics sketch's serializer kept in a
    module global used to outlive the interpreter's bindings): a command's stderr is its
    one-line messages only (`sync` checks in the process that made the app)."""
    requires_shared()
    records = [str(path) for path in REAL_RECORDS[:6]]
    for run in range(3):  # the noise came in most runs, not all
        done = subprocess.run([sys.executable, "-c", CHECK_IN_PROCESSES,
                               str(tmp_path / f"{run}.sqlite3"), *records],
                              env=tool_environment(), capture_output=True, text=True,
                              timeout=TIMEOUT, check=True)
        assert done.stdout.strip() == "6"
        assert "leaked" not in done.stderr, done.stderr[-500:]

"""Benchmark `flask --app api sync` (issue #13): sync throughput next to import, same run.

N synthetic studies (`--studies`, default 100,000; `bench/synthetic.py`, the registry's
record sizes) are written as NDJSON and imported into store A with `flask import` (the
baseline, records/s). A is then served by the production server (2 workers x 4 threads, a
loopback port of 18700-18799) and mirrored into an empty store B with `flask sync --from`
(pages of 1,000, no rate limit): records/s, and the ratio to the import. Then the same
mirror's `sync --full` again, every study unchanged (a daily full reconcile's cost), and an
update that finds nothing to take. Both commands check with `--workers` processes (2).

    python bench/bench_sync.py [--studies 100000] [--workers 2] [--keep DIR]

Progress goes to standard error; the figures to standard output.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_study_get import REPO, server_env  # noqa: E402
from bench.scale_data import check_disk, generate, log, remove_store  # noqa: E402
from bench.bench_servers import stop  # noqa: E402
from bench.scale_serving import first_answer, serve  # noqa: E402

PORTS = range(18700, 18800)
NO_LIMIT = {"TRIALS_SYNC_RATE": "1000", "TRIALS_SYNC_TIMEOUT": "120"}


def timed(label: str, command: list[str], env: dict, log_path: Path) -> tuple[float, str]:
    """Run one `flask --app api ...` command: its seconds and its summary line."""
    started = time.monotonic()
    with log_path.open("wb") as output:
        done = subprocess.run([sys.executable, "-m", "flask", "--app", "api", *command],
                              cwd=REPO, env=env, stdout=output, stderr=subprocess.STDOUT,
                              timeout=4 * 3600, check=False)
    seconds = time.monotonic() - started
    lines = log_path.read_text(errors="replace").strip().splitlines()
    summary = next((line for line in reversed(lines) if "unchanged" in line), lines[-1:])
    if done.returncode != 0:
        raise RuntimeError(f"{label} exited {done.returncode}: {' / '.join(lines[-3:])}")
    log(f"{label}: {seconds:.1f} s: {summary}")
    return seconds, summary


def run(folder: Path, count: int, workers: int) -> dict[str, float]:
    """Every figure of one run, records per second (and seconds)."""
    data, _ = generate(folder, count, "registry")
    with data.open() as lines:  # a study the upstream must answer before the sync starts
        first_id = json.loads(next(lines))["protocolSection"]["identificationModule"]["nctId"]
    a_db, b_db = folder / f"a-{count}.sqlite3", folder / f"b-{count}.sqlite3"
    remove_store(a_db)
    remove_store(b_db)
    figures = {}
    seconds, _ = timed("import", ["import", "--workers", str(workers), str(data)],
                       server_env(f"sqlite:///{a_db}"), folder / "import.log")
    figures["import"] = count / seconds
    server = serve(a_db, folder, PORTS)
    try:
        first_answer(server, first_id)
        root = f"http://127.0.0.1:{server.port}"
        env = server_env(f"sqlite:///{b_db}") | NO_LIMIT
        sync = ["sync", "--from", root, "--workers", str(workers)]
        for name, extra in (("sync", []), ("sync --full, unchanged", ["--full"]),
                            ("sync, nothing updated", [])):
            seconds, _ = timed(name, sync + extra, env, folder / f"{name.split(',')[0]}.log")
            figures[name] = count / seconds if name != "sync, nothing updated" else seconds
    finally:
        stop(server)
    return figures


def report(count: int, figures: dict[str, float]) -> None:
    """The figures, and sync's rate as a ratio to import's."""
    print(f"{count:,} synthetic studies (registry sizes), pages of 1,000, no rate limit")
    print(f"  flask import (NDJSON file):        {figures['import']:8,.0f} records/s")
    for name in ("sync", "sync --full, unchanged"):
        ratio = figures[name] / figures["import"]
        print(f"  flask {name + ':':28} {figures[name]:8,.0f} records/s  "
              f"({ratio:.2f} x import)")
    print(f"  flask sync, nothing updated:       {figures['sync, nothing updated']:8.1f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="keep the data and stores here")
    args = parser.parse_args(argv)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-sync-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        check_disk(folder, args.studies * 2, "registry", with_zip=False)
        report(args.studies, run(folder, args.studies, args.workers))
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The data of bench_search.py: the generated studies (NDJSON, zip), imports, disk space.

A long unattended run (600,000 studies is about 14 GB of NDJSON and half an hour of import)
says where it is on standard error, checks the disk before it starts, and can keep what it
made (`--keep DIR`) for the next run: the NDJSON file with a manifest of what the generator
put in it (statuses and start years, for exact counts), and the store once imported.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
import zipfile
from collections import Counter
from pathlib import Path

from bench.bench_study_get import REPO
from bench.synthetic import studies

_STATUS = re.compile(r'"overallStatus":"([A-Z_]+)"')
_START = re.compile(r'"startDateStruct":\{"date":"(\d{4})')
_NCT_ID = re.compile(r'"nctId":"(NCT\d{8})"')
# Bytes on disk per byte of NDJSON: the zip (deflated) and a store (2.5x measured before
# issue #12's layout work, with room to spare).
ZIP_RATIO, STORE_RATIO = 0.35, 3.0


def log(message: str) -> None:
    """A progress line on standard error, with the time."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def mean_size(distribution: str, sample: int = 400) -> float:
    """Mean bytes of a study of `distribution` (from a sample)."""
    return sum(len(text.encode()) + 1 for text in studies(sample, 99, distribution)) / sample


def check_disk(folder: Path, count: int, distribution: str, with_zip: bool) -> None:
    """`SystemExit` unless `folder`'s file system holds what a run of `count` makes."""
    ndjson = count * mean_size(distribution)
    need = ndjson * (1 + (ZIP_RATIO if with_zip else 0) + STORE_RATIO)
    # What an earlier run kept (`--keep`) is there already.
    need -= sum(path.stat().st_size for path in folder.glob(f"*-{distribution}-{count}.*"))
    free = shutil.disk_usage(folder).free
    log(f"{count:,} studies: about {ndjson / 1e9:.1f} GB of NDJSON, {need / 1e9:.1f} GB "
        f"needed in all, {free / 1e9:.1f} GB free in {folder}")
    if need > free:
        raise SystemExit(f"not enough disk space in {folder}: {need / 1e9:.1f} GB needed, "
                         f"{free / 1e9:.1f} GB free (--keep DIR elsewhere, or fewer --sizes)")


def manifest_path(data: Path) -> Path:
    return data.with_suffix(".manifest.json")


def generate(folder: Path, count: int, distribution: str) -> tuple[Path, dict]:
    """The NDJSON file of `count` studies and its manifest, made or (kept) reused."""
    data = folder / f"studies-{distribution}-{count}.ndjson"
    if manifest_path(data).is_file() and data.is_file():
        manifest = json.loads(manifest_path(data).read_text())
        log(f"reusing {data} ({manifest['bytes'] / 1e9:.2f} GB)")
        return data, manifest
    statuses, years, written = Counter(), Counter(), 0
    started = last = time.monotonic()
    with data.open("w", encoding="utf-8") as out:
        for number, text in enumerate(studies(count, distribution=distribution), 1):
            statuses[_STATUS.search(text).group(1)] += 1
            years[_START.search(text).group(1)] += 1
            written += out.write(text + "\n")
            if time.monotonic() - last > 15:
                last = time.monotonic()
                log(f"generating: {number:,}/{count:,} studies, {written / 1e9:.2f} GB")
    manifest = {"count": count, "distribution": distribution, "bytes": data.stat().st_size,
                "statuses": dict(statuses), "start_years": dict(years), "imports": {}}
    manifest_path(data).write_text(json.dumps(manifest))
    log(f"generated {data} in {time.monotonic() - started:.0f} s "
        f"({manifest['bytes'] / 1e9:.2f} GB)")
    return data, manifest


def save_manifest(data: Path, manifest: dict) -> None:
    manifest_path(data).write_text(json.dumps(manifest))


def make_zip(data: Path) -> Path:
    """The studies of `data` as a zip of one `<NCTId>.json` each, as the registry's bulk
    download (deflated; level 1, since making it is not what is measured)."""
    archive = data.with_suffix(".zip")
    if archive.is_file():
        return archive
    partial = archive.with_suffix(".zip.partial")
    log(f"writing {archive}")
    with data.open(encoding="utf-8") as lines, zipfile.ZipFile(
            partial, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
        for line in lines:
            out.writestr(_NCT_ID.search(line).group(1) + ".json", line.rstrip("\n"))
    partial.rename(archive)
    return archive


def store_files(database: Path) -> list[Path]:
    """The store's files: the database, its write-ahead log and shared memory."""
    return [path for path in database.parent.glob(database.name + "*") if path.is_file()]


def remove_store(database: Path) -> None:
    for path in store_files(database):
        path.unlink()


def studies_stored(database: Path) -> int | None:
    """About how many studies the SQLite store file holds (None: not readable yet)."""
    try:
        connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=1)
        try:
            return connection.execute("SELECT max(rowid) FROM studies").fetchone()[0]
        finally:
            connection.close()
    except sqlite3.Error:
        return None


def timed_import(source: Path, store, count: int, env: dict, label: str,
                 log_folder: Path) -> float:
    """`flask --app api import` of `source` into `store` (bench/scale_stores.py, the one
    `env` names): records per second. The output goes to a log in `log_folder`; a progress
    line every 30 s."""
    log_path = log_folder / f"{store.name}.{label.replace(' ', '-')}.log"
    command = [sys.executable, "-m", "flask", "--app", "api", "import", "--workers", "2",
               str(source)]
    started, done = time.monotonic(), threading.Event()

    def progress() -> None:
        while not done.wait(30):
            stored = store.stored()
            log(f"{label}: {time.monotonic() - started:.0f} s, about "
                f"{stored or 0:,}/{count:,} studies stored")

    watcher = threading.Thread(target=progress, daemon=True)
    watcher.start()
    try:
        with log_path.open("wb") as output:
            result = subprocess.run(command, cwd=REPO, env=env, stdout=output,
                                    stderr=subprocess.STDOUT, timeout=4 * 3600, check=False)
    finally:
        done.set()
    seconds = time.monotonic() - started
    summary = log_path.read_text(errors="replace").strip().splitlines()[-3:]
    if result.returncode != 0:
        raise RuntimeError(f"{label} exited {result.returncode}: {' / '.join(summary)}")
    log(f"{label}: {count / seconds:,.0f} records/s ({seconds:.0f} s): {summary[-1]}")
    return count / seconds

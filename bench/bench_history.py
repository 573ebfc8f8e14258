"""The cost of keeping every version (issue #13): storage per extra version, reading an old one,
and what the history adds to an import of new studies.

    .venv/bin/python bench/bench_history.py [--studies 100000] [--compare 10000]

Makes `--studies` synthetic studies (`bench.synthetic`, the registry's sizes) and stores three
versions of each through the loader, as an import or a sync would: version 1 and 2 move the
status and the last update date on and change a few fields (enrollment, the last submit date,
a word of the title). Prints:

- bytes per extra version (the reverse deltas) against the mean document size, and the store
  size with three versions against the store holding one copy;
- reading version 0 of a study with three versions against reading the current one (the
  store's `get`, what GET serves);
- an import of `--compare` new studies with the history against the same import with the
  history's writes left out (the write path as it was before), best of `--rounds`.

Not part of the test suite: a bench (minutes at 100,000 studies).
"""

from __future__ import annotations

import argparse
import random
import re
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.loading import load
from api.sources import Unit
from api.store import sqlite_history
from api.store.sqlite import SQLiteStore
from bench.synthetic import STATUSES, studies

_STATUS = re.compile(r'"overallStatus":"([A-Z_]+)"')
_POSTED = re.compile(r'"lastUpdatePostDateStruct":\{"date":"(\d{4})')
_SUBMITTED = re.compile(r'"lastUpdateSubmitDate":"(\d{4})')
_COUNT = re.compile(r'"enrollmentInfo":\{"count":(\d+)')
_TITLE = re.compile(r'"briefTitle":"')


def moved_on(text: str, step: int) -> str:
    """Version `step` of a study: status and dates moved on, a few fields changed."""
    if step == 0:
        return text

    def status(match):
        return f'"overallStatus":"{STATUSES[(STATUSES.index(match[1]) + step) % len(STATUSES)]}"'

    text = _STATUS.sub(status, text, count=1)
    text = _POSTED.sub(lambda m: f'"lastUpdatePostDateStruct":{{"date":"{2025 + step}', text,
                       count=1)
    text = _SUBMITTED.sub(lambda m: f'"lastUpdateSubmitDate":"{2025 + step}', text, count=1)
    text = _COUNT.sub(lambda m: f'"enrollmentInfo":{{"count":{int(m[1]) + 10 * step}', text,
                      count=1)
    return _TITLE.sub(f'"briefTitle":"(Update {step}) ', text, count=1)


def units(count: int, step: int) -> Iterator[Unit]:
    for number, text in enumerate(studies(count)):
        yield Unit(f"{number}.json", moved_on(text, step))


def timed_load(store, count: int, step: int) -> float:
    """Seconds to load version `step` of `count` studies (2 worker processes)."""
    started = time.perf_counter()
    report = load(store, units(count, step), workers=2)
    seconds = time.perf_counter() - started
    if report.refused:
        raise SystemExit(f"refused: {next(iter(report.refused.values()))}")
    return seconds


def used_bytes(path: Path) -> int:
    """The database's pages in use (after folding the write-ahead log in)."""
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages, free, size = (connection.execute(f"PRAGMA {name}").fetchone()[0]
                             for name in ("page_count", "freelist_count", "page_size"))
    return (pages - free) * size


class _Timed:
    """`sqlite_history.keep`, adding up the time spent in it (what the history adds to a
    write, measured inside the import, so that other load on the machine matters less)."""

    def __init__(self):
        self.seconds, self.keep = 0.0, sqlite_history.keep

    def __call__(self, *args):
        started = time.perf_counter()
        try:
            return self.keep(*args)
        finally:
            self.seconds += time.perf_counter() - started


def compare_import(folder: Path, count: int, rounds: int) -> None:
    """An import of `count` new studies with and without the history's writes."""
    best = {"without history": float("inf"), "with history": float("inf")}
    shares = []
    for round_number in range(rounds):
        for label, seconds in list(best.items()):
            path = folder / f"compare-{round_number}-{label.replace(' ', '-')}.sqlite3"
            store = SQLiteStore(path)
            # Without: the write path as before, no history rows.
            timed = _Timed() if label == "with history" else (lambda *a: None)
            with mock.patch.object(sqlite_history, "keep", timed):
                took = timed_load(store, count, 0)
            if isinstance(timed, _Timed):
                shares.append(timed.seconds / took)
            store.close()
            best[label] = min(seconds, took)
            for file in folder.glob(path.name + "*"):
                file.unlink()
    before, after = best["without history"], best["with history"]
    print(f"import of {count:,} new studies: {count / before:,.0f} records/s without the "
          f"history, {count / after:,.0f} with it: {after / before:.3f}x the time (best of "
          f"{rounds}); the history's writes took {min(shares):.2%} of the import's time")


def table_bytes(path: Path) -> dict[str, int]:
    """The pages of each table and index."""
    with sqlite3.connect(path) as connection:
        return dict(connection.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"))


def history_bytes(tables: dict[str, int]) -> int:
    return tables.get("versions", 0) + tables.get("removed_studies", 0)


def growth(before: dict[str, int], after: dict[str, int]) -> str:
    """The three tables that grew most."""
    grown = sorted(((after[name] - before.get(name, 0), name) for name in after), reverse=True)
    return ", ".join(f"{name} +{size / 1e6:,.1f} MB" for size, name in grown[:3])


def storage(store: SQLiteStore, path: Path, count: int) -> list[str]:
    """Three versions of each study: what the extra versions cost on disk."""
    lines, sizes, kept, tables = [], [], [], []
    for step in range(3):
        seconds = timed_load(store, count, step)
        sizes.append(used_bytes(path))
        tables.append(table_bytes(path))
        kept.append(history_bytes(tables[-1]))
        lines.append(f"version {step} of {count:,} studies stored in {seconds:.1f} s "
                     f"({count / seconds:,.0f} records/s), store {sizes[-1] / 1e6:,.1f} MB, "
                     f"history tables {kept[-1] / 1e6:,.2f} MB")
    with sqlite3.connect(path) as connection:
        documents, document_bytes = connection.execute(
            "SELECT count(*), sum(length(document)) FROM documents").fetchone()
        deltas, delta_bytes = connection.execute(
            "SELECT count(*), sum(length(body)) FROM versions WHERE encoding = 1").fetchone()
    mean_document = document_bytes / documents
    per_version = (kept[2] - kept[0]) / deltas
    lines.append(f"extra versions: {deltas:,}, {per_version:,.0f} bytes each on disk (row and "
                 f"delta; the delta alone {delta_bytes / deltas:,.0f}) against a mean document "
                 f"of {mean_document:,.0f} bytes: {per_version / mean_document:.2%}")
    lines.append(f"store with 3 versions: {sizes[2] / sizes[0]:.2f}x the store with one copy, "
                 f"of which the history {(kept[2] - kept[0]) / sizes[0]:.2%}; whole copies "
                 f"would add {2 * document_bytes / sizes[0]:.2f}x")
    lines.append(f"grown most from one version to three: {growth(tables[0], tables[2])}")
    return lines


def reading(store: SQLiteStore, count: int, sample: int = 2000) -> str:
    """Version 0 of a study with three versions against its current version."""
    ids = [f"NCT6{number:07d}" for number in random.Random(1).sample(range(count),
                                                                   min(sample, count))]
    readers = {"current": store.get, "version 0": lambda nct_id: store.version(nct_id, 0)}
    timings = dict.fromkeys(readers, float("inf"))
    for _ in range(4):  # the best round: the first one also reads the pages in
        for label, read in readers.items():
            started = time.perf_counter()
            for nct_id in ids:
                assert read(nct_id) is not None
            timings[label] = min(timings[label], (time.perf_counter() - started) / len(ids))
    return (f"reading a study: current {timings['current'] * 1e6:,.0f} us, version 0 of 3 "
            f"{timings['version 0'] * 1e6:,.0f} us: "
            f"{timings['version 0'] / timings['current']:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--studies", type=int, default=100_000)
    parser.add_argument("--compare", type=int, default=10_000,
                        help="studies of the import compared with and without history (0: skip)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--folder", type=Path, default=None,
                        help="where the stores go (default: a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.folder) as scratch:
        folder = Path(scratch)
        if args.compare:
            compare_import(folder, args.compare, args.rounds)
        if args.studies:
            path = folder / "history.sqlite3"
            store = SQLiteStore(path)
            for line in storage(store, path, args.studies):
                print(line)
            print(reading(store, args.studies))
            store.close()


if __name__ == "__main__":
    main()

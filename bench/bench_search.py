"""Benchmark registry scale (issue #12): import, search, stats, start, memory and disk.

For each store size N (`--sizes`, default 10,000; the issue's table is at 100,000 and
600,000) of synthetic studies (`bench/synthetic.py`, `--distribution registry`: the
registry's record sizes; `templates`: the earlier benchmarks' copies), and first at
`--baseline` studies (1,000) for the figures the issue compares with a small store:

- import of an NDJSON file, and of a zip of one `<NCTId>.json` per study (the registry's
  bulk download), each into an empty store, records/s; then re-import of the same files
  into the loaded store (nothing changes);
- the production server (`python -m api.serving`: granian, 2 workers x 4 threads) started
  on the store: seconds to its first answer; then, first of all, `/stats/field/values`,
  `/stats/field/sizes` and `/stats/size`, each timed, and 8 of them at once, while a client
  GETs a study over and over (the worst GET meanwhile: are other requests blocked?);
- every search kind of `search_load.KINDS`, with and without `countTotal`: its first
  request (one, right after the start) and p95 under closed-loop load for `--seconds` from
  `--connections` clients, each as a ratio to the single-GET p95 of the same server;
  `countTotal` checked against what the generator wrote (statuses, start years, the ids
  asked for, all studies) or, for the rest, the studies got by paging through (up to
  `--check-limit`), and by paging through as well where the search has fewer;
- a page of 1,000 studies with `fields=NCTId,BriefTitle`, p95; single-GET p95 against the
  baseline store's (a second server on it, the two loaded in turns); worker private memory (`RssAnon` of each worker, the largest); the
  store's files on disk as a ratio to the NDJSON.

With `--store postgresql` (issue #14) every size runs on SQLite and then on a throw-away
PostgreSQL server of the machine's own programs (bench/scale_stores.py), and a last table
gives each figure of PostgreSQL over SQLite's (import rates with the import's two worker
processes writing in parallel: above 1 is faster; times: below 1 is faster).

Each figure is printed with the issue's target and `pass` or `MISS`. Progress goes to
standard error. Everything is made in a temporary folder and removed, or with `--keep DIR`
kept there and reused by the next run (the NDJSON, its manifest and the imported store;
an import not run again reports the figure of the run that made it). Only loopback ports
18600-18699 are used.

    python bench/bench_search.py [--sizes 10000] [--distribution registry|templates]
        [--seconds 3] [--connections 2] [--formats ndjson,zip] [--baseline 1000]
        [--check-limit 20000] [--keep DIR] [--store sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import http.client
import random
import signal
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import scale_data as data
from bench.bench_study_get import percentile, server_env
from bench.scale_report import print_ratios, print_table
from bench.bench_servers import stop
from bench.scale_serving import first_answer, serve, stats_first, worker_private_mb
from bench.scale_stores import PostgreSQLStores, SQLiteStores
from bench.search_load import (KINDS, PAGED, drive, expected_counts, get, paged_count,
                               total_count, url)
from bench.synthetic import DISTRIBUTIONS

ROUNDS = 4  # of the single-GET comparison with the baseline store
# Issue #12's targets; "blocked": the longest a GET may wait while /stats requests run (s).
TARGETS = {"import": 1000.0, "reimport": 5000.0, "ratio": 5.0, "page": 100.0, "stats": 2.0,
           "blocked": 0.1, "get": 1.2, "start": 5.0, "memory": 300.0, "disk": 1.5}


def build_store(count: int, args, folder: Path, stores, last: bool) -> tuple[object, dict, dict]:
    """The store of `count` studies among `stores` (imported, or kept from an earlier run),
    the manifest and the import figures: name -> (records/s, measured in this run?). The
    sources are removed after the `last` kind of store (unless kept)."""
    ndjson, manifest = data.generate(folder, count, args.distribution)
    database = stores.store(f"store-{args.distribution}-{count}")
    env = server_env(database.url)
    imported, recorded = f"{stores.kept_key}imported", f"{stores.kept_key}imports"
    imports = {name: (rate, False) for name, rate in manifest.get(recorded, {}).items()}
    sources = {"ndjson": ndjson}
    if "zip" in args.formats:
        sources["zip"] = data.make_zip(ndjson)
    kept = manifest.get(imported) and database.exists()
    for name in args.formats:
        if name != "ndjson" and not (kept and f"import {name}" in imports):
            # Into a store of its own, removed afterwards.
            other = stores.store(f"{name}-{database.name}")
            other.reset()
            imports[f"import {name}"] = (data.timed_import(
                sources[name], other, count, server_env(other.url), f"import {name}",
                folder), True)
            other.remove()
    if not kept:
        database.reset()
        imports["import ndjson"] = (data.timed_import(ndjson, database, count, env,
                                                      "import ndjson", folder), True)
        manifest[imported] = True
    for name in args.formats:
        imports[f"re-import {name}"] = (data.timed_import(
            sources[name], database, count, env, f"re-import {name}", folder), True)
    manifest[recorded] = {name: rate for name, (rate, _) in imports.items()}
    data.save_manifest(ndjson, manifest)
    if last and not args.keep:
        for path in sources.values():
            path.unlink()
    return database, manifest, imports


def run_kind(port: int, name: str, counted: bool, connections: int, seconds: float,
             rng: random.Random, ids: list[str]) -> list[float]:
    """Closed-loop load of one search kind, with `countTotal` if `counted`: latencies."""
    extra = {"countTotal": "true"} if counted else {}
    if name in PAGED:
        return drive(port, None, connections, seconds, PAGED[name], extra)
    return drive(port, lambda: url({**KINDS[name](rng, ids), **extra}), connections, seconds)


def load_figures(port: int, count: int, args) -> dict:
    """First request and p95 under load of the single GET and every search kind."""
    rng, ids = random.Random(11), [f"NCT6{number:07d}" for number in range(count)]
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    kinds = [(name, counted) for name in [*KINDS, "page of 1000, 2 fields"]
             for counted in (False, True)
             if not (counted and name == "page of 1000, 2 fields")]
    figures = {}
    for name, counted in kinds:  # first requests, before any load
        params = {} if name in PAGED else KINDS[name](rng, ids)
        params |= {"countTotal": "true"} if counted else {}
        if name in PAGED:
            size, _, fields = PAGED[name]
            params |= {"pageSize": size, **({"fields": fields} if fields else {})}
        figures[(name, counted)] = {"first": get(connection, url(params))[0]}
    connection.close()
    get_latencies = drive(port, lambda: f"/api/v2/studies/{rng.choice(ids)}",
                          args.connections, args.seconds)
    figures[("GET study", False)] = {"p50": percentile(get_latencies, 50),
                                     "p95": percentile(get_latencies, 95)}
    for name, counted in kinds:
        data.log(f"{count:,}: load {name}{', countTotal' if counted else ''}")
        run_kind(port, name, counted, args.connections, 0.5, rng, ids)  # warm-up
        latencies = run_kind(port, name, counted, args.connections, args.seconds, rng, ids)
        figures[(name, counted)] |= {"p50": percentile(latencies, 50),
                                     "p95": percentile(latencies, 95), "n": len(latencies)}
    return figures


def count_checks(port: int, count: int, manifest: dict, limit: int) -> dict:
    """Kind -> (countTotal, {how: what it should be}): what the generator wrote, and the
    studies got by paging through (searches of up to `limit` studies)."""
    ids = [f"NCT6{number:07d}" for number in range(count)]
    checks = {}
    for name, (params, known) in expected_counts(manifest, count, random.Random(5),
                                                 ids).items():
        counted = total_count(port, params)
        expected = {} if known is None else {"generator": known}
        if counted <= limit:
            expected["paged"] = paged_count(port, params, 2 * limit)
        checks[name] = (counted, expected)
    return checks


def interleaved_gets(servers: dict, args) -> dict[str, float]:
    """Single-GET p95 of each server (name -> (server, study count)), measured in rounds
    taking turns (A B B A ...), so that a busy machine weighs on both alike."""
    rng, latencies = random.Random(13), {name: [] for name in servers}
    names = list(servers)
    for number in range(ROUNDS):
        for name in names if number % 2 == 0 else names[::-1]:
            server, count = servers[name]
            latencies[name] += drive(
                server.port, lambda c=count: f"/api/v2/studies/NCT6{rng.randrange(c):07d}",
                args.connections, args.seconds / ROUNDS * 2)
    return {name: percentile(sorted(values), 95) for name, values in latencies.items()}


def run_size(count: int, args, folder: Path, stores, baseline: dict | None = None,
             last: bool = True) -> dict:
    """Everything measured at one store size, on one kind of store; GETs taking turns with
    the `baseline`'s store, if any, on a server of its own."""
    database, manifest, imports = build_store(count, args, folder, stores, last)
    server, servers = serve(database.url, folder), []
    try:
        start = first_answer(server, "NCT60000000")
        data.log(f"{count:,}: server answered {start:.2f} s after start; stats")
        stats = stats_first(server.port)
        data.log(f"{count:,}: searches")
        figures = load_figures(server.port, count, args)
        data.log(f"{count:,}: count checks")
        checks = count_checks(server.port, count, manifest, args.check_limit)
        memory = worker_private_mb(server.process.pid)
        gets = None
        if baseline is not None:
            data.log(f"{count:,}: GET against the {baseline['count']:,} store, in turns")
            servers.append(serve(baseline["database"].url, folder))
            first_answer(servers[0], "NCT60000000")
            gets = interleaved_gets({"size": (server, count),
                                     "baseline": (servers[0], baseline["count"])}, args)
    finally:
        for running in [server, *servers]:
            stop(running)
    disk = database.disk()
    if not args.keep and baseline is not None:  # the baseline's store serves every size
        database.remove()
    return {"store": stores.label, "count": count, "imports": imports, "start": start,
            "stats": stats, "figures": figures, "checks": checks, "memory": memory, "gets": gets,
            "database": database, "disk": disk / manifest["bytes"], "disk_gb": disk / 1e9}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000")
    parser.add_argument("--distribution", choices=DISTRIBUTIONS, default="registry")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--connections", type=int, default=2)
    parser.add_argument("--formats", default="ndjson,zip",
                        help="what to import: ndjson, zip or both (comma-separated)")
    parser.add_argument("--baseline", type=int, default=1000,
                        help="the small store single-GET p95 and memory are compared with "
                        "(0: none)")
    parser.add_argument("--check-limit", type=int, default=20_000,
                        help="count by paging through searches of up to this many studies")
    parser.add_argument("--keep", type=Path, help="make and keep files here, reuse them")
    parser.add_argument("--store", choices=["sqlite", "postgresql"], default="sqlite",
                        help="postgresql: each size on SQLite, then on a throw-away "
                        "PostgreSQL server, and the ratios PostgreSQL/SQLite")
    args = parser.parse_args(argv)
    args.formats = [name for name in args.formats.split(",") if name]
    if "ndjson" not in args.formats or not set(args.formats) <= {"ndjson", "zip"}:
        parser.error("--formats: ndjson, optionally with zip")
    return args


def _stop_on_sigterm(signal_number, frame) -> None:
    raise SystemExit(128 + signal_number)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # SIGTERM unwinds as Ctrl-C does: the import or server under way is stopped and the
    # temporary folder removed.
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    sizes = [int(size) for size in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="bench-search-") as temporary:
        folder = args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        # Before anything runs for hours; what `--keep` keeps of one size stays for the next.
        for count in [sum(sizes)] if args.keep else sizes:
            data.check_disk(folder, count, args.distribution, "zip" in args.formats)
        kinds = [SQLiteStores(folder)]
        try:
            if args.store == "postgresql":
                kinds.append(PostgreSQLStores())
            run_sizes(sizes, args, folder, kinds)
        finally:
            for stores in kinds:
                stores.close()
    return 0


def run_sizes(sizes: list[int], args, folder: Path, kinds: list) -> None:
    """Each size on each kind of store, its table printed; then, with two kinds, the
    figures of the second over the first's."""
    baselines = {}
    for stores in kinds if args.baseline else []:
        baselines[stores.label] = run_size(args.baseline, args, folder, stores,
                                           last=stores is kinds[-1])
        print_table(baselines[stores.label], None, TARGETS)
    for count in sizes:
        results = []
        for stores in kinds:
            baseline = baselines.get(stores.label)
            results.append(run_size(count, args, folder, stores, baseline,
                                    last=stores is kinds[-1]))
            print_table(results[-1], baseline, TARGETS)
        if len(results) == 2:
            print_ratios(*results)


if __name__ == "__main__":
    raise SystemExit(main())

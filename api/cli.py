"""Command line: `flask --app api import PATH...` loads registry JSON into the store."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from api import sources
from api.loading import LoadReport, load_files


def _write_report(report: LoadReport, path: Path) -> None:
    """One JSON line per refused unit: where it came from and every problem found."""
    with path.open("w", encoding="utf-8") as out:
        for label, message in report.refused.items():
            problems = [{"pointer": p.pointer, "rule": p.rule, "message": p.message}
                        for p in report.problems.get(label, [])]
            out.write(json.dumps({"source": label, "message": message, "problems": problems},
                                 ensure_ascii=False) + "\n")


def _default_report_path() -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return Path(f"import-refused-{stamp}.jsonl")


@contextlib.contextmanager
def _progress(total: int | None):
    """A progress bar with rate and ETA on a terminal; `advance(n)` moves it on."""
    if total is None or not sys.stderr.isatty():  # standard input: no known length
        yield lambda done: None
        return
    started = time.monotonic()

    def rate(_item) -> str:
        elapsed = time.monotonic() - started
        return f"{bar.pos / elapsed:,.0f}/s" if elapsed > 0 else ""

    with click.progressbar(length=total, label="importing", show_pos=True, show_eta=True,
                           item_show_func=rate, file=sys.stderr) as bar:
        yield bar.update


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--workers", type=click.IntRange(1, 64), default=os.cpu_count() or 1,
              show_default="the number of CPUs", help="Processes checking records.")
@click.option("--batch-size", type=click.IntRange(1, 100_000), default=500, show_default=True,
              help="Studies per transaction; an interrupted import keeps every batch written.")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write refused records and why (JSON lines). "
                   "Default: import-refused-<time>.jsonl, written only if any is refused.")
@with_appcontext
def import_command(paths: tuple[Path, ...], workers: int, batch_size: int,
                   report: Path | None) -> None:
    """Load registry JSON: study files, /studies page files, zips of them (the registry's
    bulk download), newline-delimited JSON (.ndjson, .jsonl), directories, or - for
    standard input.

    Every record is checked by the guard; each file, zip member or line is stored
    all-or-nothing. Exits non-zero when anything was refused.
    """
    store = current_app.extensions["store"]
    with _progress(sources.count(list(paths))) as advance:
        result = load_files(store, list(paths), workers=workers, batch_size=batch_size,
                            progress=advance)
    store.optimize()
    for message in result.refused.values():
        click.echo(f"refused: {message}", err=True)
    click.echo(result.summary())
    if result.refused:
        report = report or _default_report_path()
        _write_report(result, report)
        click.echo(f"refused records and reasons: {report}", err=True)
        raise SystemExit(1)


def init_app(app: Flask) -> None:
    """Register the commands."""
    app.cli.add_command(import_command)

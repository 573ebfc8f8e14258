"""Command line: `flask --app api import PATH...` loads registry JSON into the store."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from api import sources
from api.loading import GracefulStop, Limits, LoadReport, load_files
from api.loading.report import ImportReport, default_path
from api.loading.stopping import StopRequested
from api.services import operations
from api.store import StoreError


class ProgressBar:
    """A progress bar with rate and ETA on standard error when it is a terminal, nothing
    elsewhere: `bar(n)` (or `bar(n, total)` from a caller that learns the total as it goes)
    moves it on. Use it in a `with` block: the bar's line ends with the block."""

    def __init__(self, label: str, total: int | None = None):
        self.label, self.total = label, total
        self.started = time.monotonic()
        self._bar = None

    def __call__(self, done: int, total: int | None = None) -> None:
        total = total if total is not None else self.total
        if self._bar is None and total is not None and sys.stderr.isatty():
            self._bar = click.progressbar(length=total, label=self.label, show_pos=True,
                                          show_eta=True, item_show_func=self._rate,
                                          file=sys.stderr)
            self._bar.__enter__()
        if self._bar is not None:
            self._bar.update(done)

    def _rate(self, _item) -> str:
        elapsed = time.monotonic() - self.started
        return f"{self._bar.pos / elapsed:,.0f}/s" if self._bar and elapsed > 0 else ""

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)


def rebuild_with_progress(what: str, label: str, work) -> None:
    """Run `work(progress)`, a rebuild from the stored documents returning how many studies
    it read, with a progress bar; a store error is the command's one-line failure."""
    with ProgressBar(label) as progress:  # the total comes with the first batch
        try:
            done = work(progress)
        except StoreError as error:
            raise click.ClickException(str(error)) from None
    click.echo(f"{what} rebuilt: {done} studies in {time.monotonic() - progress.started:.1f} s")


def document_limits() -> Limits:
    """The per-document limits of the app's settings."""
    return Limits(current_app.config["MAX_DOCUMENT_BYTES"],
                  current_app.config["MAX_DOCUMENT_DEPTH"])


def refusal_report(store, path: Path | None) -> ImportReport:
    """The report the user named, else one in `reports/` beside the store file (a store
    with no file, PostgreSQL's: in the instance folder)."""
    def echo(line: str) -> None:
        click.echo(line, err=True)

    if path is not None:
        return ImportReport(path, echo)
    store_file = getattr(store, "path", None)
    folder = Path(store_file).resolve().parent if store_file else Path(current_app.instance_path)
    return ImportReport(default_path(folder), echo, exclusive=True)


def finish(result: LoadReport, report: ImportReport, stop: GracefulStop,
           summary: str | None = None,
           stopped: str = "after the batch in progress; every batch written is kept") -> None:
    """The summary (`summary`, else the load's), what was not shown, where the report is,
    and the exit status: 128 + the signal when `stop`ped (saying `stopped`), 1 when
    anything was refused. Shared by the commands that load records (import, sync)."""
    unshown = result.refused_count - report.shown["refused"]
    if unshown > 0:
        click.echo(f"... and {unshown:,} more refused", err=True)
    unshown = result.skipped_count - report.shown["skipped"]
    if unshown > 0:
        click.echo(f"... and {unshown:,} more skipped", err=True)
    click.echo(summary or result.summary())
    if report.written:
        click.echo(f"refused records and reasons: {report.path}", err=True)
    if result.stopped:
        click.echo(f"stopped by {signal.Signals(stop.signal).name} {stopped}", err=True)
        raise SystemExit(128 + stop.signal)
    if result.refused_count:
        raise SystemExit(1)


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--workers", type=click.IntRange(1, 64), default=os.cpu_count() or 1,
              show_default="the number of CPUs", help="Processes checking records.")
@click.option("--batch-size", type=click.IntRange(1, 100_000), default=500, show_default=True,
              help="Studies per transaction; an interrupted import keeps every batch written.")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write refused records and why (JSON lines). Default: "
                   "reports/import-refused-<time>.jsonl beside the store file, written "
                   "only if anything is refused.")
@with_appcontext
def import_command(paths: tuple[Path, ...], workers: int, batch_size: int,
                   report: Path | None) -> None:
    """Load registry JSON: study files, /studies page files, zips of them (the registry's
    bulk download), newline-delimited JSON (.ndjson, .jsonl), directories, or - for
    standard input.

    Every record is checked by the guard; each file, zip member or line is stored
    all-or-nothing. Exits 1 when anything was refused. SIGTERM or Ctrl-C stops after the
    batch being written (exit 143 or 130); a second one stops at once.
    """
    store = current_app.extensions["store"]
    stop, total = GracefulStop(), sources.count(list(paths))
    try:
        with operations.recorded_run(store, "import") as run:  # for /metrics
            with refusal_report(store, report) as listener, \
                    ProgressBar("importing", total) as advance, stop.installed():
                result = load_files(store, list(paths), limits=document_limits(),
                                    workers=workers, batch_size=batch_size, progress=advance,
                                    listener=listener, stop=stop)
            run.loaded(result)
            if result.count("added") or result.count("replaced"):  # else nothing to tidy
                store.optimize()
            finish(result, listener, stop)
    except StopRequested:  # a signal before the load began: nothing was written
        click.echo(f"stopped by {signal.Signals(stop.signal).name}; nothing loaded", err=True)
        raise SystemExit(128 + stop.signal) from None
    except StoreError as error:  # the database went away, the store is busy: one line
        raise click.ClickException(f"{error}; every batch written before is kept") from None
    except KeyboardInterrupt:
        click.echo("import stopped at once: the batch being written was rolled back; "
                   "every batch written before is kept", err=True)
        raise SystemExit(128 + signal.SIGINT) from None


def init_app(app: Flask) -> None:
    """Register the commands."""
    app.cli.add_command(import_command)

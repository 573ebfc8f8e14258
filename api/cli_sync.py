"""Command line: `flask --app api sync [--from URL] [--full]` mirrors a registry v2 API."""

from __future__ import annotations

import math
import os
import signal
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from api.cli import ProgressBar, document_limits, finish, refusal_report
from api.loading import GracefulStop
from api.loading.stopping import StopRequested
from api.services import operations
from api.store import StoreError
from api.sync.client import Policy, Upstream, UpstreamError, base_url
from api.sync.run import MAX_PAGE_SIZE, Options, SyncRun

UPSTREAM_FAILED = 3  # exit status when the upstream could not be read


def _upstream_url(_context, _parameter, value: str | None) -> str:
    try:
        return base_url(value if value is not None else current_app.config["SYNC_URL"])
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


def _policy() -> Policy:
    config = current_app.config
    return Policy(rate=config["SYNC_RATE"], timeout=config["SYNC_TIMEOUT"],
                  retries=config["SYNC_RETRIES"], backoff=config["SYNC_BACKOFF"])


def _echo(line: str) -> None:
    click.echo(line, err=True)


def _told(run: SyncRun) -> None:
    """Say what the run is."""
    state = run.state
    what = ("a full sync (every study, then the reconcile)" if state.full else
            f"an update (studies updated since {state.since})" if state.since else
            "a first sync (every study)")
    if run.report.resumed:
        _echo(f"continuing {what} started {state.started}, after page {state.pages}")
    else:
        _echo(f"{what} of {run.base}")


def _advancing(progress: ProgressBar, page_size: int):
    """`progress(done, total)` for a run: the bar names its pages once the total is known."""
    def advance(done: int, total: int | None = None) -> None:
        if total is not None and progress.total is None:
            progress.total = total
            progress.label = f"syncing {math.ceil(total / page_size):,} pages"
        progress(done)
    return advance


def _synced(store, upstream: str, full: bool, options: Options, stop: GracefulStop,
            report: Path | None) -> None:
    """One run, its summary and its exit status."""
    # Recorded (for /metrics) once this is the one sync running on the store.
    with store.exclusive("sync", "sync it"), operations.recorded_run(store, "sync") as record:
        with refusal_report(store, report) as listener, ProgressBar("syncing") as progress, \
                Upstream(upstream, _policy(), on_retry=_echo) as client, stop.installed():
            options.listener, options.progress = listener, _advancing(progress, options.page_size)
            run = SyncRun(store, client, full, options, stop)
            _told(run)
            result = run.run()
        record.loaded(result.load)
        if result.load.count("added") or result.load.count("replaced"):
            store.optimize()
        finish(result.load, listener, stop, result.summary(),
               "after the page in progress; every page written is kept, and the next sync "
               "continues from there")


@click.command("sync")
@click.option("--from", "upstream", metavar="URL", callback=_upstream_url,
              help="The upstream: a registry v2 API's base URL (ending in /api/v2) or a "
                   "server's root (http://127.0.0.1:8000), to which /api/v2 is added. "
                   "Default: TRIALS_SYNC_URL (https://clinicaltrials.gov/api/v2).")
@click.option("--full", is_flag=True,
              help="Take every study, not only those updated since the last complete run, "
                   "and remove those the upstream no longer has (404 here; their history "
                   "is kept).")
@click.option("--page-size", type=click.IntRange(1, MAX_PAGE_SIZE), default=MAX_PAGE_SIZE,
              show_default=True, help="Studies asked for per request (and per transaction).")
@click.option("--workers", type=click.IntRange(1, 64), default=os.cpu_count() or 1,
              show_default="the number of CPUs", help="Processes checking records.")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write refused records and why (JSON lines), as for import.")
@with_appcontext
def sync_command(upstream: str, full: bool, page_size: int, workers: int,
                 report: Path | None) -> None:
    """Mirror a registry v2 API: page through its GET /studies and store every study
    through the guard, as import does.

    The first run takes every study; later runs take those updated since the day before
    the last complete run started (AREA[LastUpdatePostDate]RANGE[...,MAX]). Each page is
    committed with the run's progress: a run stopped or killed continues, when run
    again, after the last page written. One sync at a time per store: while another
    runs, this one stops at once, saying which process that is (exit 1).

    At most TRIALS_SYNC_RATE requests a second (default 1); timeouts, 429 (Retry-After
    honoured), 5xx and bodies cut short or not JSON are retried (TRIALS_SYNC_RETRIES,
    TRIALS_SYNC_BACKOFF); any other 4xx is not. Exits 1 when a study was refused, 3 when
    the upstream could not be read (every page written is kept, the high-water mark is
    unchanged); SIGTERM or Ctrl-C stops after the page being written (143 or 130).
    """
    store, stop = current_app.extensions["store"], GracefulStop()
    options = Options(page_size, document_limits(), workers, notify=_echo)
    try:
        _synced(store, upstream, full, options, stop, report)
    except StopRequested:  # a signal before the run began: nothing was written
        _echo(f"stopped by {signal.Signals(stop.signal).name}; nothing synced")
        raise SystemExit(128 + stop.signal) from None
    except UpstreamError as error:
        _echo(f"sync failed: {error}; every page written is kept, the next sync "
              "continues from there")
        raise SystemExit(UPSTREAM_FAILED) from None
    except StoreError as error:
        raise click.ClickException(str(error)) from None
    except KeyboardInterrupt:
        _echo("sync stopped at once: the page being written was rolled back; every page "
              "written before is kept")
        raise SystemExit(128 + signal.SIGINT) from None


def init_app(app: Flask) -> None:
    """Register the command."""
    app.cli.add_command(sync_command)

"""Command line: `flask --app api index rebuild` indexes every stored study again.

For a store whose index was built under another index layout (the server refuses it, naming
this command), or to repair an index. Reads only the stored documents: nothing is re-imported.
"""

from __future__ import annotations

import sys
import time

import click
from flask import current_app
from flask.cli import AppGroup

from api.store import StoreError, rebuild_index

index_group = AppGroup("index", help="The store's search index.")


class _Progress:
    """A progress bar with rate and ETA on a terminal, made at the first report (which
    brings the total); nothing elsewhere."""

    def __init__(self):
        self.bar = None
        self.started = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None and sys.stderr.isatty():
            self.bar = click.progressbar(length=total, label="indexing", show_pos=True,
                                         show_eta=True, file=sys.stderr,
                                         item_show_func=self._rate)
            self.bar.__enter__()
        if self.bar is not None:
            self.bar.update(done)

    def _rate(self, _item) -> str:
        elapsed = time.monotonic() - self.started
        return f"{self.bar.pos / elapsed:,.0f}/s" if self.bar and elapsed > 0 else ""

    def close(self) -> None:
        """End the bar's line, if there is a bar."""
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@index_group.command("rebuild")
def rebuild_command() -> None:
    """Index every stored study again, under this version's index layout.

    Holds the store's write lock meanwhile: imports wait, and the server goes on answering
    from the old index until the rebuild commits.
    """
    url = current_app.config["DATABASE_URL"]
    progress = _Progress()
    try:
        done = rebuild_index(url, lock_wait=current_app.config["STORE_LOCK_WAIT"],
                             progress=progress)
    except StoreError as error:
        raise click.ClickException(str(error)) from None
    finally:
        progress.close()
    click.echo(f"index rebuilt: {done} studies in {time.monotonic() - progress.started:.1f} s")


def init_app(app) -> None:
    """Register the `index` command group."""
    app.cli.add_command(index_group)

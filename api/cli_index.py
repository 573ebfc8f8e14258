"""Command line: `flask --app api index rebuild` indexes every stored study again.

For a store whose index was built under another index layout (the server refuses it, naming
this command), or to repair an index. Reads only the stored documents: nothing is re-imported.
"""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import AppGroup

from api.cli import ProgressBar
from api.store import StoreError, rebuild_index

index_group = AppGroup("index", help="The store's search index.")


@index_group.command("rebuild")
def rebuild_command() -> None:
    """Index every stored study again, under this version's index layout.

    Holds the store's write lock meanwhile: imports wait, and the server goes on answering
    from the old index until the rebuild commits.
    """
    url = current_app.config["DATABASE_URL"]
    with ProgressBar("indexing") as progress:  # the total comes with the first batch
        try:
            done = rebuild_index(url, lock_wait=current_app.config["STORE_LOCK_WAIT"],
                                 progress=progress)
        except StoreError as error:
            raise click.ClickException(str(error)) from None
    click.echo(f"index rebuilt: {done} studies in {time.monotonic() - progress.started:.1f} s")


def init_app(app) -> None:
    """Register the `index` command group."""
    app.cli.add_command(index_group)

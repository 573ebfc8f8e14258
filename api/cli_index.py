"""Command line: `flask --app api index rebuild` indexes every stored study again.

For a store whose index was built under another index layout (the server refuses it, naming
this command), or to repair an index. Reads only the stored documents: nothing is re-imported.
"""

from __future__ import annotations

from flask import current_app
from flask.cli import AppGroup

from api.cli import rebuild_with_progress
from api.store import rebuild_index

index_group = AppGroup("index", help="The store's search index.")


@index_group.command("rebuild")
def rebuild_command() -> None:
    """Index every stored study again, under this version's index layout.

    Holds the store's write lock meanwhile: imports wait, and the server goes on answering
    from the old index until the rebuild commits.
    """
    url, wait = current_app.config["DATABASE_URL"], current_app.config["STORE_LOCK_WAIT"]
    rebuild_with_progress("index", "indexing",
                          lambda progress: rebuild_index(url, lock_wait=wait, progress=progress))


def init_app(app) -> None:
    """Register the `index` command group."""
    app.cli.add_command(index_group)

"""Command line: `flask --app api stats rebuild` recomputes the statistics from the documents.

The store keeps `/stats/*` figures up to date as studies are written; a sketched field's
estimates may drift upwards under replacements and removals (`api.statistics.sketches`),
and this puts them right. Reads only the stored documents: nothing is re-imported.
"""

from __future__ import annotations

from flask import current_app
from flask.cli import AppGroup

from api.cli import rebuild_with_progress

stats_group = AppGroup("stats", help="The statistics kept in the store (/stats/*).")


@stats_group.command("rebuild")
def rebuild_command() -> None:
    """Recompute every statistic from the stored studies.

    Holds the store's write lock meanwhile: imports wait, and the server goes on answering
    from the old figures until the rebuild commits.
    """
    store = current_app.extensions["store"]
    rebuild_with_progress("statistics", "statistics",
                          lambda progress: store.rebuild_statistics(progress=progress))


def init_app(app) -> None:
    """Register the `stats` command group."""
    app.cli.add_command(stats_group)

"""Command line: `flask --app api history prune` drops old versions of the studies' history.

The store keeps every text a study has had (`Store.history`); this bounds that history by a
keep rule. A study's current version is never dropped, so GET, search and statistics are
untouched; a dropped version's number is not reused.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import AppGroup

from api.store import StoreError

history_group = AppGroup("history", help="The versions of each study kept in the store.")


class UtcMoment(click.ParamType):
    """A UTC date (`2026-01-31`, meaning its midnight) or date and time
    (`2026-01-31T12:00:00`, an offset such as `Z` or `+01:00` converted to UTC)."""

    name = "DATE"

    def convert(self, value, param, ctx) -> str:
        if isinstance(value, str) and len(value) == 10:
            value += "T00:00:00"
        try:
            moment = datetime.fromisoformat(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a date (yyyy-MM-dd) or a date and time "
                      "(yyyy-MM-ddTHH:MM:SS, UTC)", param, ctx)
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
        return moment.strftime("%Y-%m-%dT%H:%M:%S")


@history_group.command("prune")
@click.option("--keep-last", type=click.IntRange(min=0), metavar="N",
              help="Keep each study's newest N versions (0: only the current one).")
@click.option("--stored-before", type=UtcMoment(),
              help="Drop versions stored before this UTC date (yyyy-MM-dd) or date and time "
                   "(yyyy-MM-ddTHH:MM:SS).")
def prune_command(keep_last: int | None, stored_before: str | None) -> None:
    """Drop old versions of the studies' history.

    Give --keep-last, --stored-before or both; with both, a version is dropped only when
    both name it (older than the newest N and stored before DATE). The current version of a
    study in the store is never dropped; a removed study's history may be, wholly.
    Holds the store's write lock meanwhile: imports and syncs wait.
    """
    if keep_last is None and stored_before is None:
        raise click.UsageError("say what to drop: --keep-last N, --stored-before DATE "
                               "or both")
    store, started = current_app.extensions["store"], time.monotonic()
    try:
        dropped = store.prune_history(keep_last=keep_last, stored_before=stored_before)
    except StoreError as error:
        raise click.ClickException(str(error)) from None
    rules = [f"the newest {keep_last} of each study" if keep_last is not None else None,
             f"those stored since {stored_before}" if stored_before is not None else None]
    kept = " or ".join(rule for rule in rules if rule)
    click.echo(f"history pruned: {dropped:,} version{'' if dropped == 1 else 's'} dropped "
               f"(kept: the current ones, {kept}) in {time.monotonic() - started:.1f} s")


def init_app(app) -> None:
    """Register the `history` command group."""
    app.cli.add_command(history_group)

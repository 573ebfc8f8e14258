"""Command line: `flask --app api import PATH...` loads registry JSON into the store."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from api.loading import load_files


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@with_appcontext
def import_command(paths: tuple[Path, ...]) -> None:
    """Load study files, /studies page files or directories of them.

    Each file is checked by the guard and stored all-or-nothing. Exits non-zero when any
    file was refused.
    """
    report = load_files(current_app.extensions["store"], list(paths))
    for message in report.refused.values():
        click.echo(f"refused: {message}", err=True)
    click.echo(
        f"{len(report.written)} file(s) loaded: {report.count('added')} added, "
        f"{report.count('replaced')} replaced, {report.count('unchanged')} unchanged; "
        f"{len(report.refused)} file(s) refused"
    )
    if report.refused:
        raise SystemExit(1)


def init_app(app: Flask) -> None:
    """Register the commands."""
    app.cli.add_command(import_command)

"""Application start-up: settings checked, the store found and opened, an empty store seeded.

Whatever stops the application from starting (a bad setting, a store it cannot read) is one
line on standard error and exit status 4, with no traceback: under gunicorn that status from
a worker makes the master stop ("App failed to load") instead of starting workers that would
fail the same way; `flask` commands exit with it too. In a `flask` command the store is
opened when the command first uses it, so that a command repairing the store
(`flask --app api index rebuild`) runs on a store the others refuse.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import NoReturn

import click
from flask import Flask
from flask.cli import FlaskGroup

from api import settings
from api.loading import load_files
from api.store import Store, StoreError, open_store

# gunicorn's Arbiter.APP_LOAD_ERROR: the application cannot load; do not restart workers.
REFUSED = 4
STORE_FILE = "trials.sqlite3"


def refuse(message: str) -> NoReturn:
    """Stop start-up: `message` (one line) on standard error, exit status `REFUSED`."""
    sys.stderr.write(message + "\n")
    sys.stderr.flush()
    raise SystemExit(REFUSED)


def configure(app: Flask, config: Mapping | None) -> None:
    """Check every setting (defaults, then `TRIALS_*`, then `config`) into `app.config`.

    The default store is `<instance folder>/trials.sqlite3` (for a checkout,
    `<checkout>/instance/`), the same from any working directory; that folder is the one
    directory start-up creates.
    """
    try:
        app.config.update(settings.load(os.environ, config))
    except settings.SettingError as error:
        refuse(str(error))
    if app.config["DATABASE_URL"] is None:
        folder = Path(app.instance_path)
        folder.mkdir(parents=True, exist_ok=True)
        app.config["DATABASE_URL"] = f"sqlite:///{folder / STORE_FILE}"


def open_configured(app: Flask) -> Store:
    """Open the store the app's settings name (`StoreError` if it cannot be used)."""
    return open_store(app.config["DATABASE_URL"], lock_wait=app.config["STORE_LOCK_WAIT"],
                      read_url=app.config.get("DATABASE_READ_URL"))


def open_app_store(app: Flask) -> None:
    """Open the configured store into `app.extensions["store"]` and seed it if empty."""
    def opener() -> Store:
        store = open_configured(app)
        seed(app, store)
        return store

    if _in_flask_command():
        app.extensions["store"] = OpenOnUse(opener)
        return
    try:
        app.extensions["store"] = opener()
    except StoreError as error:
        refuse(str(error))


def preflight() -> None:
    """What the production server's master process runs before it starts any worker: the
    settings checked, the store opened (created or upgraded, if it must be), seeded if empty,
    closed again. A refusal is one line and exit status `REFUSED` from the master itself,
    rather than from each worker it would start (and restart) in vain.
    """
    app = Flask("api")  # the application's import name: the same instance folder
    configure(app, None)
    try:
        store = open_configured(app)
    except StoreError as error:
        refuse(str(error))
    try:
        seed(app, store)
    finally:
        store.close()


def seed(app: Flask, store: Store) -> None:
    """Load `RECORDS_DIR` into `store` if it is empty and no other process seeds it.

    Seeding goes through the guard like any import; a refused seed file is logged and
    skipped so that the server still starts with what is valid.
    """
    records_dir = app.config.get("RECORDS_DIR")
    if not records_dir or store.count() or not store.claim_seeding():
        return
    try:
        report = load_files(store, [Path(records_dir)])
    except (StoreError, OSError) as error:  # the server still serves what the store has
        app.logger.error("seeding from %s stopped: %s", records_dir, error)
        return
    app.logger.info("seeded the empty store from %s", records_dir)
    for message in report.refused.values():
        app.logger.error("seed record refused: %s", message)


def _in_flask_command() -> bool:
    """Whether the app is being loaded by the `flask` command line."""
    context = click.get_current_context(silent=True)
    return context is not None and isinstance(context.find_root().command, FlaskGroup)


class OpenOnUse:
    """A command line's store, opened (and seeded) when a command first uses it.

    A store that cannot be used ends the command with its one-line reason.
    """

    def __init__(self, opener: Callable[[], Store]):
        self._opener = opener
        self._store: Store | None = None

    def __getattr__(self, name: str):
        if self._store is None:
            try:
                self._store = self._opener()
            except StoreError as error:
                raise click.ClickException(str(error)) from None
        return getattr(self._store, name)

    def close(self) -> None:
        """Close the store if it was opened."""
        if self._store is not None:
            self._store.close()

"""Where study records live: `open_store(url)` picks the implementation from the URL."""

from __future__ import annotations

from pathlib import Path

from api.store.base import Record, Store, WriteResult
from api.store.sqlite import SQLiteStore

__all__ = ["Record", "Store", "WriteResult", "open_store"]


def open_store(url: str) -> Store:
    """Open the store a database URL names.

    `sqlite:///relative/path.sqlite3` (relative to the working directory) and
    `sqlite:////absolute/path.sqlite3`, as SQLAlchemy spells them.
    """
    scheme, sep, rest = url.partition("://")
    if scheme == "sqlite" and sep and rest.startswith("/"):
        return SQLiteStore(rest[1:])
    raise ValueError(f"unsupported database URL {url!r}: expected sqlite:///PATH")


def init_app(app) -> None:
    """Open the configured store for `app`; seed it from `RECORDS_DIR` if it is empty.

    Seeding goes through the guard like any import; a refused seed file is logged and
    skipped so that the server still starts with what is valid.
    """
    from api.loading import load_files  # the loader needs the store package first

    store = open_store(app.config["DATABASE_URL"])
    app.extensions["store"] = store
    records_dir = app.config.get("RECORDS_DIR")
    if records_dir and store.count() == 0:
        report = load_files(store, [Path(records_dir)])
        for message in report.refused.values():
            app.logger.error("seed record refused: %s", message)

"""Where study records live: `open_store(url)` picks the implementation from the URL.

Knows nothing of loading or of the application: seeding an empty store is start-up's
business (`api.startup`).
"""

from __future__ import annotations

from pathlib import Path

from api.store.base import Record, Store, WriteResult
from api.store.errors import StoreBusy, StoreError, StoreLayoutError
from api.store.sqlite import SQLiteStore

__all__ = ["Record", "Store", "StoreBusy", "StoreError", "StoreLayoutError", "WriteResult",
           "is_postgresql", "open_store", "rebuild_index", "store_path"]

# SQLAlchemy's spelling: three slashes, then the path (a fourth slash: an absolute one).
_SQLITE = "sqlite:///"
# libpq's URL schemes, both accepted.
POSTGRESQL_SCHEMES = ("postgresql", "postgres")


def is_postgresql(url: str) -> bool:
    """Whether a database URL names a PostgreSQL database (`postgresql://` or `postgres://`)."""
    scheme, sep, _ = url.partition("://")
    return bool(sep) and scheme in POSTGRESQL_SCHEMES


def postgresql_url(url: str) -> str:
    """A PostgreSQL URL checked for what libpq needs; `ValueError` says what is wrong."""
    if not is_postgresql(url):
        raise ValueError("a postgresql://USER@HOST:PORT/DATABASE URL is needed")
    from psycopg.conninfo import conninfo_to_dict

    try:
        parsed = conninfo_to_dict(url)
    except Exception as error:  # psycopg.ProgrammingError: its own words, first line
        raise ValueError(f"not a usable PostgreSQL URL ({str(error).splitlines()[0]})") from None
    if not parsed.get("dbname"):
        raise ValueError("no database name after the host (postgresql://USER@HOST:PORT/DATABASE)")
    return url


def store_path(url: str) -> Path:
    """The file a database URL names: `sqlite:///relative/path` (from the working
    directory) or `sqlite:////absolute/path`. `ValueError` says what is wrong with any other.
    """
    scheme, sep, _ = url.partition("://")
    if not sep or scheme != "sqlite":
        raise ValueError(f"only sqlite:/// and postgresql:// stores are supported"
                         f"{f', not {scheme}://' if sep and scheme else ''}")
    if not url.startswith(_SQLITE) or not url.removeprefix(_SQLITE).strip("/"):
        raise ValueError("no file path after sqlite:///")
    path = url.removeprefix(_SQLITE)
    if "?" in path or path.startswith(":memory:"):
        raise ValueError("a file path without options is needed")
    return Path(path)


def open_store(url: str, lock_wait: float = 20.0, read_url: str | None = None) -> Store:
    """Open the store a database URL names: a SQLite file (see `store_path`; its directory
    must exist) or a PostgreSQL database (`postgresql://`, reads from the hot standby at
    `read_url` if given).

    Reading a current store takes no lock; creating or upgrading one waits up to
    `lock_wait` seconds for the write lock. `StoreError` (one line) when it cannot be used.
    """
    if is_postgresql(url):
        from api.store.postgres import PostgreSQLStore  # psycopg only where it is used

        return PostgreSQLStore(url, read_url=read_url, lock_wait=lock_wait)
    return SQLiteStore(store_path(url), lock_wait=lock_wait)


def rebuild_index(url: str, lock_wait: float = 20.0, progress=None) -> int:
    """Rebuild the search index of the store at `url` from its stored documents; returns
    the study count. Works on a store whose index layout differs, which `open_store` refuses.
    """
    if is_postgresql(url):
        from api.store.postgres import PostgreSQLStore

        return PostgreSQLStore.rebuild_index(postgresql_url(url), lock_wait, progress)
    return SQLiteStore.rebuild_index(store_path(url), lock_wait, progress)

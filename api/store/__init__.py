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
           "open_store", "rebuild_index", "store_path"]

# SQLAlchemy's spelling: three slashes, then the path (a fourth slash: an absolute one).
_SQLITE = "sqlite:///"


def store_path(url: str) -> Path:
    """The file a database URL names: `sqlite:///relative/path` (from the working
    directory) or `sqlite:////absolute/path`. `ValueError` says what is wrong with any other.
    """
    scheme, sep, _ = url.partition("://")
    if not sep or scheme != "sqlite":
        raise ValueError(f"only sqlite:/// stores are supported in this release"
                         f"{f', not {scheme}://' if sep and scheme else ''}")
    if not url.startswith(_SQLITE) or not url.removeprefix(_SQLITE).strip("/"):
        raise ValueError("no file path after sqlite:///")
    path = url.removeprefix(_SQLITE)
    if "?" in path or path.startswith(":memory:"):
        raise ValueError("a file path without options is needed")
    return Path(path)


def open_store(url: str, lock_wait: float = 20.0) -> Store:
    """Open the store a database URL names (see `store_path`); its directory must exist.

    Reading a current store takes no lock; creating or upgrading one waits up to
    `lock_wait` seconds for the write lock. `StoreError` (one line) when it cannot be used.
    """
    return SQLiteStore(store_path(url), lock_wait=lock_wait)


def rebuild_index(url: str, lock_wait: float = 20.0, progress=None) -> int:
    """Rebuild the search index of the store at `url` from its stored documents; returns
    the study count. Works on a store whose index layout differs, which `open_store` refuses.
    """
    return SQLiteStore.rebuild_index(store_path(url), lock_wait, progress)

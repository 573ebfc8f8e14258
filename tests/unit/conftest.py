"""Fixtures of the unit tests: a store of each test's own, with no app around it.

`store` is on each backend in turn (the `backend` parameter of tests/conftest.py): the
store contract's tests run against SQLite and a real PostgreSQL alike.
"""

import pytest

from api.store import open_store
from api.store.sqlite import SQLiteStore
from tests.conftest import new_store_url


@pytest.fixture
def store(request, backend, tmp_path):
    """An empty store of this test's own (a SQLite file in its folder, or a PostgreSQL
    database of its own), closed afterwards."""
    if backend == "sqlite":
        store = SQLiteStore(tmp_path / "store.sqlite3")
    else:
        store = open_store(new_store_url(request, backend, tmp_path))
    yield store
    store.close()

"""Fixtures of the unit tests: a store of each test's own, with no app around it."""

import pytest

from api.store.sqlite import SQLiteStore


@pytest.fixture
def store(tmp_path):
    """An empty SQLite store in this test's folder, closed afterwards."""
    store = SQLiteStore(tmp_path / "store.sqlite3")
    yield store
    store.close()

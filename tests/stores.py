"""Reaching under a store in a test, whichever backend it is: raw SQL, a second instance.

A test of the store contract that must look at (or doctor) the tables behind it does so
through these, so that it runs on SQLite and on PostgreSQL alike.
"""

from __future__ import annotations

import sqlite3
import threading

import psycopg

from api.store import open_store
from api.store.sqlite import SQLiteStore


def execute(store, sql: str, parameters=()) -> list[tuple]:
    """Run one statement (`?` parameters) on `store`'s database, committed; its rows."""
    if isinstance(store, SQLiteStore):
        with sqlite3.connect(store.path) as connection:
            return connection.execute(sql, parameters).fetchall()
    with psycopg.connect(store.url, autocommit=True) as connection:
        cursor = connection.execute(sql.replace("?", "%s"), parameters)
        return cursor.fetchall() if cursor.description else []


def reopen(store):
    """Another store object (another connection pool) on the same data."""
    if isinstance(store, SQLiteStore):
        return SQLiteStore(store.path)
    return open_store(store.url)


def opened_at_once(opener, times: int = 4, seconds: float = 30) -> tuple[list, list]:
    """Call `opener()` from `times` threads at once: (the stores opened, the errors)."""
    stores, errors = [], []

    def open_it() -> None:
        try:
            stores.append(opener())
        except Exception as error:  # noqa: BLE001 - the caller's assertion shows it
            errors.append(error)

    threads = [threading.Thread(target=open_it) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds)
    return stores, errors

"""The PostgreSQL store's connections: its pools, and telling an outage from a failed statement.

Each pool hands out autocommit connections, checked before use (a connection the server
dropped is replaced, not handed out), and reconnects in the background after an outage.
"""

from __future__ import annotations

import logging
import os
import socket

import psycopg
from psycopg_pool import ConnectionPool

# How long a request waits for a pooled connection (or a new one) before it is a 503; once
# the database was found unreachable, only this long until a request finds it back.
POOL_TIMEOUT = 5.0
OUTAGE_TIMEOUT = 1.0
# Connections per pool: the production server's threads of one process, and a spare.
POOL_SIZE = 8
UNAVAILABLE = "The database is unavailable; try again later"
# The store logs an outage itself, a line when it begins (`postgres`); the pool's own
# warnings say it again for every attempt to reconnect, some with a traceback.
logging.getLogger("psycopg.pool").setLevel(logging.ERROR)


def display_name(url: str) -> str:
    """The URL without its password, for messages."""
    info = psycopg.conninfo.conninfo_to_dict(url)
    host, port, name = info.get("host", "localhost"), info.get("port", "5432"), info.get("dbname")
    return f"postgresql://{info.get('user', '')}@{host}:{port}/{name or ''}"


def make_pool(url: str, role: str) -> ConnectionPool:
    """A pool of autocommit connections to `url`, named for `role`, not yet open."""
    application = f"trials {role} {socket.gethostname()}:{os.getpid()}"[:63]
    # reconnect_timeout: the pool's retries back off exponentially; giving up after a few
    # seconds makes the next request start a new, immediate attempt, so an instance finds
    # the database back within seconds however long it was gone.
    return ConnectionPool(url, min_size=1, max_size=POOL_SIZE, open=False, name=f"trials-{role}",
                          timeout=POOL_TIMEOUT, reconnect_timeout=POOL_TIMEOUT,
                          check=ConnectionPool.check_connection,
                          kwargs={"autocommit": True, "connect_timeout": 5,
                                  "application_name": application})


# psycopg's OperationalError also covers what is no outage: a program limit (54...), a
# statement cancelled (57014: a search's time budget, `TooCostly`), a lock not had (55P03).
_OUTAGE_CLASSES = ("08", "53", "57", "40", "58")


def is_outage(error: psycopg.OperationalError) -> bool:
    """Whether `error` says the database cannot be reached or cannot serve now (the client
    could not connect, the connection was lost, the server is shutting down or full, a
    transaction was rolled back to be tried again), rather than that a statement failed."""
    state = error.sqlstate
    return state is None or (state[:2] in _OUTAGE_CLASSES and state != "57014")


def first_line(error: Exception) -> str:
    """The first line of an error's message (libpq's run over several)."""
    return (str(error).strip().splitlines() or [type(error).__name__])[0]

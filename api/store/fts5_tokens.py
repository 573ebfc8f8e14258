"""FTS5's own tokenizer, for code that must split text into words exactly as the SQLite
store's full-text index does.

The match sets key a full-text leaf by its words as indexed, and the PostgreSQL store
indexes the words FTS5 makes, so that both stores find the same studies (PostgreSQL's
English dictionary stems with Snowball's English algorithm, FTS5 with Porter's original:
some words stem differently, and its stop words would drop words FTS5 keeps). The
tokenizer runs in a private in-memory database: the stores' own connections are left
alone (a search's time budget interrupts their statements).
"""

from __future__ import annotations

import functools
import os
import sqlite3
import threading
from collections.abc import Sequence

from api.store.sqlite_index import TOKENIZER


class Scratch:
    """A contentless FTS5 table `words` with one column per name of `columns`, and its
    `fts5vocab` instance table `tokens` (term, doc, col, offset), in a private in-memory
    database. Not thread-safe: one per thread (SQLite runs them in parallel)."""

    def __init__(self, columns: Sequence[str]):
        self.columns = tuple(columns)
        self.connection = sqlite3.connect(":memory:", check_same_thread=False,
                                          isolation_level=None)
        self.connection.execute(f"CREATE VIRTUAL TABLE words USING fts5("
                                f"{', '.join(self.columns)}, content='', "
                                f"tokenize='{TOKENIZER}')")
        self.connection.execute("CREATE VIRTUAL TABLE tokens USING fts5vocab(words, instance)")
        marks = ", ".join("?" for _ in self.columns)
        self._insert = f"INSERT INTO words (rowid, {', '.join(self.columns)}) VALUES (?, {marks})"

    def read(self, rows: list[tuple], sql: str, params: Sequence = ()) -> list[tuple]:
        """Index `rows` (rowid, then a value per column, None for none), run `sql` (which
        reads `tokens`) and return its rows; the table is empty again afterwards.

        One transaction: the words stay in FTS5's in-memory pending list, never merged into
        index segments, which is most of what indexing them would otherwise cost."""
        connection = self.connection
        connection.execute("BEGIN")
        try:
            connection.executemany(self._insert, rows)
            found = connection.execute(sql, params).fetchall()
            connection.execute("INSERT INTO words (words) VALUES ('delete-all')")
        finally:
            connection.execute("COMMIT")
        return found


_query_lock = threading.Lock()
_query_scratch: dict[int, Scratch] = {}  # by process: a SQLite connection must not cross a fork


@functools.lru_cache(maxsize=4096)
def query_tokens(text: str) -> tuple[str, ...]:
    """The words of `text` as the full-text index keeps them: lower case, stemmed."""
    with _query_lock:
        scratch = _query_scratch.get(os.getpid())
        if scratch is None:
            _query_scratch.clear()
            scratch = _query_scratch[os.getpid()] = Scratch(["text"])
        return tuple(term for (term,) in scratch.read(
            [(1, text)], "SELECT term FROM tokens ORDER BY offset"))

"""The PostgreSQL store's search index: its tables, and writing them.

Every row is keyed by `studies.id` and goes with its study (`ON DELETE CASCADE`):

- `study_text`: one row per study: `area`, a tsvector of the pieces a search area names;
  `other`, of the other text pieces (for `AREA[piece]`); `rank`, of the few short pieces
  relevance weighs (`postgres_words.rank_pieces`); `present`, the codes of every piece with a value
  (for `MISSING`);
- `field_values`: every non-text value (enums, dates, numbers, booleans, ages);
- `sort_keys`: one number per study and date or numeric piece, for `sort=`;
- `geo`: every site's coordinates.

Words are FTS5's, written as `postgres_words` says, so both stores match the same
studies. The piece codes are digests of the piece names, not positions in the catalogue,
so they never change under a schema edit.
"""

from __future__ import annotations

import functools
import hashlib
import json

from api.search import fields
from api.search.extract import IndexEntry, area_pieces, extract, other_text_pieces
from api.store.postgres_words import LONG_WORD, digest, lexeme_prefixes, long_word, vectors
from api.store.sqlite_index import TOKENIZER

SCHEMA = """
CREATE TABLE study_text (
    study_id bigint PRIMARY KEY REFERENCES studies (id) ON DELETE CASCADE,
    area     tsvector NOT NULL,
    other    tsvector NOT NULL,
    rank     tsvector NOT NULL,  -- the words of `rank_pieces`, weighted
    present  integer[] NOT NULL
);
CREATE INDEX study_text_area ON study_text USING gin (area);
CREATE INDEX study_text_other ON study_text USING gin (other);
CREATE TABLE field_values (
    study_id bigint NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    piece    integer NOT NULL,
    value    text COLLATE "C" NOT NULL,  -- ASCII letters in lower case (`fold`)
    num      double precision,
    PRIMARY KEY (study_id, piece, value)
);
CREATE INDEX field_values_by_value ON field_values (piece, value, study_id);
CREATE INDEX field_values_by_num ON field_values (piece, num, study_id) WHERE num IS NOT NULL;
CREATE TABLE sort_keys (
    study_id bigint NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    piece    integer NOT NULL,
    num      double precision NOT NULL,
    PRIMARY KEY (study_id, piece)
);
CREATE INDEX sort_keys_by_num ON sort_keys (piece, num, study_id);
-- Descending sorts read keys by num descending, then study id ascending.
CREATE INDEX sort_keys_by_num_desc ON sort_keys (piece, num DESC, study_id);
CREATE TABLE geo (
    study_id bigint NOT NULL REFERENCES studies (id) ON DELETE CASCADE,
    lat      double precision NOT NULL,
    lon      double precision NOT NULL
);
CREATE INDEX geo_by_place ON geo (lat, lon, study_id);
CREATE INDEX geo_by_study ON geo (study_id);
"""
TABLES = ("study_text", "field_values", "sort_keys", "geo")

# SQLite compares values with NOCASE, which folds ASCII letters only: so does this store.
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def fold(value: str) -> str:
    """`value` as `field_values` keeps it and compares it: ASCII letters in lower case, and
    a value of over `LONG_WORD` characters as its digest (a B-tree entry holds at most
    2704 bytes; such values are only ever compared whole)."""
    value = value.translate(_ASCII_LOWER)
    return long_word(value) if len(value) > LONG_WORD else value


@functools.cache
def piece_codes() -> dict[str, int]:
    """Every leaf piece's code in the index tables: a digest of its name (31 bits)."""
    codes = {node.piece: digest(node.piece, 4) & 0x7FFFFFFF for node in fields.leaves()}
    if len(set(codes.values())) != len(codes):  # a new piece name: change the digest size
        raise RuntimeError("two pieces share an index code")
    return codes


@functools.cache
def fingerprint() -> str:
    """A digest of what the index's rows mean, derived from the catalogue and the search
    areas: which text pieces go to `area` and which to `other`, every leaf piece with its
    kind and code, the tokenizer and the long-word limit. Stored with the data by the
    store, a change (a piece moved into a search area) means the index must be rebuilt;
    relevance weights are read at query time and need nothing."""
    layout = {"tokenizer": TOKENIZER, "long_word": LONG_WORD, "schema": SCHEMA,
              "area": sorted(area_pieces()), "other": sorted(other_text_pieces()),
              "prefixes": lexeme_prefixes(),
              "pieces": sorted([node.piece, fields.kind(node), piece_codes()[node.piece]]
                               for node in fields.leaves())}
    return hashlib.sha256(json.dumps(layout, sort_keys=True).encode()).hexdigest()[:32]


def create(cursor) -> None:
    """Make the index tables and their indexes, inside the caller's transaction (`studies`
    exists)."""
    cursor.execute(SCHEMA)


def write(cursor, rows: list[tuple[int, IndexEntry]]) -> None:
    """Index these studies (ids of `studies`, none indexed yet), by COPY, a table at a time."""
    if not rows:
        return
    codes = piece_codes()
    texts = [vectors(entry) for _, entry in rows]
    with cursor.copy("COPY study_text (study_id, area, other, rank, present) FROM STDIN") as copy:
        for (study_id, entry), vector_texts in zip(rows, texts):
            copy.write_row((study_id, *vector_texts, sorted(codes[p] for p in entry.present)))
    with cursor.copy("COPY field_values (study_id, piece, value, num) FROM STDIN") as copy:
        for study_id, entry in rows:
            # Values equal but for ASCII case are one row, as in SQLite's NOCASE key.
            seen = {(codes[piece], fold(value)): num for piece, value, num in entry.values}
            for (piece, value), num in seen.items():
                copy.write_row((study_id, piece, value, num))
    with cursor.copy("COPY sort_keys (study_id, piece, num) FROM STDIN") as copy:
        for study_id, entry in rows:
            for piece, num in entry.sort_keys.items():
                copy.write_row((study_id, codes[piece], num))
    with cursor.copy("COPY geo (study_id, lat, lon) FROM STDIN") as copy:
        for study_id, entry in rows:
            for lat, lon in entry.geo:
                copy.write_row((study_id, lat, lon))


def delete(cursor, study_ids: list[int]) -> None:
    """Drop the index rows of these studies (before they are indexed again)."""
    for table in TABLES:
        cursor.execute(f"DELETE FROM {table} WHERE study_id = ANY(%s)", (list(study_ids),))


def rebuild(cursor, batch_size: int = 500, progress=None) -> int:
    """Index every stored document again, inside the caller's transaction (after a change
    of `fingerprint`); `progress(n, total)` after each batch. Returns how many."""
    cursor.execute(f"TRUNCATE {', '.join(TABLES)}")
    cursor.execute("SELECT count(*) FROM documents")
    total, done, after = cursor.fetchone()[0], 0, 0
    while True:
        cursor.execute("SELECT study_id, body FROM documents WHERE study_id > %s "
                       "ORDER BY study_id LIMIT %s", (after, batch_size))
        batch = cursor.fetchall()
        if not batch:
            return done
        write(cursor, [(study_id, extract(json.loads(body))) for study_id, body in batch])
        done, after = done + len(batch), batch[-1][0]
        if progress is not None:
            progress(len(batch), total)

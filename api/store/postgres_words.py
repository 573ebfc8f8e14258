"""The words of the PostgreSQL store's full-text index: lexemes, and a study's tsvectors.

Words are FTS5's (`fts5_tokens`), so both stores match the same studies: PostgreSQL's own
English stemmer differs from FTS5's porter. A lexeme is `<piece>.<word>`, the piece's
`lexeme_prefixes`, so one tsvector holds every piece and a term in `AREA[X]` matches X's
words only; positions are FTS5's offsets within the piece (its values joined by newlines)
plus 2, and every piece with words has the lexeme `<piece>.^` at position 1, which `^`
(starts with) puts before its phrase. The prefixes are digests of the piece names, not
positions in the catalogue, so they never change under a schema edit.

PostgreSQL's limits, and what happens past them:
- a lexeme is at most 2046 bytes: a word of more than `LONG_WORD` characters is indexed
  (and searched) as a digest of itself, so it still matches exactly;
- a position is at most 16383: later words of a piece all sit at 16383, so a phrase (or
  `^`) starting past it does not match, one word still does;
- a lexeme keeps at most 256 positions: a phrase whose only occurrence comes after the
  256th of one of its words in that piece does not match;
- a tsvector is at most 1 MB: a study whose words would need more than `MAX_VECTOR_BYTES`
  keeps about half of that, the rest of its words (an arbitrary part) unsearchable. The
  registry's studies stay far below that.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import threading

from api.search import fields
from api.search.criteria import context_for
from api.search.extract import IndexEntry, area_pieces, other_text_pieces
from api.store.fts5_tokens import Scratch

# A word longer than this (in characters, up to 4 bytes each) is indexed as its digest.
LONG_WORD = 500
# What a study's tsvector may hold (lexemes and positions); PostgreSQL refuses past 1 MiB.
MAX_VECTOR_BYTES = 1_000_000
# The area weight from which a piece's words count for relevance (`rank_pieces`), and
# ts_rank's weights of the letters D, C, B, A.
RANK_FROM = 0.65
RANK_WEIGHTS = "{0, 0, 0.4, 1.0}"


def digest(text: str, size: int) -> int:
    """A number of `size` bytes made from `text` (stable across processes and releases)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=size).digest(), "big")


_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"


@functools.cache
def lexeme_prefixes() -> dict[str, str]:
    """Every text piece's lexeme prefix: 5 base-36 digits of a digest of its name (short
    lexemes keep the GIN index small; distinct for every text piece, checked)."""
    prefixes = {}
    for piece in fields.text_columns():
        number, digits = digest(piece, 8) % 36 ** 5, ""
        for _ in range(5):
            number, digit = divmod(number, 36)
            digits += _BASE36[digit]
        prefixes[piece] = digits
    if len(set(prefixes.values())) != len(prefixes):
        raise RuntimeError("two text pieces share a lexeme prefix")
    return prefixes


@functools.cache
def rank_pieces() -> dict[str, str]:
    """The pieces relevance weighs, with their tsvector weight letter: those `query.term`
    (BasicSearch) weighs 0.65 and above: ids, acronyms and titles A; conditions,
    interventions, phase and age group B. Short pieces: their own small vector `rank`
    stays within the table row, so ranking every match of a common word reads no TOAST."""
    return {piece: "A" if weight >= 0.85 else "B"
            for piece, weight in context_for("BasicSearch").weights if weight >= RANK_FROM}


def quoted(lexeme: str) -> str:
    """A lexeme as tsquery text writes it."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def long_word(word: str) -> str:
    """The stand-in for a word over `LONG_WORD` characters."""
    return "#" + hashlib.blake2b(word.encode(), digest_size=16).hexdigest()


def lexeme(piece: str, word: str) -> str:
    """The lexeme of `word` (as FTS5 tokenizes) in `piece`, quoted for a tsquery."""
    word = long_word(word) if len(word) > LONG_WORD else word
    return quoted(f"{lexeme_prefixes()[piece]}.{word}")


def start_lexeme(piece: str) -> str:
    """The lexeme at position 1 of every piece with words, quoted."""
    return quoted(f"{lexeme_prefixes()[piece]}.^")


# A study's words in one scratch table as tsvector text: a lexeme per word (PostgreSQL
# merges the positions of a lexeme), at FTS5's offset + 2, with the table's weight letter.
# No grouping here: sorting the words costs more than PostgreSQL's merge of them. FTS5's
# unicode61 words are letters and digits only: none needs quoting. `{word}` is the word,
# or for texts that may hold a long word, its stand-in when long.
_VECTOR_SQL = ("SELECT group_concat(col || '.' || {word} || ':' || (offset + 2) || '{weight}', "
               "' ') FROM tokens")
_LONG = f"(CASE WHEN length(term) > {LONG_WORD} THEN long_word(term) ELSE term END)"
# A word of more than LONG_WORD characters is a run of that many characters no whitespace
# divides (whitespace always separates words in unicode61).
_MAY_HOLD_LONG_WORD = re.compile(rf"\S{{{LONG_WORD + 1}}}")


class _Table:
    """A scratch table of some text pieces, the vector it makes part of, and its weight."""

    def __init__(self, pieces: tuple[str, ...], vector: int, weight: str = ""):
        self.pieces, self.vector, self.weight = pieces, vector, weight
        self.scratch = Scratch([f'"{lexeme_prefixes()[piece]}"' for piece in pieces])
        self.scratch.connection.create_function("long_word", 1, long_word, deterministic=True)

    def vector_text(self, entry: IndexEntry) -> str:
        """This table's part of `entry`'s vector ("" for none); its start lexemes unless
        weighted (relevance does not need them)."""
        texts = tuple(entry.text.get(piece) for piece in self.pieces)
        if all(text is None for text in texts):
            return ""
        long = any(text and _MAY_HOLD_LONG_WORD.search(text) for text in texts)
        sql = _VECTOR_SQL.format(word=_LONG if long else "term", weight=self.weight)
        (words,), = self.scratch.read([(1, *texts)], sql)
        starts = [] if self.weight else [f"{lexeme_prefixes()[piece]}.^:1"
                                         for piece, text in zip(self.pieces, texts) if text]
        return " ".join([*starts, words or ""])


class _Vectors:
    """A thread's FTS5 scratch tables (SQLite tokenizes in parallel threads): the area
    pieces, the other text pieces, and the pieces relevance weighs, by weight letter."""

    def __init__(self):
        weighted = rank_pieces()
        self.tables = [_Table(area_pieces(), 0), _Table(other_text_pieces(), 1)] + [
            _Table(tuple(piece for piece in weighted if weighted[piece] == letter), 2, letter)
            for letter in sorted(set(weighted.values()))]

    def of(self, entry: IndexEntry) -> tuple[str, str, str]:
        """The (area, other, rank) tsvector texts of `entry`."""
        parts: tuple[list, list, list] = ([], [], [])
        size = 0
        for table in self.tables:
            text = table.vector_text(entry)
            # PostgreSQL's limit is on the lexemes and positions a vector holds: at most
            # what the text spells out, but for 1-2 bytes per word seen once near the start
            # of its piece, which the margin below 1 MiB covers.
            size += len(text.encode())
            parts[table.vector].append(text if size <= MAX_VECTOR_BYTES else _fitted(text))
        return tuple(" ".join(part) for part in parts)


def _fitted(vector: str) -> str:
    """A vector past `MAX_VECTOR_BYTES`, cut to its first lexemes that fit."""
    cut = vector.encode()[:MAX_VECTOR_BYTES // 2].decode(errors="ignore")
    return cut[:cut.rfind(" ")] if " " in cut else ""


_mine = threading.local()


def vectors(entry: IndexEntry) -> tuple[str, str, str]:
    """The (area, other, rank) tsvector texts of a study's index entry."""
    # Made in the thread and process that use them: a SQLite connection must not cross a
    # fork (the loader's workers are processes).
    if getattr(_mine, "pid", None) != os.getpid():
        _mine.vectors, _mine.pid = _Vectors(), os.getpid()
    return _mine.vectors.of(entry)

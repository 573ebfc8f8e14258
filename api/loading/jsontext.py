"""JSON text as the loader handles it: minifying, strict decoding, page spans, nesting.

Everything here works on the text itself, before or instead of re-serialising it: the
store keeps each study's own text, so keys, key order and number literals survive.
"""

from __future__ import annotations

import json
import re

import orjson

from api import json_text
from schemas.guard import Problem, RecordRefused

_WHITESPACE = re.compile(r"[ \t\n\r]*")
# A JSON string token, or a run of whitespace outside strings.
_TOKENS = re.compile(r'("(?:[^"\\]|\\.)*")|[ \t\n\r]+')
# The nesting scan's view of a text: its brackets alone, every kind as `(` or `)`.
_NOT_BRACKETS_OR_QUOTES = bytes(code for code in range(256) if code not in b'[]{}"')
_AS_PARENTHESES = bytes.maketrans(b"[]{}", b"()()")
_OPEN = ord("(")


def compact_document(text: str):
    """The value `text` holds when `text` is one JSON value written compactly, every key
    once (as the registry's bulk data and this server's output are); None otherwise.

    What `orjson` parses and writes back as the same text has no whitespace between
    tokens, no duplicate key (a parser keeps one of them, so the text would come out
    shorter) and no number literal that reads differently: it is stored as it is. Anything
    else (None) goes the careful way: `parse`, `minify`.
    """
    stripped = text.strip(" \t\n\r")
    try:
        document = orjson.loads(stripped)
    except orjson.JSONDecodeError:  # also: nested too deep, integers past 64 bits
        return None
    try:
        same = orjson.dumps(document) == stripped.encode()
    except TypeError:  # integers past 64 bits
        return None
    return document if same else None


def minify(text: str, document=None) -> str:
    """`text` without the whitespace between JSON tokens; strings are left untouched.

    Given the parsed `document`, compact text (NDJSON, the registry's own responses) is
    recognised by re-encoding it, several times faster than scanning it token by token.
    """
    text = text.strip()
    if document is not None and json_text.dumps(document) == text:
        return text
    return _TOKENS.sub(lambda match: match.group(1) or "", text)


def deeper_than(text: str, limit: int) -> bool:
    """Whether arrays and objects in `text` nest more than `limit` deep, without parsing it.

    Strings are cut out and only the brackets kept, all as `(` and `)`: the depth a parser
    reaches is what those brackets open and have not closed. Then innermost `()` pairs are
    removed, a level per pass (bytes operations, at C speed; real records empty out in a
    dozen passes). What is left after `limit` passes is counted bracket by bracket.
    """
    data = text.encode()
    if b"\\" in data:  # escaped backslashes first, then escaped quotes: none ends a string
        data = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    # Brackets and quotes alone (bytes operations, at C speed); then what is outside strings.
    data = data.translate(None, _NOT_BRACKETS_OR_QUOTES)
    brackets = b"".join(data.split(b'"')[::2]).translate(_AS_PARENTHESES)
    levels = 0
    while brackets and levels <= limit:
        inner = brackets.replace(b"()", b"")
        if len(inner) == len(brackets):
            break
        brackets, levels = inner, levels + 1
    depth = levels
    for byte in brackets:  # what is left: deeper than `limit`, or brackets that do not match
        depth += 1 if byte == _OPEN else -1
        if depth > limit:
            return True
    return levels > limit


def _unique_keys(pairs: list[tuple[str, object]]) -> dict:
    """An object hook refusing duplicate keys, which JSON parsers resolve differently."""
    document = dict(pairs)
    if len(document) != len(pairs):
        seen = set()
        duplicate = next(key for key, _ in pairs if key in seen or seen.add(key))
        raise ValueError(f"duplicate key {duplicate!r}")
    return document


_DECODER = json.JSONDecoder(object_pairs_hook=_unique_keys)


def _skip(text: str, pos: int) -> int:
    return _WHITESPACE.match(text, pos).end()


def _page_spans(text: str) -> list[str]:
    """The raw text of each element of the top-level `studies` array of valid JSON `text`."""
    pos = _skip(text, 0) + 1  # past the opening brace
    while True:
        pos = _skip(text, pos)
        if text[pos] == ",":
            pos = _skip(text, pos + 1)
        key, pos = json.decoder.scanstring(text, pos + 1)
        pos = _skip(text, _skip(text, pos) + 1)  # past the colon
        if key != "studies":
            pos = _DECODER.raw_decode(text, pos)[1]
            continue
        spans, pos = [], pos + 1  # past the opening bracket
        while True:
            pos = _skip(text, pos)
            if text[pos] == "]":
                return spans
            if text[pos] == ",":
                pos = _skip(text, pos + 1)
            end = _DECODER.raw_decode(text, pos)[1]
            spans.append(text[pos:end])
            pos = end


def parse(text: str, source: str) -> list[tuple[str, object, str]]:
    """The studies in one file's text, each as (source label, document, raw text).

    The caller has bounded the text's size and nesting (`api.loading.records.check`).
    """
    text = text.removeprefix("\ufeff")
    try:
        top = _DECODER.decode(text)
    except ValueError as error:
        raise RecordRefused(source, [Problem("", "json", f"not valid JSON: {error}")]) from None
    if isinstance(top, dict) and isinstance(top.get("studies"), list):
        return [(f"{source} studies[{index}]", document, raw) for index, (document, raw)
                in enumerate(zip(top["studies"], _page_spans(text), strict=True))]
    return [(source, top, text)]

"""`markupFormat`: markup fields as stored (markdown) or in the classic PRS text form.

The registry stores markup (descriptions, criteria, comments: every field whose catalogue
`registry_type` is `markup`) as CommonMark and offers `markupFormat=legacy` for clients
written against the classic PRS text (REFERENCE.md §10). The legacy form produced here:

- line ends are CRLF (a lone LF or CR becomes CRLF);
- a bullet item `* text` (also `- ` or `+ `) becomes `  - text`: the item's own indent plus
  two spaces, then a hyphen and one space, so `  * nested` becomes `    - nested`;
- a markdown backslash escape of ASCII punctuation (`\\>=`, `\\[`, `\\*`) becomes the bare
  character, and a backslash ending a line (a markdown hard break) is dropped;
- everything else (numbered items, blank lines, emphasis markers) is left as it is.

`markdown` returns the stored text byte for byte; `legacy` re-serialises the document with
its key order kept.
"""

from __future__ import annotations

import functools
import re

from api.formats.study import StudyText, dumps
from schemas.catalogue import catalogue

MARKUP_FORMATS = ("markdown", "legacy")

_LINE_END = re.compile(r"\r\n|\r|\n")
_BULLET = re.compile(r"^( *)[*+-] ")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_HARD_BREAK = re.compile(r"\\$")


def to_legacy(text: str) -> str:
    """One markup value converted from markdown to the classic PRS text form."""
    lines = []
    for line in _LINE_END.split(text):
        line = _BULLET.sub(lambda match: f"{match.group(1)}  - ", line, count=1)
        line = _HARD_BREAK.sub("", line)
        lines.append(_ESCAPE.sub(r"\1", line))
    return "\r\n".join(lines)


@functools.cache
def markup_paths() -> tuple[tuple[str, ...], ...]:
    """The wire-key paths of every markup field of the Study tree."""
    return tuple(node.keys for node in catalogue().nodes if node.registry_type == "markup")


def _convert(value, keys: tuple[str, ...]):
    """`value` with the markup strings at `keys` below it converted, in place."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            value[index] = _convert(item, keys)
        return value
    if not keys:
        return to_legacy(value) if isinstance(value, str) else value
    if isinstance(value, dict) and keys[0] in value:
        value[keys[0]] = _convert(value[keys[0]], keys[1:])
    return value


def legacy_document(document: dict) -> dict:
    """`document` (any projection of a study) with every markup field in legacy form."""
    for keys in markup_paths():
        _convert(document, keys)
    return document


def render_json(study: StudyText) -> str:
    """`format=json`: the study text, markup converted when `markupFormat=legacy`."""
    if study.markup != "legacy":
        return study.text
    return dumps(legacy_document(study.document))

"""`format=csv`: studies as rows of the registry's CSV columns (REFERENCE.md §11).

Built for one study and for a list page alike: `resolve_columns` turns `fields=` into the
columns to write, `csv_chunks` streams the header row (when asked for) and one row per study
as already-quoted text, so the first bytes leave before the last study is read.

Quoting is RFC 4180 (the standard `csv` module, minimal quoting: cells with a comma, quote or
line break are double-quoted, inner quotes doubled); rows end with CRLF; no byte-order mark.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from api.formats.csv_cells import COLUMNS
from api.formats.study import FieldsError, StudyText

MEDIA_TYPE = "text/csv; charset=utf-8"
_BY_NAME = {name.lower(): name for name in COLUMNS}


def resolve_columns(fields: list[str] | None) -> tuple[str, ...]:
    """The column names to write for `fields=`, in the registry's own column order.

    Without `fields` all 30 columns. Names match without regard to case; anything else
    (a JSON piece name such as `NCTId`) raises `FieldsError` with the registry's message.
    """
    if fields is None:
        return tuple(COLUMNS)
    wanted = set()
    for name in fields:
        column = _BY_NAME.get(name.strip().lower())
        if column is None:
            raise FieldsError(f"Parameter 'fields' contains invalid CSV column name: '{name}'")
        wanted.add(column)
    return tuple(name for name in COLUMNS if name in wanted)


def cell_values(document: dict, columns: tuple[str, ...]) -> list[str]:
    """One study's cells for `columns`, as text; absent values are empty strings."""
    values = (COLUMNS[name](document) for name in columns)
    return ["" if value is None else str(value) for value in values]


def csv_chunks(documents: Iterable[dict], columns: tuple[str, ...] | None = None,
               header: bool = True) -> Iterator[str]:
    """The header row (when `header`), then one CSV row per parsed study, each a text chunk;
    `columns` None: all of them."""
    columns = columns if columns is not None else tuple(COLUMNS)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def row(values) -> str:
        writer.writerow(values)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    if header:
        yield row(columns)
    for document in documents:
        yield row(cell_values(document, columns))


def select(fields: list[str] | None, query_areas=None) -> tuple[str, ...]:
    """What `fields=` selects for CSV: its columns (`resolve_columns`)."""
    return resolve_columns(fields)


def render(study: StudyText) -> str:
    """`GET /studies/{nctId}?format=csv`: the header row and the study's row."""
    return "".join(csv_chunks([study.document], study.selection))

"""The import report: every refused unit, one JSON line each, as it happens.

Written while the import runs, so that a million refusals cost no memory; the terminal is
shown only the first few. The file is made at the first line: a clean import leaves none.
Skipped files (not records) are not errors: the terminal lists the first few, the summary
counts them all.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Self

from api.loading.records import Refused
from api.sources import Skipped, Unreadable

SHOWN = 10  # refusals and skipped files echoed to the terminal, each


def default_path(folder: Path) -> Path:
    """`<folder>/reports/import-refused-<UTC time>.jsonl`."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return folder / "reports" / f"import-refused-{stamp}.jsonl"


def _line(event: Refused | Unreadable) -> dict:
    if isinstance(event, Unreadable):
        problems = [{"pointer": "", "rule": event.rule, "message": event.message}]
    else:
        problems = [{"pointer": p.pointer, "rule": p.rule, "message": p.message}
                    for p in event.problems]
    return {"source": event.label, "message": event.message, "problems": problems}


class ImportReport:
    """A load listener: refusals into the report file at `path`, the first few refusals
    and skipped files echoed.

    `path` given by the user is written as named; a default one (`exclusive`) never
    replaces an existing file: a second import within the same second gets `-2`, ...
    """

    def __init__(self, path: Path, echo: Callable[[str], None], *, exclusive: bool = False):
        self.path, self._echo, self._exclusive = path, echo, exclusive
        self._out = None
        self.shown = {"refused": 0, "skipped": 0}

    def __call__(self, event: Refused | Unreadable | Skipped) -> None:
        kind = "skipped" if isinstance(event, Skipped) else "refused"
        if kind == "refused":
            if self._out is None:
                self._out = self._open()
            self._out.write(json.dumps(_line(event), ensure_ascii=False) + "\n")
        if self.shown[kind] < SHOWN:
            self.shown[kind] += 1
            self._echo(f"skipped: {event.label}: {event.reason}" if kind == "skipped"
                       else f"refused: {event.message}")

    def _open(self):
        # Line-buffered: each refusal reaches the file as it happens, even if killed.
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self._exclusive:
            return self.path.open("w", encoding="utf-8", buffering=1)
        stem, number = self.path.stem, 1
        while True:
            try:
                return self.path.open("x", encoding="utf-8", buffering=1)
            except FileExistsError:
                number += 1
                self.path = self.path.with_name(f"{stem}-{number}{self.path.suffix}")

    @property
    def written(self) -> bool:
        """Whether the report file was made."""
        return self._out is not None

    def close(self) -> None:
        """Finish the file (the import is over)."""
        if self._out is not None:
            self._out.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

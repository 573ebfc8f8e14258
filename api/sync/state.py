"""Where a sync stands, as the store keeps it: the run in progress and the last complete one.

Two checkpoint entries per upstream (`sync:<base URL>:<name>`), written in the same
transaction as the studies they describe (`api.store.Checkpoint`):

- `run`: the run in progress, as JSON (`RunState`): its query (`since`), the token of the
  next page, how far it got. A rerun after a crash or a stop continues from there.
- `complete`: when the last complete run started (UTC `yyyy-MM-ddTHH:MM:SS`), the high-water
  mark: the next run asks for studies updated since that day less one.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import date, timedelta

from api.store import Store

# The registry dates updates by day, and a study updated on the day a run starts may be
# posted after the run read that part of the list: the next run goes back one more day.
OVERLAP = timedelta(days=1)


def key(base: str, name: str) -> str:
    """The checkpoint key of `name` for the upstream at `base`."""
    return f"sync:{base}:{name}"


@dataclass(frozen=True)
class RunState:
    """One run: when it started (also its id), whether it is `--full`, the day its query
    starts from (`since`, None: every study), and how far it got: the next page's `token`
    (None: the first page), pages and studies listed so far, the upstream's total, and
    whether every page is in (`walked`: only the reconcile is left)."""

    started: str
    full: bool
    since: str | None
    token: str | None = None
    pages: int = 0
    listed: int = 0
    total: int | None = None
    walked: bool = False

    def text(self) -> str:
        """The state as the checkpoint entry's value."""
        return json.dumps(dataclasses.asdict(self), separators=(",", ":"))

    @classmethod
    def from_text(cls, text: str | None) -> RunState | None:
        """The state an entry holds; None for none (or one this version cannot read)."""
        try:
            return cls(**json.loads(text)) if text else None
        except (TypeError, ValueError):
            return None

    def run_id(self, base: str) -> str:
        """The id a `--full` run records the studies it saw under."""
        return key(base, self.started)

    def after_page(self, token: str | None, listed: int, total: int | None) -> RunState:
        """The state once a page listing `listed` studies is in; `token` is the next one's."""
        return dataclasses.replace(self, token=token, pages=self.pages + 1,
                                   listed=self.listed + listed,
                                   total=self.total if total is None else total,
                                   walked=token is None)

    def from_start(self) -> RunState:
        """The same run's query again from its first page."""
        return dataclasses.replace(self, token=None, pages=0, listed=0, walked=False)


def since_day(complete: str | None) -> str | None:
    """The first day an incremental run asks for, after a complete run started at
    `complete`; None when there was none (the first run takes everything)."""
    if not complete:
        return None
    return (date.fromisoformat(complete[:10]) - OVERLAP).isoformat()


def plan(store: Store, base: str, full: bool, now: str) -> tuple[RunState, bool]:
    """The run to do: the one in progress (and True), or a new one starting `now`.

    A run in progress is continued, a `--full` one even when an update was asked for (it
    takes every study, and ends with its reconcile); `--full` asked while an update is in
    progress starts a full run instead (the update's progress is dropped with it).
    """
    entries = store.progress(key(base, ""))
    current = RunState.from_text(entries.get(key(base, "run")))
    if current is not None and (current.full or not full):
        return current, True
    since = None if full else since_day(entries.get(key(base, "complete")))
    return RunState(started=now, full=full, since=since), False

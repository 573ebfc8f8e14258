"""Writing checked units to the store in batches, and the report of what a load did.

Units arrive checked (`api.loading.pool`), in input order, and are written about
`batch_size` studies per transaction: an interrupted load keeps every batch written
before. Several versions of one study may arrive in one run, in one batch or several:
the store keeps the latest (`Store.put`). Before a unit joins a batch its ids and aliases
are checked against what is stored and what the batch will write (`guard.alias_clashes`),
so a clash refuses that unit alone.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from api.loading.pool import checked
from api.loading.records import DEFAULT_LIMITS, Accepted, Limits, Refused
from api.loading.stopping import GracefulStop, StopRequested
from api.loading.unchanged import recognised
from api.sources import Skipped, Unreadable
from api.store import Record, Store, WriteResult
from schemas import guard
from schemas.guard import Problem, RecordRefused

# Refusals and skipped files a report keeps for its caller; a listener sees every one.
KEPT = 100
OUTCOMES = ("added", "replaced", "unchanged", "outdated")


@dataclass
class LoadReport:
    """What a load did: studies by outcome, units stored, units refused or skipped.

    `refused` and `skipped` keep the first `KEPT` (label -> why), the counts every one:
    a run of a million bad lines holds no more memory than one of ten.
    """

    counts: Counter = field(default_factory=Counter)
    units: int = 0
    refused: dict[str, str] = field(default_factory=dict)
    problems: dict[str, list[Problem]] = field(default_factory=dict)
    refused_count: int = 0
    skipped: dict[str, str] = field(default_factory=dict)
    skipped_count: int = 0
    stopped: bool = False

    def count(self, what: str) -> int:
        """How many studies were `added`, `replaced`, `unchanged` or `outdated`."""
        return self.counts[what]

    def written(self, result: WriteResult, units: int) -> None:
        """Count one successful write of `units` units."""
        for what in OUTCOMES:
            self.counts[what] += len(getattr(result, what))
        self.units += units

    def note(self, event: Refused | Unreadable | Skipped) -> None:
        """Count a refused or skipped unit, keeping the first few."""
        if isinstance(event, Skipped):
            self.skipped_count += 1
            if len(self.skipped) < KEPT:
                self.skipped[event.label] = event.reason
            return
        self.refused_count += 1
        if len(self.refused) < KEPT:
            self.refused[event.label] = event.message
            self.problems[event.label] = getattr(event, "problems", [])

    def summary(self) -> str:
        """One line for people."""
        return (f"{self.units} loaded: {self.count('added')} added, "
                f"{self.count('replaced')} replaced, {self.count('unchanged')} unchanged, "
                f"{self.count('outdated')} older than stored; {self.refused_count} refused; "
                f"{self.skipped_count} skipped (not records)")


class _Batch:
    """Checked units waiting to be written, and the ids and aliases they will add."""

    def __init__(self, store: Store):
        self.store = store
        self._clear()

    def _clear(self) -> None:
        self.units: list[tuple[str, list[Record]]] = []
        self.size = 0
        self._studies: set[str] = set()
        self._aliases: dict[str, str] = {}

    def clashes(self, records: list[Record]) -> list[Problem]:
        """What adding `records` (one unit) would make ambiguous; [] if nothing."""
        studies, aliases, found = set(), {}, []

        def owner_of(nct_id: str) -> str | None:
            return (aliases.get(nct_id) or self._aliases.get(nct_id)
                    or self.store.canonical_id(nct_id))

        def is_study(nct_id: str) -> bool:
            return (nct_id in studies or nct_id in self._studies
                    or self.store.get(nct_id) is not None)

        for record in records:
            found += guard.alias_clashes(record.nct_id, record.aliases,
                                         owner_of=owner_of, is_study=is_study)
            studies.add(record.nct_id)
            aliases.update(dict.fromkeys(record.aliases, record.nct_id))
        return found

    def add(self, label: str, records: list[Record]) -> None:
        """Queue one unit's records."""
        self.units.append((label, records))
        self.size += len(records)
        for record in records:
            self._studies.add(record.nct_id)
            self._aliases.update(dict.fromkeys(record.aliases, record.nct_id))

    def write(self, report: LoadReport, note: Callable) -> None:
        """Store the batch in one transaction and empty it."""
        if not self.units:
            return
        try:
            report.written(self.store.put([r for _, records in self.units for r in records]),
                           len(self.units))
        except RecordRefused:
            # Another writer stored a clashing record since the check: unit by unit, so
            # that only the clashing unit is refused.
            for label, records in self.units:
                try:
                    report.written(self.store.put(records), 1)
                except RecordRefused as refusal:
                    note(Refused(label, label, refusal.problems))
        self._clear()


def load(store: Store, items: Iterable, *, batch_size: int = 500, workers: int = 1,
         limits: Limits = DEFAULT_LIMITS, progress: Callable[[int], None] | None = None,
         listener: Callable | None = None, stop: GracefulStop | None = None) -> LoadReport:
    """Check every unit and store the accepted ones, about `batch_size` studies a commit.

    `listener` sees each refused or skipped unit as it happens (`Refused`, `Unreadable`,
    `Skipped`); `stop`, once requested, ends the load after the batch in hand
    (`report.stopped`).
    """
    report, batch = LoadReport(), _Batch(store)
    stop = stop or GracefulStop()

    def note(event) -> None:
        report.note(event)
        if listener is not None:
            listener(event)

    def write() -> None:
        with stop.writing():
            batch.write(report, note)

    try:
        with contextlib.closing(checked(recognised(items, store), workers, limits)) as outcomes:
            for outcome in outcomes:
                if not isinstance(outcome, Accepted):
                    note(outcome)
                elif problems := batch.clashes(outcome.records):
                    note(Refused(outcome.label, outcome.label, problems))
                else:
                    batch.add(outcome.label, outcome.records)
                    if batch.size >= batch_size:
                        write()
                if progress is not None and not isinstance(outcome, Skipped):
                    progress(1)
                if stop.requested:
                    raise StopRequested
    except StopRequested:
        report.stopped = True
    write()
    return report

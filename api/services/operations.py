"""What an operator asks: is the process up, can it serve its store, how did the last import
and the last sync end.

Imports and syncs run as commands, in processes of their own, and a deployment may have
many servers: each run's outcome is recorded in the store (a checkpoint entry, under
`RUNS_PREFIX`), where every server process reads it for `/metrics`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

from api.exceptions import Unavailable
from api.loading import LoadReport
from api.loading.batches import OUTCOMES as STUDY_OUTCOMES
from api.loading.stopping import StopRequested
from api.store import StoreError
from api.store.base import Checkpoint, Store

log = logging.getLogger(__name__)

RUNS_PREFIX = "operations:"
COMMANDS = ("import", "sync")
# ok: everything read was stored; refused: the rest was, some records were refused;
# stopped: by a signal, what was written is kept; failed: an error ended it (the upstream,
# the store).
RUN_OUTCOMES = ("ok", "refused", "stopped", "failed")
# What a run's records came to: the studies by outcome, then the units refused or skipped.
RECORD_RESULTS = (*STUDY_OUTCOMES, "refused", "skipped")


def readiness(store: Store) -> str:
    """One line saying the store serves (`/ready`), and how far behind the primary its read
    replica is if it has one; `Unavailable`, saying why, when it does not serve."""
    reason = store.unavailable_reason()
    if reason is not None:
        raise Unavailable(f"not ready: {reason}")
    lag = store.replica_lag()
    # Reads from a standby: how stale they may be is the one thing a balancer cannot see.
    return "ready" if lag is None else f"ready; reads from a replica {lag:.1f} s behind the primary"


@dataclass
class Run:
    """One run of a command: when it started and finished (Unix time), how long it took,
    how it ended, and what its records came to (`RECORD_RESULTS`)."""

    command: str
    started: float
    finished: float | None = None
    seconds: float | None = None
    outcome: str | None = None
    records: dict[str, int] = field(default_factory=dict)

    def loaded(self, report: LoadReport) -> None:
        """What the run's load did: its counts, and the outcome they make if nothing else
        ends the run."""
        self.records = {what: report.count(what) for what in STUDY_OUTCOMES}
        self.records |= {"refused": report.refused_count, "skipped": report.skipped_count}
        self.outcome = ("stopped" if report.stopped else
                        "refused" if report.refused_count else "ok")

    def ended(self, error: BaseException | None) -> None:
        """Settle the outcome: the load's when the run ends normally or by `SystemExit`
        (`api.cli.finish` exits so for refusals and stops), else what `error` says."""
        if error is None or (isinstance(error, SystemExit) and (self.outcome or not error.code)):
            self.outcome = self.outcome or "ok"
        elif isinstance(error, (StopRequested, KeyboardInterrupt)):
            self.outcome = "stopped"
        else:
            self.outcome = "failed"

    def text(self) -> str:
        """The run as stored (JSON)."""
        return json.dumps(asdict(self))


@contextlib.contextmanager
def recorded_run(store: Store, command: str) -> Iterator[Run]:
    """Run the block as one run of `command` and record how it ended in `store`, whatever
    ends it; the block hands over its load with `run.loaded(report)`."""
    run, began = Run(command, started=time.time()), time.monotonic()
    try:
        yield run
    except BaseException as error:
        run.ended(error)
        raise
    else:
        run.ended(None)
    finally:
        run.seconds, run.finished = round(time.monotonic() - began, 3), time.time()
        try:
            store.put([], Checkpoint(entries={RUNS_PREFIX + "last-" + command: run.text()}))
        except StoreError as error:  # the store may be what failed
            log.warning("the outcome of this %s could not be recorded: %s", command, error)


def last_runs(store: Store) -> dict[str, Run]:
    """The last recorded run of each command that has one, by command."""
    runs = {}
    for key, text in store.progress(RUNS_PREFIX).items():
        command = key.removeprefix(RUNS_PREFIX + "last-")
        try:
            runs[command] = Run(**json.loads(text))
        except (ValueError, TypeError):  # written by another release: not ours to read
            continue
    return runs

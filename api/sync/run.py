"""One sync run: page through the upstream's `/studies`, store each page with its
checkpoint, and, for a `--full` run, reconcile at the end.

Pages stream through the loader's own steps (`api.loading`): a study stored already, byte
for byte, is recognised by its tag and costs nothing; every other goes through the guard
(in worker processes when `workers` > 1); a refused study is reported and the run goes on.
Each page is written in one transaction together with the state that says the page is in
(`api.sync.state`), so a run killed at any point continues, on the next run, from the
first page not committed: no study is lost, none stored twice, no history version doubled.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from api.loading import GracefulStop, Limits, LoadReport
from api.loading.pool import checked
from api.loading.records import Accepted, Refused
from api.loading.stopping import StopRequested
from api.loading.unchanged import recognised
from api.store import Record, Store
from api.store.base import Checkpoint, utc_timestamp
from api.sync.client import Upstream, UpstreamError, UpstreamRefused
from api.sync.pages import read_page
from api.sync.state import RunState, key, plan
from schemas.guard import RecordRefused

MAX_PAGE_SIZE = 1000  # the registry's largest pageSize
# How many times one invocation starts its query again when the upstream refuses a page
# token (an expired one, or one of a server that was restarted with other data).
RESTARTS = 3
REMOVE_BATCH = 1000  # studies removed per transaction by a reconcile
CHUNK = 64  # units a checking process takes at a time (`api.loading.pool.checked`)


@dataclass(frozen=True)
class PageEnd:
    """Marks the end of one page's units in the stream: the state once it is in, the ids
    it listed."""

    state: RunState
    listed: tuple[str, ...]


@dataclass(frozen=True)
class Failed:
    """Ends the stream when the upstream could not be read: an item, not an exception
    raised inside the stream (perhaps in the checking processes' reader thread), so
    that the run raises it itself, in its own thread, once every page before is written."""

    message: str


@dataclass
class SyncReport:
    """What one invocation did: the loader's counts (added, replaced, ..., refused), pages
    written, studies removed by the reconcile, and where the run stands."""

    load: LoadReport = field(default_factory=LoadReport)
    pages: int = 0
    listed: int = 0
    removed: int = 0
    state: RunState | None = None
    resumed: bool = False
    complete: bool = False

    @property
    def stopped(self) -> bool:
        """Whether a stop signal ended the run early."""
        return self.load.stopped

    def summary(self) -> str:
        """One line for people."""
        load = self.load
        return (f"{self.pages} pages, {self.listed} studies: {load.count('added')} added, "
                f"{load.count('replaced')} replaced, {load.count('unchanged')} unchanged, "
                f"{load.count('outdated')} older than stored, {self.removed} removed; "
                f"{load.refused_count} refused")


@dataclass
class Options:
    """How a run reads and writes: page size, guard limits, checking processes; `notify`
    hears one-line news (a resumed run, a restarted query), `progress(n, total)` each page."""

    page_size: int = MAX_PAGE_SIZE
    limits: Limits = field(default_factory=Limits)
    workers: int = 1
    notify: Callable[[str], None] = lambda line: None
    progress: Callable[..., None] = lambda done, total=None: None
    listener: Callable | None = None


class SyncRun:
    """A sync of `store` from `upstream`, full (every study, then a reconcile) or not."""

    def __init__(self, store: Store, upstream: Upstream, full: bool, options: Options,
                 stop: GracefulStop | None = None):
        self.store, self.upstream, self.options = store, upstream, options
        self.stop = stop or GracefulStop()
        self.base = upstream.base
        self.state, resumed = plan(store, self.base, full, utc_timestamp())
        self.report = SyncReport(state=self.state, resumed=resumed)

    def run(self) -> SyncReport:
        """Do the run (or what is left of it). Raises `UpstreamError` when the upstream
        cannot be read: every page written is kept, the high-water mark is unchanged."""
        try:
            if not self.state.walked:
                self._walk()
            if self.stop.requested:
                raise StopRequested
            self._finish()
        except StopRequested:
            self.report.load.stopped = True
        return self.report

    # -- paging ------------------------------------------------------------------------

    def _params(self, state: RunState) -> dict[str, str]:
        params = {"pageSize": str(self.options.page_size)}
        if state.since:
            params["filter.advanced"] = f"AREA[LastUpdatePostDate]RANGE[{state.since},MAX]"
        if state.token:
            params["pageToken"] = state.token
        else:
            params["countTotal"] = "true"
        return params

    def _stream(self) -> Iterator:
        """The units of each page, then its `PageEnd`, page after page to the last.

        Each page is padded (with None) to a whole number of the checking processes'
        chunks, so that a page is written as soon as it is checked, not when the next
        page's studies have filled its last chunk (nor lost with them if that one fails).
        """
        state, restarts, items = self.state, 0, 0
        while not state.walked:
            try:
                body, value = self.upstream.get_json("/studies", self._params(state))
            except UpstreamError as error:
                if not isinstance(error, UpstreamRefused) or state.token is None \
                        or restarts == RESTARTS:
                    yield Failed(str(error))
                    return
                restarts += 1
                self.options.notify(f"upstream refused the page token ({error.status}: "
                                    f"{error.message}); reading the run's query again from "
                                    "its first page (unchanged studies cost nothing)")
                state = state.from_start()
                continue
            page = read_page(body, value, f"{self.base}/studies page {state.pages + 1}")
            yield from page.units
            state = state.after_page(page.next_token, len(page.listed), page.total)
            yield PageEnd(state, page.listed)
            items += len(page.units) + 1
            yield from [None] * (-items % CHUNK)
            items += -items % CHUNK

    def _walk(self) -> None:
        units: list[tuple[str, list[Record]]] = []
        items = checked(recognised(self._stream(), self.store), self.options.workers,
                        self.options.limits, chunk_size=CHUNK)
        with contextlib.closing(items):
            for item in items:
                if isinstance(item, Accepted):
                    units.append((item.label, item.records))
                elif isinstance(item, Refused):
                    self._note(item)
                elif isinstance(item, Failed):
                    raise UpstreamError(item.message)
                elif isinstance(item, PageEnd):
                    self._write_page(units, item)
                    units = []
                    if self.stop.requested:
                        raise StopRequested

    def _note(self, event) -> None:
        self.report.load.note(event)
        if self.options.listener is not None:
            self.options.listener(event)

    # -- writing -----------------------------------------------------------------------

    def _checkpoint(self, state: RunState, seen: tuple[str, ...] = ()) -> Checkpoint:
        run = state.run_id(self.base) if state.full else None
        return Checkpoint({key(self.base, "run"): state.text()}, run=run,
                          seen=seen if run else ())

    def _write_page(self, units: list[tuple[str, list[Record]]], end: PageEnd) -> None:
        """The page's studies and its state, in one transaction; a page holding a study
        that clashes with stored ones (`RecordRefused`) study by study, then its state."""
        checkpoint = self._checkpoint(end.state, end.listed)
        load = self.report.load
        with self.stop.writing():
            try:
                load.written(self.store.put([r for _, records in units for r in records],
                                            checkpoint), len(units))
            except RecordRefused:
                for label, records in units:
                    try:
                        load.written(self.store.put(records), 1)
                    except RecordRefused as refusal:
                        self._note(Refused(label, label, refusal.problems))
                load.written(self.store.put([], checkpoint), 0)
        first = self.report.pages == 0  # a resumed run's bar starts where the run is
        self.state = self.report.state = end.state
        self.report.pages += 1
        self.report.listed += len(end.listed)
        self.options.progress(end.state.listed if first else len(end.listed),
                              end.state.total)

    def _finish(self) -> None:
        """The end of a walked run: a full one's reconcile, then the high-water mark moves
        to the run's start and the run is forgotten."""
        done = Checkpoint({key(self.base, "run"): None,
                           key(self.base, "complete"): self.state.started})
        if not self.state.full:
            with self.stop.writing():
                self.store.put([], done)
        else:
            self._reconcile()
            with self.stop.writing():
                self.store.end_run(self.state.run_id(self.base), done)
        self.report.complete = True

    def _reconcile(self) -> None:
        """Remove the studies the full run did not see (their history stays)."""
        gone = self.store.unseen(self.state.run_id(self.base))
        if gone and not self.state.listed:
            raise UpstreamError(f"{self.base}/studies listed no study: a full sync removes "
                                f"nothing then (the store holds {len(gone):,})")
        for start in range(0, len(gone), REMOVE_BATCH):
            with self.stop.writing():
                removed = self.store.remove(gone[start:start + REMOVE_BATCH],
                                            self._checkpoint(self.state))
            self.report.removed += len(removed)
            if self.stop.requested:
                raise StopRequested

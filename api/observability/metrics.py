"""`/metrics`: the server's metrics in the Prometheus text format, by `prometheus_client`.

Two kinds. Request metrics are counted by each process as it answers (`Metrics.observe`):
served by several worker processes (`python -m api.serving`), each writes its counts to
files in `PROMETHEUS_MULTIPROC_DIR`, which the serving code makes for its workers, and a
scrape of any worker sums every worker's (the library's multiprocess mode). The store's
metrics are read from the store at each scrape (`StoreCollector`), so every process and
every instance on one database says the same: the studies stored, the generation and data
timestamp, the replica's lag, and how the last import and sync ended (recorded in the store
by those commands, `api.services.operations`).

Imported only when an app is built (`api.observability.init_app`): the library decides
between one process's memory and the shared files when it is first imported.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from prometheus_client import (CollectorRegistry, Counter, Histogram, disable_created_metrics,
                               multiprocess)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder

from api.services import operations
from api.store import StoreError
from api.store.base import Store

PREFIX = "trials_"
# Seconds: a study by id takes about a millisecond, a costly search up to the time budget.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def multiprocess_mode() -> bool:
    """Whether this process's counts go to files shared with the other workers (as the
    library decides: the variable is set)."""
    return "PROMETHEUS_MULTIPROC_DIR" in os.environ


class Metrics:
    """The request metrics of one app, and what a scrape of it answers."""

    def __init__(self, store: Callable[[], Store]):
        # `*_created` series: not in multiprocess mode, so in neither (the same scrape).
        disable_created_metrics()
        # A registry of the app's own (not the library's global one): apps built in one
        # process (tests) count apart.
        self.registry = CollectorRegistry()
        self.requests = Counter(
            PREFIX + "http_requests", "Requests answered, by route template, method and status.",
            ["route", "method", "status"], registry=self.registry)
        self.latency = Histogram(
            PREFIX + "http_request_duration_seconds",
            "Time to answer a request, by route template (to its last byte when streamed).",
            ["route"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self._series: dict[tuple[str, str, int], tuple] = {}
        if multiprocess_mode():
            self.scraped = CollectorRegistry()
            multiprocess.MultiProcessCollector(self.scraped)
        else:
            self.scraped = self.registry
        self.scraped.register(StoreCollector(store))

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count one answer."""
        key = (route, method, status)
        series = self._series.get(key)
        if series is None:  # the library's label lookup, once per series
            series = (self.requests.labels(route, method, str(status)),
                      self.latency.labels(route))
            self._series[key] = series
        series[0].inc()
        series[1].observe(seconds)

    def exposition(self, accept: str | None) -> tuple[bytes, str]:
        """Every metric, in the format `accept` asks for (Prometheus text by default, or
        OpenMetrics), and its media type."""
        encoder, content_type = choose_encoder(accept)
        return encoder(self.scraped), content_type


class StoreCollector:
    """The store's state, read at each scrape. While the store cannot be read,
    `trials_store_up` is 0 and the rest is left out (no stale figures)."""

    def __init__(self, store: Callable[[], Store]):
        self.store = store

    def collect(self) -> Iterator[Metric]:
        """The metrics, read from the store now."""
        store = self.store()
        up = GaugeMetricFamily(PREFIX + "store_up", "1 while the store answers, else 0.")
        try:
            if store.unavailable_reason() is not None:
                raise StoreError("not ready")
            metrics = [*_store_state(store), *_last_runs(operations.last_runs(store))]
        except StoreError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from metrics


def _gauge(name: str, documentation: str, value: float, labels=None) -> GaugeMetricFamily:
    return GaugeMetricFamily(PREFIX + name, documentation, value=value, labels=labels)


def _store_state(store: Store) -> Iterator[Metric]:
    yield _gauge("studies", "Studies stored.", store.count())
    yield _gauge("store_generation", "Changes with every write that changes data.",
                 store.generation())
    changed = store.data_timestamp()
    if changed is not None:
        when = datetime.fromisoformat(changed).replace(tzinfo=UTC).timestamp()
        yield _gauge("store_data_timestamp_seconds", "When the data last changed (Unix time).",
                     when)
    lag = store.replica_lag()
    if lag is not None:  # reads go to the primary: there is no lag to tell
        yield _gauge("replica_lag_seconds", "How far the read replica is behind the primary.",
                     lag)


def _last_runs(runs: dict[str, operations.Run]) -> Iterator[Metric]:
    """How the last run of each command ended: when, in how long, the outcome (1 for the
    one it had, 0 for the others) and what its records came to."""
    labels = ["command"]
    finished = GaugeMetricFamily(PREFIX + "last_run_timestamp_seconds",
                                 "When the last import or sync finished (Unix time).",
                                 labels=labels)
    seconds = GaugeMetricFamily(PREFIX + "last_run_duration_seconds",
                                "How long the last import or sync took.", labels=labels)
    outcome = GaugeMetricFamily(PREFIX + "last_run_outcome",
                                "How the last import or sync ended: 1 for its outcome.",
                                labels=[*labels, "outcome"])
    records = GaugeMetricFamily(PREFIX + "last_run_records",
                                "The last import's or sync's records, by what became of them.",
                                labels=[*labels, "result"])
    for command, run in sorted(runs.items()):
        finished.add_metric([command], run.finished or run.started)
        seconds.add_metric([command], run.seconds or 0.0)
        for name in operations.RUN_OUTCOMES:
            outcome.add_metric([command, name], float(run.outcome == name))
        for result in operations.RECORD_RESULTS:
            if result in run.records:
                records.add_metric([command, result], run.records[result])
    if runs:
        yield from (finished, seconds, outcome, records)

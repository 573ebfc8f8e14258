"""Checking units in worker processes, in order, while the parent writes.

Workers must never outlive the import: killed with `kill -9`, the parent cannot tell them
to stop, so each worker watches for itself. On Linux the kernel sends it SIGKILL when its
parent dies (`PR_SET_PDEATHSIG`); everywhere a watchdog thread sees the parent's pid go
away within half a second. Workers ignore Ctrl-C (the terminal sends it to the whole
process group): the parent decides when the import stops, and then stops them.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import itertools
import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor

from api.loading.records import DEFAULT_LIMITS, Limits, check
from api.sources import Unit

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
WATCH_INTERVAL = 0.5  # seconds between two looks at the parent's pid
_END = object()  # the reader thread's last entry


def _die_with_parent(parent: int) -> None:
    """Worker initializer: exit as soon as process `parent` is gone; leave Ctrl-C to it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's graceful handler
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)
    threading.Thread(target=_watch, args=(parent,), name="parent-watchdog", daemon=True).start()


def _watch(parent: int) -> None:
    """Exit the worker when its parent has gone (it is then re-parented)."""
    while os.getppid() == parent:
        time.sleep(WATCH_INTERVAL)
    os._exit(1)


def _check_all(units: list[Unit], limits: Limits) -> list:
    return [check(unit, limits) for unit in units]


def _with_results(chunk: list, results: list) -> Iterator:
    """The outcome of each item of `chunk`: units checked, anything else as it is."""
    checked = iter(results)
    for item in chunk:
        yield next(checked) if isinstance(item, Unit) else item


def _context():
    """`fork` while this process runs no other thread, else `spawn`.

    Forking a process that runs threads can copy a lock another thread holds (Python 3.12
    warns of it), so a threaded caller (a test run, a server) gets `spawn`; the command
    line runs none yet, and forks: a spawned worker imports the application again before
    its first answer, at every import. Either way the workers are the
    parent's own children, so the watchdog's parent pid is right (`forkserver` would make
    them its children).
    """
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _done(result) -> Future:
    future: Future = Future()
    future.set_result(result)
    return future


def _hand_over(queue_: queue.Queue, entry, stopping: threading.Event) -> None:
    """Put `entry` in the queue, unless the consumer has gone meanwhile."""
    while not stopping.is_set():
        try:
            queue_.put(entry, timeout=0.1)
            return
        except queue.Full:
            continue


def _feed(items: Iterable, pool: ProcessPoolExecutor, limits: Limits, chunk_size: int,
          in_flight: queue.Queue, stopping: threading.Event, finished: threading.Event) -> None:
    """Reader thread: read the sources, submit chunks to the pool, queue them in order.

    A spawning pool starts a worker when a task finds none idle, from the thread that
    submits it: this one. PR_SET_PDEATHSIG kills a worker when the thread that started it
    ends, so this thread ends only once the import is `finished` with the workers. A chunk
    with nothing to check (a re-import's recognised studies) starts no spawned worker.
    """
    try:
        iterator = iter(items)
        while not stopping.is_set() and (chunk := list(itertools.islice(iterator, chunk_size))):
            units = [item for item in chunk if isinstance(item, Unit)]
            future = pool.submit(_check_all, units, limits) if units else _done([])
            _hand_over(in_flight, (chunk, future), stopping)
        _hand_over(in_flight, _END, stopping)
    except BaseException as error:  # noqa: BLE001 - raised again in the consumer
        _hand_over(in_flight, error, stopping)
    finished.wait()


def checked(items: Iterable, workers: int, limits: Limits = DEFAULT_LIMITS,
            chunk_size: int = 64) -> Iterator:
    """`check` over the units among `items`, in order; in worker processes when `workers`
    > 1. Items that are not units (unreadable or skipped sources) pass through in place.

    With workers, a reader thread reads the sources and keeps up to four chunks a worker
    in flight, so the workers check while this thread writes, and a slow source (a pipe)
    is written as it comes. Closing the iterator early (a stopped import) cancels the
    chunks not yet started and waits only for those being checked.
    """
    if workers <= 1:
        for item in items:
            yield check(item, limits) if isinstance(item, Unit) else item
        return
    context = _context()
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context,
                               initializer=_die_with_parent, initargs=(os.getpid(),))
    if context.get_start_method() == "fork":
        # A forking pool starts every worker at the first task: here, while this is the
        # only thread (the reader thread starts below).
        pool.submit(int).result()
    in_flight: queue.Queue = queue.Queue(maxsize=4 * workers)
    stopping, finished = threading.Event(), threading.Event()
    threading.Thread(target=_feed, name="import-reader", daemon=True,
                     args=(items, pool, limits, chunk_size, in_flight, stopping,
                           finished)).start()
    try:
        while (entry := in_flight.get()) is not _END:
            if isinstance(entry, BaseException):
                raise entry
            chunk, future = entry
            yield from _with_results(chunk, future.result())
    finally:
        stopping.set()
        pool.shutdown(wait=True, cancel_futures=True)
        finished.set()

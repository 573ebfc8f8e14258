"""Stopping an import cleanly on SIGTERM or Ctrl-C (SIGINT).

The first signal stops the import after the batch being written: outside a write it
interrupts whatever the loader waits for (a slow standard input, a worker's answer) by
raising `StopRequested`; during a write it only sets a flag, so the batch commits. A
second signal raises `KeyboardInterrupt` at once (the batch in progress rolls back).
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class StopRequested(Exception):
    """A stop signal arrived: finish the batch in hand and stop."""


class GracefulStop:
    """Which stop signal arrived, if any; `writing()` shields a write from the first one."""

    def __init__(self) -> None:
        self.signal: int | None = None
        self._writing = False

    @property
    def requested(self) -> bool:
        """Whether a stop signal has arrived."""
        return self.signal is not None

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """A stretch (one transaction) that the first signal lets finish."""
        self._writing = True
        try:
            yield
        finally:
            self._writing = False

    def _handle(self, signum: int, _frame) -> None:
        if self.signal is not None:
            raise KeyboardInterrupt
        self.signal = signum
        if not self._writing:
            raise StopRequested

    @contextlib.contextmanager
    def installed(self) -> Iterator[GracefulStop]:
        """Handle SIGINT and SIGTERM while the block runs (in the main thread only: Python
        delivers signals there), then put the previous handlers back."""
        if threading.current_thread() is not threading.main_thread():
            yield self
            return
        previous = {number: signal.signal(number, self._handle) for number in SIGNALS}
        try:
            yield self
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)

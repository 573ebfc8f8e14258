"""What an operator's probes ask: is the process up, can it serve its store."""

from __future__ import annotations

from api.exceptions import Unavailable
from api.store.base import Store


def readiness(store: Store) -> str:
    """One line saying the store serves (`/ready`); `Unavailable`, saying why, when not."""
    reason = store.unavailable_reason()
    if reason is not None:
        raise Unavailable(f"not ready: {reason}")
    return "ready"

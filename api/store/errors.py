"""Why a store cannot be opened or written: each message is one line, fit to show a user."""

from api.exceptions import Unavailable


class StoreError(RuntimeError):
    """The store cannot be used as it is; the message says why and what to do."""


class StoreLayoutError(StoreError):
    """The store's layout (schema, index layout) is not the one this code reads."""


# What repairs an index written under another layout, on either backend.
REBUILD_COMMAND = "flask --app api index rebuild"


def stale_index(name: str) -> StoreLayoutError:
    """The refusal of store `name`, whose index was written under another index layout."""
    return StoreLayoutError(
        f"{name}: its search index was built for another index layout than this version "
        f"derives from the catalogue; rebuild it with `{REBUILD_COMMAND}` (with the same "
        "TRIALS_DATABASE_URL)")


class StoreBusy(StoreError):
    """The write lock stayed taken by another process for longer than the budget."""


class StoreUnavailable(Unavailable, StoreError):
    """The database cannot be reached now (refused, lost, the pool's wait ran out): a 503
    with Retry-After to a client, a one-line failure to a command; it heals when the
    database is back, with no restart."""

"""Why a store cannot be opened or written: each message is one line, fit to show a user."""


class StoreError(RuntimeError):
    """The store cannot be used as it is; the message says why and what to do."""


class StoreLayoutError(StoreError):
    """The store's layout (schema, index layout) is not the one this code reads."""


class StoreBusy(StoreError):
    """The write lock stayed taken by another process for longer than the budget."""

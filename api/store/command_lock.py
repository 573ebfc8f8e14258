"""One long-running command of a kind at a time on a store file: a lock file beside it.

Two `sync` runs started together (an overlapping cron job, a second terminal) would each
commit their own progress over the other's. The lock is an advisory `flock` on
`<store file>.<name>.lock`: the kernel lets it go when its process ends however it ends
(`kill -9` included), so a stale lock never has to be cleared by hand. The file holds the
holder's process id, for the message another process shows.
"""

from __future__ import annotations

import contextlib
import os

from api.store.errors import StoreBusy

try:
    import fcntl
except ImportError:  # not POSIX: no advisory locks, commands are not kept apart
    fcntl = None


@contextlib.contextmanager
def held(store_path: str, name: str, purpose: str):
    """Hold the `name` lock of the store at `store_path` for the block; `StoreBusy` at once
    if another process holds it (`purpose` says what this one wanted to do)."""
    path = f"{store_path}.{name}.lock"
    if fcntl is None:
        yield
        return
    with open(path, "a+", encoding="ascii") as file:
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.seek(0)
            holder = file.read().strip() or "another process"
            raise StoreBusy(f"{store_path}: cannot {purpose}: process {holder} is doing it "
                            f"(it holds {path}); try again when it is done") from None
        file.truncate(0)
        file.write(str(os.getpid()))
        file.flush()
        try:
            yield
        finally:
            file.truncate(0)
            fcntl.flock(file, fcntl.LOCK_UN)

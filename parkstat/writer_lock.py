"""One writer per warehouse: a run holds an exclusive lock on warehouse/.writer.lock.

The lock is an OS file lock (flock): it goes with the process, so a run that
is killed leaves no stale lock behind. A second run refuses at once with a
sentence saying who holds it, rather than writing beside the first.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
from contextlib import contextmanager

from parkstat.home import Home


class WarehouseBusy(RuntimeError):
    """Another run is writing to this warehouse."""


@contextmanager
def writer_lock(home: Home):
    path = home.warehouse / ".writer.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="utf-8") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as e:
            f.seek(0)
            holder = f.read().strip() or "another process"
            raise WarehouseBusy(
                f"another parkstat run is writing to {home.warehouse} ({holder}); "
                "this run did nothing — try again when it has finished"
            ) from e
        f.seek(0)
        f.truncate()
        f.write(f"pid {os.getpid()}, started {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M:%S} UTC")
        f.flush()
        try:
            yield
        finally:
            f.seek(0)
            f.truncate()
            fcntl.flock(f, fcntl.LOCK_UN)

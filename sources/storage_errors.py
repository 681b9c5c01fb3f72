"""A full disk (or a file system gone read-only) is the run's problem, never a file's.

Every other error while handling one file quarantines that file (E1) and the
run goes on; these stop the run with one line, leaving every file not yet
safely archived and committed in landing/ for the next run.
"""

from __future__ import annotations

import errno

_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO}
# DuckDB reports the operating system's error in its message.
_WORDS = ("No space left on device", "Disk quota exceeded", "Read-only file system")


class StorageFailed(RuntimeError):
    """The state folder cannot be written: the run stopped."""


def is_storage_error(error: BaseException) -> bool:
    if isinstance(error, OSError) and error.errno in _ERRNOS:
        return True
    return any(words in str(error) for words in _WORDS)


def stopped(error: BaseException, doing: str) -> StorageFailed:
    return StorageFailed(
        f"the state folder could not be written while {doing} ({error}); the run stopped, "
        "the published warehouse is unchanged, and every file not yet taken is still in "
        "landing/: free some space and run again"
    )

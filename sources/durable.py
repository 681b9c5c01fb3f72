"""Files written so that a crash or a power cut leaves either the old file or the new one.

A file is written beside its place as <name>.partial, flushed to disk, then
renamed over its place, and the folder's entry is flushed too. A run killed
midway leaves at most a .partial file, which the next run removes
(sources/landing.remove_partials; the published marts' own, with its .wal,
parkstat/warehouse.build_candidate).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

PARTIAL = ".partial"


def sync_folder(folder: Path) -> None:
    """Make a rename or a new file in `folder` durable (its directory entry on disk)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def partial(path: Path) -> Path:
    """Where `path` is written before it is renamed into place: <name>.partial beside it."""
    return path.with_name(path.name + PARTIAL)


def into_place(tmp: Path, path: Path) -> None:
    """Rename the finished `tmp` over `path` durably: its bytes on disk first, then the
    rename, then the folder's entry."""
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, path)
    sync_folder(path.parent)


def write_atomically(path: Path, data: bytes | str) -> None:
    tmp = partial(path)
    try:
        if isinstance(data, str):
            tmp.write_text(data, encoding="utf-8")
        else:
            tmp.write_bytes(data)
        into_place(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def copy_atomically(source: Path, path: Path) -> None:
    tmp = partial(path)
    try:
        shutil.copyfile(source, tmp)
        into_place(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)

"""landing/: what is waiting there, and each file's copy into archive/ — nothing else is read.

Only regular files directly in landing/ are filings. A symbolic link, a folder,
a pipe, a socket or a device is never followed, opened or read: it is left
where it is and named in the run's summary and the stewards' report, so that
nothing outside landing/ can reach the archive. Editor lock files and
half-copied uploads (~$x.xlsx, x.part) are left alone too.

A file is copied into the archive through a descriptor opened without
following links, checked to be a regular file, hashed while it is copied, and
written durably (fsync) before anything else happens to it; it leaves
landing/ only after its rows are committed, and only if it is still the file
that was copied.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from sources.durable import PARTIAL

# Not filings: editor lock files and half-copied uploads stay in landing/.
_IGNORED_PREFIXES = (".", "~$")
_IGNORED_SUFFIXES = (".part", ".tmp", ".crdownload", PARTIAL)
# What the archive keeps of a name: its extension, when it looks like one.
_EXTENSION = re.compile(r"^\.[a-z0-9]{1,8}$")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Landed:
    """A regular file in landing/, as it was when listed."""

    path: Path
    name: str  # the name as it arrived, for people (undecodable bytes shown as \\xNN)
    size: int
    mtime: float
    identity: str  # device, inode, size, modification and change times: the same file


@dataclass
class Scan:
    files: list[Landed]  # in arrival order: modification time, then name
    ignored: list[str]  # lock files and half-copied uploads
    not_regular: list[tuple[str, str]]  # (name, what it is): left where they are


class FileChanged(RuntimeError):
    """The file changed while it was copied (still being uploaded): it waits in landing/."""


class NotRegular(RuntimeError):
    """The name no longer points to a regular file (replaced by a link or a pipe)."""


def display_name(name: str) -> str:
    """A name as text for people and the raw layer: bytes that are not UTF-8 shown as \\xNN."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link (never followed)"
    if stat.S_ISDIR(mode):
        return "a folder (not read: put filings directly in landing/)"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _identity(st: os.stat_result) -> str:
    # The change time too: an inode freed by a removed file is reused by the next copy,
    # with the same size and (copied with its times) the same modification time.
    return f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}"


def scan(landing: Path) -> Scan:
    found = Scan([], [], [])
    with os.scandir(landing) as entries:
        for entry in entries:
            name = display_name(entry.name)
            st = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(st.st_mode):
                found.not_regular.append((name, _kind(st.st_mode)))
            elif entry.name.startswith(_IGNORED_PREFIXES) or entry.name.endswith(_IGNORED_SUFFIXES):
                found.ignored.append(name)
            else:
                found.files.append(
                    Landed(Path(entry.path), name, st.st_size, st.st_mtime, _identity(st))
                )
    found.files.sort(key=lambda f: (f.mtime, f.name))
    found.ignored.sort()
    found.not_regular.sort()
    return found


def archive_suffix(name: str) -> str:
    """The extension the archive keeps (.xlsx, .csv), or none for a name without a plain one."""
    suffix = os.path.splitext(name)[1].lower()
    return suffix if _EXTENSION.match(suffix) else ""


@dataclass(frozen=True)
class Archived:
    sha: str
    path: Path  # archive/<sha256><ext>


def archive(landed: Landed, archive_dir: Path) -> Archived:
    """Copy a landed file into archive/<sha256><ext>, durably; the same content is kept once.

    Raises NotRegular when the name is no longer a regular file, FileChanged when it
    changed while being copied; OSError (a full disk) is the run's to handle."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(landed.path, flags)
    except OSError as e:
        if e.errno in (errno.ELOOP, errno.ENXIO):  # a link put in its place; a pipe
            raise NotRegular(f"{landed.name} is no longer a regular file") from e
        raise
    with os.fdopen(fd, "rb") as source:
        before = os.fstat(source.fileno())
        if not stat.S_ISREG(before.st_mode):
            raise NotRegular(f"{landed.name} is no longer a regular file")
        digest = hashlib.sha256()
        tmp = archive_dir / f"incoming-{os.getpid()}{PARTIAL}"
        try:
            with open(tmp, "wb") as target:
                while chunk := source.read(_CHUNK):
                    digest.update(chunk)
                    target.write(chunk)
                target.flush()
                os.fsync(target.fileno())
            after = os.fstat(source.fileno())
            if _identity(after) != _identity(before) or _identity(before) != landed.identity:
                raise FileChanged(
                    f"{landed.name} changed while it was being taken in; it stays in landing/ "
                    "and is taken when it has stopped changing"
                )
            sha = digest.hexdigest()
            path = archive_dir / f"{sha}{archive_suffix(landed.name)}"
            if path.exists():
                tmp.unlink()
            else:  # the folder's entry is flushed once a batch, before its files leave landing/
                os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    return Archived(sha, path)


def unchanged(landed: Landed) -> bool:
    """Whether the name still holds the file that was archived (not replaced, not grown)."""
    try:
        return _identity(os.stat(landed.path, follow_symlinks=False)) == landed.identity
    except FileNotFoundError:
        return False


def remove_partials(*folders: Path) -> None:
    """Temporary files a killed run left in archive/ or quarantine/: they are removed."""
    for folder in folders:
        for path in folder.glob(f"*{PARTIAL}"):
            path.unlink(missing_ok=True)

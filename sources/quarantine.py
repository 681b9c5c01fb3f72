"""quarantine/: a rejected file as it came, and beside it the reason in words a park can act on.

quarantine/<sha12>__<name> holds the bytes; <that>.reason.txt says which rules
failed, where (file, sheet, row, column) and with what value. The name is the
original one made safe for any file system (see stored_name); the reason file
gives the original in full. Intake rejects on arrival (B1-B4, E1); validation
may reject a filing of the same file later (B5-B7): its reasons are added to
the same reason file.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

from parkstat.home import Home
from sources.durable import copy_atomically
from sources.landing import archive_suffix
from sources.problems import Problem

# A name's bytes at most: 255 is the limit of every common file system; the
# room left is for ".reason.txt" and ".partial" beside it.
NAME_BYTES = 200
REASON = ".reason.txt"
# Not allowed in names on Windows shares (and control characters anywhere).
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def stored_name(sha: str, name: str) -> str:
    """<sha12>__<name> fitted to NAME_BYTES: characters a file system refuses replaced by _,
    the name shortened in its middle (its extension kept), never splitting a character."""
    safe = _FORBIDDEN.sub("_", name).rstrip(" .") or "_"
    safe = safe.encode("utf-8", "replace").decode("utf-8")
    prefix = f"{sha[:12]}__"
    room = NAME_BYTES - len(prefix)
    if len(safe.encode()) > room:
        suffix = archive_suffix(safe)
        stem = safe[: len(safe) - len(suffix)] if suffix else safe
        marker = "…"
        budget = room - len(suffix.encode()) - len(marker.encode())
        kept = stem.encode()[:budget].decode("utf-8", "ignore")
        safe = f"{kept}{marker}{suffix}"
    return prefix + safe


def quarantine(
    home: Home,
    source: Path,
    sha: str,
    name: str,
    received_at: dt.datetime,
    problems: list[Problem],
    outcome: str,
) -> Path:
    """Keep the file (copied from `source`, its archive copy) and write (or add to) its reason
    file; returns the kept file's path. `outcome` says what became of the file's filings.

    Written again after a run was killed, the same reasons are not added twice."""
    target = home.quarantine / stored_name(sha, name)
    if not target.exists():
        copy_atomically(source, target)
    reason = reason_file(target)
    head = (
        []
        if reason.exists()
        else [
            f"文件 file: {one_line(name)}",
            f"收到 received: {received_at:%Y-%m-%d %H:%M:%S} UTC",
            f"内容哈希 sha256: {sha}",
        ]
    )
    block = "\n".join(
        [
            "",
            f"结论 outcome: {outcome}",
            "问题 problems:",
            *(f"{i}. {p.sentence()}" for i, p in enumerate(problems, 1)),
            "",
            "请更正后重新报送 / please correct the file and send it again.",
        ]
    )
    if reason.exists() and reason.read_text(encoding="utf-8").endswith(block + "\n"):
        return target
    with open(reason, "a", encoding="utf-8") as f:
        f.write("\n".join([*head, block]) + "\n")
        f.flush()
        os.fsync(f.fileno())
    return target


def one_line(name: str) -> str:
    """A name in full on one line: control characters (a newline in a name) escaped."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode(), name)


def reason_file(kept: Path) -> Path:
    return kept.with_name(kept.name + REASON)


def note_decided_again(home: Home, sha: str, name: str, line: str) -> None:
    """Add a line to a quarantined file's reason file: it was decided again, and what became
    of it. The file stays in quarantine/ as it came: it is the record of the rejection."""
    reason = reason_file(home.quarantine / stored_name(sha, name))
    if reason.exists():
        with open(reason, "a", encoding="utf-8") as f:
            f.write(f"\n重新审核 decided again: {line}\n")

"""quarantine/: a rejected file as it came, and beside it the reason in words a park can act on.

quarantine/<sha12>__<original name> holds the bytes; <that>.reason.txt says
which rules failed, where (file, sheet, row, column) and with what value.
Intake rejects on arrival (B1-B4); validation may reject a filing of the
same file later (B5-B7): its reasons are added to the same reason file.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from parkstat.home import Home
from sources.problems import Problem


def write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".partial")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def quarantine(
    home: Home,
    data: bytes,
    sha: str,
    name: str,
    received_at: dt.datetime,
    problems: list[Problem],
    outcome: str,
) -> Path:
    """Keep the file and write (or add to) its reason file; returns the kept file's path.

    `outcome` is the sentence saying what became of the file's filings.
    """
    target = home.quarantine / f"{sha[:12]}__{name}"
    if not target.exists():
        write_atomically(target, data)
    reason = home.quarantine / f"{target.name}.reason.txt"
    lines = (
        []
        if reason.exists()
        else [
            f"文件 file: {name}",
            f"收到 received: {received_at:%Y-%m-%d %H:%M:%S} UTC",
            f"内容哈希 sha256: {sha}",
        ]
    )
    lines += [
        "",
        f"结论 outcome: {outcome}",
        "问题 problems:",
        *(f"{i}. {p.sentence()}" for i, p in enumerate(problems, 1)),
        "",
        "请更正后重新报送 / please correct the file and send it again.",
    ]
    with open(reason, "a", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return target


def note_decided_again(home: Home, sha: str, name: str, line: str) -> None:
    """Add a line to a quarantined file's reason file: it was decided again, and what became
    of it. The file stays in quarantine/ as it came: it is the record of the rejection."""
    reason = home.quarantine / f"{sha[:12]}__{name}.reason.txt"
    if reason.exists():
        with open(reason, "a", encoding="utf-8") as f:
            f.write(f"\n重新审核 decided again: {line}\n")

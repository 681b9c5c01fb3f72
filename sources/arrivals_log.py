"""The archive's own record: what arrived, when, under which name, and the runs that took it.

archive/ holds every file as it came, named by its content; these two
append-only logs beside the files hold what the warehouse alone knew of them,
so that the archive folder by itself is enough to rebuild the warehouse
(`parkstat rebuild`):
  arrivals.jsonl  one line per arrival: its sequence, content hash, original name,
                  size, arrival and receipt times, archive path, the run that took it;
  runs.jsonl      one line per run: its id, the office's date, whether it was a
                  backfill and which periods it decided, when it started.
The arrivals log follows raw.arrivals: after every commit (and at the start of
a run, for a run killed between its commit and the log) the committed
arrivals not yet logged are appended.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from parkstat.home import Home

ARRIVALS = "arrivals.jsonl"
RUNS = "runs.jsonl"
_ARRIVAL_FIELDS = (
    "arrival_seq",
    "file_sha256",
    "file_name",
    "size_bytes",
    "received_at",
    "arrived_at",
    "archive_path",
    "taken_by",
    "run_id",
    "landing_identity",
)


def _append(path: Path, records: list[dict]) -> None:
    if not records:
        return
    with open(path, "a", encoding="utf-8") as f:
        for record in records:
            f.write(json.dumps(record, ensure_ascii=False, default=_text) + "\n")
        f.flush()
        os.fsync(f.fileno())


def _text(value) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not kept in the archive's logs")


def _lines(path: Path) -> list[dict]:
    """The log's records; a last line cut short by a crash is not a record."""
    if not path.exists():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return records


def catch_up(home: Home, con) -> int:
    """Append the committed arrivals the log does not have yet; returns how many."""
    path = home.archive / ARRIVALS
    logged = max((r["arrival_seq"] for r in _lines(path)), default=0)
    rows = con.execute(
        f"select {', '.join(_ARRIVAL_FIELDS)} from raw.arrivals "
        "where arrival_seq > ? order by arrival_seq",
        [logged],
    ).fetchall()
    _repair_last_line(path)
    _append(path, [dict(zip(_ARRIVAL_FIELDS, row, strict=True)) for row in rows])
    return len(rows)


def _repair_last_line(path: Path) -> None:
    """A line cut short by a crash ends with a newline before anything is added after it."""
    if path.exists() and path.stat().st_size:
        with open(path, "rb+") as f:
            f.seek(-1, os.SEEK_END)
            if f.read(1) != b"\n":
                f.write(b"\n")


def record_run(
    home: Home, run_id: str, today: dt.date, backfill: bool, periods: tuple | None
) -> None:
    path = home.archive / RUNS
    _repair_last_line(path)
    _append(
        path,
        [
            {
                "run_id": run_id,
                "today": today,
                "backfill": backfill,
                "periods": list(periods) if periods else None,
                "started_at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
            }
        ],
    )


def arrivals(home: Home) -> list[dict]:
    """Every logged arrival in order, times as datetimes; the last line for a sequence wins."""
    by_seq = {}
    for r in _lines(home.archive / ARRIVALS):
        for key in ("received_at", "arrived_at"):
            r[key] = r[key] and dt.datetime.fromisoformat(r[key])
        by_seq[r["arrival_seq"]] = r
    return [by_seq[k] for k in sorted(by_seq)]


def runs(home: Home) -> list[dict]:
    """Every logged run in order, with its date, periods and start as Python values."""
    found = []
    for r in _lines(home.archive / RUNS):
        r["today"] = dt.date.fromisoformat(r["today"])
        r["started_at"] = dt.datetime.fromisoformat(r["started_at"])
        if r["periods"]:
            r["periods"] = tuple(dt.date.fromisoformat(p) for p in r["periods"])
        found.append(r)
    return found

"""`parkstat rebuild`: the working warehouse recreated from archive/ alone.

The office's recovery when working.duckdb is lost or damaged, and the proof
that nothing in the warehouse exists without its filing. Every arrival in
archive/arrivals.jsonl is taken again, run by run in its original order
(archive/runs.jsonl), with the name, arrival and receipt times it had, and
each run's filings are decided as that run decided them — with the waivers
in force now. quarantine/ and landing/ are left as they are. A run then
builds, audits and publishes the marts as every month does (flows/rebuild.py).

The file it replaces, if any, is kept beside it as
working.duckdb.before-rebuild-<time>.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import dataclass
from pathlib import Path

from expectations.validate_filings import validate_filings
from parkstat.home import Home
from parkstat.warehouse import damage, wal
from sources import arrivals_log
from sources.intake import Incoming, run_intake


class CannotRebuild(RuntimeError):
    """The archive does not hold what a rebuild needs."""


@dataclass
class Replayed:
    runs: int
    arrivals: int
    filings: int
    kept_aside: Path | None
    seconds: float


def replay(home: Home) -> Replayed:
    """Recreate working.duckdb from the archive (the marts are built by the run after it)."""
    started = time.perf_counter()
    arrivals = arrivals_log.arrivals(home)
    if not arrivals:
        raise CannotRebuild(
            f"{home.archive / arrivals_log.ARRIVALS} is missing or empty: there is nothing "
            "to rebuild from (the archive's log starts with the first run that kept it)"
        )
    missing = [a["archive_path"] for a in arrivals if not (home.root / a["archive_path"]).exists()]
    if missing:
        raise CannotRebuild(
            f"{len(missing)} archived file(s) named in the log are missing, e.g. {missing[0]}: "
            "restore archive/ from its backup first"
        )
    kept_aside = _set_aside(home)
    _set_aside_if_damaged(home.published_db)
    runs = _runs(home, arrivals)
    filings = 0
    for run in runs:
        items = [_incoming(home, a) for a in run["arrivals"]]
        taken = run_intake(
            home,
            today=run["today"],
            backfill=run["backfill"],
            run_id=run["run_id"],
            replay=items,
        )
        filings += taken.filings_accepted
        # Decided when it was: after its own files arrived, before the next run's.
        decided = max([run["started_at"], *(i.received_at for i in items)])
        validate_filings(
            home,
            run["run_id"] or "before-the-log",  # taken before runs were logged
            periods=run["periods"],
            now=decided + dt.timedelta(milliseconds=1),
            write_quarantine=False,
        )
    return Replayed(len(runs), len(arrivals), filings, kept_aside, time.perf_counter() - started)


def _set_aside(home: Home) -> Path | None:
    """Move the working file (and its log) out of the way; it is never deleted here."""
    if not home.working_db.exists():
        wal(home.working_db).unlink(missing_ok=True)
        return None
    return _aside(home.working_db, "before-rebuild")


def _set_aside_if_damaged(path: Path) -> None:
    """A published file that cannot be opened is kept beside as <name>.damaged-<time>: the
    run after the replay publishes a new one (its publication history starts again)."""
    if path.exists() and damage(path):
        _aside(path, "damaged")


def _aside(path: Path, why: str) -> Path:
    """<name>.<why>-<time> beside it, with its log (.wal) when it has one."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = path.with_name(f"{path.name}.{why}-{stamp}")
    os.replace(path, aside)
    if wal(path).exists():
        os.replace(wal(path), wal(aside))
    return aside


def _runs(home: Home, arrivals: list[dict]) -> list[dict]:
    """The logged runs in order, each with its arrivals. Arrivals taken without a logged run
    (by the stages called on their own) make a run of their own per run id, where they fall."""
    logged = {r["run_id"]: {**r, "arrivals": []} for r in arrivals_log.runs(home)}
    order = list(logged)
    for a in arrivals:
        run = logged.get(a["run_id"])
        if run is None:
            key = a["run_id"] or "before-the-log"
            run = logged.setdefault(
                key,
                {
                    "run_id": a["run_id"],
                    "today": a["received_at"].date(),
                    "backfill": a["taken_by"] == "backfill",
                    "periods": None,
                    "started_at": a["received_at"],
                    "arrivals": [],
                },
            )
            if key not in order:
                order.insert(_position(order, logged, a["received_at"]), key)
        run["arrivals"].append(a)
    return [logged[k] for k in order]


def _position(order: list[str], logged: dict, when: dt.datetime) -> int:
    for i, key in enumerate(order):
        if logged[key]["started_at"] > when:
            return i
    return len(order)


def _incoming(home: Home, arrival: dict) -> Incoming:
    return Incoming(
        arrival["file_name"],
        arrival["file_sha256"],
        home.root / arrival["archive_path"],
        arrival["size_bytes"],
        arrival["arrived_at"],
        arrival["received_at"],
        arrival.get("landing_identity"),
    )

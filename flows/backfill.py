"""Backfill: a folder of historical filings (long CSVs included) or a range of periods, in one
build and one publish — not one publish per month.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from prefect import flow, task

from flows.monthly_run import MonthlyRun, run_stages
from parkstat.home import Home
from parkstat.writer_lock import writer_lock
from sources.intake import stage_files


@task(name="stage files", retries=2, retry_delay_seconds=5)
def stage(source: str, home_root: str) -> int:
    return len(stage_files(Path(source), Home(Path(home_root))))


@flow(name="backfill", log_prints=True)
def backfill(
    source: str | None = None,
    start: str | None = None,
    end: str | None = None,
    home: str | None = None,
    note: str = "",
) -> MonthlyRun:
    """Take a folder of historical filings and/or decide a range of report periods, publish once.

    Parameters: `source` — a folder whose files are copied into landing/ first;
    `start`, `end` — report months YYYY-MM: only filings of these periods are
    decided and published now (others wait for a later run); `home`, `note` as
    for monthly_run.
    """
    home_ = Home.resolve(home).ensure()
    periods = None
    if start or end:
        first = dt.date.fromisoformat(f"{start or '1900-01'}-01")
        last = dt.date.fromisoformat(f"{end or '9999-12'}-01")
        periods = (first, last)
    with writer_lock(home_):
        if source:
            stage(source, str(home_.root))
        return run_stages(str(home_.root), note, periods, backfill=True)

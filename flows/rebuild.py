"""Rebuild: the working warehouse replayed from archive/ (parkstat/rebuild.py), then a run
that builds, audits and publishes the marts as every month does."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, task

from flows.monthly_run import MonthlyRun, run_stages
from parkstat.home import Home
from parkstat.rebuild import Replayed, replay
from parkstat.writer_lock import writer_lock


@task(name="replay archive")
def replay_archive(home_root: str) -> Replayed:
    return replay(Home(Path(home_root)))


@flow(name="rebuild", log_prints=True)
def rebuild(home: str | None = None, note: str = "") -> tuple[Replayed, MonthlyRun]:
    """Recreate working.duckdb from archive/ and publish the marts built from it.

    Files waiting in landing/ are taken by the same run, after the replay."""
    home_ = Home.resolve(home).ensure()
    with writer_lock(home_):
        replayed = replay_archive(str(home_.root))
        print(
            f"replayed {replayed.arrivals} arrival(s) of {replayed.runs} run(s) from the "
            f"archive in {replayed.seconds:.1f} s"
        )
        return replayed, run_stages(str(home_.root), note)

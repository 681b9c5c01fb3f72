"""The monthly run as a Prefect flow: each stage a task around a plain function.

Stages so far: intake (landing -> archive -> raw layer or quarantine).
The flow passes only small values (the home path, summaries); the work lives
in sources/ and is called by tests without Prefect.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow, task

from parkstat.home import Home
from sources.intake import IntakeReport, run_intake


# A file held open by another process (a park's upload still being copied, a
# virus scanner) is worth a second try; a rejected filing is not an error.
@task(name="intake", retries=2, retry_delay_seconds=5)
def intake(home_root: str) -> IntakeReport:
    return run_intake(Home(Path(home_root)))


@flow(name="monthly_run", log_prints=True)
def monthly_run(home: str | None = None) -> IntakeReport:
    """Take everything waiting in landing/ into the warehouse's raw layer."""
    root = Home.resolve(home).ensure().root
    return intake(str(root))

"""Run one parkstat command as the office would, and measure it from outside.

Wall time is the command's, start to exit: Python start-up, the temporary
Prefect server, imports, every stage. Peak memory is the largest sum of
resident memory over the command's whole process tree (the run, its dbt
process, its Prefect server), sampled every 50 ms. Stage times come from the
run's own reports/run-timing.json.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

# parkstat's exit codes for a run that published (3: some filings rejected).
PUBLISHED = (0, 3)
SAMPLE_SECONDS = 0.05


class StageError(RuntimeError):
    """A measured command did not publish: the benchmark has no figure for it."""


@dataclass
class Measured:
    label: str
    wall: float
    peak_rss: int  # bytes
    timing: dict = field(default_factory=dict)  # reports/run-timing.json of the run

    @property
    def stages(self) -> dict[str, float]:
        return self.timing.get("seconds", {})


def run_parkstat(label: str, args: list[str], home: Path, env: dict[str, str]) -> Measured:
    log = home.parent / f"{home.name}.{label.replace(' ', '_')}.log"
    command = [str(Path(sys.executable).parent / "parkstat"), *args, "--home", str(home)]
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with open(log, "wb") as out:
        process = psutil.Popen(command, env={**os.environ, **env}, stdout=out, stderr=out)
        peak = 0
        while process.poll() is None:
            peak = max(peak, _tree_rss(process))
            time.sleep(SAMPLE_SECONDS)
    wall = time.perf_counter() - started
    if process.returncode not in PUBLISHED:
        tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-15:]
        raise StageError(
            f"{label}: `parkstat {' '.join(args)}` exited with {process.returncode}; "
            f"log {log}:\n" + "\n".join(tail)
        )
    timing = json.loads((home / "reports" / "run-timing.json").read_text(encoding="utf-8"))
    return Measured(label, wall, peak, timing)


def _tree_rss(process: psutil.Process) -> int:
    total = 0
    try:
        family = [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    for p in family:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += p.memory_info().rss
    return total

"""Named points where the fault-injection suite kills a run, to prove a crash anywhere loses
nothing and publishes nothing wrong (tests/test_crash_points.py).

`reached(point)` does nothing unless PARKSTAT_CRASH_AT names that point; then
the whole process group is killed at once (SIGKILL: no cleanup, no finally),
as a power cut or an OOM killer would.
"""

from __future__ import annotations

import os
import signal

ENV_VAR = "PARKSTAT_CRASH_AT"

# Where a run can be killed: (stage, what has happened when it is).
POINTS = {
    "intake:archived": "files copied into archive/, nothing committed to the raw layer",
    "intake:committed": "a batch's raw rows committed, its files still in landing/",
    "validate:reasons": "a batch's rejections written to quarantine/, its decisions not recorded",
    "validate:batch": "the first batch of filings decided and recorded, the others not",
    "build:copied": "the working file copied to the candidate, dbt not yet run",
    "build:built": "dbt built the candidate, its docs not written",
    "publish:audited": "the candidate passed its suites, its marts not yet exported",
    "publish:recorded": "the publication recorded in the candidate, its marts not yet exported",
    "publish:exported": "the marts exported beside the published file, not yet renamed into place",
    "report:writing": "the stewards' report half-written",
}


def reached(point: str) -> None:
    if os.environ.get(ENV_VAR) == point:
        os.killpg(os.getpgrp(), signal.SIGKILL)

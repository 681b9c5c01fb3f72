"""When a filing is late: the one definition W3, the stewards' report and mart_coverage use.

A park's filing for a period is late when the first filing of that park and
period the warehouse received arrived after the due date (the 10th of the
following month, office time). Arrival is the file's time in landing/ — when
it was put there, not when a run took it — and never later than the run.
A later filing of the same park and period (a correction, an original sent
again) is never late itself: the park had filed. The
cover's 填报日期 is what the park declares; it is kept and shown, and a
cover date after the file's arrival is a warning of its own (W8).

History taken in by a backfill arrived long after its due dates, so its
arrival says nothing: there the cover's 填报日期 counts, as declared, and a
filing without one (a long CSV may carry none) is neither late nor on time.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sources import template as t
from sources.normalise import due_date

OFFICE = ZoneInfo(t.OFFICE_TIME_ZONE)
BY_ARRIVAL = "arrival"
BY_COVER_DATE = "cover date (backfill)"


def arrival(mtime: float, received_at: dt.datetime) -> dt.datetime:
    """When a file arrived (UTC, naive as the raw layer keeps times): its modification
    time in landing/, but never after the run took it (a clock set ahead)."""
    arrived = dt.datetime.fromtimestamp(mtime, dt.UTC).replace(tzinfo=None)
    return min(arrived, received_at)


def office_date(moment: dt.datetime) -> dt.date:
    """The office's calendar date of a UTC time."""
    return moment.replace(tzinfo=dt.UTC).astimezone(OFFICE).date()


def lateness(
    period: dt.date, first: bool, arrived_at: dt.datetime, filed: dt.date | None, backfill: bool
) -> tuple[bool | None, str]:
    """(late?, what it was judged by) for a filing: None when nothing says."""
    if not first:
        return False, BY_ARRIVAL
    if backfill:
        return (None if filed is None else filed > due_date(period)), BY_COVER_DATE
    return office_date(arrived_at) > due_date(period), BY_ARRIVAL

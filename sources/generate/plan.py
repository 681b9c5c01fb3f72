"""Who files what and when: report periods, filing dates, late filings and corrections.

A Slot is one park's filing for one period; a Submission is one filing as
sent (the original, or its correction) together with how it is presented,
what was planted in it and what the intake is expected to make of it.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from sources import template as t
from sources.filing import Filing
from sources.normalise import due_date
from sources.registry import Park
from sources.write_csv import CsvStyle
from sources.write_workbook import CellKey, WorkbookStyle

from .economy import SERIES, TIANYI, ParkEconomy

LATE_SHARE = 0.05
CORRECTION_SHARE = 0.03
LATE_DAYS = (1, 20)  # after the due date
CORRECTION_DAYS = (5, 30)  # after the original
# The calibration filing and the one its computed growth is measured against.
CALIBRATION_PERIODS = (dt.date(2024, 7, 1), dt.date(2025, 7, 1))


@dataclass
class Slot:
    park: Park  # the registry version valid for the period
    econ: ParkEconomy
    period: dt.date
    filed: dt.date
    late: bool = False
    corrected: dt.date | None = None  # filing date of the correction, if one is sent
    prelim: dict[str, float] = field(default_factory=dict)  # the original's revised series
    fault: tuple[str, str] | None = None  # (rule, variant) planted in the original
    reference: bool = False  # a planted fault's previous period: must stay clean
    protected: bool = False  # the calibration filing: nothing planted
    arrived: dt.date | None = None  # the file arrives this day, not on its cover's date
    together: bool = False  # corrected together with the next month (a clean counterpart)
    last_accepted: bool = False  # its same period last year ends accepted (faults.settle)

    @property
    def code(self) -> str:
        return self.park.code

    @property
    def clean(self) -> bool:
        return not (self.late or self.corrected or self.fault)


@dataclass
class Pending:
    """A manifest entry waiting for its position in the written file."""

    kind: str  # messy | fault | late | correction
    rule: str  # B1…W5, or the messy form's name
    target: tuple  # see Submission.resolve in __init__
    note: str = ""
    variant: str | None = None


@dataclass
class Submission:
    slot: Slot
    revision: int
    filing: Filing  # stored-form truth after presentation and faults
    fmt: str  # xlsx | csv
    wb: WorkbookStyle | None = None
    csv: CsvStyle | None = None
    pending: list[Pending] = field(default_factory=list)
    expect: str = "accept"
    rules: list[str] = field(default_factory=list)
    raw_bytes: bytes | None = None  # a file that is not a workbook at all
    own_file: bool = False  # CSV: written to a file of its own
    csv_omit: tuple[str, ...] = ()
    used_cells: set[CellKey] = field(default_factory=set)

    @property
    def cells(self) -> dict[CellKey, object]:
        style = self.wb if self.wb is not None else self.csv
        assert style is not None
        return style.cells

    def set_cover(self, item: str, value: object) -> None:
        """Write `value` for a cover item (workbook) or the block's column (CSV)."""
        if self.wb is not None:
            self.wb.cover[item] = value
            return
        assert self.csv is not None
        attr = {
            t.COVER_PARK_CODE: "park_code",
            t.COVER_PARK_NAME: "park_name",
            t.COVER_PERIOD: "period_label",
        }[item]
        setattr(self.csv, attr, value)

    def cover_target(self, item: str) -> tuple:
        return ("cover", item) if self.fmt == "xlsx" else ("block", item)


def report_periods(start: dt.date, end: dt.date, today: dt.date) -> list[dt.date]:
    """Report months from start to end: no January, none that has not ended by `today`."""
    out, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        first = dt.date(y, m, 1)
        if m != 1 and first < today.replace(day=1):
            out.append(first)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _next_month(first: dt.date) -> dt.date:
    return dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)


def on_time_date(rng: random.Random, period: dt.date, today: dt.date) -> dt.date:
    opens = _next_month(period)
    filed = opens + dt.timedelta(days=rng.randint(0, t.DUE_DAY - 1))
    return min(filed, today)


def late_date(rng: random.Random, period: dt.date, today: dt.date) -> dt.date | None:
    filed = due_date(period) + dt.timedelta(days=rng.randint(*LATE_DAYS))
    if filed > today:
        filed = today
    return filed if filed > due_date(period) else None


def schedule(
    economies: list[ParkEconomy],
    periods: list[dt.date],
    versions: dict[tuple[str, dt.date], Park],
    seed: int,
    today: dt.date,
) -> list[Slot]:
    """Every park's filing for every period, with its date; some late, some corrected."""
    rng = random.Random(f"{seed}:schedule")
    slots = []
    for econ in economies:
        for period in periods:
            filed = on_time_date(rng, period, today)
            slot = Slot(versions[(econ.park.code, period)], econ, period, filed)
            # The calibration filings stay as the domain notes have them.
            slot.protected = econ.park.code == TIANYI and period in CALIBRATION_PERIODS
            if rng.random() < LATE_SHARE:
                late = late_date(rng, period, today)
                if late is not None:
                    slot.filed, slot.late = late, True
            if rng.random() < CORRECTION_SHARE and not slot.protected:
                corrected = slot.filed + dt.timedelta(days=rng.randint(*CORRECTION_DAYS))
                if corrected <= today:
                    slot.corrected = corrected
                    series = rng.choice(SERIES)
                    sign = rng.choice((-1, 1))
                    slot.prelim = {series: 1 + sign * rng.uniform(0.002, 0.006)}
            slots.append(slot)
    return slots

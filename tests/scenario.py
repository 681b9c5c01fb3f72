"""One park's filings, as a test needs them: built from the generator's synthetic economy,
changed the way a real park might change them, sent with an arrival time, decided for real.

    s = Scenario(home)
    feb = s.clean(date(2025, 2, 1))
    s.set(feb, "indicators", "内资到位资金", "value_ytd", 1.5e8)   # 元 typed as 万元
    s.send(feb)
    verdict = s.decide().verdict(feb)

Files go through the real intake (archive, readers, raw layer) and the real
filing suites; nothing is mocked. Figures are synthetic.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from conftest import TODAY

from expectations.validate_filings import ValidationReport, Verdict, validate_filings
from expectations.waivers import Waiver
from parkstat.home import Home
from sources import template as t
from sources.filing import Filing
from sources.generate.economy import TIANYI, ParkEconomy, build_economy
from sources.generate.truth import build_filing
from sources.intake import IntakeReport, run_intake
from sources.registry import default_registry
from sources.write_csv import write_long_csv
from sources.write_workbook import WorkbookStyle, write_workbook

OFFICE = ZoneInfo(t.OFFICE_TIME_ZONE)


def on_time(period: dt.date) -> dt.date:
    """A filing date a few days before the period's due date."""
    y, m = (period.year + 1, 1) if period.month == 12 else (period.year, period.month + 1)
    return dt.date(y, m, 6)


@dataclass
class Decided:
    report: ValidationReport

    def of(self, path, period: dt.date | None = None) -> Verdict:
        """The verdict on the filing sent in `path` (for a long CSV: of `period`)."""
        found = [
            v
            for v in self.report.verdicts
            if v.file_name == path.name and (period is None or v.period == period)
        ]
        assert len(found) == 1, (path.name, period, self.report.verdicts)
        return found[0]


@dataclass
class Scenario:
    home: Home
    park: str = TIANYI
    seed: int = 7
    years: tuple[int, ...] = (2023, 2024, 2025)
    sent: int = field(default=0)
    runs: int = field(default=0)
    _econ: ParkEconomy | None = None

    @property
    def econ(self) -> ParkEconomy:
        if self._econ is None:
            park = default_registry().version_at(self.park, dt.date(self.years[-1], 1, 1))
            assert park is not None
            self._econ = build_economy(park, list(self.years), self.seed)
        return self._econ

    def clean(self, period: dt.date, revision: int = 0, filed: dt.date | None = None) -> Filing:
        """The park's filing for `period` as its synthetic economy has it: every rule holds."""
        filed = filed or on_time(period)
        return build_filing(self.econ, period, filed, self.econ.park.name, revision)

    def econ_filing(
        self, period: dt.date, revision: int, filed: dt.date, revise: dict[str, float]
    ) -> Filing:
        """The filing with whole series of the economy scaled (`revise`: series -> factor);
        every balance edit and growth still holds."""
        return build_filing(self.econ, period, filed, self.econ.park.name, revision, revise)

    @staticmethod
    def get(filing: Filing, sheet: str, key: str, fld: str):
        key_field = t.SHEET_BY_KEY[sheet].key_column.field
        return next(r for r in filing.rows(sheet) if r[key_field] == key)[fld]

    @staticmethod
    def set(filing: Filing, sheet: str, key: str, fld: str, value) -> None:
        key_field = t.SHEET_BY_KEY[sheet].key_column.field
        next(r for r in filing.rows(sheet) if r[key_field] == key)[fld] = value

    @staticmethod
    def copy(filing: Filing) -> Filing:
        return copy.deepcopy(filing)

    def send(
        self,
        *filings: Filing,
        fmt: str = "xlsx",
        arrived: dt.datetime | None = None,
        style: WorkbookStyle | None = None,
        filed_columns: bool = True,
    ):
        """Write the filing(s) into landing/ as one file; its time says when it arrived
        (default: 09:00 office time on the first filing's 填报日期)."""
        self.home.ensure()
        self.sent += 1
        first = filings[0]
        if fmt == "xlsx":
            assert len(filings) == 1
            path = self.home.landing / f"{self.sent:03d}{_suffix(first)}.xlsx"
            write_workbook(first, path, style)
        else:
            path = self.home.landing / f"{self.sent:03d}{_suffix(first)}.csv"
            write_long_csv(filings, path, filed_columns=filed_columns)
        when = arrived or dt.datetime.combine(first.filed_date, dt.time(9, 0), OFFICE)
        os.utime(path, (when.timestamp(), when.timestamp()))
        return path

    @staticmethod
    def edit(path, change) -> None:
        """Change a sent workbook as a park's office software would (`change(openpyxl book)`);
        the file keeps its arrival time."""
        from openpyxl import load_workbook

        stat = path.stat()
        book = load_workbook(path)
        change(book)
        book.save(path)
        os.utime(path, (stat.st_atime, stat.st_mtime))

    def take(self) -> IntakeReport:
        return run_intake(self.home, today=TODAY)

    def decide(self, waivers: list[Waiver] | None = None) -> Decided:
        self.runs += 1
        return Decided(validate_filings(self.home, f"run-{self.runs}", waivers=waivers or []))

    def run(self, waivers: list[Waiver] | None = None) -> Decided:
        self.take()
        return self.decide(waivers)

    def run_one(self, filing: Filing, **send) -> Verdict:
        """Send one filing, run, and give its verdict."""
        path = self.send(filing, **send)
        return self.run().of(path, filing.period)


def blocking(verdict: Verdict) -> list[str]:
    """The blocking rules a verdict names (a rejected filing's warnings are moot)."""
    return sorted({p.rule for p in verdict.problems if t.RULES[p.rule].blocking})


def _suffix(filing: Filing) -> str:
    return f"_{filing.park_code}_{filing.period:%Y%m}_r{filing.revision}"

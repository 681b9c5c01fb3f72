"""One meaning of late: the park's first filing for a period arrived after the due date.

The rule (W3), the stewards' report and mart_coverage read the one decision
intake makes on arrival (sources/lateness.py); a correction filed later never
makes a park late; the cover's 填报日期 is kept and shown, and a cover date
after the file's arrival is W8; history taken in by a backfill goes by its
cover's date, as declared.
"""

from __future__ import annotations

import datetime as dt

import duckdb
from conftest import TODAY
from scenario import OFFICE, Scenario

from parkstat.stewards_report import intake_rejected_cells, status_matrix
from sources.intake import run_intake
from sources.registry import default_registry

JULY = dt.date(2025, 7, 1)  # due 2025-08-10


def _at(day: int, month: int = 8) -> dt.datetime:
    return dt.datetime(2025, month, day, 9, 0, tzinfo=OFFICE)


def _late(home) -> dict:
    with duckdb.connect(str(home.working_db), read_only=True) as con:
        cells = status_matrix(
            con, default_registry(), intake_rejected_cells(con, default_registry())
        )
        stored = con.execute(
            "select file_name, is_late, late_basis, arrived_on from raw.filings"
        ).fetchall()
    return {"matrix": {(c.park_code, c.period): c.late for c in cells}, "stored": stored}


def test_arrival_decides_not_the_run_nor_a_later_correction(home):
    """Filed on the 9th, taken by the run of the 11th, corrected on the 20th: not late."""
    s = Scenario(home)
    original = s.send(s.clean(JULY, filed=dt.date(2025, 8, 9)), arrived=_at(9))
    correction = s.send(s.clean(JULY, revision=1, filed=dt.date(2025, 8, 20)), arrived=_at(20))
    decided = s.run()
    assert decided.of(original).status == decided.of(correction).status == "accepted"
    assert _late(home)["matrix"][(s.park, JULY)] is False


def test_a_first_filing_arriving_after_the_due_date_is_late_whatever_its_cover_says(home):
    s = Scenario(home)
    path = s.send(s.clean(JULY, filed=dt.date(2025, 8, 8)), arrived=_at(14))
    verdict = s.run().of(path)
    assert verdict.status == "warned" and verdict.rules == ["W3"]
    [problem] = verdict.problems
    assert "arrived 2025-08-14, due 2025-08-10 (its cover says 2025-08-08)" in problem.message
    assert _late(home)["matrix"][(s.park, JULY)] is True


def test_a_cover_date_after_the_files_arrival_is_w8(home):
    s = Scenario(home)
    path = s.send(s.clean(JULY, filed=dt.date(2025, 8, 12)), arrived=_at(7))
    verdict = s.run().of(path)
    assert verdict.rules == ["W8"]
    assert "the cover says filed 2025-08-12, but the file arrived 2025-08-07" in (
        verdict.problems[0].message
    )


def test_the_office_day_counts_not_utc(home):
    """00:30 on the 11th in Changsha is still the 10th in UTC: late."""
    s = Scenario(home)
    arrived = dt.datetime(2025, 8, 11, 0, 30, tzinfo=OFFICE)
    path = s.send(s.clean(JULY, filed=dt.date(2025, 8, 10)), arrived=arrived)
    assert s.run().of(path).rules == ["W3"]


def test_a_backfill_goes_by_the_cover_date_and_says_nothing_without_one(home):
    s = Scenario(home)
    years_later = dt.datetime(2026, 11, 1, 9, 0, tzinfo=OFFICE)
    on_time = s.send(s.clean(JULY, filed=dt.date(2025, 8, 9)), arrived=years_later)
    late = s.send(s.clean(dt.date(2025, 6, 1), filed=dt.date(2025, 7, 15)), arrived=years_later)
    undated = s.send(
        s.clean(dt.date(2025, 5, 1)), fmt="csv", filed_columns=False, arrived=years_later
    )
    run_intake(home, today=TODAY, backfill=True)
    decided = s.decide()
    assert decided.of(on_time).rules == []
    assert decided.of(late).rules == ["W3"]
    assert decided.of(undated, dt.date(2025, 5, 1)).rules == []
    stored = {name: (is_late, basis) for name, is_late, basis, _ in _late(home)["stored"]}
    assert stored[undated.name] == (None, "cover date (backfill)")
    assert stored[late.name] == (True, "cover date (backfill)")

"""Which filing of a park and period counts: a correction, else the later arrival.

A long CSV carries no 填报日期; a later export of the same park and period
(same revision) must replace an earlier dated workbook, not lose to it for ever.
"""

from __future__ import annotations

import datetime as dt

import duckdb
from scenario import Scenario

from expectations.check_frames import ACCEPTED
from parkstat.stewards_report import intake_rejected_cells, status_matrix
from sources.registry import default_registry

MARCH = dt.date(2025, 3, 1)
EMPLOYEES = "从业人员"


def _current(home) -> dict:
    with duckdb.connect(str(home.working_db), read_only=True) as con:
        rows = con.execute(f"select park_code, period, file_name from ({ACCEPTED})").fetchall()
        cells = status_matrix(
            con, default_registry(), intake_rejected_cells(con, default_registry())
        )
    matrix = {(c.park_code, c.period): c.file_name for c in cells}
    return {(p, d): (f, matrix[(p, d)]) for p, d, f in rows}


def test_a_later_export_without_a_date_supersedes_a_dated_workbook(home):
    s = Scenario(home)
    workbook = s.clean(MARCH)
    s.send(s.clean(MARCH.replace(month=2)))
    first = s.send(workbook)
    export = s.copy(workbook)  # the export's figures differ: a later count of employees
    employees = s.get(workbook, "indicators", EMPLOYEES, "value_ytd") + 12
    prior = s.get(workbook, "indicators", EMPLOYEES, "value_prior_ytd")
    s.set(export, "indicators", EMPLOYEES, "value_ytd", employees)
    s.set(
        export, "indicators", EMPLOYEES, "yoy_reported_pct", round((employees / prior - 1) * 100, 2)
    )
    later = s.send(
        export,
        fmt="csv",
        filed_columns=False,
        arrived=dt.datetime(2025, 4, 20, 9, 0, tzinfo=dt.UTC),
    )
    decided = s.run()
    assert decided.of(first).status == decided.of(later).status == "accepted"
    assert _current(home)[(s.park, MARCH)] == (later.name, later.name)


def test_a_correction_supersedes_a_later_arriving_original(home):
    """更正次数 decides before arrival: an original re-sent late does not undo a correction."""
    s = Scenario(home)
    s.send(s.clean(MARCH.replace(month=2)))
    correction = s.clean(MARCH, revision=1, filed=dt.date(2025, 4, 8))
    fixed = s.send(correction)
    original = s.send(s.clean(MARCH), arrived=dt.datetime(2025, 4, 9, 9, 0, tzinfo=dt.UTC))
    decided = s.run()
    assert decided.of(original).status == "accepted"
    assert _current(home)[(s.park, MARCH)] == (fixed.name, fixed.name)

"""The raw layer keeps each figure's precision as filed: what rounding can explain.

218.83 亿元 was rounded to 100 万元; 2188000 万元 to 1 万元. The balance edits
and the growth checks allow half of it, so a step is stored beside every
amount and growth rate (Column.step_field), from workbooks and long CSVs alike.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from scenario import Scenario

from sources import normalise as n
from sources import raw_store
from sources import template as t

MARCH = dt.date(2025, 3, 1)
OUTPUT = t.IND_OUTPUT


@pytest.mark.parametrize(
    ("value", "factor", "percent", "step"),
    [
        (218.83, 10_000, False, 100.0),  # 亿元, two decimals
        ("218.80", 10_000, False, 100.0),  # text keeps its trailing zero
        (2188000.0, 1, False, 1.0),
        (2188000.5, 1, False, 0.1),
        (" 1,234.5 ", 1, False, 0.1),
        ("１２３", 1, False, 1.0),
        (12345678, 0.0001, False, 0.0001),  # 元
        (0.0625, 1, True, 0.01),  # 6.25 % kept as its fraction
        (0.5, 1, True, 1.0),  # 50 %
        ("6.25%", 1, False, 0.01),
        ("—", 1, False, None),
    ],
)
def test_the_step_of_a_figure_as_filed(value, factor, percent, step):
    assert n.step(value, factor, percent) == step


def _steps(home) -> dict:
    with duckdb.connect(str(home.working_db), read_only=True) as con:
        return {
            r[0]: r[1:]
            for r in con.execute(
                "select indicator, value_ytd, value_ytd_step, value_prior_ytd_step, "
                "yoy_reported_pct_step from raw.indicators"
            ).fetchall()
        }


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_steps_are_stored_for_workbooks_and_long_csvs(home, fmt):
    s = Scenario(home)
    filing = s.clean(MARCH)
    s.set(filing, "indicators", OUTPUT, "value_ytd", 2188300.0)  # 218.83 亿元
    path = s.send(filing, fmt=fmt)
    if fmt == "xlsx":

        def in_yi(book):
            ws = book[t.INDICATOR_SHEET.name]
            for row in ws.iter_rows(min_row=2):
                if row[0].value == OUTPUT:  # the row in 亿元: both its amounts
                    row[1].value, row[2].value = t.UNIT_YI_YUAN, 218.83
                    row[3].value = round(row[3].value / 10_000, 5)

        s.edit(path, in_yi)
    else:
        text = path.read_text(encoding="utf-8")
        line = f",{OUTPUT},,本年累计,2188300.0,万元"
        assert line in text
        path.write_text(text.replace(line, f",{OUTPUT},,本年累计,218.83,亿元"), encoding="utf-8")
    assert s.take().files[0].outcome == "ingested"
    steps = _steps(home)
    ytd, ytd_step, prior_step, growth_step = steps[OUTPUT]
    assert (ytd, ytd_step, growth_step) == (2188300.0, 100.0, 0.01)
    assert prior_step in (0.1, 1.0)  # 上年同期 as written: 207.88599 亿元 or 2078859.9 万元
    assert steps["从业人员"][1] == 1.0  # a count: whole numbers


def test_an_older_warehouse_gets_the_new_columns(home):
    """A raw layer written before the steps existed is taken on: the columns are added."""
    old = {name: schema for name, schema in raw_store.TABLES.items()}
    indicators = old["indicators"]
    old["indicators"] = indicators.remove(indicators.get_field_index("value_ytd_step"))
    home.ensure()
    with duckdb.connect(str(home.working_db)) as con:
        con.execute("create schema raw")
        con.execute(raw_store._ddl("indicators", old["indicators"]))
    with raw_store.connect(home.working_db) as con:
        columns = {r[0] for r in con.execute("describe raw.indicators").fetchall()}
    assert "value_ytd_step" in columns
    s = Scenario(home)
    s.send(s.clean(MARCH))
    assert s.take().files[0].outcome == "ingested"

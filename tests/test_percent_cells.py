"""A growth cell formatted as an Excel percentage holds the fraction: 6.5 % is stored as 6.5.

Excel keeps 6.50 % as 0.065; published as 0.065 it would rank a park as
growing by a hundredth of what it reported. Amount cells are never scaled by
their format, and text (`6.5%`, `6.5`) keeps its own meaning.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from scenario import Scenario

from sources import template as t
from sources.cell_formats import is_percent_format, percent_cells
from sources.write_workbook import WorkbookStyle

MARCH = dt.date(2025, 3, 1)
OUTPUT = t.IND_OUTPUT


def _growth(home) -> dict[tuple[str, str], float]:
    with duckdb.connect(str(home.working_db), read_only=True) as con:
        rows = con.execute("""
            select 'indicators', indicator, yoy_reported_pct from raw.indicators
            union all select 'chains', chain, yoy_reported_pct from raw.chain_output
            union all select 'tax', tax_type, yoy_reported_pct from raw.tax
        """).fetchall()
    return {(sheet, key): value for sheet, key, value in rows}


@pytest.mark.parametrize("sheet", ["indicators", "chains", "tax"])
def test_a_percentage_formatted_growth_column_is_stored_in_percent(home, sheet):
    s = Scenario(home)
    filing = s.clean(MARCH)
    path = s.send(filing, style=WorkbookStyle(percent_growth=frozenset({sheet})))
    assert percent_cells(path, [t.SHEET_BY_KEY[sheet].name])  # the file holds fractions
    assert s.take().files[0].outcome == "ingested"
    stored = _growth(home)
    key_field = t.SHEET_BY_KEY[sheet].key_column.field
    for row in filing.rows(sheet):
        if row["yoy_reported_pct"] is not None:
            assert stored[(sheet, row[key_field])] == pytest.approx(row["yoy_reported_pct"])


def test_amounts_and_text_are_never_scaled_by_a_percentage_format(home):
    s = Scenario(home)
    filing = s.clean(MARCH)
    path = s.send(filing)

    def formats(book):
        ws = book[t.INDICATOR_SHEET.name]
        for row in ws.iter_rows(min_row=2):
            if row[0].value == OUTPUT:
                row[2].number_format = "0.00%"  # an amount cell formatted as a percentage
                row[4].value = "6.5%"  # a growth typed as text
                row[4].number_format = "0.00%"
            if row[0].value == t.IND_TAX:
                row[4].value = "4.25"  # text in a percentage cell: what was typed
                row[4].number_format = "0.00%"

    s.edit(path, formats)
    assert s.take().files[0].outcome == "ingested"
    with duckdb.connect(str(home.working_db), read_only=True) as con:
        output, growth = con.execute(
            "select value_ytd, yoy_reported_pct from raw.indicators where indicator = ?", [OUTPUT]
        ).fetchone()
        tax_growth = con.execute(
            "select yoy_reported_pct from raw.indicators where indicator = ?", [t.IND_TAX]
        ).fetchone()[0]
    assert output == s.get(filing, "indicators", OUTPUT, "value_ytd")
    assert (growth, tax_growth) == (6.5, 4.25)


@pytest.mark.parametrize(
    ("code", "percent"),
    [
        ("0%", True),
        ("0.00%", True),
        ("#,##0.0%;[Red]-#,##0.0%", True),
        ('0.0"%"', False),  # a literal % after the number: the cell holds 6.5
        ("0.0\\%", False),
        ("0.00", False),
        ("General", False),
        ("[$%-804]0.00", False),
    ],
)
def test_which_number_formats_are_percentages(code, percent):
    assert is_percent_format(code) is percent


def test_a_workbook_without_percentage_styles_is_answered_from_its_styles(tmp_path):
    from openpyxl import Workbook

    path = tmp_path / "plain.xlsx"
    book = Workbook()
    book.active.title = "主要指标"
    book.active["A1"] = 0.065
    book.save(path)
    assert percent_cells(path, ["主要指标"]) == {}
    book.active["B3"].number_format = "0.0%"
    book.active["B3"] = 0.065
    book.save(path)
    assert percent_cells(path, ["主要指标"]) == {"主要指标": {(2, 1)}}
    assert percent_cells(tmp_path / "missing.xlsx", ["主要指标"]) == {}

"""Lineage: a raw row's file, sheet and row number point at the cell it came from."""

from __future__ import annotations

import csv
import random

import duckdb
from python_calamine import CalamineWorkbook

from sources import normalise
from sources import template as t
from sources.normalise import indicator_name
from sources.read_csv import decode


def test_workbook_rows_point_at_their_cells(xlsx_ingested):
    home = xlsx_ingested.home
    with duckdb.connect(str(home.working_db), read_only=True) as con:
        rows = con.execute("""
            select a.archive_path, i.sheet, i.row_number, i.indicator, i.file_name
            from raw.indicators i join raw.filings f using (filing_id)
            join raw.arrivals a on a.file_sha256 = f.file_sha256 and a.outcome = 'ingested'
        """).fetchall()
    assert rows
    for archive_path, sheet, row_number, indicator, _ in random.Random(7).sample(rows, 200):
        grid = (
            CalamineWorkbook.from_path(str(home.root / archive_path))
            .get_sheet_by_name(sheet)
            .to_python(skip_empty_area=False)
        )
        assert indicator_name(grid[row_number - 1][0]) == indicator


def test_csv_rows_point_at_their_lines(csv_ingested):
    home = csv_ingested.home
    with duckdb.connect(str(home.working_db), read_only=True) as con:
        rows = con.execute("""
            select distinct a.archive_path, t.row_number, t.partner
            from raw.trade t join raw.filings f using (filing_id)
            join raw.arrivals a on a.file_sha256 = f.file_sha256
        """).fetchall()
    assert rows
    for archive_path, row_number, partner in rows[:100]:
        text, _ = decode((home.root / archive_path).read_bytes())
        line = next(csv.reader([text.splitlines()[row_number - 1]]))
        cells = dict(zip(t.CSV_COLUMNS, line, strict=False))
        assert normalise.text(cells["表"]) == t.TRADE_SHEET.name
        assert normalise.partner(cells["分组"]) == partner

"""Units as parks write them: a header or unit cell in 元, 千元 or 亿元 is converted to 万元;
one in another currency (万美元 over 万元 figures) or one parkstat does not know is refused
with a reason naming the sheet and column — never read as the template's own unit.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from scenario import Scenario

from sources import template as t

MARCH = dt.date(2025, 3, 1)


def _header(ws, starts: str) -> tuple[int, int]:
    for row in ws.iter_rows(min_row=1, max_row=6):
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith(starts):
                return cell.row, cell.column
    raise KeyError(starts)


def _restate_column(sheet: str, header: str, unit: str, factor: float | None):
    """Write `header`'s column in `unit`: the header says so, each figure is multiplied."""

    def change(book):
        ws = book[sheet]
        row, col = _header(ws, header)
        ws.cell(row, col).value = f"{header}({unit})"
        if factor is None:
            return
        for r in range(row + 1, ws.max_row + 1):
            cell = ws.cell(r, col)
            if isinstance(cell.value, (int, float)):
                cell.value = round(cell.value * factor, 6)

    return change


def _stored(home, table: str, fields: str) -> dict:
    with duckdb.connect(str(home.working_db), read_only=True) as con:
        return {r[0]: r[1:] for r in con.execute(f"select {fields} from raw.{table}").fetchall()}


@pytest.mark.parametrize(
    ("sheet", "header", "unit", "factor", "table", "fields"),
    [
        (t.CHAIN_SHEET, "本年累计", "元", 10_000, "chain_output", "chain, output_ytd"),
        (t.TAX_SHEET, "上年同期", "千元", 10, "tax", "tax_type, tax_prior_ytd"),
        (t.TRADE_SHEET, "出口本年累计", "亿元", 0.0001, "trade", "partner, export_ytd"),
        (t.PROJECT_SHEET, "其中外资", "美元", 10_000, "projects", "project_code, fdi_usd"),
    ],
)
def test_a_header_in_another_unit_of_the_same_currency_is_converted(
    home, sheet, header, unit, factor, table, fields
):
    s = Scenario(home)
    filing = s.clean(MARCH)
    path = s.send(filing)
    s.edit(path, _restate_column(sheet.name, header, unit, factor))
    report = s.take()
    assert report.files[0].outcome == "ingested", report.files[0].problems
    key, fld = (f.strip() for f in fields.split(","))
    truth = {r[key]: r[fld] for r in filing.rows(sheet.key)}
    stored = {k: v[0] for k, v in _stored(home, table, fields).items()}
    assert stored == pytest.approx(truth)


@pytest.mark.parametrize(
    ("sheet", "header", "unit", "says"),
    [
        (t.TRADE_SHEET, "出口本年累计", "万美元", "amounts in 万美元 are never converted to 万元"),
        (t.CHAIN_SHEET, "上年同期", "万美元", "amounts in 万美元 are never converted to 万元"),
        (t.PROJECT_SHEET, "其中外资", "万元", "amounts in 万元 are never converted to 万美元"),
        (t.TAX_SHEET, "本年累计", "人民币元", "unit '人民币元' where the template has '万元'"),
    ],
)
def test_a_header_in_another_currency_or_an_unknown_unit_is_refused(
    home, sheet, header, unit, says
):
    s = Scenario(home)
    path = s.send(s.clean(MARCH))
    s.edit(path, _restate_column(sheet.name, header, unit, None))
    outcome = s.take().files[0]
    assert outcome.outcome == "quarantined"
    [problem] = outcome.problems
    assert (problem.rule, problem.sheet) == ("B1", sheet.name)
    assert f"column {header}({unit})" in problem.message and says in problem.message
    assert not _stored(home, "filings", "filing_id, period")  # nothing of it was stored


def test_a_unit_cell_in_yuan_converts_and_one_in_dollars_is_refused(home):
    s = Scenario(home)
    filing = s.clean(MARCH)
    revenue = s.get(filing, "indicators", "技工贸总收入", "value_ytd")

    def in_yuan(book):
        ws = book[t.INDICATOR_SHEET.name]
        row, _ = _header(ws, "技工贸总收入")
        ws.cell(row, 2).value = "元"
        for col in (3, 4):
            ws.cell(row, col).value = round(ws.cell(row, col).value * 10_000)

    s.edit(s.send(filing), in_yuan)
    assert s.take().files[0].outcome == "ingested"
    stored = _stored(home, "indicators", "indicator, value_ytd, unit")
    assert stored["技工贸总收入"] == (pytest.approx(revenue), t.UNIT_WAN_YUAN)

    def in_dollars(book):
        ws = book[t.INDICATOR_SHEET.name]
        row, _ = _header(ws, "技工贸总收入")
        ws.cell(row, 2).value = "万美元"

    s.edit(s.send(s.clean(MARCH, revision=1)), in_dollars)
    [problem] = s.take().files[0].problems
    assert problem.rule == "B1" and problem.column == "计量单位"
    assert "amounts in 万美元 are never converted to 万元" in problem.message


def test_a_long_csv_line_in_yuan_converts_and_one_in_dollars_is_refused(home):
    s = Scenario(home)
    filing = s.clean(MARCH)
    path = s.send(filing, fmt="csv")
    lines = path.read_text(encoding="utf-8").splitlines()
    chain = filing.rows("chains")[0]
    target = f",产业链产值,产值,{chain['chain']},本年累计,"
    [i] = [n for n, line in enumerate(lines) if target in line]
    fields = lines[i].split(",")
    fields[7], fields[8] = str(round(float(fields[7]) * 10_000)), "元"
    lines[i] = ",".join(fields)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert s.take().files[0].outcome == "ingested"
    stored = _stored(home, "chain_output", "chain, output_ytd")
    assert stored[chain["chain"]][0] == pytest.approx(chain["output_ytd"])

    second = s.send(s.clean(MARCH, revision=1), fmt="csv")
    lines = second.read_text(encoding="utf-8").splitlines()
    [j] = [n for n, line in enumerate(lines) if target in line]
    fields = lines[j].split(",")
    fields[8] = "万美元"
    lines[j] = ",".join(fields)
    second.write_text("\n".join(lines) + "\n", encoding="utf-8")
    [problem] = s.take().files[0].problems
    assert problem.rule == "B1" and problem.column == "计量单位"
    assert "never converted" in problem.message

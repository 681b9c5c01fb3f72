"""B5 without holes: a breakdown's reported parts never exceed its total, all of them add up
to it, a missing 合计 row is B1 — and only what rounding cannot explain is stopped.

Rounding explains half the last digit of each figure as filed: figures in 万元
are held to 1 万元, figures in 亿元 with two decimals to 50 万元 each.
"""

from __future__ import annotations

import datetime as dt

import pytest
from scenario import Scenario, blocking

from sources import template as t
from sources.write_workbook import WorkbookStyle

FEB, MARCH = dt.date(2025, 2, 1), dt.date(2025, 3, 1)
TOTAL = t.TOTAL_ROW


def _chains(filing) -> list[str]:
    return [r["chain"] for r in filing.rows("chains") if r["chain"] != TOTAL]


def _decide(s: Scenario, filing, **send):
    s.send(s.clean(FEB))
    path = s.send(filing, **send)
    return s.run().of(path, filing.period)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_breakdown_without_its_total_row_is_b1(home, fmt):
    s = Scenario(home)
    filing = s.clean(MARCH)
    filing.sheets["tax"] = [r for r in filing.rows("tax") if r["tax_type"] != TOTAL]
    s.send(filing, fmt=fmt)
    [problem] = s.take().files[0].problems
    assert (problem.rule, problem.sheet) == ("B1", t.TAX_SHEET.name)
    assert f"required row '{TOTAL}' is missing" in problem.message


def test_a_long_csv_without_any_line_of_a_breakdown_did_not_report_it(home):
    """A system export has no line for what a park did not report: no trade, no 合计."""
    s = Scenario(home)
    filing = s.clean(MARCH)
    filing.sheets["trade"] = []
    assert _decide(s, filing, fmt="csv").status == "accepted"


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_reported_parts_may_not_exceed_the_total_when_one_is_blank(home, fmt):
    s = Scenario(home)
    filing = s.clean(MARCH)
    first, second = _chains(filing)[:2]
    total = s.get(filing, "chains", TOTAL, "output_ytd")
    s.set(filing, "chains", first, "output_ytd", None)  # not reported
    s.set(filing, "chains", second, "output_ytd", total * 0.9)  # the rest then exceed 合计
    verdict = _decide(s, filing, fmt=fmt)
    assert verdict.status == "rejected" and blocking(verdict) == ["B5"]
    [problem] = [p for p in verdict.problems if p.blocking]
    assert f"{TOTAL} ≥ Σ reported 产业链 (本年累计)" in problem.message, problem


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_blank_part_with_the_rest_below_the_total_is_accepted(home, fmt):
    s = Scenario(home)
    filing = s.clean(MARCH)
    s.set(filing, "chains", _chains(filing)[0], "output_ytd", None)
    s.set(filing, "chains", _chains(filing)[0], "yoy_reported_pct", None)
    assert _decide(s, filing, fmt=fmt).status == "accepted"


def test_a_gap_rounding_cannot_explain_is_stopped_at_a_large_park(home):
    """2,000 万元 off at a park of 220亿元: the old 0.1 % let it through; rounding cannot."""
    s = Scenario(home)
    filing = s.clean(MARCH)
    chain = _chains(filing)[0]
    s.set(
        filing, "chains", chain, "output_ytd", s.get(filing, "chains", chain, "output_ytd") + 2000
    )
    verdict = _decide(s, filing)
    assert verdict.status == "rejected" and blocking(verdict) == ["B5"]
    assert "off by 2,000 万元 — rounding explains 1" in verdict.problems[0].message


def test_a_total_left_blank_is_checked_against_the_headline_figure(home):
    s = Scenario(home)
    filing = s.clean(MARCH)
    s.set(filing, "chains", TOTAL, "output_ytd", None)
    chain = _chains(filing)[0]
    s.set(filing, "chains", chain, "output_ytd", s.get(filing, "chains", chain, "output_ytd") + 500)
    verdict = _decide(s, filing)
    assert verdict.status == "rejected" and blocking(verdict) == ["B5"]
    assert f"{t.IND_OUTPUT} ({TOTAL} blank) = Σ 产业链" in verdict.problems[0].message


def _round_column_in_yi(sheet: str, decimals: int, bump: float = 0.0):
    """Round the sheet's 亿元 figures to `decimals` as a park's office would; `bump` the first."""

    def change(book):
        ws = book[sheet]
        header = next(r for r in range(1, 5) if "亿元" in str(ws.cell(r, 2).value))
        for r in range(header + 1, ws.max_row + 1):
            for c in (2, 3):
                if isinstance(ws.cell(r, c).value, float):
                    ws.cell(r, c).value = round(ws.cell(r, c).value, decimals)
        ws.cell(header + 1, 2).value = round(ws.cell(header + 1, 2).value + bump, decimals)

    return change


def test_figures_in_yi_yuan_with_two_decimals_pass_on_their_rounding(home):
    s = Scenario(home)
    s.send(s.clean(FEB))
    path = s.send(s.clean(MARCH), style=WorkbookStyle(unit_yi_headers=frozenset({"chains"})))
    s.edit(path, _round_column_in_yi(t.CHAIN_SHEET.name, 2))
    assert s.run().of(path).status == "accepted"


def test_figures_in_yi_yuan_a_rounding_cannot_explain_are_stopped(home):
    s = Scenario(home)
    s.send(s.clean(FEB))
    path = s.send(s.clean(MARCH), style=WorkbookStyle(unit_yi_headers=frozenset({"chains"})))
    s.edit(path, _round_column_in_yi(t.CHAIN_SHEET.name, 2, bump=1.0))  # 1亿元 more
    verdict = s.run().of(path)
    assert verdict.status == "rejected" and blocking(verdict) == ["B5"]
    assert any("off by 10,0" in p.message for p in verdict.problems)

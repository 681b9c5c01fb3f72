"""B7, a unit slip (元 typed as 万元): caught in the year's first filing too, and never
invented by a genuinely small early value.

A slip multiplies a figure by 10⁴. The year's first filing (1-2月) has no
earlier period: it is measured against the park's accepted figure for the
same period last year and its own 上年同期. A lumpy item — 2 万美元 of FDI in
February — must not make every later month of the year a "slip".
"""

from __future__ import annotations

import datetime as dt

from scenario import Scenario, blocking

from sources import template as t

FDI, FUNDS = t.IND_FDI, "内资到位资金"
LAST_FEB, FEB = dt.date(2024, 2, 1), dt.date(2025, 2, 1)


def _months(year: int, last: int) -> list[dt.date]:
    return [dt.date(year, m, 1) for m in range(2, last + 1)]


def _slip(s: Scenario, filing, item: str, fields=("value_ytd",)) -> None:
    for fld in fields:
        s.set(filing, "indicators", item, fld, s.get(filing, "indicators", item, fld) * 10_000)


def test_a_slip_in_the_years_first_filing_is_caught_against_last_year(home):
    s = Scenario(home)
    s.send(s.clean(LAST_FEB))
    feb = s.clean(FEB)
    _slip(s, feb, FUNDS)
    s.set(feb, "indicators", FUNDS, "value_prior_ytd", None)  # only last year to go by
    path = s.send(feb)
    verdict = s.run().of(path)
    assert verdict.status == "rejected" and blocking(verdict) == ["B7"]
    [problem] = [p for p in verdict.problems if p.rule == "B7"]
    assert "x its level a year ago" in problem.message and "元 typed as 万元" in problem.message


def test_a_slip_in_the_first_filing_on_record_is_caught_against_its_own_base(home):
    s = Scenario(home)
    feb = s.clean(FEB)
    _slip(s, feb, FUNDS)
    verdict = s.run_one(feb)
    assert verdict.status == "rejected" and blocking(verdict) == ["B7"]


def test_a_whole_row_in_yuan_is_caught_by_its_base_against_last_year(home):
    """本年累计 and 上年同期 both typed in 元: the growth agrees, last year's figure does not."""
    s = Scenario(home)
    s.send(s.clean(LAST_FEB))
    feb = s.clean(FEB)
    _slip(s, feb, FUNDS, ("value_ytd", "value_prior_ytd"))
    path = s.send(feb)
    verdict = s.run().of(path)
    assert verdict.status == "rejected" and blocking(verdict) == ["B7"]
    assert any("上年同期" in p.message for p in verdict.problems if p.rule == "B7")


def test_a_rejected_slip_does_not_make_the_correct_later_months_fail(home):
    """The slipped February is never a reference: March is measured against last year."""
    s = Scenario(home)
    for period in _months(2024, 4):
        s.send(s.clean(period))
    feb = s.clean(FEB)
    _slip(s, feb, FUNDS)
    paths = [s.send(feb)] + [s.send(s.clean(p)) for p in _months(2025, 4)[1:]]
    decided = s.run()
    assert [decided.of(p).status for p in paths] == ["rejected", "accepted", "accepted"]


def _lumpy_fdi(s: Scenario, year: int, values: dict[int, float], prior: dict[int, float] | None):
    """The park's filings for `year` with FDI as given (its growth left to be derived)."""
    filings = []
    for month, value in values.items():
        filing = s.clean(dt.date(year, month, 1))
        s.set(filing, "indicators", FDI, "value_ytd", value)
        s.set(filing, "indicators", FDI, "value_prior_ytd", prior[month] if prior else None)
        s.set(filing, "indicators", FDI, "yoy_reported_pct", None)
        filings.append(filing)
    return filings


LUMPY = {2: 2.0, 3: 150.0, 4: 410.0, 5: 420.0, 6: 900.0}  # 万美元: one investor arrives in March


def test_a_small_early_value_with_a_year_ago_level_makes_no_later_month_a_slip(home):
    s = Scenario(home)
    filings = _lumpy_fdi(s, 2025, LUMPY, prior={2: 180.0, 3: 300.0, 4: 520.0, 5: 560.0, 6: 800.0})
    paths = [s.send(f) for f in filings]
    decided = s.run()
    assert [blocking(decided.of(p)) for p in paths] == [[]] * len(paths)


def test_a_small_early_value_with_no_history_is_held_to_the_parks_scale(home):
    """New FDI this year, no 上年同期: 150 万美元 is far below the park's scale, not a slip."""
    s = Scenario(home)
    paths = [s.send(f) for f in _lumpy_fdi(s, 2025, LUMPY, prior=None)]
    decided = s.run()
    assert [blocking(decided.of(p)) for p in paths] == [[]] * len(paths)


def test_a_slip_of_a_small_item_is_still_caught_against_its_year_ago_level(home):
    """2 万美元 typed in 元 in March is 20,000 — small for the park, but 66x a year ago."""
    s = Scenario(home)
    feb, march = _lumpy_fdi(s, 2025, {2: 1.0, 3: 2.0}, prior={2: 200.0, 3: 300.0})
    s.set(march, "indicators", FDI, "value_ytd", 20_000.0)
    s.send(feb)
    path = s.send(march)
    verdict = s.run().of(path)
    assert verdict.status == "rejected" and blocking(verdict) == ["B7"]

"""Growth that disagrees with its own base (W6), a base that disagrees with last year (W7),
a blank growth cell derived and seen by W1/W2 — each caught, each honest case let through.
"""

from __future__ import annotations

import datetime as dt

from scenario import Scenario

from sources import template as t

LAST_MARCH, MARCH = dt.date(2024, 3, 1), dt.date(2025, 3, 1)
TAX, REVENUE = t.IND_TAX, "技工贸总收入"


def _growth(s: Scenario, filing, item: str) -> float:
    ytd = s.get(filing, "indicators", item, "value_ytd")
    prior = s.get(filing, "indicators", item, "value_prior_ytd")
    return (ytd / prior - 1) * 100


def test_a_growth_at_odds_with_its_own_base_is_w6_in_the_first_year_on_record(home):
    s = Scenario(home)
    filing = s.clean(MARCH)
    s.set(filing, "indicators", TAX, "yoy_reported_pct", round(_growth(s, filing, TAX) + 3, 2))
    verdict = s.run_one(filing)
    assert verdict.rules == ["W6"]
    assert f"主要指标 {TAX}: reported" in verdict.problems[0].message


def test_a_growth_rounded_to_one_decimal_agrees_with_its_base(home):
    s = Scenario(home)
    filing = s.clean(MARCH)
    for item in (TAX, REVENUE):
        s.set(filing, "indicators", item, "yoy_reported_pct", round(_growth(s, filing, item), 1))
    assert s.run_one(filing).rules == []


def test_with_last_year_on_record_a_moved_growth_is_w1_and_w6(home):
    s = Scenario(home)
    s.send(s.clean(LAST_MARCH))
    filing = s.clean(MARCH)
    s.set(filing, "indicators", TAX, "yoy_reported_pct", round(_growth(s, filing, TAX) + 5, 2))
    assert s.run_one(filing).rules == ["W1", "W6"]


def test_a_blank_growth_is_derived_and_w2_sees_it(home):
    """The cell left blank, the filing's own base gives −60 %: out of range, said derived."""
    s = Scenario(home)
    filing = s.clean(MARCH)
    prior = s.get(filing, "indicators", REVENUE, "value_prior_ytd")
    s.set(filing, "indicators", REVENUE, "value_ytd", round(prior * 0.4, 1))
    s.set(filing, "indicators", REVENUE, "yoy_reported_pct", None)
    verdict = s.run_one(filing)
    assert verdict.rules == ["W2"]
    assert "growth not reported, derived -60 % from its own 上年同期" in verdict.problems[0].message


def test_a_base_other_than_last_years_accepted_figure_is_w7_naming_both(home):
    """The growth agrees with the wrong base, so W1 stays silent (1 % off): W7 says it."""
    s = Scenario(home)
    s.send(s.clean(LAST_MARCH))
    filing = s.clean(MARCH)
    filed_last_year = s.get(filing, "indicators", REVENUE, "value_prior_ytd")
    wrong = round(filed_last_year * 1.01, 1)
    s.set(filing, "indicators", REVENUE, "value_prior_ytd", wrong)
    s.set(filing, "indicators", REVENUE, "yoy_reported_pct", round(_growth(s, filing, REVENUE), 2))
    verdict = s.run_one(filing)
    assert verdict.rules == ["W7"]
    message = verdict.problems[0].message
    assert f"上年同期 {wrong:,.1f} 万元" in message and f"{filed_last_year:,.1f}" in message
    assert "accepted for 2024-03" in message


def test_a_base_equal_to_last_years_figure_within_rounding_is_not_w7(home):
    """Last year's figure written this year in 亿元 with two decimals: rounding, not a new base."""
    s = Scenario(home)
    s.send(s.clean(LAST_MARCH))
    filing = s.clean(MARCH)
    filed_last_year = s.get(filing, "indicators", REVENUE, "value_prior_ytd")
    s.set(filing, "indicators", REVENUE, "value_prior_ytd", round(filed_last_year, -2))
    s.set(filing, "indicators", REVENUE, "yoy_reported_pct", round(_growth(s, filing, REVENUE), 2))
    path = s.send(filing)

    def base_in_yi(book):
        ws = book[t.INDICATOR_SHEET.name]
        for r in ws.iter_rows(min_row=2):
            if r[0].value == REVENUE:  # 亿元 for the row, both amounts
                r[1].value = t.UNIT_YI_YUAN
                r[2].value = round(r[2].value / 10_000, 6)
                r[3].value = round(r[3].value / 10_000, 2)

    s.edit(path, base_in_yi)
    assert s.run().of(path).rules == []

"""What the marts publish of a growth cell and a growth-only row, what a long CSV did not
report — and the pre-publish suites that stop a candidate whose breakdowns disagree with
their headline figures or whose monthly values fall below zero.
"""

from __future__ import annotations

import datetime as dt
import shutil

import duckdb
import pytest
from scenario import Scenario

from expectations.mart_suites import validate_marts
from parkstat.home import Home
from parkstat.warehouse import build_candidate
from sources import template as t

FEB, MARCH, APRIL = (dt.date(2025, m, 1) for m in (2, 3, 4))
VALUE_ADDED = "规模工业增加值"


@pytest.fixture(scope="module")
def candidate(tmp_path_factory):
    """February as a long CSV; March with a blank growth cell and figures in the growth-only
    row's amount cells; April as filed. Built into a candidate."""
    home = Home(tmp_path_factory.mktemp("published") / "home")
    s = Scenario(home)
    s.send(s.clean(FEB), fmt="csv")
    march = s.clean(MARCH)
    s.set(march, "indicators", t.IND_TAX, "yoy_reported_pct", None)
    s.set(march, "indicators", VALUE_ADDED, "value_ytd", 12_345.6)
    march_path = s.send(march)
    s.send(s.clean(APRIL))
    decided = s.run()
    build = build_candidate(home)
    return s, march, decided.of(march_path), home, build.candidate


def _indicator(candidate, period, indicator):
    _, _, _, _, path = candidate
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(
            "select value_ytd, value_prior_ytd, yoy_reported_pct, yoy_pct, yoy_is_derived "
            "from marts.fct_park_indicators where period = ? and indicator = ?",
            [period, indicator],
        ).fetchone()


def test_a_blank_growth_cell_is_derived_from_the_filings_own_base_and_marked(candidate):
    s, march, verdict, *_ = candidate
    ytd, prior, reported, published, derived = _indicator(candidate, MARCH, t.IND_TAX)
    assert reported is None and derived is True
    assert published == round((ytd / prior - 1) * 100, t.GROWTH_DECIMALS)
    assert _indicator(candidate, APRIL, t.IND_TAX)[4] is False  # reported: not derived


def test_a_growth_only_row_keeps_its_growth_and_never_publishes_an_amount(candidate):
    s, march, verdict, *_ = candidate
    ytd, prior, reported, published, _ = _indicator(candidate, MARCH, VALUE_ADDED)
    assert (ytd, prior) == (None, None)
    assert reported == published == s.get(march, "indicators", VALUE_ADDED, "yoy_reported_pct")
    assert verdict.status == "warned" and verdict.rules == ["W9"]
    assert "12,345.6 in its amount cells is not stored as an amount" in verdict.problems[0].message


def test_a_long_csv_reports_no_project_counts(candidate):
    s, *_, path = candidate
    with duckdb.connect(str(path), read_only=True) as con:
        counts = dict(
            con.execute(
                "select period, projects_signed_over_100m_ytd from marts.mart_park_scorecard "
                "where park_code = ?",
                [s.park],
            ).fetchall()
        )
    assert counts[FEB] is None  # a long CSV: not reported, never 0
    assert counts[MARCH] is not None and counts[APRIL] is not None


def _tampered(candidate, tmp_path, sql: str):
    *_, home, path = candidate
    copy = tmp_path / "candidate.duckdb"
    shutil.copyfile(path, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute(sql)
    return validate_marts(home, copy, "tampered")


def test_the_candidate_as_built_passes(candidate, tmp_path):
    audit = _tampered(candidate, tmp_path, "select 1")
    assert audit.passed, audit.summary()
    assert {"marts_breakdowns_match_headlines", "marts_monthly_values_not_negative"} <= set(
        audit.suites
    )


def test_a_negative_monthly_value_refuses_the_publish(candidate, tmp_path):
    audit = _tampered(
        candidate,
        tmp_path,
        f"update marts.fct_tax_revenue set tax_month = -5 where period = '{APRIL}' "
        f"and tax_type = '{t.TAX_TYPES[0]}'",
    )
    assert not audit.passed
    [failure] = audit.failures
    assert failure.suite == "marts_monthly_values_not_negative"
    assert failure.row["item"] == t.TAX_TYPES[0] and failure.row["lowest_month"] == -5


def test_a_breakdown_that_disagrees_with_its_headline_refuses_the_publish(candidate, tmp_path):
    audit = _tampered(
        candidate,
        tmp_path,
        f"update marts.fct_foreign_trade set trade_ytd = trade_ytd + 500 "
        f"where period = '{APRIL}' and partner = '{t.DEFAULT_TRADE_PARTNERS[0]}' and flow = '出口'",
    )
    assert not audit.passed
    suites = {f.suite for f in audit.failures}
    assert "marts_breakdowns_match_headlines" in suites
    [row] = [f.row for f in audit.failures if f.suite == "marts_breakdowns_match_headlines"]
    assert row["headline"] == t.IND_TRADE and row["gap"] == pytest.approx(500)

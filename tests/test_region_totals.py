"""Totals with coverage (marts.mart_region_totals) and the park as of its period.

A sample of six 长沙 and 湘潭 parks over 2022-2023, 宁乡高新区 among them (provincial
until November 2022, national from December 2022), one park's July 2022 filing
left out. Expected totals are computed here in Python from the generator's
filings, never from the marts' SQL.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from conftest import build_without

from parkstat.home import Home
from sources import template as t
from sources.generate import generate
from sources.registry import Registry, default_registry

NINGXIANG_HIGH_TECH = "HN430106"  # 宁乡高新区: national from December 2022
TIANYI = "HN430305"
PARKS = ("HN430101", "HN430104", NINGXIANG_HIGH_TECH, "HN430301", TIANYI, "HN430303")
START, END = dt.date(2022, 2, 1), dt.date(2023, 7, 1)
TODAY = dt.date(2023, 8, 20)
JULY_22, JULY_23 = dt.date(2022, 7, 1), dt.date(2023, 7, 1)
MISSING = ("HN430101", JULY_22)  # left out: in 2023-07's matched growth, not its computed one
SUMMED = [i.name for i in t.INDICATORS if i.kind != "growth_only"]


@pytest.fixture(scope="module")
def totals(tmp_path_factory):
    registry = Registry([p for p in default_registry().parks if p.code in PARKS])
    assert len({p.code for p in registry.parks}) == len(PARKS)
    corpus = generate(
        tmp_path_factory.mktemp("corpus"), START, END, seed=7, today=TODAY, registry=registry
    )
    home = Home(tmp_path_factory.mktemp("home"))
    built, current = build_without(corpus, home, MISSING, TODAY)
    con = duckdb.connect(str(built.candidate), read_only=True)
    yield current, con
    con.close()


def _row(filing, indicator) -> dict:
    return next(r for r in filing.rows("indicators") if r["indicator"] == indicator)


def _level(period: dt.date, park: str) -> str:
    if park == NINGXIANG_HIGH_TECH:
        return "国家级" if period >= dt.date(2022, 12, 1) else "省级"
    return next(p.level for p in default_registry().parks if p.code == park)


def _totals(con, region_type: str, period: dt.date, indicator: str) -> dict[str, tuple]:
    return {
        r[0]: r[1:]
        for r in con.execute(
            "select region, value_ytd, yoy_matched_pct, yoy_computed_pct, parks_in_total, "
            "parks_expected, parks_not_filed, is_complete from marts.mart_region_totals "
            "where region_type = ? and period = ? and indicator = ?",
            [region_type, period, indicator],
        ).fetchall()
    }


def test_city_and_province_totals_are_the_sums_of_their_parks_current_figures(totals):
    current, con = totals
    city = {p.code: p.city for p in default_registry().parks}
    periods = sorted({period for _, period in current})
    for period in periods:
        for indicator in SUMMED:
            expected: dict[str, float] = {}
            for (park, when), filing in current.items():
                value = _row(filing, indicator)["value_ytd"]
                if when == period and value is not None:
                    for region in ("全省", city[park]):
                        expected[region] = expected.get(region, 0.0) + value
            got = {**_totals(con, "province", period, indicator),
                   **_totals(con, "city", period, indicator)}  # fmt: skip
            for region, value in expected.items():
                assert got[region][0] == pytest.approx(value, abs=1e-6), (
                    period,
                    indicator,
                    region,
                )


def test_growth_is_like_for_like_over_the_parks_that_have_both_years(totals):
    """2023年1-7月 output: the park missing in July 2022 reported its 上年同期 in its 2023
    filing, so it is in the matched growth; the warehouse has no 2022 figure of its own,
    so it is out of the computed growth. Both are Σ ÷ Σ − 1, never a mean of rates."""
    current, con = totals
    this_year = {p: f for (p, d), f in current.items() if d == JULY_23}
    last_year = {p: f for (p, d), f in current.items() if d == JULY_22}
    assert MISSING[0] in this_year and MISSING[0] not in last_year
    rows = [_row(f, t.IND_OUTPUT) for f in this_year.values()]
    matched = round(
        (
            sum(r["value_ytd"] for r in rows if r["value_prior_ytd"] is not None)
            / sum(r["value_prior_ytd"] for r in rows if r["value_prior_ytd"] is not None)
            - 1
        )
        * 100,
        t.GROWTH_DECIMALS,
    )
    both = [p for p in this_year if p in last_year]
    computed = round(
        (
            sum(_row(this_year[p], t.IND_OUTPUT)["value_ytd"] for p in both)
            / sum(_row(last_year[p], t.IND_OUTPUT)["value_ytd"] for p in both)
            - 1
        )
        * 100,
        t.GROWTH_DECIMALS,
    )
    mean_of_rates = sum(r["yoy_reported_pct"] for r in rows) / len(rows)
    _, got_matched, got_computed, in_total, expected, *_ = _totals(
        con, "province", JULY_23, t.IND_OUTPUT
    )["全省"]
    assert (got_matched, got_computed) == (pytest.approx(matched), pytest.approx(computed))
    assert got_computed != pytest.approx(got_matched)  # the missing park makes a difference
    assert got_matched != pytest.approx(round(mean_of_rates, 2))
    assert in_total == len(this_year) and expected == len(default_registry().current(JULY_23))
    # a total with parks missing says so on its own row
    [(complete, note)] = con.execute(
        "select is_complete, coverage_note from marts.mart_region_totals where region = '全省' "
        "and period = ? and indicator = ?",
        [JULY_22, t.IND_OUTPUT],
    ).fetchall()
    assert not complete and "未报" in note and "not filed" in note


def test_an_upgraded_park_is_counted_once_in_every_total(totals):
    current, con = totals
    for period in (dt.date(2022, 11, 1), dt.date(2022, 12, 1), dt.date(2023, 3, 1)):
        for region_type in ("city", "level", "park_type"):
            parts = _totals(con, region_type, period, t.IND_OUTPUT)
            [province] = _totals(con, "province", period, t.IND_OUTPUT).values()
            assert sum(r[0] or 0 for r in parts.values()) == pytest.approx(province[0])
            assert sum(r[3] for r in parts.values()) == province[3]  # parks in the total
            assert sum(r[4] for r in parts.values()) == province[4]  # parks expected
        by_level = {
            level: sum(
                _row(f, t.IND_OUTPUT)["value_ytd"]
                for (p, d), f in current.items()
                if d == period and _level(d, p) == level
            )
            for level in ("国家级", "省级")
        }
        got = _totals(con, "level", period, t.IND_OUTPUT)
        assert {k: got[k][0] for k in by_level} == pytest.approx(by_level), period


def test_facts_join_dim_park_on_the_version_in_effect_and_never_double_count(totals):
    _, con = totals
    versions = dict(
        con.execute(
            "select period, park_version_key from marts.fct_park_indicators "
            "where park_code = ? and indicator = ? and period in (?, ?)",
            [NINGXIANG_HIGH_TECH, t.IND_OUTPUT, dt.date(2022, 11, 1), dt.date(2022, 12, 1)],
        ).fetchall()
    )
    assert versions == {
        dt.date(2022, 11, 1): f"{NINGXIANG_HIGH_TECH}@1900-01-01",
        dt.date(2022, 12, 1): f"{NINGXIANG_HIGH_TECH}@2022-12-01",
    }
    for fact in ("fct_park_indicators", "fct_industrial_output", "fct_tax_revenue",
                 "fct_foreign_trade", "mart_park_scorecard"):  # fmt: skip
        rows, joined, on_code = con.execute(f"""
            select (select count(*) from marts.{fact}),
                   (select count(*) from marts.{fact} f
                      join marts.dim_park p using (park_version_key)),
                   (select count(*) from marts.{fact} f
                      join marts.dim_park p using (park_code))
        """).fetchone()
        assert joined == rows, fact
        assert on_code > rows, f"{fact}: the upgraded park is in the sample, twice by code"


def test_every_park_expected_is_a_scorecard_row_with_its_status(totals):
    current, con = totals
    for period in (JULY_22, JULY_23):
        statuses = dict(
            con.execute(
                "select park_code, filing_status from marts.mart_park_scorecard where period = ?",
                [period],
            ).fetchall()
        )
        assert set(statuses) == {p.code for p in default_registry().current(period)}
        filed = {p for (p, d) in current if d == period}
        assert {p for p, s in statuses.items() if s != "not_filed"} == filed
    assert dict(
        con.execute(
            "select park_code, output_ytd from marts.mart_park_scorecard where period = ? "
            "and park_code = ?",
            [JULY_22, MISSING[0]],
        ).fetchall()
    ) == {MISSING[0]: None}

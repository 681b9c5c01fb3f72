"""The publication log names every period whose published figures changed in a publish.

A corrected March changes March, April's monthly value (April − March) and
next year's March growth against it: all three are listed, and nothing else.
"""

from __future__ import annotations

import datetime as dt

import duckdb
from conftest import publish_month
from scenario import Scenario

from sources import template as t


def _last_publication(home) -> tuple[list, list]:
    with duckdb.connect(str(home.published_db), read_only=True) as con:
        return con.execute(
            "select periods_updated, periods_changed from marts.publications "
            "order by published_at desc limit 1"
        ).fetchone()


def test_a_correction_lists_the_months_whose_figures_it_changed(home):
    s = Scenario(home)
    months = [dt.date(y, m, 1) for y in (2024, 2025) for m in (2, 3, 4)]
    for period in months:
        s.send(s.clean(period))
    publish_month(home, "first")
    updated, changed = _last_publication(home)
    assert set(months) <= set(changed)  # the first publication: everything, coverage's months too

    march = dt.date(2024, 3, 1)
    correction = s.clean(march, revision=1, filed=dt.date(2024, 4, 20))
    revised = s.econ_filing(march, 1, correction.filed_date, {t.IND_TAX: 1.004})
    s.send(revised)
    publish_month(home, "corrected")
    updated, changed = _last_publication(home)
    assert updated == [march]
    assert changed == [march, dt.date(2024, 4, 1), dt.date(2025, 3, 1)]


def test_a_run_that_changes_nothing_lists_no_period(home):
    s = Scenario(home)
    s.send(s.clean(dt.date(2025, 2, 1)))
    publish_month(home, "first")
    publish_month(home, "again")
    assert _last_publication(home) == ([], [])

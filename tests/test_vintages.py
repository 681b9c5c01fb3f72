"""What was published when: vintages of every published figure, and the revisions view.

天易经开区 files February and March 2024, the marts are published; a correction of
March's tax is published next. As of the first publication the office had published
the original figure, as of the second the corrected one, and the revisions view says
the correction changed it. A publish that changes nothing adds no vintage.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from conftest import publish_month
from scenario import Scenario

from parkstat.home import Home
from parkstat.vintages import CORRECTION, REVISIONS, VINTAGES
from sources import template as t

MARCH = dt.date(2024, 3, 1)
AS_OF = f"""
    select value_ytd from {VINTAGES}
    where park_code = ? and period = ? and indicator = ?
      and published_at <= ? and (superseded_at is null or superseded_at > ?)
"""


def _published_at(con) -> list[dt.datetime]:
    return [
        r[0]
        for r in con.execute("select published_at from marts.publications order by 1").fetchall()
    ]


@pytest.fixture(scope="module")
def corrected(tmp_path_factory):
    home = Home(tmp_path_factory.mktemp("vintages") / "home").ensure()
    s = Scenario(home)
    original = s.clean(MARCH)
    s.send(s.clean(dt.date(2024, 2, 1)))
    s.send(original)
    publish_month(home, "first")
    correction = s.econ_filing(MARCH, 1, dt.date(2024, 4, 20), {t.IND_TAX: 1.004})
    s.send(correction)
    publish_month(home, "corrected")
    con = duckdb.connect(str(home.published_db), read_only=True)
    yield s, original, correction, con
    con.close()


def test_an_as_of_query_returns_the_figure_published_before_the_correction(corrected):
    s, original, correction, con = corrected
    first, second = _published_at(con)
    park = s.park
    was = s.get(original, "indicators", t.IND_TAX, "value_ytd")
    now = s.get(correction, "indicators", t.IND_TAX, "value_ytd")
    assert was != now
    between = first + (second - first) / 2
    for t_, expected in ((first, was), (between, was), (second, now)):
        [(value,)] = con.execute(AS_OF, [park, MARCH, t.IND_TAX, t_, t_]).fetchall()
        assert value == pytest.approx(expected), t_
    before = first - dt.timedelta(seconds=1)
    assert con.execute(AS_OF, [park, MARCH, t.IND_TAX, before, before]).fetchall() == []


def test_the_revisions_view_names_the_correction(corrected):
    s, original, correction, con = corrected
    _, second = _published_at(con)
    rows = con.execute(
        f"select publication_id, published_at, indicator, old_value, new_value, "
        f"old_filing_id <> new_filing_id, reason from {REVISIONS} where period = ?",
        [MARCH],
    ).fetchall()
    tax = [r for r in rows if r[2] == t.IND_TAX]
    assert tax == [
        (
            "corrected",
            second,
            t.IND_TAX,
            pytest.approx(s.get(original, "indicators", t.IND_TAX, "value_ytd")),
            pytest.approx(s.get(correction, "indicators", t.IND_TAX, "value_ytd")),
            True,
            CORRECTION,
        )
    ]
    # only what the correction changed is revised: February was not touched
    assert {r[2] for r in rows} <= {i.name for i in t.INDICATORS}
    assert (
        con.execute(f"select count(*) from {REVISIONS} where period <> ?", [MARCH]).fetchone()[0]
        == 0
    )


def test_a_publish_that_changes_nothing_adds_no_vintage(home):
    s = Scenario(home)
    s.send(s.clean(dt.date(2025, 2, 1)))
    publish_month(home, "first")
    with duckdb.connect(str(home.published_db), read_only=True) as con:
        first = con.execute(f"select * from {VINTAGES} order by all").fetchall()
    publish_month(home, "again")
    with duckdb.connect(str(home.published_db), read_only=True) as con:
        again = con.execute(f"select * from {VINTAGES} order by all").fetchall()
        revisions = con.execute(f"select count(*) from {REVISIONS}").fetchone()[0]
    assert first and again == first and revisions == 0

"""The dimensions a BI tool browses, and projects followed through their milestones.

Built on the sample with the latest month's filings all rejected afterwards,
so that the latest period filed is not the latest accepted. Expected values
are computed here from the template and the raw layer, never from the marts'
own SQL.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import shutil
from collections import defaultdict

import duckdb
import pytest

from expectations import audit_store
from parkstat.home import Home
from parkstat.warehouse import build_candidate
from sources import template as t

STARTED = (t.STAGE_STARTED, t.STAGE_PRODUCING)  # a project in production has started


@pytest.fixture(scope="module")
def built(xlsx_validated, tmp_path_factory):
    ingested, _ = xlsx_validated
    home = Home(tmp_path_factory.mktemp("dimensions") / "home")
    shutil.copytree(ingested.home.root, home.root)
    with duckdb.connect(str(home.working_db)) as con:
        rejected = con.execute("select max(period) from raw.filings").fetchone()[0]
        con.execute(
            """
            insert into audit.filing_decisions
                (filing_id, status, blocking_rules, warning_rules, waived_rules, run_id,
                 decided_at, decided_because)
            select filing_id, ?, ['B6'], [], [], 'test',
                   (select max(decided_at) from audit.filing_decisions) + interval 1 second, ?
            from raw.filings where period = ?
            """,
            [audit_store.REJECTED, audit_store.REFERENCE, rejected],
        )
    build = build_candidate(home)
    con = duckdb.connect(str(build.candidate), read_only=True)
    yield con, rejected
    con.close()


def _current_filings(con) -> dict[tuple[str, dt.date], tuple[str, str]]:
    """(park, period) -> (filing id, format) of the filing that counts: publishable, then
    sources/template.py SUPERSEDE_ORDER."""
    publishable = ", ".join(f"'{s}'" for s in audit_store.PUBLISHABLE)
    rows = con.execute(
        f"""
        select f.park_code, f.period, f.filing_id, f.file_format
        from raw.filings f
        join ({audit_store.CURRENT_DECISIONS}) d using (filing_id)
        where d.status in ({publishable})
        qualify row_number() over (
            partition by f.park_code, f.period order by {t.SUPERSEDE_ORDER}) = 1
        """
    ).fetchall()
    return {(park, period): (fid, fmt) for park, period, fid, fmt in rows}


def test_indicators_have_a_stable_code_and_say_what_adds_up():
    codes = [i.code for i in t.INDICATORS]
    assert len(set(codes)) == len(codes)
    assert all(re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", c) for c in codes), codes
    for i in t.INDICATORS:
        assert i.adds_over_parks == (i.kind in ("amount", "count", "stock")), i.name
        assert i.adds_over_months == (i.kind in ("amount", "count")), i.name
        if i.parent is not None:
            parent = t.INDICATOR_BY_NAME[i.parent]
            assert parent.parent is None and parent.unit == i.unit, i.name


def test_dim_indicator_is_the_templates_indicators(built):
    con, _ = built
    rows = con.execute(
        "select indicator, indicator_code, indicator_en, unit, kind, adds_over_parks, "
        "adds_over_months, parent_indicator, display_order from marts.dim_indicator "
        "order by display_order"
    ).fetchall()
    assert rows == [
        (i.name, i.code, i.english, i.unit, i.kind, i.adds_over_parks, i.adds_over_months,
         i.parent, n)
        for n, i in enumerate(t.INDICATORS, 1)
    ]  # fmt: skip
    orphans = con.execute(
        "select distinct indicator from marts.fct_park_indicators "
        "except select indicator from marts.dim_indicator"
    ).fetchall()
    assert orphans == []


def test_dim_period_for_the_sample(built):
    con, rejected = built
    filed = [p for (p,) in con.execute("select distinct period from raw.filings").fetchall()]
    accepted = {period for (_, period) in _current_filings(con)}
    latest = max(accepted)
    assert rejected not in accepted and latest < rejected, "the latest month is rejected"

    expected_periods = [  # from February of the first year filed, no January
        dt.date(y, m, 1)
        for y in range(min(filed).year, rejected.year + 1)
        for m in range(2, 13)
        if dt.date(y, m, 1) <= rejected
    ]
    columns = (
        "period, year, quarter, month, months_covered, months_in_month_value, is_half_year, "
        "is_three_quarters, is_full_year, previous_period, same_period_last_year, "
        "is_latest_period, label_zh, label_en, sort_key"
    )
    got = con.execute(f"select {columns} from marts.dim_period order by period").fetchall()
    expected = []
    for p in expected_periods:
        year_ago = p.replace(year=p.year - 1)
        expected.append(
            (
                p,
                p.year,
                (p.month - 1) // 3 + 1,
                p.month,
                p.month,
                2 if p.month == 2 else 1,
                p.month == 6,
                p.month == 9,
                p.month == 12,
                p.replace(month=p.month - 1) if p.month > 2 else None,
                year_ago if year_ago in expected_periods else None,
                p == latest,
                f"{p.year}年1-{p.month}月",
                f"Jan–{calendar.month_abbr[p.month]} {p.year}",
                p.year * 100 + p.month,
            )
        )
    assert got == expected
    assert sum(row[11] for row in got) == 1


def test_projects_keep_their_milestones_and_say_whether_still_listed(built):
    con, _ = built
    current = _current_filings(con)
    park_latest = {}
    for park, period in current:
        park_latest[park] = max(period, park_latest.get(park, period))
    listings = defaultdict(list)  # (park, project) -> [(period, row)]
    for park, period, filing, code, stage, started, produced in con.execute(
        "select park_code, period, filing_id, project_code, stage, started_date, "
        "production_date from raw.projects"
    ).fetchall():
        if current.get((park, period), (None,))[0] == filing:
            listings[(park, code)].append((period, stage, started, produced))

    def first(rows, reached):
        return min((p for p, *row in rows if reached(*row)), default=None)

    expected = {}
    for (park, code), rows in listings.items():
        last = max(p for p, *_ in rows)
        latest_format = current[(park, park_latest[park])][1]
        expected[(park, code)] = (
            min(p for p, *_ in rows),
            first(rows, lambda s, st, pr: st is not None or s in STARTED),
            first(rows, lambda s, st, pr: pr is not None or s == t.STAGE_PRODUCING),
            last,
            last == park_latest[park] if latest_format == "xlsx" else None,
        )
    got = {
        (park, code): rest
        for park, code, *rest in con.execute(
            "select park_code, project_code, signed_first_seen_period, "
            "started_first_seen_period, production_first_seen_period, last_seen_period, "
            "in_latest_filing from marts.fct_investment_project"
        ).fetchall()
    }
    assert got == {k: list(v) for k, v in expected.items()}
    still_listed = [v[4] for v in expected.values()]
    assert True in still_listed and False in still_listed, "the sample has projects that end"

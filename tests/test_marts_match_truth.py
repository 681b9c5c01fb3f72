"""Generate a sample with known truth, take it in, build the marts, check them against it.

Expected values are computed here in Python from the generator's filings,
never from the marts' own SQL.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import defaultdict

import duckdb
import pytest
from conftest import END, START, TODAY, build_without

from parkstat.home import Home
from sources import template as t
from sources.generate import generate
from sources.registry import default_registry

OUTPUT = t.IND_OUTPUT
TIANYI = "HN430305"


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    corpus = generate(tmp_path_factory.mktemp("truth"), START, END, parks=5, seed=31, today=TODAY)
    home = Home(tmp_path_factory.mktemp("home"))
    # Knock out one park's April 2025 filing(s): May's monthly value must become unknown.
    dropped = (TIANYI, dt.date(2025, 4, 1))
    build, current = build_without(corpus, home, dropped, TODAY)
    return build, current, dropped, corpus.manifest


@pytest.fixture(scope="module")
def built(pipeline):
    build, current, dropped, _ = pipeline
    con = duckdb.connect(str(build.candidate), read_only=True)
    yield current, con, dropped
    con.close()


def _ytd(filing, indicator=OUTPUT):
    return next(r["value_ytd"] for r in filing.rows("indicators") if r["indicator"] == indicator)


def test_month_values_follow_the_ytd_rules(built):
    current, con, dropped = built
    got = {
        (p, d): (ytd, month)
        for p, d, ytd, month in con.execute(
            "select park_code, period, value_ytd, value_month from marts.fct_park_indicators "
            "where indicator = ?",
            [OUTPUT],
        ).fetchall()
    }
    assert len(got) == len(current)
    for (park, period), filing in current.items():
        ytd, month = got[(park, period)]
        assert ytd == _ytd(filing)
        previous = (
            current.get((park, period.replace(month=period.month - 1)))
            if period.month > 2
            else None
        )
        if period.month == 2:
            expected = _ytd(filing)  # 1-2月 is two months' value
        elif previous is None:
            expected = None  # the previous period is missing: unknown, never the YTD
        else:
            expected = round(_ytd(filing) - _ytd(previous), 4)
        assert month == pytest.approx(expected) if expected is not None else month is None, (
            park,
            period,
        )
    assert got[(dropped[0], dt.date(2025, 5, 1))][1] is None


def test_corrections_supersede_and_growth_is_computed_against_last_year(built):
    current, con, _ = built
    got = {
        (p, d): (ytd, rep, comp)
        for p, d, ytd, rep, comp in con.execute(
            "select park_code, period, value_ytd, yoy_reported_pct, yoy_computed_pct "
            "from marts.fct_park_indicators where indicator = ?",
            [t.IND_TAX],
        ).fetchall()
    }
    corrected = [k for k, f in current.items() if f.revision > 0]
    assert corrected, "the sample has corrections"
    for (park, period), filing in current.items():
        ytd, reported, computed = got[(park, period)]
        assert ytd == _ytd(filing, t.IND_TAX)
        tax_row = next(r for r in filing.rows("indicators") if r["indicator"] == t.IND_TAX)
        assert reported == tax_row["yoy_reported_pct"]
        last = current.get((park, period.replace(year=period.year - 1)))
        if last is None:
            assert computed is None
        else:
            base = _ytd(last, t.IND_TAX)
            assert computed == pytest.approx(round((ytd / base - 1) * 100, 2))


def test_chains_add_up_to_output_and_ranks_follow_output(built, pipeline):
    current, con, _ = built
    sums = dict(
        ((p, d), (s, n))
        for p, d, s, n in con.execute(
            "select park_code, period, sum(output_ytd), count(*) from marts.fct_industrial_output "
            "group by all"
        ).fetchall()
    )
    # Chains filed in 亿元 to two decimals add up within their rounding (50 万元 each).
    rounded = {
        (e["park_code"], dt.date.fromisoformat(e["period"] + "-01"))
        for e in _manifest(pipeline)
        if e["rule"] == "unit_yi_rounded"
    }
    for key, filing in current.items():
        total, chains = sums[key]
        allowed = 50.0 * (chains + 1) if key in rounded else 1.0
        assert math.isclose(total, _ytd(filing), abs_tol=allowed), key
    by_period = defaultdict(list)
    for (park, period), filing in current.items():
        by_period[period].append((_ytd(filing), park))
    ranks = {
        (p, d): r
        for p, d, r in con.execute(
            "select park_code, period, output_rank_province from marts.mart_park_scorecard"
        ).fetchall()
    }
    for period, values in by_period.items():
        for rank, (_, park) in enumerate(sorted(values, reverse=True), 1):
            assert ranks[(park, period)] == rank


def test_projects_are_followed_to_their_latest_stage(built):
    current, con, _ = built
    latest = {}
    for (park, _), filing in sorted(current.items(), key=lambda kv: kv[0][1]):
        for row in filing.rows("projects"):
            latest[(park, row["project_code"])] = row
    got = {
        (p, c): (stage, band, amount)
        for p, c, stage, band, amount in con.execute(
            "select park_code, project_code, stage, size_band, contract_amount "
            "from marts.fct_investment_project"
        ).fetchall()
    }
    assert set(got) == set(latest)
    for key, row in latest.items():
        stage, band, amount = got[key]
        assert (stage, amount) == (row["stage"], row["contract_amount"])
        expected_band = next(b for low, b in t.SIZE_BANDS if row["contract_amount"] >= low)
        assert band == expected_band


def test_coverage_counts_missing_parks_not_zeros(built):
    current, con, dropped = built
    registry = default_registry()
    got = {
        d: (e, r, m)
        for d, e, r, m in con.execute(
            "select period, parks_expected, parks_reported, parks_missing from marts.mart_coverage "
            "where scope = '全省'"
        ).fetchall()
    }
    for period, (expected, reported, missing) in got.items():
        on_registry = len(registry.current(period))
        filed = sum(1 for (_, d) in current if d == period)
        assert (expected, reported, missing) == (on_registry, filed, on_registry - filed)
    assert got[dropped[1]][1] == sum(1 for (_, d) in current if d == dropped[1])


def test_tianyi_2025_july_is_the_published_figure(built):
    _, con, _ = built
    row = con.execute(
        "select value_ytd, yoy_reported_pct from marts.fct_park_indicators "
        "where park_code = ? and period = date '2025-07-01' and indicator = ?",
        [TIANYI, OUTPUT],
    ).fetchone()
    assert row == (2188000.0, 5.25)  # 218.8亿元, +5.25 %


def test_every_mart_and_column_carries_its_description(built):
    """BI tools show these: dbt's descriptions persisted as DuckDB comments."""
    _, con, _ = built
    tables = con.execute(
        "select table_name, comment from duckdb_tables() where schema_name = 'marts'"
    ).fetchall()
    assert len(tables) >= 13 and all(comment for _, comment in tables)
    bare = con.execute(
        "select table_name, column_name from duckdb_columns() "
        "where schema_name = 'marts' and coalesce(comment, '') = ''"
    ).fetchall()
    assert bare == []


def test_coverage_counts_late_what_arrived_late_and_not_what_was_corrected_later(built, pipeline):
    """mart_coverage's late parks are the park-periods whose first filing arrived late —
    the generator's late originals — and none of those filed on time and corrected after."""
    _, con, dropped = built
    corpus_late = {
        (e["park_code"], dt.date.fromisoformat(e["period"] + "-01"))
        for e in _manifest(pipeline)
        if e["kind"] == "late"
    } - {dropped}
    corrected = {
        (e["park_code"], dt.date.fromisoformat(e["period"] + "-01"))
        for e in _manifest(pipeline)
        if e["kind"] == "correction"
    }
    assert corrected - corpus_late, "the sample corrects filings that were on time"
    late = con.execute(
        "select period, parks_late from marts.mart_coverage where scope = '全省'"
    ).fetchall()
    expected = defaultdict(int)
    for _, period in corpus_late:
        expected[period] += 1
    assert {p: n for p, n in late if n} == dict(expected)


def _manifest(pipeline) -> list[dict]:
    return pipeline[3]


def test_dbt_docs_are_written_as_one_page(pipeline):
    build, *_ = pipeline
    page = build.docs.read_text(encoding="utf-8")
    assert build.docs.name == "index.html"
    # the manifest and catalog are inside the page, as JSON with \\u escapes
    for name in ("fct_park_indicators", "mart_park_scorecard", "规模工业总产值"):
        assert json.dumps(name)[1:-1] in page, name
    # it opens on the marts' overview, in Chinese and English, not dbt's welcome page
    overview = next(
        node["block_contents"]
        for node in json.loads(
            (build.docs.parents[2] / "warehouse" / "dbt" / "target" / "manifest.json").read_text(
                encoding="utf-8"
            )
        )["docs"].values()
        if node["name"] == "__overview__" and node["package_name"] == "parkstat"
    )
    assert "先读这几条再汇总" in overview and "Before you add anything up" in overview
    assert json.dumps(overview)[1:40] in page


def test_dbt_takes_the_templates_facts_as_vars():
    """The order of supersession and the amount decimals are passed, never typed in dbt."""
    from parkstat.dbt_process import DBT_PROJECT, dbt_args

    args = dbt_args(Home(DBT_PROJECT), "build")
    given = json.loads(args[args.index("--vars") + 1])
    assert given == {
        "supersede_order": t.SUPERSEDE_ORDER,
        "amount_decimals": t.AMOUNT_DECIMALS,
        "growth_decimals": t.GROWTH_DECIMALS,
    }
    model = DBT_PROJECT / "models" / "intermediate" / "int_filings_ranked.sql"
    assert "order by {{ var('supersede_order') }}" in model.read_text(encoding="utf-8")
    import yaml

    project = yaml.safe_load((DBT_PROJECT / "dbt_project.yml").read_text(encoding="utf-8"))
    assert "vars" not in project

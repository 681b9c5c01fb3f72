"""The pre-publish suites: the candidate marts must hold before they replace the published ones.

Every fact's grain is unique, its keys are not NULL and resolve to their
dimensions, its totals reconcile with the accepted raw filings (computed here
from the raw layer and the decisions, not through the dbt models), and
coverage is computed for every period. If any fails, nothing is published.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import great_expectations.expectations as gxe

from expectations import audit_store
from expectations.check_frames import ACCEPTED, breakdown_gap, half_step
from expectations.gx_runner import Failure, GxRunner
from parkstat.home import Home
from sources import template as t

# fact -> (grain, {key column: (dimension, its column)})
FACTS: dict[str, tuple[list[str], dict[str, tuple[str, str]]]] = {
    "fct_park_indicators": (["park_code", "period", "indicator"],
                            {"park_version_key": ("dim_park", "park_version_key"),
                             "period": ("dim_period", "period"),
                             "indicator": ("dim_indicator", "indicator")}),
    "fct_industrial_output": (["park_code", "period", "chain"],
                              {"park_version_key": ("dim_park", "park_version_key"),
                               "period": ("dim_period", "period"),
                               "chain": ("dim_industry_chain", "chain")}),
    "fct_tax_revenue": (["park_code", "period", "tax_type"],
                        {"park_version_key": ("dim_park", "park_version_key"),
                         "period": ("dim_period", "period"),
                         "tax_type": ("dim_tax_type", "tax_type")}),
    "fct_foreign_trade": (["park_code", "period", "partner", "flow"],
                          {"park_version_key": ("dim_park", "park_version_key"),
                           "period": ("dim_period", "period"),
                           "partner": ("dim_trade_partner", "partner")}),
    "fct_investment_project": (["park_code", "project_code"],
                               {"park_version_key": ("dim_park", "park_version_key")}),
    "mart_park_scorecard": (["park_code", "period"],
                            {"park_version_key": ("dim_park", "park_version_key"),
                             "period": ("dim_period", "period")}),
    "mart_region_totals": (["region_type", "region", "period", "indicator"],
                           {"period": ("dim_period", "period"),
                            "indicator": ("dim_indicator", "indicator")}),
}  # fmt: skip

# (fact, its measure, raw table, raw measure, raw rows left out of the sum: a growth-only
# row's amount cells are not published, nor a breakdown's 合计)
_GROWTH_ONLY = ", ".join(f"'{i.name}'" for i in t.INDICATORS if i.kind == "growth_only")
RECONCILE = (
    ("fct_park_indicators", "value_ytd", "indicators", "value_ytd",
     f"indicator in ({_GROWTH_ONLY})"),
    ("fct_industrial_output", "output_ytd", "chain_output", "output_ytd",
     f"chain = '{t.TOTAL_ROW}'"),
    ("fct_tax_revenue", "tax_ytd", "tax", "tax_ytd", f"tax_type = '{t.TOTAL_ROW}'"),
    ("fct_foreign_trade", "trade_ytd", "trade",
     "coalesce(export_ytd, 0) + coalesce(import_ytd, 0)", f"partner = '{t.TOTAL_ROW}'"),
)  # fmt: skip
RECONCILE_TOLERANCE = 0.01  # 万元: float sums of the same numbers


@dataclass
class MartAudit:
    failures: list[Failure] = field(default_factory=list)
    suites: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return not self.failures

    def summary(self, limit: int = 5) -> str:
        shown = "; ".join(f"{f.suite} {f.rule} {_brief(f.row)}" for f in self.failures[:limit])
        more = len(self.failures) - limit
        return shown + (f" (+{more} more)" if more > 0 else "")


def _brief(row: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in list(row.items())[:5])


def validate_marts(home: Home, candidate: Path, run_id: str) -> MartAudit:
    started = time.perf_counter()
    audit = MartAudit()
    runner = GxRunner(home)
    with duckdb.connect(str(candidate), read_only=True) as con:
        for fact, (grain, keys) in FACTS.items():
            frame = _dates_as_text(con.execute(f"select * from marts.{fact}").df())
            expectations = [
                gxe.ExpectCompoundColumnsToBeUnique(column_list=grain, meta={"rule": "grain"})
            ]
            for column in grain:
                expectations.append(
                    gxe.ExpectColumnValuesToNotBeNull(column=column, meta={"rule": "key not null"})
                )
            for column, (dim, dim_column) in keys.items():
                values = [
                    r[0]
                    for r in con.execute(
                        f"select distinct cast({dim_column} as varchar) from marts.{dim}"
                    ).fetchall()
                ]
                expectations.append(
                    gxe.ExpectColumnValuesToBeInSet(
                        column=column, value_set=values, meta={"rule": f"key in {dim}"}
                    )
                )
            audit.failures += _run(
                runner, audit, f"marts_{fact}", expectations, frame, _index(frame), run_id
            )
        for suite, sql, expectations in _FRAME_SUITES:
            frame = con.execute(sql()).df()
            audit.failures += _run(
                runner, audit, suite, expectations, frame, list(frame.columns), run_id
            )
    runner.build_docs(runner.run_names)
    audit.seconds = time.perf_counter() - started
    return audit


def _coverage_sql() -> str:
    return """
        select p.period, count(c.period) > 0 as has_coverage
        from marts.dim_period p
        left join marts.mart_coverage c on c.period = p.period and c.scope = '全省'
        group by p.period
    """


def _dates_as_text(frame):
    """Dates as ISO text: a suite stores its value sets as JSON, where a date is text."""
    for column in frame.columns:
        if str(frame[column].dtype).startswith("datetime64"):
            frame[column] = frame[column].dt.strftime("%Y-%m-%d")
    return frame


def _index(frame) -> list[str]:
    """Failing mart rows are named by their keys and the filing cell they came from."""
    wanted = [
        "region_type",
        "region",
        "park_code",
        "period",
        "indicator",
        "chain",
        "tax_type",
        "partner",
        "flow",
        "project_code",
        "filing_id",
        "source_file",
        "source_sheet",
        "source_row",
    ]
    return [c for c in wanted if c in frame.columns]


def _run(runner, audit, suite, expectations, frame, index, run_id) -> list[Failure]:
    audit.suites.append(suite)
    if frame.empty:
        return []
    return runner.validate(suite, expectations, frame, index, run_id)


def _reconcile_sql() -> str:
    parts = []
    for fact, measure, raw_table, raw_measure, leave_out in RECONCILE:
        where = f"where not ({leave_out})"
        parts.append(f"""
        select '{fact}' as fact, period, mart_total, raw_total,
               abs(coalesce(mart_total, 0) - coalesce(raw_total, 0)) as gap
        from (select period, sum({measure}) as mart_total from marts.{fact} group by period) m
        full join (
            select r.period, sum({raw_measure}) as raw_total
            from raw.{raw_table} r join accepted a using (filing_id) {where}
            group by r.period
        ) using (period)""")
    return f"with accepted as ({ACCEPTED})\n" + "\nunion all\n".join(parts)


# Each breakdown in the marts against the headline figure it breaks down, per
# current filing: (fact, its measure, its raw table's step columns, headline
# indicator, the 主要指标 rows between them, the balance edits chained between
# them: one per B5 edit).
_BREAKDOWNS = (
    ("fct_industrial_output", "output_ytd", "chain_output", ("output_ytd_step",),
     t.IND_OUTPUT, (t.IND_OUTPUT,), 2),
    ("fct_tax_revenue", "tax_ytd", "tax", ("tax_ytd_step",), t.IND_TAX, (t.IND_TAX,), 2),
    ("fct_foreign_trade", "trade_ytd", "trade", ("export_ytd_step", "import_ytd_step"),
     t.IND_TRADE, (t.IND_TRADE, t.IND_EXPORT, t.IND_IMPORT), 5),
)  # fmt: skip


def _breakdowns_sql() -> str:
    """Per current filing: Σ a breakdown in the marts beside its headline figure.

    All parts reported, they must add up to it; some left blank, the reported
    ones must not exceed it — within what the filing's own balance edits
    allow, chained: each edit its fixed tolerance, each figure's rounding
    (half its last digit as filed) counted twice. A filing whose B5 a steward
    waived is left out: its breakdown was accepted as it is.
    """
    parts = []
    for fact, measure, raw_table, steps, headline, rows, edits in _BREAKDOWNS:
        halves = " + ".join(half_step(step) for step in steps)
        between = ", ".join(f"'{name}'" for name in rows)
        parts.append(f"""
        select '{fact}' as fact, b.park_code, b.period, b.filing_id, b.source_file,
               '{headline}' as headline, h.value_ytd as headline_value, b.parts,
               {breakdown_gap("b.parts", "h.value_ytd", "b.blanks")} as gap,
               {edits} * {t.BALANCE_TOLERANCE_WAN}
                   + 2 * (coalesce(r.rounding, 0) + coalesce(i.rounding, 0)) as allowed
        from (
            select park_code, period, filing_id, any_value(source_file) as source_file,
                   sum({measure}) as parts, count(*) filter (where {measure} is null) as blanks
            from marts.{fact} group by all
        ) b
        join marts.fct_park_indicators h
          on h.filing_id = b.filing_id and h.indicator = '{headline}'
        left join (
            select filing_id, sum({halves}) as rounding from raw.{raw_table} group by filing_id
        ) r on r.filing_id = b.filing_id
        left join (
            select filing_id, sum({half_step("value_ytd_step")}) as rounding
            from raw.indicators where indicator in ({between}) group by filing_id
        ) i on i.filing_id = b.filing_id
        where h.value_ytd is not null and b.filing_id not in (
            select filing_id from current where list_contains(waived_rules, 'B5'))""")
    return f"with current as ({audit_store.CURRENT_DECISIONS})\n" + "\nunion all\n".join(parts)


# The cumulative flows' monthly values: (fact, month column, the columns telling its
# rows of a park and period apart).
_MONTHS = (
    ("fct_park_indicators", "value_month", ("indicator",)),
    ("fct_industrial_output", "output_month", ("chain",)),
    ("fct_tax_revenue", "tax_month", ("tax_type",)),
    ("fct_foreign_trade", "trade_month", ("partner", "flow")),
)


def _months_sql() -> str:
    """Per fact, park and period: the lowest monthly value (this YTD − the previous
    period's) and the item it belongs to. A fall a steward accepted (B6 waived on this
    filing, or on the previous period's filing it is differenced against) is left out."""
    parts = [
        f"""
        select '{fact}' as fact, m.park_code, m.period, m.filing_id, m.source_file,
               arg_min({" || ' ' || ".join(f"m.{k}" for k in keys)}, m.{month}) as item,
               min(m.{month}) as lowest_month
        from marts.{fact} m
        left join marts.{fact} before
          on before.park_code = m.park_code
         and before.period = cast(m.period - interval 1 month as date)
         and {" and ".join(f"before.{k} = m.{k}" for k in keys)}
        where m.{month} is not null
          and m.filing_id not in (select filing_id from waived)
          and coalesce(before.filing_id, '') not in (select filing_id from waived)
        group by all"""
        for fact, month, keys in _MONTHS
    ]
    return f"""
    with waived as (
        select filing_id from ({audit_store.CURRENT_DECISIONS})
        where list_contains(waived_rules, 'B6')
    )
    """ + "\nunion all\n".join(parts)


# The suites over frames computed here: (suite, its frame's SQL, expectations).
_FRAME_SUITES = (
    (
        "marts_breakdowns_match_headlines",
        _breakdowns_sql,
        [
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="allowed",
                column_B="gap",
                or_equal=True,
                meta={"rule": "breakdown matches headline"},
            )
        ],
    ),
    (
        "marts_monthly_values_not_negative",
        _months_sql,
        [
            gxe.ExpectColumnValuesToBeBetween(
                column="lowest_month", min_value=0, meta={"rule": "month not negative"}
            )
        ],
    ),
    (
        "marts_reconcile_with_filings",
        _reconcile_sql,
        [
            gxe.ExpectColumnValuesToBeBetween(
                column="gap", max_value=RECONCILE_TOLERANCE, meta={"rule": "totals reconcile"}
            )
        ],
    ),
    (
        "marts_coverage",
        _coverage_sql,
        [
            gxe.ExpectColumnValuesToBeInSet(
                column="has_coverage", value_set=[True], meta={"rule": "coverage computed"}
            )
        ],
    ),
)

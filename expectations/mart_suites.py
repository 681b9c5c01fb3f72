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

from expectations.check_frames import ACCEPTED
from expectations.gx_runner import Failure, GxRunner
from parkstat.home import Home
from sources import template as t

# fact -> (grain, {key column: (dimension, its column)})
FACTS: dict[str, tuple[list[str], dict[str, tuple[str, str]]]] = {
    "fct_park_indicators": (["park_code", "period", "indicator"],
                            {"park_code": ("dim_park", "park_code"),
                             "period": ("dim_period", "period")}),
    "fct_industrial_output": (["park_code", "period", "chain"],
                              {"park_code": ("dim_park", "park_code"),
                               "period": ("dim_period", "period"),
                               "chain": ("dim_industry_chain", "chain")}),
    "fct_tax_revenue": (["park_code", "period", "tax_type"],
                        {"park_code": ("dim_park", "park_code"),
                         "period": ("dim_period", "period"),
                         "tax_type": ("dim_tax_type", "tax_type")}),
    "fct_foreign_trade": (["park_code", "period", "partner", "flow"],
                          {"park_code": ("dim_park", "park_code"),
                           "period": ("dim_period", "period"),
                           "partner": ("dim_trade_partner", "partner")}),
    "fct_investment_project": (["park_code", "project_code"],
                               {"park_code": ("dim_park", "park_code")}),
    "mart_park_scorecard": (["park_code", "period"],
                            {"park_code": ("dim_park", "park_code"),
                             "period": ("dim_period", "period")}),
}  # fmt: skip

# (fact, its measure, raw table, raw measure, row key to leave out of the raw sum)
RECONCILE = (
    ("fct_park_indicators", "value_ytd", "indicators", "value_ytd", None),
    ("fct_industrial_output", "output_ytd", "chain_output", "output_ytd", ("chain", t.TOTAL_ROW)),
    ("fct_tax_revenue", "tax_ytd", "tax", "tax_ytd", ("tax_type", t.TOTAL_ROW)),
)
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
        reconcile = con.execute(_reconcile_sql()).df()
        audit.failures += _run(
            runner,
            audit,
            "marts_reconcile_with_filings",
            [
                gxe.ExpectColumnValuesToBeBetween(
                    column="gap", max_value=RECONCILE_TOLERANCE, meta={"rule": "totals reconcile"}
                ),
            ],
            reconcile,
            list(reconcile.columns),
            run_id,
        )
        coverage = con.execute("""
            select p.period, count(c.period) > 0 as has_coverage
            from marts.dim_period p
            left join marts.mart_coverage c on c.period = p.period and c.scope = '全省'
            group by p.period
        """).df()
        audit.failures += _run(
            runner,
            audit,
            "marts_coverage",
            [
                gxe.ExpectColumnValuesToBeInSet(
                    column="has_coverage", value_set=[True], meta={"rule": "coverage computed"}
                ),
            ],
            coverage,
            list(coverage.columns),
            run_id,
        )
    runner.build_docs(runner.run_names)
    audit.seconds = time.perf_counter() - started
    return audit


def _dates_as_text(frame):
    """Dates as ISO text: a suite stores its value sets as JSON, where a date is text."""
    for column in frame.columns:
        if str(frame[column].dtype).startswith("datetime64"):
            frame[column] = frame[column].dt.strftime("%Y-%m-%d")
    return frame


def _index(frame) -> list[str]:
    """Failing mart rows are named by their keys and the filing cell they came from."""
    wanted = [
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
        where = f"where r.{leave_out[0]} <> '{leave_out[1]}'" if leave_out else ""
        parts.append(f"""
        select '{fact}' as fact, period, mart_total, raw_total,
               abs(coalesce(mart_total, 0) - coalesce(raw_total, 0)) as gap
        from (select period, sum({measure}) as mart_total from marts.{fact} group by period) m
        full join (
            select r.period, sum(r.{raw_measure}) as raw_total
            from raw.{raw_table} r join accepted a using (filing_id) {where}
            group by r.period
        ) using (period)""")
    return f"with accepted as ({ACCEPTED})\n" + "\nunion all\n".join(parts)

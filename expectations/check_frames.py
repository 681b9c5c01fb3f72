"""Tables of checks, one row per thing to check, for the suites to validate.

Each frame is computed in DuckDB from the raw layer for the filings being
validated (temp table `scope`), against the filings already accepted
(audit.filing_decisions, and the batch's own as far as decided: temp table
`tentative`). Every row names its filing and the cell it is about
(file_name, sheet, row_number), so a failing row says where it is.
The suites hold the rules' thresholds; these frames hold the arithmetic.
"""

from __future__ import annotations

import pandas as pd

from expectations.audit_store import PUBLISHABLE
from expectations.audit_store import SCHEMA as AUDIT
from sources import template as t

LOCATION = ["filing_id", "park_code", "period", "file_name", "sheet", "row_number", "item"]

_CUMULATIVE = [i.name for i in t.INDICATORS if i.is_cumulative]
_AMOUNTS = [i.name for i in t.INDICATORS if i.is_amount]
_GROWTH_ONLY = [i.name for i in t.INDICATORS if i.kind == "growth_only"]


def _in(names: list[str]) -> str:
    return "(" + ", ".join(f"'{n}'" for n in names) + ")"


_PUBLISHABLE = _in(list(PUBLISHABLE))


def _accepted(decisions: str) -> str:
    """The current accepted filing of each park and period (as the marts pick it)."""
    return f"""
    select f.*
    from raw.filings f
    join {decisions} d using (filing_id)
    where d.status in {_PUBLISHABLE}
    qualify row_number() over (
        partition by f.park_code, f.period order by {t.SUPERSEDE_ORDER}) = 1
"""


ACCEPTED = _accepted(f"{AUDIT}.filing_decisions")
# While a batch of periods is validated, its own filings count as decided with
# the statuses of the previous round (temp table `tentative`), so that a
# filing is compared with the batch's earlier filings that are not rejected.
_SO_FAR = _accepted(
    f"(select filing_id, status from {AUDIT}.filing_decisions"
    " union all select filing_id, status from tentative)"
)

# Year-to-date values as (filing, item, value): the items B6 and B7 compare.
_YTD_ITEMS = f"""
    select filing_id, park_code, period, file_name, sheet, row_number,
           '{t.INDICATOR_SHEET.name} ' || indicator as item, value_ytd as value,
           indicator in {_in(_CUMULATIVE)} as is_cumulative,
           indicator in {_in(_AMOUNTS)} as is_amount
    from raw.indicators
    union all
    select filing_id, park_code, period, file_name, sheet, row_number,
           '{t.CHAIN_SHEET.name} ' || chain, output_ytd, true, true
    from raw.chain_output
    union all
    select filing_id, park_code, period, file_name, sheet, row_number,
           '{t.TAX_SHEET.name} ' || tax_type, tax_ytd, true, true
    from raw.tax
    union all
    select filing_id, park_code, period, file_name, sheet, row_number,
           '{t.TRADE_SHEET.name} ' || partner || ' {t.CSV_ITEM_EXPORT}', export_ytd, true, true
    from raw.trade
    union all
    select filing_id, park_code, period, file_name, sheet, row_number,
           '{t.TRADE_SHEET.name} ' || partner || ' {t.CSV_ITEM_IMPORT}', import_ytd, true, true
    from raw.trade
"""


def history(con) -> pd.DataFrame:
    """B6, B7: each YTD value beside the same item in the park's latest accepted earlier period."""
    return con.execute(f"""
        with items as ({_YTD_ITEMS}),
        accepted as ({_SO_FAR}),
        scoped as (select i.* from items i join scope using (filing_id) where i.value is not null),
        reference as (
            select s.filing_id, arg_max(a.filing_id, a.period) as ref_filing_id,
                   max(a.period) as ref_period
            from (select distinct filing_id, park_code, period from scoped) s
            join accepted a
              on a.park_code = s.park_code and year(a.period) = year(s.period)
             and a.period < s.period
            group by s.filing_id
        )
        select {", ".join("s." + c for c in LOCATION)}, s.is_cumulative, s.is_amount,
               s.value, r.ref_period, earlier.value as ref_value,
               case when earlier.value > 0 then s.value / earlier.value end as ratio
        from scoped s
        join reference r using (filing_id)
        join items earlier on earlier.filing_id = r.ref_filing_id and earlier.item = s.item
        where earlier.value is not null
    """).df()


def growth(con) -> pd.DataFrame:
    """W1, W2: each reported growth beside the warehouse's own.

    The warehouse computes growth against last year's accepted filing for the
    same period; where there is none (the first year on record) against the
    filing's own 上年同期, so a growth cell at odds with its own figures is
    still caught.
    """
    return con.execute(f"""
        with items as (
            select filing_id, park_code, period, file_name, sheet, row_number,
                   '{t.INDICATOR_SHEET.name} ' || indicator as item, value_ytd as ytd,
                   value_prior_ytd as prior, yoy_reported_pct as reported,
                   indicator in {_in(_GROWTH_ONLY)} as growth_only
            from raw.indicators
            union all
            select filing_id, park_code, period, file_name, sheet, row_number,
                   '{t.CHAIN_SHEET.name} ' || chain, output_ytd, output_prior_ytd,
                   yoy_reported_pct, false
            from raw.chain_output
            union all
            select filing_id, park_code, period, file_name, sheet, row_number,
                   '{t.TAX_SHEET.name} ' || tax_type, tax_ytd, tax_prior_ytd, yoy_reported_pct,
                   false
            from raw.tax
        ),
        accepted as ({_SO_FAR}),
        scoped as (select i.* from items i join scope using (filing_id)
                   where i.reported is not null)
        select {", ".join("s." + c for c in LOCATION)}, s.reported,
               case when s.growth_only then null
                    when last.ytd > 0 then round((s.ytd / last.ytd - 1) * 100, 2)
                    when s.prior > 0 then round((s.ytd / s.prior - 1) * 100, 2)
               end as computed,
               case when last.ytd > 0 then 'last year''s filing'
                    else 'its own 上年同期' end as computed_against,
               abs(s.reported - computed) as gap
        from scoped s
        left join accepted a
          on a.park_code = s.park_code and a.period = cast(s.period - interval 1 year as date)
        left join items last on last.filing_id = a.filing_id and last.item = s.item
    """).df()


def timeliness(con) -> pd.DataFrame:
    """W3: original filings (a correction has no due date of its own) and their due dates."""
    return con.execute(f"""
        select f.filing_id, f.park_code, f.period, f.file_name,
               '{t.COVER.name}' as sheet, null::integer as row_number,
               '{t.COVER_FILED}' as item, f.filed_date, f.due_date
        from raw.filings f join scope using (filing_id)
        where f.revision = 0 and f.filed_date is not null
    """).df()


def projects(con) -> pd.DataFrame:
    """W4: 新签约项目数 as reported beside the sheet-6 rows signed in the report year."""
    return con.execute(f"""
        with counted as (
            select filing_id, count(*) filter (where year(signed_date) = year(period)) as counted
            from raw.projects group by filing_id
        )
        select i.filing_id, i.park_code, i.period, i.file_name, i.sheet, i.row_number,
               i.indicator as item, i.value_ytd as reported, coalesce(c.counted, 0) as counted
        from raw.indicators i
        join scope using (filing_id)
        join raw.filings f using (filing_id)
        left join counted c using (filing_id)
        where i.indicator = '{t.IND_SIGNED}' and i.value_ytd is not null
          and f.file_format = 'xlsx'
    """).df()


def balance(con) -> pd.DataFrame:
    """B5: every balance edit of the template, for 本年累计 and 上年同期 alike.

    Each edit reads the raw tables cut to the filings in scope (_BALANCE_TABLES):
    a backfill's batches would otherwise each scan the whole raw layer.

    `gap` is how far the edit is off (for a sub-item, how far it exceeds its
    parent); `allowed` is the tolerance, the larger of the fixed and the
    relative one, so that figures filed in 亿元 with two decimals still pass.
    """
    parts = []
    for measure, ind, chain, tax, export, import_ in (
        (t.MEASURE_YTD, "value_ytd", "output_ytd", "tax_ytd", "export_ytd", "import_ytd"),
        (
            t.MEASURE_PRIOR,
            "value_prior_ytd",
            "output_prior_ytd",
            "tax_prior_ytd",
            "export_prior_ytd",
            "import_prior_ytd",
        ),
    ):
        parts.append(_balance_sql(measure, ind, chain, tax, export, import_))
    edits = "\nunion all\n".join(parts)
    in_scope = ",\n".join(
        f"{table} as (select * from raw.{table} where filing_id in (select filing_id from scope))"
        for table in _BALANCE_TABLES
    )
    return con.execute(f"""
        with {in_scope},
        edits as ({edits})
        select edits.*,
               greatest({t.BALANCE_TOLERANCE_WAN},
                        abs(parent) * {t.BALANCE_TOLERANCE_PCT} / 100) as allowed
        from edits
        where gap is not null
    """).df()


# The raw tables the balance edits read, each as a CTE of the same name holding
# only the filings in scope.
_BALANCE_TABLES = ("indicators", "chain_output", "tax", "trade")


def _balance_sql(measure, ind, chain, tax, export, import_) -> str:
    total = t.TOTAL_ROW
    loc = "filing_id, park_code, period, file_name, sheet, row_number"

    def ind_value(name: str) -> str:
        return f"max({ind}) filter (where indicator = '{name}')"

    def summed(table: str, key: str, field: str, label: str) -> str:
        return f"""
        select {loc}, '{label}' || ' ({measure})' as item, parent, other,
               abs(parent - other) as gap
        from (
            select filing_id,
                   any_value(park_code) as park_code, any_value(period) as period,
                   any_value(file_name) as file_name,
                   any_value(sheet) filter (where {key} = '{total}') as sheet,
                   any_value(row_number) filter (where {key} = '{total}') as row_number,
                   max({field}) filter (where {key} = '{total}') as parent,
                   sum({field}) filter (where {key} <> '{total}') as other,
                   count(*) filter (where {key} <> '{total}' and {field} is null) as blanks
            from {table} group by filing_id
        ) where blanks = 0"""

    def against_indicator(table: str, key: str, field: str, name: str, label: str) -> str:
        return f"""
        select r.{loc.replace(", ", ", r.")}, '{label}' || ' ({measure})', i.v, r.{field},
               abs(i.v - r.{field})
        from {table} r
        join (select filing_id, {ind_value(name)} as v from indicators group by filing_id) i
          using (filing_id)
        where r.{key} = '{total}'"""

    sub_items = [(i.name, i.parent) for i in t.INDICATORS if i.parent]
    queries = [
        summed("chain_output", "chain", chain, f"{t.CHAIN_SHEET.name} {total} = Σ 产业链"),
        against_indicator(
            "chain_output",
            "chain",
            chain,
            t.IND_OUTPUT,
            f"{t.CHAIN_SHEET.name} {total} = {t.IND_OUTPUT}",
        ),
        summed("tax", "tax_type", tax, f"{t.TAX_SHEET.name} {total} = Σ 税种"),
        against_indicator(
            "tax", "tax_type", tax, t.IND_TAX, f"{t.TAX_SHEET.name} {total} = {t.IND_TAX}"
        ),
        summed("trade", "partner", export, f"{t.TRADE_SHEET.name} {total} 出口 = Σ 国家(地区)"),
        summed("trade", "partner", import_, f"{t.TRADE_SHEET.name} {total} 进口 = Σ 国家(地区)"),
        against_indicator(
            "trade",
            "partner",
            export,
            t.IND_EXPORT,
            f"{t.TRADE_SHEET.name} {total} 出口 = {t.IND_EXPORT}",
        ),
        against_indicator(
            "trade",
            "partner",
            import_,
            t.IND_IMPORT,
            f"{t.TRADE_SHEET.name} {total} 进口 = {t.IND_IMPORT}",
        ),
        f"""
        select {loc}, '{t.IND_TRADE} = 出口 + 进口 ({measure})', parent, other,
               abs(parent - other)
        from (
            select filing_id, any_value(park_code) as park_code, any_value(period) as period,
                   any_value(file_name) as file_name, any_value(sheet) as sheet,
                   any_value(row_number) filter (where indicator = '{t.IND_TRADE}') as row_number,
                   {ind_value(t.IND_TRADE)} as parent,
                   {ind_value(t.IND_EXPORT)} + {ind_value(t.IND_IMPORT)} as other
            from indicators group by filing_id
        )""",
    ]
    for child, parent in sub_items:
        queries.append(f"""
        select {loc}, '{child} ≤ {parent} ({measure})', parent, other,
               greatest(other - parent, 0)
        from (
            select filing_id, any_value(park_code) as park_code, any_value(period) as period,
                   any_value(file_name) as file_name, any_value(sheet) as sheet,
                   any_value(row_number) filter (where indicator = '{child}') as row_number,
                   {ind_value(parent)} as parent, {ind_value(child)} as other
            from indicators group by filing_id
        )""")
    return "\nunion all\n".join(queries)

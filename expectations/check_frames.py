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

    `gap` is how far the edit is off: for a breakdown whose parts are all
    reported, how far their sum is from its total; with a part left blank,
    how far the reported parts exceed it; for a sub-item, how far it exceeds
    its parent. `allowed` is what rounding can explain (rounding_allowed).
    A breakdown's total is its 合计 row, or — that row's figure left blank —
    the headline figure it breaks down.
    """
    edits = "\nunion all\n".join(
        _balance_sql(measure, fields) for measure, fields in _BALANCE_FIELDS.items()
    )
    in_scope = ",\n".join(
        f"{table} as (select * from raw.{table} where filing_id in (select filing_id from scope))"
        for table in _BALANCE_TABLES
    )
    return con.execute(f"""
        with {in_scope},
        edits as ({edits})
        select edits.* exclude (rounding), {rounding_allowed("rounding")} as allowed
        from edits
        where gap is not null
    """).df()


def rounding_allowed(half_steps: str) -> str:
    """SQL: what rounding can explain in an edit, from the sum of half the step (the
    place value of the last digit as filed) of each figure in it — 50 万元 for each
    figure filed in 亿元 with two decimals — and never less than the fixed tolerance
    (1 万元 for figures filed in 万元)."""
    return f"greatest({t.BALANCE_TOLERANCE_WAN}, coalesce({half_steps}, 0))"


def half_step(step: str) -> str:
    """SQL: half a figure's step; an older row without one counts as exact."""
    return f"coalesce({step}, 0) / 2"


# The raw tables the balance edits read, each as a CTE of the same name holding
# only the filings in scope.
_BALANCE_TABLES = ("indicators", "chain_output", "tax", "trade")
# Per measure: the field of each table the edits compare.
_BALANCE_FIELDS = {
    t.MEASURE_YTD: {
        "indicators": "value_ytd",
        "chain_output": "output_ytd",
        "tax": "tax_ytd",
        "export": "export_ytd",
        "import": "import_ytd",
    },
    t.MEASURE_PRIOR: {
        "indicators": "value_prior_ytd",
        "chain_output": "output_prior_ytd",
        "tax": "tax_prior_ytd",
        "export": "export_prior_ytd",
        "import": "import_prior_ytd",
    },
}


def breakdown_gap(parts: str, total: str, blanks: str) -> str:
    """SQL: how far a breakdown is off its total — all parts reported, the difference;
    some left blank, only how far the reported ones exceed the total."""
    return (
        f"case when {blanks} = 0 then abs({total} - coalesce({parts}, 0)) "
        f"else greatest(coalesce({parts}, 0) - {total}, 0) end"
    )


def _balance_sql(measure: str, fields: dict[str, str]) -> str:
    total = t.TOTAL_ROW
    loc = "filing_id, park_code, period, file_name, sheet, row_number"
    ind = fields["indicators"]

    def ind_value(name: str, what: str = ind) -> str:
        return f"max({what}) filter (where indicator = '{name}')"

    headline = ", ".join(
        f'{ind_value(name)} as "{name}", {ind_value(name, ind + "_step")} as "{name} step"'
        for name in (t.IND_OUTPUT, t.IND_TAX, t.IND_EXPORT, t.IND_IMPORT)
    )

    def breakdown(table: str, key: str, field: str, parts_words: str, name: str) -> str:
        """Σ parts against 合计 (or, 合计 blank, against the headline figure `name`);
        then 合计 against the headline figure."""
        step = f"{field}_step"
        parent = f'coalesce(b.total, h."{name}")'
        parent_step = f'case when b.total is not null then b.total_step else h."{name} step" end'
        return f"""
        select {loc}, '{t.SHEET_BY_KEY[_SHEET_OF[table]].name} ' ||
               case when b.total is not null then '{total}' else '{name} ({total} blank)' end
               || case when b.blanks = 0 then ' = Σ ' else ' ≥ Σ reported ' end
               || '{parts_words} ({measure})' as item,
               {parent} as parent, b.parts as other,
               {breakdown_gap("b.parts", parent, "b.blanks")} as gap,
               coalesce(b.parts_rounding, 0) + {half_step(parent_step)} as rounding
        from (
            select filing_id,
                   any_value(park_code) as park_code, any_value(period) as period,
                   any_value(file_name) as file_name, any_value(sheet) as sheet,
                   any_value(row_number) filter (where {key} = '{total}') as row_number,
                   max({field}) filter (where {key} = '{total}') as total,
                   max({step}) filter (where {key} = '{total}') as total_step,
                   sum({field}) filter (where {key} <> '{total}') as parts,
                   sum({half_step(step)}) filter (where {key} <> '{total}') as parts_rounding,
                   count(*) filter (where {key} <> '{total}' and {field} is null) as blanks
            from {table} group by filing_id
        ) b
        left join headline h using (filing_id)
        union all
        select {loc}, '{t.SHEET_BY_KEY[_SHEET_OF[table]].name} {total} = {name} ({measure})',
               h."{name}", b.total, abs(h."{name}" - b.total),
               {half_step("b.total_step")} + {half_step(f'h."{name} step"')}
        from (
            select filing_id, park_code, period, file_name, sheet, row_number,
                   {field} as total, {step} as total_step
            from {table} where {key} = '{total}'
        ) b
        join headline h using (filing_id)"""

    sub_items = [(i.name, i.parent) for i in t.INDICATORS if i.parent]
    queries = [
        breakdown("chain_output", "chain", fields["chain_output"], "产业链", t.IND_OUTPUT),
        breakdown("tax", "tax_type", fields["tax"], "税种", t.IND_TAX),
        breakdown("trade", "partner", fields["export"], "国家(地区) 出口", t.IND_EXPORT),
        breakdown("trade", "partner", fields["import"], "国家(地区) 进口", t.IND_IMPORT),
        f"""
        select {loc}, '{t.IND_TRADE} = 出口 + 进口 ({measure})', parent, other,
               abs(parent - other), rounding
        from (
            select filing_id, any_value(park_code) as park_code, any_value(period) as period,
                   any_value(file_name) as file_name, any_value(sheet) as sheet,
                   any_value(row_number) filter (where indicator = '{t.IND_TRADE}') as row_number,
                   {ind_value(t.IND_TRADE)} as parent,
                   {ind_value(t.IND_EXPORT)} + {ind_value(t.IND_IMPORT)} as other,
                   sum({half_step(ind + "_step")}) filter (where indicator in
                       ('{t.IND_TRADE}', '{t.IND_EXPORT}', '{t.IND_IMPORT}')) as rounding
            from indicators group by filing_id
        )""",
    ]
    for child, parent in sub_items:
        queries.append(f"""
        select {loc}, '{child} ≤ {parent} ({measure})', parent, other,
               greatest(other - parent, 0), rounding
        from (
            select filing_id, any_value(park_code) as park_code, any_value(period) as period,
                   any_value(file_name) as file_name, any_value(sheet) as sheet,
                   any_value(row_number) filter (where indicator = '{child}') as row_number,
                   {ind_value(parent)} as parent, {ind_value(child)} as other,
                   sum({half_step(ind + "_step")}) filter (where indicator in
                       ('{child}', '{parent}')) as rounding
            from indicators group by filing_id
        )""")
    return f"""
    select * from (
        with headline as (
            select filing_id, {headline} from indicators group by filing_id
        )
        {" union all ".join(queries)}
    )"""


_SHEET_OF = {"chain_output": "chains", "tax": "tax", "trade": "trade"}

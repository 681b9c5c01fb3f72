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
import pyarrow as pa

from expectations import audit_store
from expectations.audit_store import PUBLISHABLE
from sources import template as t

LOCATION = ["filing_id", "park_code", "period", "file_name", "sheet", "row_number", "item"]
# What tells a frame's rows apart, and names a failing row in the results: its filing and
# the item (cell, edit) it is about.
KEY = ["filing_id", "item"]

_CUMULATIVE = [i.name for i in t.INDICATORS if i.is_cumulative]
_AMOUNTS = [i.name for i in t.INDICATORS if i.is_amount]
_GROWTH_ONLY = [i.name for i in t.INDICATORS if i.kind == "growth_only"]


def _frame(con, sql: str) -> pd.DataFrame:
    """A check frame, its text kept in Arrow: made Python objects, the text of a national
    batch's 600,000 rows cost seconds a frame; as Arrow it is a copy. Numbers, dates and
    flags are NumPy's, which GX computes on fastest."""
    return (
        con.sql(sql).to_arrow_table().to_pandas(types_mapper=_text_in_arrow, date_as_object=False)
    )


def _text_in_arrow(arrow_type: pa.DataType):
    return pd.ArrowDtype(arrow_type) if pa.types.is_string(arrow_type) else None


def _in(names: list[str]) -> str:
    return "(" + ", ".join(f"'{n}'" for n in names) + ")"


_PUBLISHABLE = _in(list(PUBLISHABLE))
_WAN_AMOUNTS = [i.name for i in t.INDICATORS if i.is_amount and i.unit == t.UNIT_WAN_YUAN]


def _accepted(decisions: str, filings: str = "raw.filings") -> str:
    """The current accepted filing of each park and period (as the marts pick it), with the
    order in which it came to count (`effective_seq`, see _SO_FAR)."""
    return f"""
    select f.*, d.effective_seq
    from {filings} f
    join ({decisions}) d using (filing_id)
    where d.status in {_PUBLISHABLE}
    qualify row_number() over (
        partition by f.park_code, f.period order by {t.SUPERSEDE_ORDER}) = 1
"""


ACCEPTED = _accepted(f"select *, 0 as effective_seq from ({audit_store.CURRENT_DECISIONS})")
# While a batch of filings is decided, its own filings count with the statuses
# of the previous round (temp table `tentative`), in place of any earlier
# decision of theirs (a rejected filing decided again). `effective_seq` says
# when a filing came to count: filings decided in earlier runs before all of
# this run's, this run's in order of arrival (a filing decided again last),
# ties by period. A filing is judged against what counted before it (history).
# Every rule compares a park's filings with its own only: the frames read the
# filings of the parks in scope (CTE `park_filings`, see PARKS_IN_SCOPE).
_SO_FAR = _accepted(
    f"""
    select filing_id, status, 0 as effective_seq from ({audit_store.CURRENT_DECISIONS})
    where filing_id not in (select filing_id from tentative)
    union all
    select filing_id, status, effective_seq from tentative""",
    "park_filings",
)
PARKS_IN_SCOPE = """
    parks as (
        select distinct park_code from raw.filings where filing_id in (select filing_id from scope)
    ),
    park_filings as (
        select * from raw.filings where park_code in (select park_code from parks)
    )"""


def _of_parks(rows: str) -> str:
    """SQL: `rows` (with a park_code) of the parks in scope only, computed once."""
    return f"select * from ({rows}) where park_code in (select park_code from parks)"


# Year-to-date values (and the row's own 上年同期) as (filing, item, value): the
# items B6 and B7 compare.
_YTD_ITEMS = f"""
    select filing_id, park_code, period, file_name, sheet, row_number,
           '{t.INDICATOR_SHEET.name} ' || indicator as item, value_ytd as value,
           value_prior_ytd as prior,
           indicator in {_in(_CUMULATIVE)} as is_cumulative,
           indicator in {_in(_AMOUNTS)} as is_amount
    from raw.indicators
    union all
    select filing_id, park_code, period, file_name, sheet, row_number,
           '{t.CHAIN_SHEET.name} ' || chain, output_ytd, output_prior_ytd, true, true
    from raw.chain_output
    union all
    select filing_id, park_code, period, file_name, sheet, row_number,
           '{t.TAX_SHEET.name} ' || tax_type, tax_ytd, tax_prior_ytd, true, true
    from raw.tax
    union all
    select filing_id, park_code, period, file_name, sheet, row_number,
           '{t.TRADE_SHEET.name} ' || partner || ' {t.CSV_ITEM_EXPORT}', export_ytd,
           export_prior_ytd, true, true
    from raw.trade
    union all
    select filing_id, park_code, period, file_name, sheet, row_number,
           '{t.TRADE_SHEET.name} ' || partner || ' {t.CSV_ITEM_IMPORT}', import_ytd,
           import_prior_ytd, true, true
    from raw.trade
"""


def history(con) -> pd.DataFrame:
    """B6, B7: each YTD value beside the park's accepted figures for the same item.

    A filing is judged against the accepted filings that came to count before
    it (`effective_seq`, then period: those decided in earlier runs, then this
    run's in order of arrival) — the warehouse as it stood when it arrived.
    Each pair of a park's filings is so checked once, by the later one, and a
    batch of filings is decided as the same filings one at a time would be.

    - `ref_value`: the latest earlier period of the year (B6: not below it;
      B7: the within-year reference);
    - `later_min`, `later_broken`: the later periods of the year (B6: not
      above them): a correction or a late filing may not make their monthly
      values negative, while the park's own corrections of them sent after
      it are checked against it in turn;
    - `last_value`: the same period last year; with the row's own 上年同期 the
      item's level a year ago (`year_ago`, the larger);
    - `scale`: the park's largest 万元 headline figure in its latest filing.

    `ratio` (B7, 元 typed as 万元) is how many times the value is its
    references: the within-year one and the year-ago level both when both
    exist; the within-year one alone only where the value is also above the
    park's scale (a small early value — 2 万美元 of FDI in February — cannot
    make an ordinary later one a slip); the year-ago level alone for the
    year's first filing. `prior_ratio`: the row's 上年同期 against last year's
    accepted figure.
    """
    return _frame(
        con,
        f"""
        with {PARKS_IN_SCOPE},
        items as materialized ({_of_parks(_YTD_ITEMS)}),
        accepted as materialized ({_SO_FAR}),
        scoped as (
            select i.*, f.effective_seq
            from items i join scope using (filing_id)
            join (select filing_id, effective_seq from tentative) f using (filing_id)
            where i.value is not null or i.prior is not null
        ),
        filings as (select distinct filing_id, park_code, period, effective_seq from scoped),
        earlier as (
            select s.filing_id, arg_max(a.filing_id, a.period) as ref_filing_id,
                   max(a.period) as ref_period
            from filings s
            join accepted a
              on a.park_code = s.park_code and year(a.period) = year(s.period)
             and a.period < s.period and a.effective_seq <= s.effective_seq
            group by s.filing_id
        ),
        latest as (
            select s.filing_id, arg_max(a.filing_id, a.period) as any_filing_id
            from filings s join accepted a
              on a.park_code = s.park_code and a.period < s.period
             and a.effective_seq <= s.effective_seq
            group by s.filing_id
        ),
        scale as (
            select l.filing_id, max(i.value) as scale
            from latest l join items i on i.filing_id = l.any_filing_id
            where i.item in {_in([f"{t.INDICATOR_SHEET.name} {n}" for n in _WAN_AMOUNTS])}
            group by l.filing_id
        ),
        last_year as (
            select s.filing_id, a.filing_id as last_filing_id, a.period as last_period
            from filings s join accepted a
              on a.park_code = s.park_code and a.period = cast(s.period - interval 1 year as date)
             and a.effective_seq <= s.effective_seq
        ),
        later_filings as (
            select s.filing_id, a.filing_id as later_filing_id, a.period as later_period
            from filings s join accepted a
              on a.park_code = s.park_code and year(a.period) = year(s.period)
             and a.period > s.period and a.effective_seq < s.effective_seq
        ),
        later as (
            select s.filing_id, s.item,
                   min(l.value) as later_min,
                   string_agg(strftime(lf.later_period, '%Y-%m') || ' (' || l.value || ')',
                              ', ' order by lf.later_period)
                       filter (where l.value < s.value) as later_broken
            from scoped s
            join later_filings lf using (filing_id)
            join items l on l.filing_id = lf.later_filing_id and l.item = s.item
            where s.value is not null and l.value is not null and s.is_cumulative
            group by s.filing_id, s.item
        ),
        joined as (
            select s.*, e.ref_period, prev.value as ref_value, ly.last_period,
                   last.value as last_value, greatest(last.value, s.prior) as year_ago,
                   sc.scale, lt.later_min, lt.later_broken
            from scoped s
            left join earlier e using (filing_id)
            left join items prev on prev.filing_id = e.ref_filing_id and prev.item = s.item
            left join last_year ly using (filing_id)
            left join items last on last.filing_id = ly.last_filing_id and last.item = s.item
            left join scale sc using (filing_id)
            left join later lt on lt.filing_id = s.filing_id and lt.item = s.item
        )
        select {", ".join(LOCATION)}, is_cumulative, is_amount,
               value, ref_period, ref_value, later_min, later_broken,
               prior, last_period, last_value, year_ago, scale,
               case
                   when value is null then null
                   when ref_value > 0 and year_ago > 0
                       then least(value / ref_value, value / year_ago)
                   when ref_value > 0
                       then case when scale is null or value > scale then value / ref_value end
                   when year_ago > 0 then value / year_ago
               end as ratio,
               case when last_value > 0 then prior / last_value end as prior_ratio
        from joined
    """,
    )


def growth_pct(current: str, base: str) -> str:
    """SQL: growth in percent of `current` over a positive `base`, as dbt's growth_pct."""
    return (
        f"case when {base} > 0 then round(({current} / {base} - 1) * 100, {t.GROWTH_DECIMALS}) end"
    )


_GROWTH_ITEMS = f"""
    select filing_id, park_code, period, file_name, sheet, row_number,
           '{t.INDICATOR_SHEET.name} ' || indicator as item, value_ytd as ytd,
           value_prior_ytd as prior, yoy_reported_pct as reported, value_ytd_step as ytd_step,
           value_prior_ytd_step as prior_step, yoy_reported_pct_step as reported_step,
           indicator in {_in(_GROWTH_ONLY)} as growth_only
    from raw.indicators
    union all
    select filing_id, park_code, period, file_name, sheet, row_number,
           '{t.CHAIN_SHEET.name} ' || chain, output_ytd, output_prior_ytd, yoy_reported_pct,
           output_ytd_step, output_prior_ytd_step, yoy_reported_pct_step, false
    from raw.chain_output
    union all
    select filing_id, park_code, period, file_name, sheet, row_number,
           '{t.TAX_SHEET.name} ' || tax_type, tax_ytd, tax_prior_ytd, yoy_reported_pct,
           tax_ytd_step, tax_prior_ytd_step, yoy_reported_pct_step, false
    from raw.tax
"""


def growth(con) -> pd.DataFrame:
    """W1, W2, W6, W9: each growth beside its own base and last year's accepted filing.

    - `growth`: as reported, or — the cell blank, both amounts there — derived
      from the filing's own 本年累计 and 上年同期 (`derived`);
    - `computed`: against last year's accepted filing for the same period (W1:
      `gap`, where there is one: how far the growth lies outside what this and
      last year's figures give within their rounding — 0.01 亿元 on a small
      chain moves its growth by points);
    - `own_base_excess` (W6): how far a reported growth lies outside what its
      own 本年累计 and 上年同期 give, each taken anywhere within its rounding
      (half its last digit as filed) and the growth within its own;
    - `amount_filed` (W9): a figure in the amount cells of a growth-only row.
    """
    lowest, highest = _growth_range("s.ytd", "s.ytd_step", "s.prior", "s.prior_step")
    last_lowest, last_highest = _growth_range("s.ytd", "s.ytd_step", "last.ytd", "last.ytd_step")
    half_growth = f"coalesce(s.reported_step, {t.GROWTH_STEP_UNKNOWN}) / 2"
    return _frame(
        con,
        f"""
        with {PARKS_IN_SCOPE},
        items as materialized ({_of_parks(_GROWTH_ITEMS)}),
        accepted as ({_SO_FAR}),
        {_LAST_YEAR},
        scoped as (
            select i.*,
                   case when not i.growth_only and i.ytd is not null
                        then {growth_pct("i.ytd", "i.prior")} end as own_base
            from items i join scope using (filing_id)
        ),
        rows as (
            select s.*, coalesce(s.reported, s.own_base) as growth,
                   s.reported is null and s.own_base is not null as derived,
                   case when s.growth_only then coalesce(s.ytd, s.prior) end as amount_filed,
                   case when not s.growth_only then {growth_pct("s.ytd", "last.ytd")} end
                       as computed,
                   {last_lowest} as computed_lowest, {last_highest} as computed_highest,
                   case when s.reported is not null and s.own_base is not null then greatest(
                       {lowest} - {half_growth} - s.reported,
                       s.reported - ({highest}) - {half_growth},
                       0) end as own_base_excess
            from scoped s
            left join last_year ly using (filing_id)
            left join items last on last.filing_id = ly.last_filing_id and last.item = s.item
        )
        select {", ".join(LOCATION)}, ytd, prior, reported, own_base, growth, derived,
               computed,
               case when computed is not null then greatest(
                   computed_lowest - growth, growth - coalesce(computed_highest, growth), 0)
               end as gap,
               case when own_base_excess > {t.FLOAT_SLACK} then own_base_excess else 0 end
                   as own_base_excess,
               amount_filed
        from rows
        where growth is not null or amount_filed is not null
    """,
    )


def _growth_range(current: str, current_step: str, base: str, base_step: str) -> tuple[str, str]:
    """SQL: the lowest and highest growth (percent) two rounded figures allow, each
    anywhere within half its last digit as filed; the highest NULL (no bound) when the
    base could be nothing."""
    half_current, half_base = half_step(current_step), half_step(base_step)
    lowest = f"(({current} - {half_current}) / ({base} + {half_base}) - 1) * 100"
    highest = (
        f"case when {base} > {half_base} "
        f"then (({current} + {half_current}) / ({base} - {half_base}) - 1) * 100 end"
    )
    return lowest, highest


def prior_base(con) -> pd.DataFrame:
    """W7: each 上年同期 on 主要指标 beside what the park filed, accepted, for that period.

    The breakdowns' bases are tied to these by the balance edits (B5). `gap`
    is how far they differ; `allowed` what the rounding of both explains (for
    amounts as B5 allows; counts and stocks must be equal).
    """
    rounding = rounding_allowed(
        f"{half_step('s.value_prior_ytd_step')} + {half_step('last.value_ytd_step')}"
    )
    return _frame(
        con,
        f"""
        with {PARKS_IN_SCOPE},
        accepted as ({_SO_FAR}),
        {_LAST_YEAR},
        scoped as (
            select i.*, ly.last_filing_id, ly.last_period
            from raw.indicators i join last_year ly using (filing_id)
            where i.value_prior_ytd is not null and i.indicator not in {_in(_GROWTH_ONLY)}
        )
        select s.filing_id, s.park_code, s.period, s.file_name, s.sheet, s.row_number,
               '{t.INDICATOR_SHEET.name} ' || s.indicator as item, s.unit,
               s.value_prior_ytd as prior, s.last_period, last.value_ytd as last_ytd,
               abs(s.value_prior_ytd - last.value_ytd) as gap,
               case when s.indicator in {_in(_AMOUNTS)} then {rounding} else 0 end as allowed
        from scoped s
        join raw.indicators last
          on last.filing_id = s.last_filing_id and last.indicator = s.indicator
        where last.value_ytd is not null
    """,
    )


# Each filing in scope and its park's accepted filing for the same period last year,
# among those that counted before it (check_frames.history): found filing by filing,
# before any row is joined.
_LAST_YEAR = """
    in_scope as (
        select filing_id, f.park_code, f.period, t.effective_seq
        from raw.filings f join tentative t using (filing_id)
        where filing_id in (select filing_id from scope)
    ),
    last_year as (
        select s.filing_id, a.filing_id as last_filing_id, a.period as last_period
        from in_scope s join accepted a
          on a.park_code = s.park_code and a.period = cast(s.period - interval 1 year as date)
         and a.effective_seq <= s.effective_seq
    )"""


def timeliness(con) -> pd.DataFrame:
    """W3, W8: when each filing arrived, what its cover says, and whether it was late.

    Lateness is decided once, on arrival (sources/lateness.py): the first filing
    of a park and period arriving after the due date. The cover's 填报日期 is
    the park's word: after the file's arrival (or in the future) it is W8.
    """
    return _frame(
        con,
        f"""
        select f.filing_id, f.park_code, f.period, f.file_name,
               '{t.COVER.name}' as sheet, null::integer as row_number,
               '{t.COVER_FILED}' as item, f.filed_date, f.due_date, f.arrived_on,
               f.is_late, f.late_basis
        from raw.filings f join scope using (filing_id)
    """,
    )


def projects(con) -> pd.DataFrame:
    """W4: 新签约项目数 as reported beside the sheet-6 rows signed in the report year."""
    return _frame(
        con,
        f"""
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
    """,
    )


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
    return _frame(
        con,
        f"""
        with {in_scope},
        edits as ({edits})
        select edits.* exclude (rounding), {rounding_allowed("rounding")} as allowed
        from edits
        where gap is not null
    """,
    )


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

{#-
    Sheet 进出口 of the current filings, one row per partner and flow (出口 or
    进口); 合计 is left out (sum the partners). Amounts in 万元 as filed.
-#}
with

current_rows as (

    {{ current_rows('stg_raw__trade') }}
    where staged.partner <> '合计'

),

flows as (

    select
        park_code, park_version_key, period, partner, '出口' as flow,
        export_ytd as trade_ytd, export_prior_ytd as trade_prior_ytd,
        filing_id, file_name, sheet, row_number
    from current_rows
    union all
    select
        park_code, park_version_key, period, partner, '进口' as flow,
        import_ytd as trade_ytd, import_prior_ytd as trade_prior_ytd,
        filing_id, file_name, sheet, row_number
    from current_rows

),

with_month as (

    select
        *,
        {{ month_from_ytd('trade_ytd', 'park_code, partner, flow') }} as trade_month
    from flows

),

final as (

    select
        this_year.park_code,
        this_year.park_version_key,
        this_year.period,
        this_year.partner,
        this_year.flow,
        this_year.trade_ytd,
        this_year.trade_month,
        this_year.trade_prior_ytd,
        {{ growth_pct('this_year.trade_ytd', 'last_year.trade_ytd') }} as yoy_computed_pct,
        {{ source_columns('this_year') }}
    from with_month as this_year
    left join flows as last_year
        on this_year.park_code = last_year.park_code
        and this_year.partner = last_year.partner
        and this_year.flow = last_year.flow
        and last_year.period = {{ last_year('this_year.period') }}

)

select * from final

{#- Sheet 产业链产值 of the current filings, one row per chain; 合计 is left out (sum the chains). -#}
with

current_rows as (

    {{ current_rows('stg_raw__chain_output') }}
    where staged.chain <> '合计'

),

with_month as (

    select
        *,
        {{ month_from_ytd('output_ytd', 'park_code, chain') }} as output_month
    from current_rows

),

final as (

    select
        this_year.park_code,
        this_year.park_version_key,
        this_year.period,
        this_year.chain,
        this_year.output_ytd,
        this_year.output_month,
        this_year.output_prior_ytd,
        this_year.yoy_reported_pct,
        {{ growth_columns('this_year.yoy_reported_pct', 'this_year.output_ytd', 'this_year.output_prior_ytd') }},
        {{ growth_pct('this_year.output_ytd', 'last_year.output_ytd') }} as yoy_computed_pct,
        this_year.enterprises,
        {{ source_columns('this_year') }}
    from with_month as this_year
    left join current_rows as last_year
        on this_year.park_code = last_year.park_code
        and this_year.chain = last_year.chain
        and last_year.period = {{ last_year('this_year.period') }}

)

select * from final

{#- Sheet 税收 of the current filings, one row per tax type; 合计 is left out (sum the types). -#}
with

current_rows as (

    {{ current_rows('stg_raw__tax') }}
    where staged.tax_type <> '合计'

),

with_month as (

    select
        *,
        {{ month_from_ytd('tax_ytd', 'park_code, tax_type') }} as tax_month
    from current_rows

),

final as (

    select
        this_year.park_code,
        this_year.park_version_key,
        this_year.period,
        this_year.tax_type,
        this_year.tax_ytd,
        this_year.tax_month,
        this_year.tax_prior_ytd,
        this_year.yoy_reported_pct,
        {{ growth_columns('this_year.yoy_reported_pct', 'this_year.tax_ytd', 'this_year.tax_prior_ytd') }},
        {{ growth_pct('this_year.tax_ytd', 'last_year.tax_ytd') }} as yoy_computed_pct,
        {{ source_columns('this_year') }}
    from with_month as this_year
    left join current_rows as last_year
        on this_year.park_code = last_year.park_code
        and this_year.tax_type = last_year.tax_type
        and last_year.period = {{ last_year('this_year.period') }}

)

select * from final

{#-
    Sheet 主要指标 of the current filing of each park and period, with the
    month's own value and growth computed by the warehouse beside the park's
    reported growth. Stocks (enterprise counts, employees) get no monthly
    value: a month-end level is never differenced or summed. A growth-only
    row (规模工业增加值) keeps its growth; figures in its amount cells are never
    published as amounts (validation warns of them, W9).
-#}
with

reference_indicators as (

    select * from {{ source('reference', 'indicators') }}

),

current_indicators as (

    {{ current_rows('stg_raw__indicators') }}

),

current_rows as (

    select
        current_indicators.* replace (
            case when reference_indicators.kind <> 'growth_only'
                then current_indicators.value_ytd end as value_ytd,
            case when reference_indicators.kind <> 'growth_only'
                then current_indicators.value_prior_ytd end as value_prior_ytd
        ),
        reference_indicators.kind
    from current_indicators
    inner join reference_indicators
        on current_indicators.indicator = reference_indicators.indicator

),

with_month as (

    select
        *,
        case
            when kind in ('amount', 'count')
                then {{ month_from_ytd('value_ytd', 'park_code, indicator') }}
        end as value_month
    from current_rows

),

final as (

    select
        this_year.park_code,
        this_year.park_version_key,
        this_year.period,
        this_year.indicator,
        this_year.unit,
        this_year.value_ytd,
        this_year.value_month,
        this_year.value_prior_ytd,
        this_year.yoy_reported_pct,
        {{ growth_columns('this_year.yoy_reported_pct', 'this_year.value_ytd', 'this_year.value_prior_ytd') }},
        case
            when this_year.kind <> 'growth_only'
                then {{ growth_pct('this_year.value_ytd', 'last_year.value_ytd') }}
        end as yoy_computed_pct,
        last_year.value_ytd as value_last_year_filed,
        {{ source_columns('this_year') }}
    from with_month as this_year
    left join current_rows as last_year
        on this_year.park_code = last_year.park_code
        and this_year.indicator = last_year.indicator
        and last_year.period = {{ last_year('this_year.period') }}

)

select * from final

{#-
    Totals an analyst can use without building them by hand: for the
    province, each city (市州), each level and each type of park, per period
    and headline indicator, the sum over the parks of that region — each park
    counted once, in the region of its version in effect for the period
    (int_park_periods_resolved) — with its coverage on the same row.

    Growth of a total is never an average of the parks' rates: it is the sum
    of this year's figures over the sum of last year's, over the same parks
    (like for like). A park missing in either year is left out of the growth
    and the coverage columns say how much of the total that leaves out.
    Growth-only indicators (规模工业增加值, a real growth at comparable prices)
    have no amount to add: they get no total.
-#}
with

parks as (

    select * from {{ ref('int_park_period_status') }}

),

indicators as (

    select * from {{ ref('dim_indicator') }}
    where adds_over_parks

),

figures as (

    select * from {{ ref('fct_park_indicators') }}

),

park_figures as (

    select
        parks.period,
        parks.park_code,
        parks.city,
        parks.level,
        parks.park_type,
        parks.filing_status,
        parks.is_reported,
        indicators.indicator,
        indicators.unit,
        this_year.value_ytd,
        this_year.value_month,
        this_year.value_prior_ytd,
        last_year.value_ytd as value_last_year
    from parks
    cross join indicators
    left join figures as this_year
        on parks.park_code = this_year.park_code
        and parks.period = this_year.period
        and indicators.indicator = this_year.indicator
    left join figures as last_year
        on parks.park_code = last_year.park_code
        and last_year.period = {{ last_year('parks.period') }}
        and indicators.indicator = last_year.indicator

),

regions as (

    select 'province' as region_type, '全省' as region, * from park_figures
    union all
    select 'city', city, * from park_figures
    union all
    select 'level', level, * from park_figures
    union all
    select 'park_type', park_type, * from park_figures

),

summed as (

    select
        region_type,
        region,
        period,
        indicator,
        any_value(unit) as unit,
        sum(value_ytd) as value_ytd,
        {#- A month's total only where every park in the total has its month. -#}
        case when count(value_month) = count(value_ytd)
            then round(sum(value_month), {{ var('amount_decimals') }})
        end as value_month,
        sum(value_ytd) filter (where value_prior_ytd is not null) as matched_ytd,
        sum(value_prior_ytd) filter (where value_ytd is not null) as matched_prior_ytd,
        sum(value_ytd) filter (where value_last_year is not null) as computed_ytd,
        sum(value_last_year) filter (where value_ytd is not null) as computed_last_year,
        sum(value_last_year) as last_year_of_all,
        count(*) as parks_expected,
        count(*) filter (where is_reported) as parks_reported,
        count(*) filter (where filing_status = 'not_filed') as parks_not_filed,
        count(*) filter (where filing_status = 'rejected') as parks_rejected,
        count(value_ytd) as parks_in_total,
        count(*) filter (where value_ytd is not null and value_prior_ytd is not null)
            as parks_in_matched_growth,
        count(*) filter (where value_ytd is not null and value_last_year is not null)
            as parks_in_computed_growth
    from regions
    group by region_type, region, period, indicator

),

final as (

    select
        region_type,
        region,
        period,
        indicator,
        unit,
        round(value_ytd, {{ var('amount_decimals') }}) as value_ytd,
        value_month,
        {{ growth_pct('matched_ytd', 'matched_prior_ytd') }} as yoy_matched_pct,
        {{ growth_pct('computed_ytd', 'computed_last_year') }} as yoy_computed_pct,
        parks_expected,
        parks_reported,
        parks_not_filed,
        parks_rejected,
        parks_in_total,
        parks_in_matched_growth,
        parks_in_computed_growth,
        case when last_year_of_all > 0
            then round(100 * coalesce(computed_last_year, 0) / last_year_of_all, 1)
        end as value_coverage_pct,
        parks_in_total = parks_expected as is_complete,
        case
            when parks_in_total = parks_expected
                then printf('全部%d家园区计入; all %d parks counted', parks_expected, parks_expected)
            else printf(
                '%d/%d家园区计入（未报%d、被拒%d、未填%d）; %d of %d parks counted '
                || '(%d not filed, %d rejected, %d left it blank)',
                parks_in_total, parks_expected, parks_not_filed, parks_rejected,
                parks_reported - parks_in_total,
                parks_in_total, parks_expected, parks_not_filed, parks_rejected,
                parks_reported - parks_in_total
            )
        end as coverage_note
    from summed

)

select * from final

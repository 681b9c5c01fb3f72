{#-
    Who filed: per period, for the province (全省) and each city (市州), the
    parks expected (on the registry in that period), reported, missing (not
    filed, rejected) and late. Which parks, and why, is in mart_park_scorecard.
-#}
with

parks as (

    select * from {{ ref('int_park_period_status') }}

),

{#- Late: the park's first filing for the period arrived after the due date —
    decided once, on arrival (sources/lateness.py); only that filing can be late. -#}
lateness as (

    select
        park_code,
        period,
        bool_or(is_late) as is_late
    from {{ ref('stg_raw__filings') }}
    group by park_code, period

),

status as (

    select
        parks.period,
        parks.city,
        parks.filing_status,
        parks.is_reported,
        coalesce(lateness.is_late, false) as is_late
    from parks
    left join lateness
        on parks.park_code = lateness.park_code
        and parks.period = lateness.period

),

by_scope as (

    select
        period,
        grouping(city) = 1 as is_province,
        city,
        count(*) as parks_expected,
        count(*) filter (where is_reported) as parks_reported,
        count(*) filter (where not is_reported) as parks_missing,
        count(*) filter (where filing_status = 'not_filed') as parks_not_filed,
        count(*) filter (where filing_status = 'rejected') as parks_rejected,
        count(*) filter (where is_late) as parks_late
    from status
    group by grouping sets ((period), (period, city))

),

final as (

    select
        period,
        case when is_province then '全省' else '市州' end as scope,
        case when is_province then '全省' else city end as area,
        parks_expected,
        parks_reported,
        parks_missing,
        parks_not_filed,
        parks_rejected,
        parks_late,
        round(100.0 * parks_reported / parks_expected, 1) as coverage_pct
    from by_scope

)

select * from final

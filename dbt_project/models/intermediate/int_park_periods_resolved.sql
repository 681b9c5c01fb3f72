{#-
    Each park for each report period in which it was on the registry, with
    the park version in effect for that period (SCD2) — the one place that
    says which version a figure belongs to.

    The rule: a 1-N月 figure belongs wholly to the version in effect on the
    last day of month N (报告期末), as the office classifies a park by what it
    is at the end of the report period. 宁乡高新区, national from December
    2022, is provincial in 2022年1-11月 and national, with its whole year, in
    2022年1-12月; its growth compares the same park's figures, so a total by
    level moves it from 省级 to 国家级 once, in that period. An expansion of the
    approved area is a new version too: per-mu figures use the area in effect.
-#}
with

periods as (

    select * from {{ ref('dim_period') }}

),

parks as (

    select * from {{ ref('dim_park') }}

),

final as (

    select
        periods.period,
        parks.park_code,
        parks.park_version_key,
        parks.park_name,
        parks.short_name,
        parks.city,
        parks.county,
        parks.level,
        parks.park_type,
        parks.area_mu
    from periods
    inner join parks
        on last_day(periods.period) >= parks.valid_from
        and last_day(periods.period) < parks.valid_to

)

select * from final

{#-
    Each park in the registry for each report period in which it existed,
    with the attributes of the park version valid in that period (SCD2):
    a park ranked among national parks only from the month it became one.
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
        parks.park_version_id,
        parks.park_name,
        parks.short_name,
        parks.city,
        parks.county,
        parks.level,
        parks.park_type,
        parks.area_mu
    from periods
    inner join parks
        on periods.period >= parks.valid_from
        and periods.period < parks.valid_to

)

select * from final

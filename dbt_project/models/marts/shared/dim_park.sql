with

parks as (

    select * from {{ source('reference', 'parks') }}

),

final as (

    select
        park_code || '@' || strftime(coalesce(valid_from, date '1900-01-01'), '%Y-%m-%d')
            as park_version_id,
        park_code,
        park_name,
        short_name,
        city,
        county,
        level,
        park_type,
        area_mu,
        leading_chains,
        coalesce(valid_from, date '1900-01-01') as valid_from,
        coalesce(valid_to, date '9999-12-31') as valid_to,
        valid_to is null as is_current
    from parks

)

select * from final

{#-
    One row per park version (SCD2): an upgrade, rename, change of type or of
    approved area closes one version and opens the next under the same
    park_code. Facts carry the park_version_key of the version in effect for
    their period (int_park_periods_resolved says which); joining on it can
    never count a park twice.
-#}
with

parks as (

    select * from {{ source('reference', 'parks') }}

),

final as (

    select
        park_code || '@' || strftime(coalesce(valid_from, date '1900-01-01'), '%Y-%m-%d')
            as park_version_key,
        park_code,
        park_name,
        short_name,
        city,
        {#- Cast: the registry's columns take their type from their values, and a column
            left empty everywhere has none; the contract needs one. -#}
        cast(county as varchar) as county,
        level,
        park_type,
        cast(area_mu as double) as area_mu,
        leading_chains,
        coalesce(valid_from, date '1900-01-01') as valid_from,
        coalesce(valid_to, date '9999-12-31') as valid_to,
        valid_to is null as is_current
    from parks

)

select * from final

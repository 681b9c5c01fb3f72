with

source as (

    select * from {{ source('raw', 'indicators') }}

),

final as (

    select
        {{ lineage_columns() }},
        indicator,
        unit,
        value_ytd,
        value_prior_ytd,
        yoy_reported_pct
    from source

)

select * from final

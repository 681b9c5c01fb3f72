with

source as (

    select * from {{ source('raw', 'tax') }}

),

final as (

    select
        {{ lineage_columns() }},
        tax_type,
        tax_ytd,
        tax_prior_ytd,
        yoy_reported_pct
    from source

)

select * from final

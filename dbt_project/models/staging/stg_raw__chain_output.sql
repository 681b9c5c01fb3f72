with

source as (

    select * from {{ source('raw', 'chain_output') }}

),

final as (

    select
        {{ lineage_columns() }},
        chain,
        output_ytd,
        output_prior_ytd,
        yoy_reported_pct,
        enterprises
    from source

)

select * from final

with

source as (

    select * from {{ source('raw', 'trade') }}

),

final as (

    select
        {{ lineage_columns() }},
        partner,
        export_ytd,
        import_ytd,
        export_prior_ytd,
        import_prior_ytd
    from source

)

select * from final

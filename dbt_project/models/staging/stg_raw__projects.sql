with

source as (

    select * from {{ source('raw', 'projects') }}

),

final as (

    select
        {{ lineage_columns() }},
        project_code,
        project_name,
        investor,
        investor_origin,
        chain,
        signed_date,
        contract_amount,
        funds_in_place_ytd,
        fdi_usd,
        stage,
        started_date,
        production_date,
        is_returning_hunan_merchant,
        is_fortune500
    from source

)

select * from final
